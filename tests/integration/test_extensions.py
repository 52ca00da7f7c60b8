"""The extension points example (examples/extensions), through the validators and for real.

Each container of examples/extensions/spec.toml includes an nginx snippet of the project,
serves a static directory of the project with nginx, and runs one more program under
supervisord. Static: hadolint, and gixy-ng on nginx.conf with its `include`s pointed at the
snippet copies gen wrote (so gixy reads the snippets in their server block, where the image
has them). In the built image: `nginx -t`. Run as the README's `docker run -p` says: a
static file answers 200 with the project file's bytes and a cache lifetime, a path that
climbs out of the static directory does not reach outside it, the snippet's route answers
with its header, the extra program is RUNNING under supervisord (`supervisorctl status`)
and logs to the container's output, and the container stops cleanly within its stop
timeout. What is expected comes from the spec and the project's files, never from the
generated files under test.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import static, web
from harness.container import Container, ContainerError
from harness.distro import BuildError
from harness.dockerfile import DockerfileError
from harness.image import Builder, Image
from harness.rootfs import RootfsError
from harness.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "extensions"
GENERATED = EXAMPLE / "generated"
SPEC = tomllib.loads((EXAMPLE / "spec.toml").read_text())
CONTAINERS = {c["name"]: c for c in SPEC["container"]}
STOP_TIMEOUT = 10


def test_example_uses_every_extension_point() -> None:
    for name, c in CONTAINERS.items():
        assert c.get("nginx", {}).get("include"), f"{name}: no snippet"
        assert c.get("static"), f"{name}: no static directory"
        assert c.get("program"), f"{name}: no program"


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_hadolint(name: str) -> None:
    serious, _ = static.hadolint(GENERATED / name / "Dockerfile")
    assert not serious, "hadolint findings at warning level or above:\n" + "\n".join(serious)


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_gixy_reads_the_snippets_in_their_server_block(name: str, tmp_path: Path) -> None:
    conf = (GENERATED / name / "nginx.conf").read_text()
    snippets = GENERATED / name / "snippets"
    # The image's path of each copy, pointed at the copy gen wrote beside nginx.conf.
    conf, count = re.subn(r"include /etc/nginx/gen-snippets/", f"include {snippets}/", conf)
    assert count == len(CONTAINERS[name]["nginx"]["include"]), "nginx.conf includes another number of snippets"
    local = tmp_path / "nginx.conf"
    local.write_text(conf)
    findings = static.gixy(local)
    assert not findings, "gixy-ng findings:\n" + "\n".join(findings)


@pytest.fixture(scope="module")
def built(workspace: Workspace, gen_binary: Path) -> dict[str, Image]:
    builder = Builder(workspace, gen_binary)
    out = {}
    for name in sorted(CONTAINERS):
        try:
            out[name] = builder.build(GENERATED / name, f"extensions-{name}")
        except (BuildError, DockerfileError, RootfsError, OSError) as exc:
            pytest.fail(f"{name}: the image did not build: {type(exc).__name__}: {exc}", pytrace=False)
    return out


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_nginx_t_with_the_snippets(name: str, built: dict[str, Image], workspace: Workspace) -> None:
    proc = static.nginx_t(workspace, built[name], "/etc/nginx/nginx.conf")
    assert proc.returncode == 0, f"`nginx -t` in the image failed:\n{proc.stdout}{proc.stderr}"
    assert "test is successful" in proc.stderr, proc.stderr


def _wait_healthy(port: int, container: Container) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        resp = web.answers(port, "/healthz", timeout=2)
        if resp is not None and resp.status == 200:
            return
        time.sleep(0.3)
    pytest.fail(f"/healthz never answered 200 on {port}\n{container.console_tail()}", pytrace=False)


@pytest.fixture(scope="module")
def running(built: dict[str, Image], workspace: Workspace) -> Iterator[dict[str, Container]]:
    started: dict[str, Container] = {}
    try:
        for i, name in enumerate(sorted(CONTAINERS)):
            container = Container(workspace, built[name], f"extensions-{name}", index=80 + i)
            try:
                container.start(int(CONTAINERS[name]["host_port"]), int(CONTAINERS[name].get("nginx", {}).get("port", 80)))
            except ContainerError as exc:
                pytest.fail(f"{name} did not start: {exc}", pytrace=False)
            started[name] = container
            _wait_healthy(int(CONTAINERS[name]["host_port"]), container)
        yield started
    finally:
        for container in started.values():
            container.cleanup()


def _project_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_static_files_served_by_nginx(name: str, running: dict[str, Container]) -> None:
    port = int(CONTAINERS[name]["host_port"])
    for table in CONTAINERS[name]["static"]:
        directory = EXAMPLE / table["dir"]
        files = _project_files(directory)
        assert files, f"{directory} holds no file"
        for path in files:
            url = table["path"] + path.relative_to(directory).as_posix()
            resp = web.get(port, url)
            assert resp.status == 200, f"GET {url}: {resp.status}"
            assert resp.body == path.read_bytes(), f"GET {url}: not the project's file"
            assert "max-age=3600" in resp.headers.get("cache-control", ""), resp.headers
        # The alias cannot be climbed out of: nginx normalizes the path, and the prefix without
        # its slash goes to the app, not to the directory's parent.
        for url in (table["path"] + "../etc/passwd", table["path"] + "..%2fetc/passwd", table["path"].rstrip("/") + "../etc/passwd"):
            resp = web.get(port, url)
            assert b"root:" not in resp.body, f"GET {url} reached outside the static directory"


def test_snippet_routes_answer(running: dict[str, Container]) -> None:
    shop = int(CONTAINERS["shop"]["host_port"])
    resp = web.get(shop, "/version")
    assert (resp.status, resp.body) == (200, b"shop 1.0\n"), (resp.status, resp.body)
    assert resp.headers.get("x-shop-snippet") == "on", resp.headers
    # The websocket route proxies to the app (which has no such path: its own 404, in JSON).
    resp = web.get(shop, "/ws/echo", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert resp.status == 404 and resp.body == b'{"detail":"Not Found"}', (resp.status, resp.body)
    blog = int(CONTAINERS["blog"]["host_port"])
    resp = web.get(blog, "/feed")
    assert resp.status == 301 and resp.headers.get("location", "").endswith("/feed.xml"), resp.headers
    # gen's own routes are untouched by the snippets.
    for name, c in CONTAINERS.items():
        resp = web.get(int(c["host_port"]), "/")
        assert resp.json() == {"message": c["app"]["message"]}, name


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_programs_run_under_supervisord(name: str, running: dict[str, Container]) -> None:
    container = running[name]
    conf = next(
        p for p in ("/etc/supervisor/supervisord.conf", "/etc/supervisord.conf") if container.file(p).exists()
    )
    for program in CONTAINERS[name]["program"]:
        deadline = time.monotonic() + 20
        status = ""
        while time.monotonic() < deadline:
            proc = container.exec(["supervisorctl", "-c", conf, "status", program["name"]])
            status = proc.stdout
            if re.search(rf"^{re.escape(program['name'])}\s+RUNNING\b", status, re.M):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"{program['name']} is not RUNNING: {status!r}\n{container.console_tail()}", pytrace=False)
        # Its user is the spec's (the app's by default).
        user = program.get("user", CONTAINERS[name]["app"].get("user", "app"))
        owners = [cmd for _, _, cmd in container.processes() if "while true" in cmd]
        assert owners, "the program's shell is not running"
        pids = [host for host, _, cmd in container.processes() if "while true" in cmd]
        uid = int(Path(f"/proc/{pids[0]}/status").read_text().split("Uid:")[1].split()[0])
        passwd = container.file("/etc/passwd").read_text()
        names = {int(line.split(":")[2]): line.split(":")[0] for line in passwd.splitlines() if line.count(":") >= 3}
        assert names.get(uid) == user, f"{program['name']} runs as uid {uid}, want {user}"


def test_worker_output_and_heartbeat(running: dict[str, Container]) -> None:
    container = running["shop"]
    queue = CONTAINERS["shop"]["program"][0]["environment"]["QUEUE"]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and f"heartbeat {queue}" not in container.console_text():
        time.sleep(0.5)
    assert f"heartbeat {queue}" in container.console_text(), container.console_tail()
    # `%s` reached `date` as written in the spec (supervisord's `%%`), so the file holds seconds.
    beat = container.file("/tmp/heartbeat").read_text().strip()
    assert beat.isdigit() and abs(int(beat) - time.time()) < 60, beat


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_stops_cleanly(name: str, running: dict[str, Container]) -> None:
    outcome = running[name].stop(timeout=STOP_TIMEOUT)
    assert outcome.seconds is not None, f"not stopped within {STOP_TIMEOUT} s: SIGKILLed\n{running[name].console_tail()}"
    assert not outcome.leftover, f"left running: {outcome.leftover}"
    assert outcome.returncode == 0, f"exit {outcome.returncode}\n{running[name].console_tail()}"
