"""Configuration by environment variables: what each file of a container says about it.

`disagreements` compares, for one container directory, the variables entrypoint.sh checks,
the README's table, the image's ENV (the Dockerfile replayed), Compose's normalized
`environment` and the Kubernetes Deployment's `env`: the same names, the same defaults.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

CHECK_CALL = re.compile(r"^(?:port|number|size|one_of|text) ([A-Z_]+) ", re.M)
README_ROW = re.compile(r"^\| `([A-Z_]+)` \|", re.M)


def checked_names(cdir: Path) -> list[str]:
    """The variables entrypoint.sh checks, in its order."""
    return CHECK_CALL.findall((cdir / "entrypoint.sh").read_text())


def k8s_env(manifest: Path) -> dict[str, str]:
    """The Deployment's container `env`, with the kubelet's `$$` read as `$`."""
    for doc in yaml.safe_load_all(manifest.read_text()):
        if doc and doc.get("kind") == "Deployment":
            [container] = doc["spec"]["template"]["spec"]["containers"]
            return {e["name"]: e["value"].replace("$$", "$") for e in container.get("env", [])}
    raise ValueError(f"no Deployment in {manifest}")


def disagreements(cdir: Path, image_env: dict[str, str], compose_service: dict) -> list[str]:
    name = cdir.name
    names = checked_names(cdir)
    if not names:
        return [f"{name}: entrypoint.sh checks no variable"]
    problems = []
    readme = README_ROW.findall((cdir / "README.md").read_text())
    if readme != names:
        problems.append(f"{name}: the README lists {readme}, the entrypoint checks {names}")
    # `docker-compose config` prints a literal `$` as `$$`, so that its output loads again.
    compose_env = {k: v.replace("$$", "$") for k, v in (compose_service.get("environment") or {}).items() if v}
    kube_env = k8s_env(cdir.parent / "k8s" / f"{name}.yaml")
    for where, env in (("compose", compose_env), ("Kubernetes", kube_env)):
        if sorted(env) != sorted(names):
            problems.append(f"{name}: {where} sets {sorted(env)}, the entrypoint checks {sorted(names)}")
    for var in names:
        default = image_env.get(var)
        if default is None:
            problems.append(f"{name}: the image has no ENV {var}")
            continue
        for where, env in (("compose", compose_env), ("Kubernetes", kube_env)):
            if var in env and env[var] != default:
                problems.append(f"{name}: {var} is {env[var]!r} in {where}, {default!r} in the image")
    return problems
