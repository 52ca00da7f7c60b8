"""The load-balancer example's files (examples/lb/generated) through the real validators.

Docker Compose's own loader on compose.yaml (with what the spec asks for: only the load
balancer publishes, on the spec's ports; the backend is internal with a fixed subnet),
`kubernetes-validate --strict` on k8s/, gixy-ng on every nginx.conf. `nginx -t` needs the
built images (and for the load balancer its certificate and the service names): it is in
test_lb_live.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from harness import static

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lb"
GENERATED = EXAMPLE / "generated"


def _spec() -> dict:
    return tomllib.loads((EXAMPLE / "spec.toml").read_text())


def test_compose_config() -> None:
    model, messages = static.compose_config(GENERATED / "compose.yaml")
    assert model is not None, f"docker compose config rejects compose.yaml:\n{messages}"
    spec = _spec()
    services = model["services"]
    expected = {c["name"] for c in spec["container"]} | {"lb"}
    assert set(services) == expected, f"services {sorted(services)}, the spec gives {sorted(expected)}"
    lb_ports = [(int(p["published"]), int(p["target"])) for p in services["lb"].get("ports", [])]
    assert lb_ports == [(spec["lb"]["host_port"], 80), (spec["lb"]["tls"]["host_port"], 443)], lb_ports
    for c in spec["container"]:
        service = services[c["name"]]
        assert not service.get("ports"), f"{c['name']} publishes {service['ports']}: only the lb may"
        assert int((service.get("deploy") or {}).get("replicas") or 1) == int(c.get("replicas", 1))
        assert set(service.get("networks", {})) == {"backend"}
        assert services["lb"]["depends_on"][c["name"]]["condition"] == "service_healthy"
    assert set(services["lb"].get("networks", {})) == {"frontend", "backend"}
    backend = model["networks"]["backend"]
    assert backend.get("internal") is True
    assert [s["subnet"] for s in backend["ipam"]["config"]] == ["10.89.0.0/24"]


def test_kubernetes_manifests_validate() -> None:
    manifests = sorted((GENERATED / "k8s").glob("*.yaml"))
    assert manifests, "gen wrote no examples/lb/generated/k8s/*.yaml"
    ok, output = static.kubernetes_validate(manifests)
    assert ok, f"kubernetes-validate --strict:\n{output}"


@pytest.mark.parametrize("service", ["fastapi-nginx", "express-nginx", "lb"])
def test_gixy(service: str) -> None:
    findings = static.gixy(GENERATED / service / "nginx.conf")
    assert not findings, "gixy-ng findings:\n" + "\n".join(findings)
