"""A compose project's two networks without Docker: a published frontend, an internal backend.

The "host side" is one network namespace of our own, held by the port forwarder (see
`forwarder`): it listens on the published ports on the host's 127.0.0.1, then relays from
there. In that namespace, as Docker does on the host, the frontend is a veth pair to the
published container (the forwarder at `FRONTEND_GATEWAY`, the client address the container
sees) and the backend is a bridge with no address, so nothing on it reaches anything else
(compose's `internal: true`); each container on it gets a veth pair enslaved to the bridge
and an address from the backend subnet. Names resolve as compose's embedded DNS would
resolve them, through the /etc/hosts the caller writes into each container.

Nothing here has a name outside these namespaces: the namespace goes with the forwarder, and
the bridge and every veth go with it.
"""

from __future__ import annotations

import ipaddress
import select
import subprocess
import sys

from .container import FORWARDER, Container, ContainerError, _must

FRONTEND_GATEWAY = "172.18.0.1"  # a user-defined network's gateway, as compose's first one gets
FRONTEND_PREFIX = 16
BRIDGE = "backend"


def frontend_ip(index: int) -> str:
    return f"172.18.0.{2 + index}"


class ProjectNetwork:
    """The frontend and backend of one compose project; `close` ends them (idempotent)."""

    def __init__(self, backend_subnet: str) -> None:
        self.subnet = ipaddress.ip_network(backend_subnet)
        self.forwarder: subprocess.Popen | None = None
        self._links = 0

    def backend_ip(self, index: int) -> str:
        """The index-th address of the backend subnet after its gateway's (.1), as Docker's IPAM."""
        return str(self.subnet.network_address + 2 + index)

    def open(self, published: list[tuple[int, int]], target_ip: str) -> None:
        """Publishes (host port, container port) pairs on 127.0.0.1 to `target_ip`, and makes
        the backend bridge."""
        pairs = [str(p) for pair in published for p in pair]
        args = ["127.0.0.1", pairs[0], target_ip, pairs[1], *pairs[2:]]
        self.forwarder = subprocess.Popen(
            ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--", sys.executable, str(FORWARDER), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        assert self.forwarder.stdout is not None
        ready, _, _ = select.select([self.forwarder.stdout], [], [], 10)
        line = self.forwarder.stdout.readline().decode().strip() if ready else ""
        if line != "ready":
            self.close()
            ports = ", ".join(f"127.0.0.1:{host}" for host, _ in published)
            raise ContainerError(f"cannot publish {ports} (is a port in use?)")
        self._host_side(["ip", "link", "set", "lo", "up"])
        self._host_side(["ip", "link", "add", BRIDGE, "type", "bridge"])
        self._host_side(["ip", "link", "set", BRIDGE, "up"])

    def _host_side(self, argv: list[str]) -> None:
        if self.forwarder is None:
            raise ContainerError("the project network is not open")
        _must(["nsenter", f"--net=/proc/{self.forwarder.pid}/ns/net", *argv])

    def attach_frontend(self, ctr: Container, ip: str, ifname: str = "eth0") -> None:
        """The published container's side of the frontend; its default route goes there."""
        assert ctr.pid1 is not None
        inside = ["nsenter", f"--net=/proc/{ctr.pid1}/ns/net"]
        self._host_side(["ip", "link", "add", "gw0", "type", "veth", "peer", "name", ifname, "netns", str(ctr.pid1)])
        self._host_side(["ip", "addr", "add", f"{FRONTEND_GATEWAY}/{FRONTEND_PREFIX}", "dev", "gw0"])
        self._host_side(["ip", "link", "set", "gw0", "up"])
        _must([*inside, "ip", "addr", "add", f"{ip}/{FRONTEND_PREFIX}", "dev", ifname])
        _must([*inside, "ip", "link", "set", ifname, "up"])
        _must([*inside, "ip", "route", "add", "default", "via", FRONTEND_GATEWAY])

    def attach_backend(self, ctr: Container, ip: str, ifname: str = "eth0") -> None:
        """A port on the backend bridge; no default route (an internal network leads nowhere)."""
        assert ctr.pid1 is not None
        self._links += 1
        port = f"vb{self._links}"
        inside = ["nsenter", f"--net=/proc/{ctr.pid1}/ns/net"]
        self._host_side(["ip", "link", "add", port, "type", "veth", "peer", "name", ifname, "netns", str(ctr.pid1)])
        self._host_side(["ip", "link", "set", port, "master", BRIDGE])
        self._host_side(["ip", "link", "set", port, "up"])
        _must([*inside, "ip", "addr", "add", f"{ip}/{self.subnet.prefixlen}", "dev", ifname])
        _must([*inside, "ip", "link", "set", ifname, "up"])

    def close(self) -> None:
        proc, self.forwarder = self.forwarder, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=30)
        finally:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
