"""Fixtures and prerequisites for the integration tests of gen's generated containers.

Tests are parametrized over the container directories found under generated/ (never a fixed
list). What they need (root, namespaces, nginx, supervisord, node, Debian's python3 with venv,
BusyBox, the gen binary) is checked once: under CI (env CI set) anything missing is a failure,
elsewhere the tests that need it skip and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import ns, report, session, spec
from harness.scenario import CHECKS, Subject, run
from harness.workspace import Workspace, WorkspaceError

REPO = Path(__file__).resolve().parents[2]
GENERATED = REPO / "generated"
SPEC = REPO / "spec.toml"
IN_CI = bool(os.environ.get("CI"))

# Host tools the image roots and the run use (all from Debian's packages; see
# scripts/install-test-deps.sh).
LIVE_TOOLS = [
    "unshare", "nsenter", "setpriv", "mount", "umount", "ip", "curl", "nginx", "supervisord",
    "supervisorctl", "node", "npm", "busybox", "useradd", "groupadd", "usermod", "dpkg-query", "hostname",
]  # fmt: skip

_live_problem: str | None = None
_workspace: Workspace | None = None  # made before any thread exists, closed at the very end


def unavailable(reason: str) -> None:
    """A missing prerequisite: a failure under CI, a skip (with the reason) elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set: a missing prerequisite is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _live_prerequisites() -> str | None:
    if os.geteuid() != 0:
        return "the container tests need root (mount and network namespaces, overlayfs, chroot)"
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    missing = [tool for tool in LIVE_TOOLS if shutil.which(tool, path=path) is None]
    if missing:
        return f"missing tools: {', '.join(missing)} (run scripts/install-test-deps.sh)"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import ensurepip, venv"], capture_output=True)
    if probe.returncode != 0:
        return "Debian's /usr/bin/python3 has no venv/ensurepip (install python3-venv)"
    if not Path("/usr/bin/tini-static").exists():
        return "no /usr/bin/tini-static (Docker's init; Debian package tini)"
    if "overlay" not in Path("/proc/filesystems").read_text():
        return "the kernel has no overlayfs"
    return None


def pytest_configure(config: pytest.Config) -> None:
    global _live_problem, _workspace
    _live_problem = _live_prerequisites()
    if _live_problem is None:
        # Before any thread exists: mounts made from here on are this process's alone.
        try:
            ns.enter_private_mount_namespace()
            _workspace = Workspace()
            _workspace.hold_temporary_files()
        except (OSError, WorkspaceError) as exc:
            _live_problem = f"cannot set up a private mount namespace with a tmpfs: {exc}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _workspace is not None:
        _workspace.close()


def _discover() -> tuple[list[spec.ContainerDir], str | None]:
    try:
        return spec.discover(GENERATED, SPEC), None
    except (spec.SpecError, OSError, KeyError, ValueError) as exc:
        return [], f"{type(exc).__name__}: {exc}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "container" in metafunc.fixturenames:
        found, error = _discover()
        names = [c.name for c in found] if found else [f"<{error or 'no container under generated/'}>"]
        metafunc.parametrize("container", names)


@pytest.fixture(scope="session")
def generated() -> Path:
    return GENERATED


@pytest.fixture(scope="session")
def containers() -> dict[str, spec.ContainerDir]:
    found, error = _discover()
    if error:
        pytest.fail(f"cannot discover the generated containers: {error}", pytrace=False)
    return {c.name: c for c in found}


@pytest.fixture
def cdir(container: str, containers: dict[str, spec.ContainerDir]) -> spec.ContainerDir:
    if container not in containers:
        pytest.fail(f"no generated container {container}", pytrace=False)
    return containers[container]


@pytest.fixture(scope="session")
def gen_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "debug" / "gen"
    # Up to date with the sources (a no-op after scripts/test.sh's own build).
    if shutil.which("cargo") is not None:
        build = subprocess.run(
            ["cargo", "build", "--quiet", "--locked"], cwd=REPO, capture_output=True, text=True, timeout=1800
        )
        if build.returncode != 0:
            pytest.fail(f"cargo build failed:\n{build.stderr}", pytrace=False)
    if not binary.exists():
        unavailable(f"no gen binary at {binary} and no cargo to build it")
    return binary


@pytest.fixture(scope="session")
def live_ready() -> None:
    if _live_problem is not None:
        unavailable(_live_problem)


@pytest.fixture(scope="session")
def workspace(live_ready: None) -> Workspace:
    assert _workspace is not None
    return _workspace


@pytest.fixture(scope="session")
def images(workspace: Workspace, gen_binary: Path, containers: dict[str, spec.ContainerDir]) -> dict[str, Subject]:
    """Every generated container's image, built once (or the reason it did not build)."""
    subjects = session.build_all(workspace, gen_binary, list(containers.values()))
    return {s.name: s for s in subjects}


@pytest.fixture(scope="session")
def live(workspace: Workspace, images: dict[str, Subject]) -> dict[str, Subject]:
    """Every generated container run at once and put through every live check."""
    subjects = list(images.values())
    run(workspace, subjects)
    report.record_results("live checks", subjects)
    return images


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    notes = report.notes()
    if notes:
        terminalreporter.section("gen harness: what stood in for the images")
        for line in notes:
            terminalreporter.write_line(line)
    for title, subjects, failures_only in report.results():
        terminalreporter.section(f"gen harness: {title}")
        for s in subjects:
            for check in CHECKS:
                result = s.results.get(check)
                if result is None or (failures_only and (result.ok or "not checked" in result.detail)):
                    continue
                first = result.detail.splitlines()[0] if result.detail else ""
                terminalreporter.write_line(f"{'ok  ' if result.ok else 'FAIL'} {s.name} {check}: {first}")
