"""The premise of `program-daemonizes` (PROC009), run for real: a supervisord program that
forks into the background (Debian's php-fpm with `-D`, or without `-F` under its packaged
php-fpm.conf, whose `daemonize` defaults to yes) exits at once with status 0, and supervisord
either restarts it (each new one fails, the first still holding the socket: exit 70) until
it gives up with FATAL, or, when the fork took longer than `startsecs` (a loaded machine),
takes the exit as expected and leaves the forked php-fpm unsupervised. The same program with
`-F` stays RUNNING.

The container is the rule's own fixture (tests/fixtures/check/program-daemonizes/), built and
run by the harness; only the php-fpm command line differs between the cases.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from harness.container import Container
from harness.image import Builder
from harness.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests/fixtures/check/program-daemonizes"

# (fixture, php-fpm's command line, the state supervisord must report)
CASES = {
    "with -D": ("fail", "/usr/sbin/php-fpm8.2 -D", "forks"),
    "without -F": ("fail", "/usr/sbin/php-fpm8.2", "forks"),
    "with -F": ("pass", "/usr/sbin/php-fpm8.2 -F", "RUNNING"),
}

# supervisord's own log lines (it logs to the console under `nodaemon`).
GAVE_UP = "gave up: php-fpm entered FATAL state, too many start retries too quickly"
RUNNING = "success: php-fpm entered RUNNING state"
FORKED = "exited: php-fpm (exit status 0;"
LEFT_ALONE = "exited: php-fpm (exit status 0; expected)"


def _wait_for_line(container: Container, wanted: list[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = container.console_text()
        if any(w in text for w in wanted):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("case", sorted(CASES))
def test_php_fpm_under_supervisord(case: str, workspace: Workspace, gen_binary: Path, tmp_path: Path) -> None:
    fixture, command, state = CASES[case]
    context = tmp_path / "web"
    shutil.copytree(FIXTURE / fixture / "web", context)
    conf = context / "supervisord.conf"
    text, count = re.subn(r"(?m)^command=/usr/sbin/php-fpm8\.2.*$", f"command={command}", conf.read_text())
    assert count == 1, "the fixture's php-fpm program is gone"
    conf.write_text(text)

    image = Builder(workspace, gen_binary).build(context, f"daemonizing-{fixture}-{len(command)}")
    container = Container(workspace, image, f"daemonizing-{fixture}-{len(command)}", index=90)
    try:
        container.start_wired(lambda: None)
        if state == "forks":
            # startretries=3 with backoffs of 1, 2 and 3 seconds: well within 60 s.
            assert _wait_for_line(container, [GAVE_UP, LEFT_ALONE], timeout=60), container.console_tail()
            time.sleep(2)
            console = container.console_text()
            # The process supervisord started forked the server and left at once, successfully.
            assert FORKED in console, console
            if GAVE_UP in console:
                # Every restart failed: the first php-fpm still holds the socket.
                assert "exited: php-fpm (exit status 70; not expected)" in console, console
            # Either way a php-fpm master runs that supervisord no longer knows as running.
            masters = [cmd for _, _, cmd in container.processes() if "php-fpm: master process" in cmd]
            assert masters, f"no forked php-fpm master left:\n{console}"
        else:
            assert _wait_for_line(container, [RUNNING], timeout=30), container.console_tail()
            # Still running well after startsecs: never restarted.
            time.sleep(3)
            console = container.console_text()
            assert "exited: php-fpm" not in console and GAVE_UP not in console, console
    finally:
        container.cleanup()
