"""The same live checks, with every container run the way generated/compose.yaml says.

Compose's own loader gives each service's runtime: `init: true` (tini as pid 1 in front of
supervisord), a read-only root with tmpfs on /run and /tmp, `cap_drop: ALL` plus the listed
`cap_add`, `no-new-privileges`, its health check and stop grace period. The images are the
ones the Dockerfiles built (each service's build context is its generated directory).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import compose, report, spec, static
from harness.scenario import CHECKS, Subject, run
from harness.workspace import Workspace


@pytest.fixture(scope="session")
def live_compose(
    workspace: Workspace, images: dict[str, Subject], generated: Path, containers: dict[str, spec.ContainerDir]
) -> dict[str, Subject]:
    compose_file = generated / "compose.yaml"
    if not compose_file.exists():
        pytest.skip("gen wrote no generated/compose.yaml")
    model, messages = static.compose_config(compose_file)
    if model is None:
        pytest.fail(f"docker compose config rejects {compose_file}:\n{messages}", pytrace=False)
    subjects = []
    for name, built in images.items():
        service = model["services"].get(name)
        if service is None:
            pytest.fail(f"compose.yaml has no service {name}", pytrace=False)
        options = compose.run_options(service)
        skipped = compose.not_emulated(service)
        if skipped:
            report.note(name, f"compose: not emulated: {', '.join(skipped)}")
        subjects.append(Subject(containers[name], image=built.image, error=built.error, options=options))
    run(workspace, subjects)
    report.record_results("live checks, run as compose.yaml says", subjects)
    return {s.name: s for s in subjects}


@pytest.mark.parametrize("check", CHECKS)
def test_compose_live(container: str, check: str, live_compose: dict[str, Subject]) -> None:
    result = live_compose[container].results.get(check)
    assert result is not None, f"the check {check} did not run"
    assert result.ok, result.detail
