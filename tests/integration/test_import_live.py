"""`gen import` on the reference setup rebuilt by hand (tests/fixtures/import/reference), for
real: the spec it writes is built, checked, and each container run through every live check
of harness/scenario.py. Each must answer its own app's message (read here from the original
app.py and app.js, never from the spec) through nginx on the host port of the original
compose file, and stop cleanly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

from harness import report, session, spec
from harness.scenario import CHECKS, run
from harness.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "fixtures" / "import" / "reference"
TODAY = "2026-11-29"

# What each original app answers, from its own source: the original compose file's host port
# and the app's message literal.
_PY = re.compile(r"""["']message["']\s*:\s*"([^"]*)\"""")
_JS = re.compile(r"""message\s*:\s*'([^']*)'""")


def _original_messages() -> dict[int, str]:
    fastapi = _PY.search((REFERENCE / "fastapi-app" / "app.py").read_text())
    express = _JS.search((REFERENCE / "express-app" / "app.js").read_text())
    assert fastapi and express, "the original apps' messages"
    return {8001: fastapi.group(1), 8002: express.group(1)}


def _gen(gen: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(gen), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _containers(project: Path) -> list[spec.ContainerDir]:
    """The built containers with the facts the checks need, from the imported spec; the
    message each must answer comes from the original app instead."""
    data = tomllib.loads((project / "spec.toml").read_text())
    messages = _original_messages()
    found = []
    for entry in data["container"]:
        app = entry["app"]
        kind = app["kind"]
        host_port = int(entry["host_port"])
        cs = spec.ContainerSpec(
            name=entry["name"],
            container_name=entry.get("container_name", entry["name"]),
            host_port=host_port,
            stop_timeout=int(entry.get("stop_timeout", spec.DEFAULT_STOP_TIMEOUT)),
            nginx_port=int(entry.get("nginx", {}).get("port", spec.DEFAULT_NGINX_PORT)),
            app_kind=kind,
            app_port=int(app.get("port", spec.DEFAULT_APP_PORT[kind])),
            message=messages[host_port],
        )
        found.append(spec.ContainerDir(path=project / "generated" / cs.name, spec=cs, host_port=host_port))
    return found


def test_the_imported_reference_setup_runs(workspace: Workspace, gen_binary: Path, tmp_path: Path) -> None:
    project = tmp_path / "reference"
    shutil.copytree(REFERENCE, project)
    imported = _gen(gen_binary, project, "import", "fastapi-app", "express-app", "--today", TODAY)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    built = _gen(gen_binary, project, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    # The end-of-life base the originals chose is kept (and said so); nothing else is found.
    checked = _gen(gen_binary, project, "check", "--today", TODAY, "--ignore", "DKR003", "--deny", "warnings")
    assert (checked.returncode, checked.stdout) == (0, ""), checked.stdout + checked.stderr
    cdirs = _containers(project)
    assert sorted(c.host_port for c in cdirs) == [8001, 8002]
    subjects = session.build_all(workspace, gen_binary, cdirs)
    run(workspace, subjects)
    report.record_results("gen import of the reference setup", subjects)
    failures = [
        f"{s.name} {check}: {s.results[check].detail}" for s in subjects for check in CHECKS if not s.results[check].ok
    ]
    assert not failures, "\n\n".join(failures)
    for s in subjects:
        assert s.results["get_root"].ok and s.cdir.spec.message in s.results["get_root"].detail

