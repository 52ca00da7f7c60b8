"""`gen import` on the reference setup rebuilt by hand (tests/fixtures/import/reference), for
real: the spec it writes is built, checked, and each container run through every live check
of harness/scenario.py. Each must answer its own app's message (read here from the original
app.py and app.js, never from the spec) through nginx on the host port of the original
compose file, and stop cleanly.

The originals have no `package-lock.json` (their Dockerfile runs `npm install`), and gen
installs with `npm ci`: as import's report tells the user, `npm install` makes one first, so
both apps go in through `app.source`, their own code running in the new containers.
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
        # With `app.source` the image is built from the project, with the generated Dockerfile.
        context = project if "source" in app else None
        found.append(
            spec.ContainerDir(path=project / "generated" / cs.name, spec=cs, host_port=host_port, context=context)
        )
    return found


def test_the_imported_reference_setup_runs(workspace: Workspace, gen_binary: Path, tmp_path: Path) -> None:
    project = tmp_path / "reference"
    shutil.copytree(REFERENCE, project)
    before = _gen(gen_binary, project, "import", "fastapi-app", "express-app", "--today", TODAY, "--out", "first.toml")
    assert "run `npm install` there and import again" in before.stdout, before.stdout
    locked = subprocess.run(
        ["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=project / "express-app",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert locked.returncode == 0, locked.stderr
    imported = _gen(gen_binary, project, "import", "fastapi-app", "express-app", "--today", TODAY)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "the app's own code" not in imported.stdout, imported.stdout
    data = tomllib.loads((project / "spec.toml").read_text())
    assert [c["app"].get("source") for c in data["container"]] == ["fastapi-app", "express-app"]
    built = _gen(gen_binary, project, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    # What is left: the end-of-life base the originals chose, kept (and said so), and the
    # Express app's own code not trusting nginx's X-Forwarded-* headers, which import cannot
    # change and reports as found in the new build.
    checked = _gen(gen_binary, project, "check", "--today", TODAY, "--format", "concise")
    found = sorted(line.split(" ", 2)[1] + " " + line.split(":", 1)[0] for line in checked.stdout.splitlines())
    assert found == ["warning[APP001] express-app/app.js", "warning[DKR003] spec.toml"], checked.stdout
    assert "still there (new in the build): express-app/app.js:1:25: warning[APP001]" in imported.stdout
    cdirs = _containers(project)
    assert sorted(c.host_port for c in cdirs) == [8001, 8002]
    subjects = session.build_all(workspace, gen_binary, cdirs)
    run(workspace, subjects)
    report.record_results("gen import of the reference setup", subjects)
    # The original Express app logs no requests, so `client_address` (which reads the app's
    # log) has nothing to read there: it must fail for exactly that reason, no other. That
    # the app does not trust nginx's X-Forwarded-For is APP001, reported above.
    unloggable = ("express-nginx", "client_address", "the app logged no line for")
    failures = [
        f"{s.name} {check}: {s.results[check].detail}"
        for s in subjects
        for check in CHECKS
        if not s.results[check].ok
        and not (s.name, check) == unloggable[:2]
    ]
    assert not failures, "\n\n".join(failures)
    express = next(s for s in subjects if s.name == "express-nginx")
    assert unloggable[2] in express.results["client_address"].detail, express.results["client_address"].detail
    for s in subjects:
        assert s.results["get_root"].ok and s.cdir.spec.message in s.results["get_root"].detail

