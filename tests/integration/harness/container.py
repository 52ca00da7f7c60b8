"""`docker run` without Docker: an image's command in namespaces of its own, one port published.

A container gets a fresh overlay on the image's layers (its writes go to the workspace
tmpfs), new pid/net/mount/uts/ipc namespaces in which the image's CMD is pid 1, a veth pair
to a gateway namespace held by the port forwarder (see `forwarder`), and its console (stdout
and stderr, what `docker logs` shows) in a file. Every process is found by pid namespace,
never by name, and `cleanup` leaves nothing behind: no process, no mount, no namespace (the
namespaces are never named, so they go with their last process).
"""

from __future__ import annotations

import ipaddress
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import ns, rootfs, runner
from .image import Image
from .runner import HOST_TOOLS_ENV
from .workspace import Workspace

GATEWAY_IP = "172.17.0.1"  # Docker's default bridge: the address clients appear from
PREFIX = 16
FORWARDER = Path(__file__).with_name("forwarder.py")


class ContainerError(Exception):
    pass


def container_ip(index: int) -> str:
    return f"172.17.0.{2 + index}"


def _wait_for(predicate, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def _host(argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=HOST_TOOLS_ENV)


def _must(argv: list[str]) -> None:
    proc = _host(argv)
    if proc.returncode != 0:
        raise ContainerError(f"`{' '.join(argv)}` failed: {proc.stderr.strip()}")


@dataclass
class RunOptions:
    """How the image is run: `docker run` with no options, or what a compose service says."""

    label: str = "docker run"
    caps: list[str] = field(default_factory=lambda: list(runner.DOCKER_DEFAULT_CAPS))
    no_new_privs: bool = False
    read_only: bool = False
    tmpfs: list[str] = field(default_factory=list)
    init: bool = False
    healthcheck: list[str] | None = None  # overrides the image's: ["CMD", ...] or ["CMD-SHELL", text]
    healthcheck_timeout: float | None = None
    stop_timeout: float | None = None  # None: the spec's stop_timeout
    stop_signal: str | None = None  # None: the image's STOPSIGNAL
    env: dict[str, str] = field(default_factory=dict)  # `docker run -e`, compose `environment:`


@dataclass
class StopOutcome:
    signal: str
    seconds: float | None  # until pid 1 exited; None when it had to be killed
    returncode: int | None
    leftover: list[str]  # processes of the container still there after pid 1 exited


def _env_for(
    image: Image, root: Path, hostname: str, extra: dict[str, str] | None = None
) -> tuple[dict[str, str], int, int]:
    cfg = image.config
    uid, gid = rootfs.user_ids(root, cfg.user) if cfg.user else (0, 0)
    env = {"HOSTNAME": hostname, **cfg.env, **(extra or {})}
    env.setdefault("HOME", rootfs.user_home(root, uid))
    return env, uid, gid


def run_once(
    ws: Workspace,
    image: Image,
    argv: list[str],
    timeout: float,
    files: dict[str, Path] | None = None,
    env: dict[str, str] | None = None,
):
    """`docker run --rm --network none [-e NAME=VALUE...] IMAGE ARGV`: output captured, the root
    thrown away after.

    `files` maps image paths to host directories copied in first (e.g. a tool to run there).
    """
    where = ws.dir("containers", ws.unique(f"{image.tag}-once"))
    root, _ = ws.overlay(image.layers + [Path("/")], where)
    try:
        for dest, src in (files or {}).items():
            rootfs.copy(src, root, dest, 0, 0)
        run_env, uid, gid = _env_for(image, root, "gen-once", env)
        cmd = runner.RootCommand(
            root=root, argv=argv, env=run_env, workdir=image.config.workdir, uid=uid, gid=gid,
            hostname="gen-once", own_network=True,
        )  # fmt: skip
        return runner.run(cmd, timeout=timeout)
    finally:
        ws.unmount(root)


class Container:
    """A running container: start it, look inside, stop it, clean it up."""

    def __init__(
        self,
        ws: Workspace,
        image: Image,
        name: str,
        index: int,
        options: RunOptions | None = None,
        *,
        ip: str | None = None,
        hosts: list[tuple[str, str]] | None = None,
        files: dict[str, Path] | None = None,
    ) -> None:
        """`ip`, `hosts` (extra /etc/hosts lines) and `files` (image path -> host path, copied
        into the root before the start, as a bind mount would show them) are for a container
        on a network the caller wires (see `start`)."""
        self.ws = ws
        self.image = image
        self.options = options or RunOptions()
        self.name = name
        self.ip = ip or container_ip(index)
        self.hostname = name[:63]
        self.extra_hosts = hosts or []
        self.files = files or {}
        self.where = ws.dir("containers", ws.unique(name))
        self.console = self.where / "console.log"
        self.root: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.forwarder: subprocess.Popen | None = None
        self.pid1: int | None = None
        self.pidns: str | None = None
        self.env: dict[str, str] = {}
        self.stopped: StopOutcome | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, host_port: int, container_port: int) -> None:
        """`docker run -p 127.0.0.1:HOST_PORT:CONTAINER_PORT`, on a gateway of its own."""
        self.start_wired(lambda: (self._start_forwarder(host_port, container_port), self._wire_network()))

    def start_wired(self, wire: Callable[[], object]) -> None:
        """Starts the container; `wire` sets its network namespace up (self.pid1 is known by
        then) before the command runs."""
        try:
            self._start(wire)
        except BaseException:
            self.cleanup()
            raise

    def _start(self, wire: Callable[[], object]) -> None:
        self.root, _ = self.ws.overlay(self.image.layers + [Path("/")], self.where)
        for dest, src in self.files.items():
            rootfs.copy(src, self.root, dest, 0, 0)
        self.env, uid, gid = _env_for(self.image, self.root, self.hostname, self.options.env)
        hosts = self.where / "hosts"
        extra = "".join(f"{ip}\t{name}\n" for ip, name in self.extra_hosts)
        hosts.write_text(
            f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{self.ip}\t{self.hostname}\n{extra}"
        )
        argv = self.image.config.argv()
        if not argv:
            raise ContainerError("the image has no CMD or ENTRYPOINT")
        go_read, go_write = os.pipe()
        try:
            cmd = runner.RootCommand(
                root=self.root, argv=argv, env=self.env, workdir=self.image.config.workdir, uid=uid, gid=gid,
                hostname=self.hostname, hosts_file=hosts, own_network=True, wait_for_go=True,
                caps=self.options.caps, no_new_privs=self.options.no_new_privs, read_only=self.options.read_only,
                tmpfs=self.options.tmpfs, init=self.options.init,
            )  # fmt: skip
            with self.console.open("ab") as console:
                self.proc = subprocess.Popen(
                    runner.command_line(cmd), stdin=go_read, stdout=console, stderr=subprocess.STDOUT,
                    env=runner.setup_env(cmd), start_new_session=True,
                )  # fmt: skip
            os.close(go_read)
            go_read = -1
            self.pid1 = _wait_for(self._find_pid1, timeout=10)
            if not self.pid1:
                raise ContainerError(f"the container's first process did not appear\n{self.console_tail()}")
            self.pidns = ns.namespace_id(self.pid1, "pid")
            wire()
            os.write(go_write, b"go\n")
        finally:
            if go_read >= 0:
                os.close(go_read)
            os.close(go_write)

    def _find_pid1(self) -> int | None:
        """The child `unshare --fork` made: pid 1 of the container's pid namespace."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise ContainerError(f"the container exited while starting\n{self.console_tail()}")
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return None
        for child in children:
            if ns.namespace_id(int(child), "pid") != ns.namespace_id(self.proc.pid, "pid"):
                return int(child)
        return None

    def _start_forwarder(self, host_port: int, container_port: int) -> None:
        self.forwarder = subprocess.Popen(
            ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--", sys.executable, str(FORWARDER),
             "127.0.0.1", str(host_port), self.ip, str(container_port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        assert self.forwarder.stdout is not None
        ready, _, _ = select.select([self.forwarder.stdout], [], [], 10)
        line = self.forwarder.stdout.readline().decode().strip() if ready else ""
        if line != "ready":
            self.forwarder.kill()
            _, err = self.forwarder.communicate(timeout=10)
            raise ContainerError(
                f"cannot publish 127.0.0.1:{host_port} (is the port in use?): {err.decode().strip()[-2000:]}"
            )

    def _wire_network(self) -> None:
        assert self.forwarder is not None and self.pid1 is not None
        gw = ["nsenter", f"--net=/proc/{self.forwarder.pid}/ns/net"]
        ctr = ["nsenter", f"--net=/proc/{self.pid1}/ns/net"]
        _must([*gw, "ip", "link", "add", "gw0", "type", "veth", "peer", "name", "eth0", "netns", str(self.pid1)])
        _must([*gw, "ip", "addr", "add", f"{GATEWAY_IP}/{PREFIX}", "dev", "gw0"])
        _must([*gw, "ip", "link", "set", "gw0", "up"])
        _must([*gw, "ip", "link", "set", "lo", "up"])
        _must([*ctr, "ip", "addr", "add", f"{self.ip}/{PREFIX}", "dev", "eth0"])
        _must([*ctr, "ip", "link", "set", "eth0", "up"])
        _must([*ctr, "ip", "route", "add", "default", "via", GATEWAY_IP])

    # --- looking inside -----------------------------------------------------------------

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def console_text(self) -> str:
        try:
            return self.console.read_text(errors="replace")
        except OSError:
            return ""

    def console_tail(self, lines: int = 40) -> str:
        text = self.console_text().splitlines()[-lines:]
        return "console (last lines):\n" + "\n".join(f"    {line}" for line in text) if text else "console: empty"

    def exec(self, argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """`docker exec`: runs in every namespace of the container, with its environment."""
        if self.pid1 is None:
            raise ContainerError("the container is not running")
        return subprocess.run(
            runner.exec_command_line(self.pid1, argv, self.env, self.options.caps, self.options.no_new_privs),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=HOST_TOOLS_ENV,
        )  # fmt: skip

    def in_gateway(self, argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """Runs a host tool in the gateway namespace (the network outside the container)."""
        if self.forwarder is None:
            raise ContainerError("the container has no gateway")
        return _host(["nsenter", f"--net=/proc/{self.forwarder.pid}/ns/net", *argv], timeout)

    def file(self, path: str) -> Path:
        """A file inside the running container, from outside (/proc/PID/root)."""
        if self.pid1 is None:
            raise ContainerError("the container is not running")
        return rootfs.resolve(Path(f"/proc/{self.pid1}/root"), path)

    def processes(self) -> list[tuple[int, int, str]]:
        """(host pid, pid in the container, command line) of every process in its pid namespace."""
        # Once `unshare` has reaped pid 1 the namespace is empty (the kernel ends every other
        # process before pid 1's exit completes), and its inode may be reused by a new one.
        if self.pidns is None or self.proc is None or self.proc.poll() is not None:
            return []
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or ns.namespace_id(int(entry), "pid") != self.pidns:
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                continue
            nspid = next((line.split()[-1] for line in status.splitlines() if line.startswith("NSpid:")), "0")
            found.append((int(entry), int(nspid), cmdline))
        return found

    def host_pid(self, container_pid: int) -> int | None:
        return next((host for host, inner, _ in self.processes() if inner == container_pid), None)

    def listeners(self) -> list[tuple[str, int]]:
        """TCP sockets listening in the container's network namespace (address, port)."""
        if self.pid1 is None:
            return []
        found = []
        for table, v6 in (("tcp", False), ("tcp6", True)):
            try:
                lines = Path(f"/proc/{self.pid1}/net/{table}").read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if len(fields) > 3 and fields[3] == "0A":  # TCP_LISTEN
                    address, port = fields[1].split(":")
                    found.append((_address(address, v6), int(port, 16)))
        return found

    # --- stopping -----------------------------------------------------------------------

    def stop(self, timeout: float) -> StopOutcome:
        """`docker stop -t TIMEOUT`: the image's STOPSIGNAL to pid 1, SIGKILL after the timeout."""
        assert self.proc is not None and self.pid1 is not None
        sig = self.options.stop_signal or self.image.config.stopsignal
        started = time.monotonic()
        if not ns.kill_in(self.pid1, signal.Signals[sig], self.pidns):
            raise ContainerError(f"pid 1 is gone before {sig} could be sent\n{self.console_tail()}")
        seconds: float | None
        try:
            returncode = self.proc.wait(timeout=timeout)
            seconds = time.monotonic() - started
        except subprocess.TimeoutExpired:
            seconds = None
            ns.kill_in(self.pid1, signal.SIGKILL, self.pidns)
            returncode = self.proc.wait(timeout=30)
        leftover = [f"{host} ({cmd})" for host, _, cmd in self.processes()]
        self.stopped = StopOutcome(sig, seconds, returncode, leftover)
        return self.stopped

    def cleanup(self) -> list[str]:
        """Ends every process of the container and its forwarder, unmounts its root.

        Returns what had to be killed (empty after a clean stop). Idempotent.
        """
        killed = []
        for host, _, cmd in self.processes():
            if ns.kill_in(host, signal.SIGKILL, self.pidns):
                killed.append(f"{host} ({cmd})")
        for proc in (self.proc, self.forwarder):
            if proc is not None and proc.poll() is None:
                proc.kill()
            if proc is not None:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    killed.append(f"{proc.pid} (would not exit)")
                for stream in (proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()
        if self.processes():
            _wait_for(lambda: not self.processes(), timeout=10)
        if self.root is not None:
            self.ws.unmount(self.root)
            self.root = None
        return killed


def _address(hex_address: str, v6: bool) -> str:
    raw = bytes.fromhex(hex_address)
    if not v6:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
    return str(ipaddress.IPv6Address(b"".join(words)))
