"""How a compose service runs its image, from Docker Compose's own normalized model.

`docker compose config --format json` (static.compose_config) loads and validates the file;
this turns one service into `RunOptions`: capabilities after `cap_drop`/`cap_add`,
`no-new-privileges`, `read_only` with its `tmpfs` mounts, `init`, the health check, the stop
signal and grace period, and the `environment`. What the harness cannot do the way Docker does (restart policies,
logging drivers, the named network's own subnet) is listed by `not_emulated`.
"""

from __future__ import annotations

import re

from . import runner
from .container import RunOptions

_EMULATED = {
    "build", "image", "container_name", "ports", "init", "stop_signal", "stop_grace_period",
    "healthcheck", "cap_drop", "cap_add", "security_opt", "read_only", "tmpfs", "networks",
    "command", "entrypoint", "environment",
}  # fmt: skip


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    total = 0.0
    for number, unit in re.findall(r"([\d.]+)(ms|us|ns|h|m|s)", str(value)):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total


def _cap(name: str) -> str:
    return name.lower().removeprefix("cap_")


def run_options(service: dict) -> RunOptions:
    caps = list(runner.DOCKER_DEFAULT_CAPS)
    dropped = {_cap(c) for c in service.get("cap_drop", [])}
    caps = [] if "all" in dropped else [c for c in caps if c not in dropped]
    for cap in service.get("cap_add", []):
        if _cap(cap) == "all":
            raise ValueError("cap_add: ALL is not emulated")
        if _cap(cap) not in caps:
            caps.append(_cap(cap))
    security = [str(s).replace("=", ":") for s in service.get("security_opt", [])]
    check = service.get("healthcheck") or {}
    test = check.get("test")
    healthcheck = None
    if test and not check.get("disable"):
        healthcheck = list(test) if isinstance(test, list) else ["CMD-SHELL", str(test)]
        if healthcheck[0] == "NONE":
            healthcheck = None
    return RunOptions(
        label="compose",
        caps=caps,
        no_new_privs=any(s in ("no-new-privileges", "no-new-privileges:true") for s in security),
        read_only=bool(service.get("read_only", False)),
        tmpfs=[str(t).split(":")[0] for t in service.get("tmpfs", [])],
        init=bool(service.get("init", False)),
        healthcheck=healthcheck,
        healthcheck_timeout=_seconds(check.get("timeout")),
        stop_timeout=_seconds(service.get("stop_grace_period")),
        stop_signal=service.get("stop_signal"),
        # Compose's model has every value as a string, interpolated, with a literal `$`
        # printed as `$$` (so the output loads again); a name without a value (null) takes
        # the host's, which the harness does not pass on.
        env={k: v.replace("$$", "$") for k, v in (service.get("environment") or {}).items() if v is not None},
    )


def not_emulated(service: dict) -> list[str]:
    return sorted(set(service) - _EMULATED)
