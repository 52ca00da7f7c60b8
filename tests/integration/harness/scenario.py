"""The live checks: every container started at once and used the way a person would.

`run` starts every subject's image (all at the same time, each on its published port),
waits until each answers, then checks, in phases, for all of them together:

- starts:             the CMD comes up and /healthz answers through the published port;
- runtime:            the container runs under the restrictions asked for (capability
                      bounding set, no-new-privileges, read-only root with writable tmpfs);
- get_root:           `GET /` is 200, application/json, exactly `{"message": <spec's message>}`;
- healthz:            `GET /healthz` is 200;
- healthcheck:        the Dockerfile's HEALTHCHECK command succeeds inside the container;
- listeners:          inside, nginx listens on its port and the app only on loopback;
- app_port_private:   the app's port answers neither on the host's 127.0.0.1 nor from the
                      network outside the container, while nginx's does;
- client_address:     a spoofed `X-Forwarded-For` from outside is not believed, nginx's own
                      forwarding is: the app logs the real client (the gateway address);
- restart_after_kill: SIGKILL to the app (found by pid through supervisorctl) and
                      supervisord has it running and answering again within seconds;
- graceful_stop:      the STOPSIGNAL to pid 1 (`docker stop`) with an upload in flight: every
                      process exits within the stop timeout, none is SIGKILLed, none is left,
                      and the upload still gets its 200.

Each check gives a `Result`; nothing here asserts, so the mutation tests can run the same
checks and expect failures. Every wait and every request has a bound.
"""

from __future__ import annotations

import configparser
import re
import shlex
import signal
import subprocess
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import ns, web
from .container import GATEWAY_IP, Container, RunOptions
from .image import Image
from .spec import ContainerDir
from .workspace import Workspace

CHECKS = (
    "starts",
    "runtime",
    "get_root",
    "healthz",
    "healthcheck",
    "listeners",
    "app_port_private",
    "client_address",
    "restart_after_kill",
    "graceful_stop",
)

READY_TIMEOUT = 30.0  # from start until /healthz answers
RESTART_TIMEOUT = 15.0  # from SIGKILL until the app answers again
SPOOFED = "203.0.113.9"


class CheckFailed(Exception):
    pass


@dataclass
class Result:
    ok: bool
    detail: str


@dataclass
class Subject:
    cdir: ContainerDir
    image: Image | None = None
    error: str | None = None  # why there is no image (the build failed)
    options: RunOptions = field(default_factory=RunOptions)
    container: Container | None = None
    results: dict[str, Result] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cdir.name

    def failed(self) -> list[str]:
        return [name for name, r in self.results.items() if not r.ok]


def _record(subject: Subject, check: str, fn: Callable[[], str]) -> None:
    # A container that runs but never became healthy is still checked: the other checks
    # say what is wrong with it. One that is not running cannot be.
    if check != "starts" and (subject.container is None or not subject.container.running()):
        subject.results[check] = Result(False, "not checked: the container is not running (see `starts`)")
        return
    try:
        subject.results[check] = Result(True, fn())
    except CheckFailed as exc:
        subject.results[check] = Result(False, _with_console(subject, str(exc)))
    except Exception as exc:  # a broken check must show up as a failure with its cause
        trace = "".join(traceback.format_exception(exc)[-3:])
        subject.results[check] = Result(False, _with_console(subject, f"{type(exc).__name__}: {exc}\n{trace}"))


def _with_console(subject: Subject, text: str) -> str:
    if subject.container is None:
        return text
    return f"{text}\n{subject.container.console_tail()}"


