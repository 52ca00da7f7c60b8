"""Which container directories exist under generated/, and what the spec says about each.

The expected behaviour (message, ports, stop timeout) comes from spec.toml, never from the
generated files under test; the per-container README's `docker run -p` line must agree with
the spec, since that is what a person would type.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

# The defaults gen applies (README.md, "The spec").
DEFAULT_APP_PORT = {"fastapi": 8000, "express": 3000}
DEFAULT_STOP_TIMEOUT = 10
DEFAULT_NGINX_PORT = 80


class SpecError(Exception):
    pass


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    container_name: str
    host_port: int
    stop_timeout: int
    nginx_port: int
    app_kind: str
    app_port: int
    message: str


@dataclass(frozen=True)
class ContainerDir:
    """A container's generated directory, and the host port it is published on."""

    path: Path
    spec: ContainerSpec
    host_port: int
    # The build context when it is not `path` (an app with `app.source` is built from the
    # project, with `path`'s Dockerfile).
    context: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def with_path(self, path: Path, host_port: int | None = None) -> ContainerDir:
        return replace(self, path=path, host_port=self.host_port if host_port is None else host_port)


def load_spec(spec_path: Path) -> dict[str, ContainerSpec]:
    data = tomllib.loads(spec_path.read_text())
    specs: dict[str, ContainerSpec] = {}
    for entry in data.get("container", []):
        app = entry.get("app", {})
        kind = app.get("kind")
        if kind not in DEFAULT_APP_PORT:
            raise SpecError(f"{spec_path}: container {entry.get('name')!r}: unknown app kind {kind!r}")
        name = entry["name"]
        specs[name] = ContainerSpec(
            name=name,
            container_name=entry.get("container_name", name),
            host_port=int(entry["host_port"]),
            stop_timeout=int(entry.get("stop_timeout", DEFAULT_STOP_TIMEOUT)),
            nginx_port=int(entry.get("nginx", {}).get("port", DEFAULT_NGINX_PORT)),
            app_kind=kind,
            app_port=int(app.get("port", DEFAULT_APP_PORT[kind])),
            message=app["message"],
        )
    return specs


_DOCKER_RUN = re.compile(r"^docker run\b.*$", re.MULTILINE)
_PUBLISH = re.compile(r"(?:^|\s)(?:-p|--publish)[ =](?:(?P<ip>[\d.]+):)?(?P<host>\d+):(?P<ctr>\d+)(?:/tcp)?(?=\s|$)")
_NAME = re.compile(r"(?:^|\s)--name[ =](?P<name>\S+)")


def readme_publish(readme: Path) -> tuple[int, int, str | None]:
    """(host port, container port, --name) from the README's `docker run` line."""
    match = _DOCKER_RUN.search(readme.read_text())
    if match is None:
        raise SpecError(f"{readme}: no `docker run` line")
    line = match.group(0)
    publish = _PUBLISH.search(line)
    if publish is None:
        raise SpecError(f"{readme}: `docker run` line publishes no port: {line}")
    name = _NAME.search(line)
    return int(publish["host"]), int(publish["ctr"]), name["name"] if name else None


def check_readme(directory: Path, spec: ContainerSpec) -> list[str]:
    """Disagreements between the README's `docker run` line and the spec."""
    host, ctr, name = readme_publish(directory / "README.md")
    problems = []
    if host != spec.host_port:
        problems.append(f"README publishes host port {host}, the spec says {spec.host_port}")
    if ctr != spec.nginx_port:
        problems.append(f"README publishes container port {ctr}, nginx listens on {spec.nginx_port}")
    if name != spec.container_name:
        problems.append(f"README names the container {name!r}, the spec says {spec.container_name!r}")
    return problems


def discover(generated: Path, spec_path: Path) -> list[ContainerDir]:
    """Every directory under `generated` that holds a Dockerfile, with its spec entry."""
    specs = load_spec(spec_path)
    found = []
    for directory in sorted(p for p in generated.iterdir() if (p / "Dockerfile").is_file()):
        spec = specs.get(directory.name)
        if spec is None:
            raise SpecError(f"{directory}: no container named {directory.name!r} in {spec_path}")
        found.append(ContainerDir(path=directory, spec=spec, host_port=spec.host_port))
    missing = sorted(set(specs) - {c.name for c in found})
    if missing:
        raise SpecError(f"{generated}: no generated directory for {', '.join(missing)} from {spec_path}")
    return found
