"""The app servers gen reads from their own configs, run for real: the premises of the rules
over them, and that the configurations gen finds clean do serve.

Each project under tests/integration/servers/ is built and run as `docker run -p` would
(uWSGI and gunicorn from PyPI in a venv, PHP-FPM from Debian's php8.2-fpm), then `GET /`
through nginx must give the status the case says, and `gen check` on the project must give
the rule (for a broken one) or none of the socket and port rules (for a working one):

- `uwsgi-pass-to-http-socket`: nginx `uwsgi_pass` to uWSGI's `http-socket`: uWSGI waits for
  the rest of an HTTP request that never comes, and nginx answers 504 at its
  `uwsgi_read_timeout` (3 s in the project, 60 s by default) (SOCK002,
  upstream-protocol-mismatch);
- `socket-mode-denied`: uWSGI's socket with `chmod-socket = 600`, created by root, and
  nginx's workers as www-data: 502 (SOCK003, socket-permission-denied);
- `socket-default-mode`: the same socket without `chmod-socket`: uWSGI's `bind()` makes it
  0777 less the umask (022), 0755, root's: 502 (SOCK003);
- `proxy-pass-to-php-fpm`: nginx `proxy_pass` (HTTP) to PHP-FPM's FastCGI port: 502
  (SOCK002);
- `grpc-pass-to-php-fpm`: nginx `grpc_pass` (gRPC, HTTP/2) to PHP-FPM's FastCGI port: 502
  (SOCK002);
- `proxy-pass-to-uwsgi-socket`: nginx `proxy_pass` (HTTP) to uWSGI's `socket` (uwsgi
  protocol): 502 (SOCK002);
- `uwsgi-socket`, `gunicorn-config-unix` (the bind in gunicorn.conf.py), `php-fpm-pool`
  (a pool file on a unix socket): 200 with the app's answer.
"""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import web
from harness.container import Container, RunOptions
from harness.image import Builder
from harness.workspace import Workspace

SERVERS = Path(__file__).resolve().parent / "servers"
# Rules that must stay silent on the working projects.
SOCKET_RULES = "PORT001,PORT002,PORT003,NET002,SOCK001,SOCK002,SOCK003"
READY_SECONDS = 60


@dataclass(frozen=True)
class Case:
    status: int
    rule: str | None  # the rule gen must report, for a broken project
    body: bytes  # in the answer, for a working one


CASES = {
    "uwsgi-pass-to-http-socket": Case(504, "SOCK002", b""),
    "socket-mode-denied": Case(502, "SOCK003", b""),
    "socket-default-mode": Case(502, "SOCK003", b""),
    "proxy-pass-to-php-fpm": Case(502, "SOCK002", b""),
    "grpc-pass-to-php-fpm": Case(502, "SOCK002", b""),
    "proxy-pass-to-uwsgi-socket": Case(502, "SOCK002", b""),
    "uwsgi-socket": Case(200, None, b"hello from the app"),
    "gunicorn-config-unix": Case(200, None, b"hello from the app"),
    "php-fpm-pool": Case(200, None, b"hello from php-fpm"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settled(port: int, container: Container) -> web.Response:
    """The answer to `GET /` once the app server is up: nginx answers 502 while the app
    starts, so wait until a working one answers 200, or a broken one has run a while."""
    deadline = time.monotonic() + READY_SECONDS
    last: web.Response | None = None
    started = time.monotonic()
    while time.monotonic() < deadline:
        if not container.running():
            pytest.fail(f"the container exited\n{container.console_tail()}")
        last = web.answers(port, timeout=15)
        # Give a slow app 8 s to come up before taking a 502 as its answer.
        if last is not None and (last.status == 200 or time.monotonic() - started > 8):
            return last
        time.sleep(0.25)
    pytest.fail(f"no answer on 127.0.0.1:{port} within {READY_SECONDS}s\n{container.console_tail()}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_server_answers_as_gen_says(name: str, workspace: Workspace, gen_binary: Path) -> None:
    case = CASES[name]
    project = SERVERS / name
    check = subprocess.run(
        [str(gen_binary), "check", str(project), "--select", SOCKET_RULES, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if case.rule is None:
        assert check.returncode == 0, check.stdout
    else:
        assert check.returncode == 1 and f'"{case.rule}"' in check.stdout, check.stdout

    image = Builder(workspace, gen_binary).build(project, f"servers-{name}")
    port = _free_port()
    container = Container(workspace, image, f"servers-{name}", 60 + sorted(CASES).index(name), RunOptions())
    try:
        container.start(port, 80)
        answer = _settled(port, container)
        assert answer.status == case.status, f"{answer.status} {answer.body[:300]!r}\n{container.console_tail()}"
        assert case.body in answer.body
    finally:
        container.cleanup()