def _short(body: bytes) -> str:
    text = " ".join(body.decode(errors="replace").split())
    return repr(text if len(text) <= 160 else text[:160] + "...")


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def run(ws: Workspace, subjects: list[Subject]) -> None:
    live = [s for s in subjects if s.image is not None]
    for s in subjects:
        if s.image is None:
            for check in CHECKS:
                s.results[check] = Result(False, f"no image: {s.error}")
    try:
        for index, s in enumerate(live):
            _record(s, "starts", lambda s=s, index=index: _start(ws, s, index))
        _wait_ready([s for s in live if s.results["starts"].ok])
        for s in live:  # everything is up at the same time here
            _record(s, "runtime", lambda s=s: _runtime(s))
            _record(s, "get_root", lambda s=s: _get_root(s))
            _record(s, "healthz", lambda s=s: _healthz(s))
            _record(s, "healthcheck", lambda s=s: _healthcheck(s))
            _record(s, "listeners", lambda s=s: _listeners(s))
            _record(s, "app_port_private", lambda s=s: _app_port_private(s))
            _record(s, "client_address", lambda s=s: _client_address(s))
        with ThreadPoolExecutor(max_workers=max(1, len(live))) as pool:
            list(pool.map(lambda s: _record(s, "restart_after_kill", lambda: _restart_after_kill(s)), live))
        with ThreadPoolExecutor(max_workers=max(1, len(live))) as pool:
            list(pool.map(lambda s: _record(s, "graceful_stop", lambda: _graceful_stop(s)), live))
    finally:
        for s in live:
            if s.container is not None:
                s.container.cleanup()


# --- the checks -----------------------------------------------------------------------------


def _start(ws: Workspace, s: Subject, index: int) -> str:
    assert s.image is not None
    s.container = Container(ws, s.image, s.name, index, s.options)
    s.container.start(s.cdir.host_port, s.cdir.spec.nginx_port)
    first = "docker-init (tini), then " if s.options.init else ""
    return (
        f"{s.options.label}: pid 1 is {first}`{' '.join(s.image.config.argv())}`, "
        f"127.0.0.1:{s.cdir.host_port} -> {s.container.ip}:{s.cdir.spec.nginx_port}"
    )


def _wait_ready(subjects: list[Subject]) -> None:
    started = time.monotonic()
    waiting = list(subjects)
    while waiting and time.monotonic() - started < READY_TIMEOUT:
        for s in list(waiting):
            assert s.container is not None
            if not s.container.running():
                code = s.container.proc.returncode if s.container.proc else None
                s.results["starts"] = Result(
                    False,
                    _with_console(s, f"the container exited (status {code}) before /healthz answered"),
                )
                waiting.remove(s)
                continue
            resp = web.answers(s.cdir.host_port, "/healthz", timeout=2)
            if resp is not None and resp.status == 200:
                s.results["starts"] = Result(
                    True, f"{s.results['starts'].detail}; /healthz answered after {time.monotonic() - started:.1f} s"
                )
                waiting.remove(s)
        time.sleep(0.25)
    for s in waiting:
        last = web.answers(s.cdir.host_port, "/healthz", timeout=2)
        seen = f"the last answer was {last.status}" if last else "nothing answered"
        s.results["starts"] = Result(
            False, _with_console(s, f"/healthz did not answer 200 within {READY_TIMEOUT:.0f} s ({seen})")
        )


def _capability_names() -> list[str]:
    # In kernel order: the position is the capability's number.
    proc = subprocess.run(["setpriv", "--list-caps"], capture_output=True, text=True, timeout=10)
    return proc.stdout.split()


