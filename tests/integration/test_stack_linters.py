"""The compose files, Dockerfiles and Kubernetes manifests of every generated variant (the
starter containers in generated/, the load balancer with TLS and replicas in examples/lb/)
through the linters reviewers run: dclint (no error), compose-lint (nothing unsuppressed at
medium or above) and checkov (no failed check). Every exception is in the generated files
themselves, with its reason, where the tool reads it (README.md, "Security notes").

The tools are pinned: dclint by tests/tools/dclint/package-lock.json, compose-lint in
tests/requirements.txt, checkov in tests/requirements-checkov.txt (its own venv);
scripts/install-test-deps.sh installs them. Under CI a missing tool fails, elsewhere it skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness import static

REPO = Path(__file__).resolve().parents[2]
VARIANTS = {"starter": REPO / "generated", "lb": REPO / "examples" / "lb" / "generated"}


def _need(path: Path | str, what: str) -> None:
    if Path(path).exists():
        return
    reason = f"{what} is not installed at {path} (run scripts/install-test-deps.sh)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: a missing tool is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.mark.parametrize("variant", VARIANTS)
def test_dclint(variant: str) -> None:
    _need(static.DCLINT, "dclint")
    errors = static.dclint(VARIANTS[variant] / "compose.yaml")
    assert not errors, "dclint errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_lint(variant: str) -> None:
    _need(static.VENV_BIN / "compose-lint", "compose-lint")
    findings = static.compose_lint(VARIANTS[variant] / "compose.yaml")
    assert not findings, "compose-lint findings at medium or above:\n" + "\n".join(findings)


@pytest.mark.parametrize("variant", VARIANTS)
def test_checkov(variant: str) -> None:
    _need(static.CHECKOV, "checkov")
    failed, passed = static.checkov(VARIANTS[variant])
    assert passed > 0, "checkov passed no check: it scanned nothing"
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)
