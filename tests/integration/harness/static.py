"""The validators run on a container directory's files, each returning its findings.

hadolint and gixy-ng come from .venv (tests/requirements.txt); `nginx -t` and supervisor's
own options parser run inside a throwaway container of the built image, where the users and
paths the configurations name exist (`docker run --rm IMAGE nginx -t`).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .container import run_once
from .image import Image
from .workspace import Workspace

VENV_BIN = Path(sys.executable).parent
NGINX_T_TIMEOUT = 60


def tool(name: str) -> str:
    """A validator from the test venv, else from PATH."""
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def _quiet_run(argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # In an empty directory with an empty HOME: no stray .hadolint.yaml or gixy config counts.
    with tempfile.TemporaryDirectory(prefix="gen-lint-") as tmp:
        env = {"PATH": f"{VENV_BIN}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": tmp, "LC_ALL": "C.UTF-8"}
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=tmp, env=env)


def hadolint(dockerfile: Path) -> tuple[list[str], list[str]]:
    """(findings at warning level or above, every finding), each `line CODE level: message`."""
    proc = _quiet_run([tool("hadolint"), "--no-color", "--format", "json", str(dockerfile)])
    try:
        findings = json.loads(proc.stdout or "[]")
    except ValueError as exc:
        raise RuntimeError(f"hadolint printed no JSON (exit {proc.returncode}): {proc.stderr or proc.stdout}") from exc
    shown = [f"{dockerfile.name}:{f['line']} {f['code']} {f['level']}: {f['message']}" for f in findings]
    serious = [s for s, f in zip(shown, findings, strict=True) if f["level"] in ("error", "warning")]
    return serious, shown


def gixy(nginx_conf: Path) -> list[str]:
    """Every gixy-ng finding, whatever its severity."""
    proc = _quiet_run([tool("gixy"), "--format", "json", str(nginx_conf)])
    try:
        findings = json.loads(proc.stdout or "null")
    except ValueError as exc:
        raise RuntimeError(f"gixy printed no JSON (exit {proc.returncode}): {proc.stderr or proc.stdout}") from exc
    if findings is None:
        raise RuntimeError(f"gixy printed nothing (exit {proc.returncode}): {proc.stderr.strip()}")
    return [
        f"{Path(f['file']).name}:{f.get('line', '?')} [{f['plugin']}] {f['severity']}: {f['summary']} ({f['reason']})"
        for f in findings
    ]


def python_sources(directory: Path) -> list[str]:
    """Syntax errors in the directory's Python files, as `ast.parse` reports them."""
    problems = []
    for path in sorted(directory.glob("*.py")):
        try:
            ast.parse(path.read_text(), filename=str(path))
        except SyntaxError as exc:
            problems.append(f"{path.name}:{exc.lineno}:{exc.offset}: {exc.msg}")
    return problems


def javascript_sources(directory: Path) -> list[str]:
    """Syntax errors in the directory's JavaScript files, as `node --check` reports them."""
    problems = []
    for path in sorted(directory.glob("*.js")):
        proc = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            problems.append(f"{path.name}: {proc.stderr.strip()}")
    return problems


def nginx_t(ws: Workspace, image: Image, conf_in_image: str) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the configuration where the image has it, inside the image."""
    return run_once(ws, image, ["nginx", "-t", "-c", conf_in_image], timeout=NGINX_T_TIMEOUT)


# Loads a configuration the way supervisord does at start-up; prints what it understood.
_SUPERVISOR_PROBE = r"""
import json, sys
import supervisor
from supervisor.options import VERSION, ServerOptions
options = ServerOptions()
try:
    options.realize(["-c", sys.argv[1]])
except SystemExit as exc:
    print(json.dumps({"ok": False, "status": exc.code}))
    sys.exit(0)
programs = []
for group in options.process_group_configs:
    for proc in group.process_configs:
        programs.append({"group": group.name, "name": proc.name, "command": proc.command, "uid": proc.uid,
                         "kind": type(group).__name__})
print(json.dumps({"ok": True, "version": VERSION, "module": supervisor.__file__,
                  "nodaemon": bool(options.nodaemon), "programs": programs}))