def _runtime(s: Subject) -> str:
    assert s.container is not None and s.container.pid1 is not None
    status = dict(
        line.split(":\t", 1)
        for line in Path(f"/proc/{s.container.pid1}/status").read_text().splitlines()
        if ":\t" in line
    )
    names = _capability_names()
    bounding = int(status["CapBnd"], 16)
    have = sorted(names[i] for i in range(len(names)) if bounding >> i & 1)
    _expect(have == sorted(s.options.caps), f"pid 1 has the capabilities {have}, expected {sorted(s.options.caps)}")
    nnp = status.get("NoNewPrivs", "0").strip() == "1"
    _expect(nnp == s.options.no_new_privs, f"pid 1 has NoNewPrivs={int(nnp)}, expected {int(s.options.no_new_privs)}")
    probe = s.container.exec(["/bin/sh", "-c", "touch /.gen-harness-probe && rm /.gen-harness-probe"])
    root_writable = probe.returncode == 0
    _expect(
        root_writable != s.options.read_only,
        f"the root is {'writable' if root_writable else 'read-only'}, expected "
        f"{'read-only' if s.options.read_only else 'writable'}: {probe.stderr.strip()}",
    )
    for directory in s.options.tmpfs:
        probe = s.container.exec(["/bin/sh", "-c", f"touch {directory}/.gen-probe && rm {directory}/.gen-probe"])
        _expect(probe.returncode == 0, f"the tmpfs {directory} is not writable: {probe.stderr.strip()}")
    return (
        f"{len(have)} capabilities ({', '.join(have)}), no-new-privileges {'on' if nnp else 'off'}, "
        f"root {'read-only' if s.options.read_only else 'writable'}"
        + (f", tmpfs {' '.join(s.options.tmpfs)}" if s.options.tmpfs else "")
    )


def _get_root(s: Subject) -> str:
    resp = web.get(s.cdir.host_port, "/")
    _expect(resp.status == 200, f"GET / answered {resp.status}: {_short(resp.body)}")
    ctype = resp.headers.get("content-type", "")
    _expect(ctype.split(";")[0].strip() == "application/json", f"GET / has Content-Type {ctype!r}")
    try:
        payload = resp.json()
    except ValueError as exc:
        raise CheckFailed(f"GET / is not JSON ({exc}): {resp.body[:300]!r}") from exc
    expected = {"message": s.cdir.spec.message}
    _expect(payload == expected, f"GET / answered {payload!r}, the spec says {expected!r}")
    return f"200 {ctype} {payload!r}"


def _healthz(s: Subject) -> str:
    resp = web.get(s.cdir.host_port, "/healthz")
    _expect(resp.status == 200, f"GET /healthz answered {resp.status}: {_short(resp.body)}")
    return f"200 {resp.body[:100]!r}"


def _healthcheck(s: Subject) -> str:
    assert s.image is not None and s.container is not None
    check = s.options.healthcheck or s.image.config.healthcheck
    if check is None:
        return "the image has no HEALTHCHECK"
    argv = ["/bin/sh", "-c", check[1]] if check[0] == "CMD-SHELL" else check[1:]
    limit = s.options.healthcheck_timeout or s.image.config.healthcheck_timeout
    started = time.monotonic()
    proc = s.container.exec(argv, timeout=limit + 10)
    took = time.monotonic() - started
    _expect(proc.returncode == 0, f"HEALTHCHECK `{shlex.join(argv)}` exited {proc.returncode}: {proc.stderr.strip()}")
    _expect(took <= limit, f"HEALTHCHECK took {took:.1f} s, over its --timeout of {limit:g} s")
    return f"`{shlex.join(argv)}` exited 0 in {took:.2f} s"


def _listeners(s: Subject) -> str:
    assert s.container is not None
    found = s.container.listeners()
    spec = s.cdir.spec
    nginx = [a for a, p in found if p == spec.nginx_port]
    app = [a for a, p in found if p == spec.app_port]
    shown = ", ".join(f"{a}:{p}" for a, p in sorted(found))
    _expect(bool(nginx), f"nothing listens on nginx's port {spec.nginx_port} inside (listening: {shown})")
    _expect(bool(app), f"nothing listens on the app's port {spec.app_port} inside (listening: {shown})")
    exposed = [a for a in app if a not in ("127.0.0.1", "::1")]
    _expect(not exposed, f"the app's port {spec.app_port} listens beyond loopback: {exposed} (listening: {shown})")
    return f"listening inside: {shown}"


