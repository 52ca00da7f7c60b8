"""`docker compose up` of a project with a load balancer, without Docker.

From Docker Compose's own normalized model (`static.compose_config`): every service that
publishes no port runs on the internal network, in as many copies as `deploy.replicas`
says; the one that publishes ports (the load balancer) is on the published frontend and on
the internal network, and starts only once every other service passes its health check
(`depends_on: condition: service_healthy`). Each container runs as its service says
(`compose.run_options`); its bind mount (the certificate) is copied into its root from the
directory the caller gives. Names resolve as compose's DNS resolves them: the service name to
every copy, the container name and each copy's own name to that copy, through the /etc/hosts
of every container.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import compose, web
from .container import Container, ContainerError
from .image import Image
from .network import ProjectNetwork, frontend_ip
from .workspace import Workspace

HEALTHY_TIMEOUT = 60.0  # from start until the health check passes (start_period is 10 s)
READY_TIMEOUT = 30.0  # from the load balancer's start until its /healthz answers


@dataclass
class Member:
    service: str
    name: str  # the copy's own name (`<service>-<n>`, or the container_name)
    container: Container
    backend_ip: str


@dataclass
class Project:
    ws: Workspace
    model: dict
    images: dict[str, Image]  # by service name
    mounts: dict[str, Path]  # a bind mount's target in the container -> the host directory to show there
    network: ProjectNetwork | None = None
    members: list[Member] = field(default_factory=list)
    lb: Member | None = None
    published: list[tuple[int, int]] = field(default_factory=list)

    def replicas(self, service: str) -> list[Member]:
        return [m for m in self.members if m.service == service]

    def start(self) -> None:
        """Everything up and answering, or ContainerError (after `close`) with the reason."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        services = self.model["services"]
        edge = [name for name, svc in services.items() if svc.get("ports")]
        if len(edge) != 1:
            raise ContainerError(f"expected one service publishing ports, found {edge}")
        lb_name = edge[0]
        internal = [n for n, net in self.model.get("networks", {}).items() if net.get("internal")]
        if len(internal) != 1:
            raise ContainerError(f"expected one internal network, found {internal}")
        subnets = self.model["networks"][internal[0]].get("ipam", {}).get("config", [])
        if not subnets:
            raise ContainerError(f"the network {internal[0]} has no subnet")
        self.network = ProjectNetwork(subnets[0]["subnet"])
        self.published = [(int(p["published"]), int(p["target"])) for p in services[lb_name]["ports"]]

        # Addresses in compose's start order: the dependencies first, the load balancer last.
        plan: list[tuple[str, str, str]] = []  # (service, copy name, backend address)
        for name, svc in services.items():
            if name == lb_name:
                continue
            count = int((svc.get("deploy") or {}).get("replicas") or 1)
            for i in range(count):
                own = svc.get("container_name") or f"{name}-{i + 1}"
                plan.append((name, own, self.network.backend_ip(len(plan))))
        lb_backend = self.network.backend_ip(len(plan))
        hosts = [(ip, f"{service} {own}" if own != service else service) for service, own, ip in plan]
        hosts.append((lb_backend, lb_name))

        self.network.open(self.published, frontend_ip(0))
        for service, own, ip in plan:
            ctr = Container(
                self.ws, self.images[service], own, 0, compose.run_options(services[service]), ip=ip, hosts=hosts
            )
            member = Member(service, own, ctr, ip)
            self.members.append(member)
            ctr.start_wired(lambda ctr=ctr, ip=ip: self.network.attach_backend(ctr, ip))  # type: ignore[union-attr]
        for member in self.members:
            self._wait_healthy(member)

        lb_svc = services[lb_name]
        files = {}
        for volume in lb_svc.get("volumes", []):
            if volume.get("type") == "bind":
                if volume["target"] not in self.mounts:
                    raise ContainerError(f"{lb_name} mounts {volume['source']} at {volume['target']}: not provided")
                files[volume["target"]] = self.mounts[volume["target"]]
        ctr = Container(
            self.ws, self.images[lb_name], lb_name, 0, compose.run_options(lb_svc),
            ip=frontend_ip(0), hosts=hosts, files=files,
        )  # fmt: skip
        self.lb = Member(lb_name, lb_name, ctr, lb_backend)

        def wire() -> None:
            assert self.network is not None
            # Compose's order of the service's networks: the frontend (eth0) first.
            self.network.attach_frontend(ctr, frontend_ip(0), "eth0")
            self.network.attach_backend(ctr, lb_backend, "eth1")

        ctr.start_wired(wire)
        self._wait_lb()

    def _wait_healthy(self, member: Member) -> None:
        ctr = member.container
        check = ctr.options.healthcheck or ctr.image.config.healthcheck
        if check is None:
            raise ContainerError(f"{member.name} has no health check to wait for")
        argv = ["/bin/sh", "-c", check[1]] if check[0] == "CMD-SHELL" else check[1:]
        deadline = time.monotonic() + HEALTHY_TIMEOUT
        while True:
            if not ctr.running():
                raise ContainerError(f"{member.name} exited before it was healthy\n{ctr.console_tail()}")
            if ctr.exec(argv, timeout=10).returncode == 0:
                return
            if time.monotonic() > deadline:
                raise ContainerError(
                    f"{member.name} was not healthy within {HEALTHY_TIMEOUT:.0f} s\n{ctr.console_tail()}"
                )
            time.sleep(0.5)

    def _wait_lb(self) -> None:
        assert self.lb is not None
        ctr = self.lb.container
        plain = next((host for host, target in self.published if target == 80), self.published[0][0])
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if not ctr.running():
                raise ContainerError(f"{self.lb.name} exited while starting\n{ctr.console_tail()}")
            resp = web.answers(plain, "/healthz", timeout=2)
            if resp is not None and resp.status == 200:
                return
            time.sleep(0.25)
        raise ContainerError(
            f"{self.lb.name}'s /healthz did not answer within {READY_TIMEOUT:.0f} s\n{ctr.console_tail()}"
        )

    def close(self) -> list[str]:
        """Ends every container, then the network; what had to be killed. Idempotent."""
        killed: list[str] = []
        for member in [*([self.lb] if self.lb else []), *self.members]:
            killed += [f"{member.name}: {k}" for k in member.container.cleanup()]
        if self.network is not None:
            self.network.close()
        return killed