"""


def supervisord_accepts(ws: Workspace, image: Image, conf_in_image: str) -> tuple[bool, str]:
    """Whether supervisor (the pinned version in .venv) loads the configuration inside the image."""
    import supervisor

    package = Path(supervisor.__file__).parent
    probe_dir = "/tmp/gen-harness-supervisor"
    proc = run_once(
        ws,
        image,
        ["/usr/bin/env", f"PYTHONPATH={probe_dir}", "/usr/bin/python3", "-c", _SUPERVISOR_PROBE, conf_in_image],
        timeout=60,
        files={f"{probe_dir}/supervisor": package},
    )
    if proc.returncode != 0:
        return False, f"the probe failed (exit {proc.returncode}): {proc.stderr.strip()}"
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return False, f"the probe printed no result: {proc.stdout} {proc.stderr}"
    if not result["ok"]:
        return False, f"supervisord rejects {conf_in_image}:\n{proc.stderr.strip()}"
    if not result["module"].startswith(probe_dir):
        return False, f"the probe loaded supervisor from {result['module']}, not the pinned copy"
    programs = ", ".join(f"{p['name']} ({p['kind']}: {p['command']})" for p in result["programs"])
    return True, f"supervisor {result.get('version')} loads {conf_in_image}: nodaemon={result['nodaemon']}; {programs}"


def compose_config(compose_file: Path) -> tuple[dict | None, str]:
    """Docker Compose's own loader (`docker compose config`, no engine needed) on a compose file.

    Returns the normalized model (None when Compose rejects the file) and Compose's messages.
    """
    proc = _quiet_run([tool("docker-compose"), "-f", str(compose_file), "config", "--format", "json"])
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout), proc.stderr.strip()


def kubernetes_validate(manifests: list[Path]) -> tuple[bool, str]:
    """kubernetes-validate, strict (unknown fields are errors), on Kubernetes manifests."""
    proc = _quiet_run([tool("kubernetes-validate"), "--strict", *map(str, manifests)])
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


# --- the linters reviewers run on compose files and manifests (tests/test_stack_linters.py) ---

REPO = Path(__file__).resolve().parents[3]
DCLINT = REPO / "tests" / "tools" / "dclint" / "node_modules" / ".bin" / "dclint"
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


def dclint(compose_file: Path) -> list[str]:
    """dclint's errors (its warnings are style), each `line rule: message`."""
    proc = _quiet_run([str(DCLINT), "--formatter", "json", "--color", "false", str(compose_file)])
    try:
        results = json.loads(proc.stdout)
    except ValueError as exc:
        raise RuntimeError(f"dclint printed no JSON (exit {proc.returncode}): {proc.stderr or proc.stdout}") from exc
    return [
        f"{compose_file.name}:{m['line']} {m['rule']}: {m['message']}"
        for r in results
        for m in r["messages"]
        if m["type"] == "error"
    ]


def compose_lint(compose_file: Path) -> list[str]:
    """compose-lint's unsuppressed findings at medium severity or above (its config,
    .compose-lint.yml beside the file, holds the suppressions and their reasons)."""
    proc = _quiet_run([tool("compose-lint"), "check", "--format", "json", str(compose_file)])
    try:
        report = json.loads(proc.stdout)
    except ValueError as exc:
        raise RuntimeError(f"compose-lint printed no JSON (exit {proc.returncode}): {proc.stderr}") from exc
    if report.get("errors"):
        raise RuntimeError(f"compose-lint: {report['errors']}")
    return [
        f"{compose_file.name}:{f['line']} {f['rule_id']} {f['severity']}: {f['message']}"
        for f in report["findings"]
        if not f.get("suppressed") and f["severity"] in ("medium", "high", "critical")
    ]


def checkov(directory: Path) -> tuple[list[str], int]:
    """checkov's failed checks on the Dockerfiles and Kubernetes manifests under `directory`
    (each skip is in the file, with its reason), and how many checks passed."""
    proc = _quiet_run(
        [str(CHECKOV), "--directory", str(directory), "--framework", "dockerfile", "kubernetes",
         "--skip-download", "--quiet", "--compact", "--output", "json"],
        timeout=600,
    )  # fmt: skip
    try:
        reports = json.loads(proc.stdout)
    except ValueError as exc:
        raise RuntimeError(f"checkov printed no JSON (exit {proc.returncode}): {proc.stderr[-2000:]}") from exc
    if isinstance(reports, dict):
        reports = [reports]
    failed, passed = [], 0
    for report in reports:
        if "results" not in report:  # `{"passed": 0, "failed": 0, ...}` for a framework with nothing to scan
            continue
        passed += int(report["summary"]["passed"])
        failed += [
            f"{c['file_path']}:{c['file_line_range'][0]} {c['check_id']} {c['check_name']} ({c['resource']})"
            for c in report["results"]["failed_checks"]
        ]
    return failed, passed