def _app_port_private(s: Subject) -> str:
    assert s.container is not None
    spec = s.cdir.spec
    on_host = web.answers(spec.app_port, "/")
    _expect(
        on_host is None or spec.message.encode() not in on_host.body,
        f"the app answers on the host's 127.0.0.1:{spec.app_port}",
    )
    curl = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3"]
    direct = s.container.in_gateway([*curl, f"http://{s.container.ip}:{spec.app_port}/"])
    _expect(
        direct.returncode == 7,
        f"from outside the container, {s.container.ip}:{spec.app_port} did not refuse the connection "
        f"(curl exit {direct.returncode}, status {direct.stdout.strip()})",
    )
    control = s.container.in_gateway([*curl, f"http://{s.container.ip}:{spec.nginx_port}/healthz"])
    _expect(
        control.returncode == 0 and control.stdout.strip() == "200",
        f"control: nginx's {s.container.ip}:{spec.nginx_port}/healthz did not answer 200 from outside "
        f"(curl exit {control.returncode}, status {control.stdout.strip()} {control.stderr.strip()})",
    )
    host_state = "refuses" if on_host is None else f"answers {on_host.status} (not the app)"
    return (
        f"host 127.0.0.1:{spec.app_port} {host_state}; {s.container.ip}:{spec.app_port} refuses from outside, "
        f"{s.container.ip}:{spec.nginx_port} answers"
    )


_NGINX_ACCESS = re.compile(r'^\S+ - \S+ \[[^\]]+\] "')
_IPV4 = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b")


def _client_address(s: Subject) -> str:
    assert s.container is not None
    token = uuid.uuid4().hex
    path = f"/?probe={token}"
    resp = web.get(s.cdir.host_port, path, headers={"X-Forwarded-For": SPOOFED})
    _expect(resp.status == 200, f"GET {path} answered {resp.status}")
    deadline = time.monotonic() + 5
    app_lines: list[str] = []
    while time.monotonic() < deadline:
        lines = [ln for ln in s.container.console_text().splitlines() if token in ln]
        app_lines = [ln for ln in lines if not _NGINX_ACCESS.match(ln)]
        if app_lines:
            break
        time.sleep(0.1)
    _expect(bool(app_lines), f"the app logged no line for `GET {path}` (only nginx did, if anything)")
    clients = {m.group(1) for ln in app_lines for m in [_IPV4.search(ln)] if m}
    _expect(SPOOFED not in " ".join(app_lines), f"the app believed the spoofed X-Forwarded-For: {app_lines}")
    _expect(
        clients == {GATEWAY_IP},
        f"the app logged client {sorted(clients) or 'none'}, expected the real client {GATEWAY_IP}: {app_lines}",
    )
    return f"app logged {app_lines[0].strip()!r}"


def _supervisor_conf(s: Subject) -> configparser.RawConfigParser:
    assert s.image is not None and s.container is not None
    path = s.image.config.cmd_option("-c") or "/etc/supervisord.conf"
    conf = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";", "#"), interpolation=None)
    conf.read_string(s.container.file(path).read_text())
    return conf


def _app_program(s: Subject) -> str:
    conf = _supervisor_conf(s)
    for section in conf.sections():
        if not section.startswith("program:"):
            continue
        command = shlex.split(conf.get(section, "command", fallback="") or "")
        if command and PurePosixPath(command[0]).name != "nginx":
            return section.partition(":")[2]
    raise CheckFailed("the running supervisord configuration has no program besides nginx")


def _status_pid(s: Subject, program: str) -> tuple[str, int | None]:
    assert s.image is not None and s.container is not None
    conf = s.image.config.cmd_option("-c") or "/etc/supervisord.conf"
    proc = s.container.exec(["supervisorctl", "-c", conf, "status", program], timeout=10)
    line = proc.stdout.strip()
    match = re.search(r"\s(RUNNING)\s+pid (\d+)", line)
    return line, int(match.group(2)) if match else None


def _restart_after_kill(s: Subject) -> str:
    assert s.container is not None
    program = _app_program(s)
    # Answering is not yet RUNNING for supervisord (startsecs): wait for that first, since a
    # kill while STARTING counts as a failed start, not as a crash of a running program.
    deadline = time.monotonic() + RESTART_TIMEOUT
    line, old = _status_pid(s, program)
    while old is None and time.monotonic() < deadline:
        time.sleep(0.2)
        line, old = _status_pid(s, program)
    _expect(old is not None, f"supervisorctl shows no running `{program}` within {RESTART_TIMEOUT:.0f} s: {line!r}")
    host = s.container.host_pid(old)
    _expect(host is not None, f"`{program}` pid {old} is not in the container's pid namespace")
    _expect(ns.kill_in(host, signal.SIGKILL, s.container.pidns), f"`{program}` (pid {host}) exited before the kill")
    killed_at = time.monotonic()
    new = None
    answered = False
    while time.monotonic() - killed_at < RESTART_TIMEOUT:
        if new is None:
            line, pid = _status_pid(s, program)
            new = pid if pid not in (None, old) else None
        if new is not None:
            resp = web.answers(s.cdir.host_port, "/")
            answered = resp is not None and resp.status == 200 and s.cdir.spec.message.encode() in resp.body
            if answered:
                break
        time.sleep(0.2)
    took = time.monotonic() - killed_at
    _expect(new is not None, f"supervisord did not restart `{program}` within {RESTART_TIMEOUT:.0f} s (last: {line!r})")
    _expect(answered, f"`{program}` runs again (pid {new}) but GET / did not answer within {RESTART_TIMEOUT:.0f} s")
    return f"`{program}` pid {old} SIGKILLed; running again as pid {new}, GET / answering after {took:.1f} s"


def _graceful_stop(s: Subject) -> str:
    assert s.container is not None and s.image is not None
    conf = _supervisor_conf(s)
    programs = [sec.partition(":")[2] for sec in conf.sections() if sec.startswith(("program:", "eventlistener:"))]
    offset = len(s.container.console_text())
    upload = web.SlowUpload(s.cdir.host_port)
    upload.start()
    time.sleep(0.5)  # the request is now in nginx's hands, its body still coming
    signalled_at = time.monotonic()
    limit = s.options.stop_timeout or s.cdir.spec.stop_timeout
    outcome = s.container.stop(timeout=limit)
    upload.wait(timeout=20)
    after = s.container.console_text()[offset:]
    problems = []
    if outcome.seconds is None:
        problems.append(f"pid 1 was still running {limit:g} s after {outcome.signal} (SIGKILLed)")
    if outcome.leftover:
        problems.append(f"processes left after pid 1 exited: {outcome.leftover}")
    if outcome.returncode != 0:
        problems.append(f"pid 1 exited with status {outcome.returncode}")
    if "SIGKILL" in after:
        problems.append(
            "supervisord had to SIGKILL a program: " + " | ".join(ln for ln in after.splitlines() if "SIGKILL" in ln)
        )
    for program in programs:
        if f"stopped: {program} " not in after:
            problems.append(f"no clean stop of `{program}` in the log")
    if not upload.sent_at or upload.sent_at[-1] <= signalled_at:
        problems.append("the upload was not in flight when the stop signal went out")
    if upload.response is None:
        problems.append(f"the in-flight upload got no response: {upload.error}")
    else:
        body_ok = s.cdir.spec.message.encode() in upload.response.body
        if upload.response.status != 200 or not body_ok:
            problems.append(f"the in-flight upload got {upload.response.status}: {_short(upload.response.body)}")
    if problems:
        raise CheckFailed("; ".join(problems) + f"\nconsole after the stop signal:\n{after[-3000:]}")
    return (
        f"{outcome.signal} -> every process exited after {outcome.seconds:.1f} s "
        f"(limit {limit:g} s), status 0, none left; the upload in flight got 200; "
        f"cleanly stopped: {', '.join(programs)}"
    )
