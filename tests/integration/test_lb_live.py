"""The load-balancer example (examples/lb), built and run for real as its compose.yaml says.

Each service's image is built from its generated directory; the FastAPI one runs in as many
copies as the spec's `replicas`. The copies and the Express container sit on an internal
bridge with addresses from compose's backend subnet, the load balancer on that bridge and on
a frontend whose forwarder publishes its ports on 127.0.0.1 (harness/project.py,
harness/network.py). The certificate is a fresh one from `gen cert`, shown at the load
balancer's mount point. What is expected (messages, routes, ports, TLS name) comes from
examples/lb/spec.toml, never from the generated files under test.

The tests share one run and go in file order; the last one stops a copy.
"""

from __future__ import annotations

import re
import ssl
import subprocess
import time
import tomllib
import uuid
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import config, static, web
from harness.container import ContainerError
from harness.distro import BuildError
from harness.dockerfile import DockerfileError
from harness.image import Builder, Image
from harness.network import FRONTEND_GATEWAY
from harness.project import Member, Project
from harness.rootfs import RootfsError
from harness.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lb"
GENERATED = EXAMPLE / "generated"
SPOOFED = "203.0.113.9"
REQUEST_TIMEOUT = 15.0  # a dead copy costs nginx one proxy_connect_timeout (5 s) before the retry
_NGINX_ACCESS = re.compile(r'^\S+ - \S+ \[[^\]]+\] "')
_IPV4 = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b")


@dataclass(frozen=True)
class LbSpec:
    messages: dict[str, str]  # container name -> its app's message
    replicas: dict[str, int]
    routes: dict[str, str]  # path prefix -> container name
    http_port: int
    https_port: int
    server_name: str


@pytest.fixture(scope="module")
def lb_spec() -> LbSpec:
    data = tomllib.loads((EXAMPLE / "spec.toml").read_text())
    lb = data["lb"]
    return LbSpec(
        messages={c["name"]: c["app"]["message"] for c in data["container"]},
        replicas={c["name"]: int(c.get("replicas", 1)) for c in data["container"]},
        routes={r["path"]: r["container"] for r in lb["route"]},
        http_port=int(lb["host_port"]),
        https_port=int(lb["tls"]["host_port"]),
        server_name=lb["tls"].get("server_name", "localhost"),
    )


@pytest.fixture(scope="module")
def compose_model() -> dict:
    model, messages = static.compose_config(GENERATED / "compose.yaml")
    if model is None:
        pytest.fail(f"docker compose config rejects {GENERATED / 'compose.yaml'}:\n{messages}", pytrace=False)
    return model


@pytest.fixture(scope="module")
def lb_images(workspace: Workspace, gen_binary: Path, compose_model: dict) -> dict[str, Image | str]:
    """Each service's image (by service name), or why it did not build."""
    builder = Builder(workspace, gen_binary)

    def build(item: tuple[str, dict]) -> tuple[str, Image | str]:
        name, service = item
        context = Path(service["build"]["context"])
        try:
            return name, builder.build(context, f"lb-example-{name}")
        except (BuildError, DockerfileError, RootfsError, OSError) as exc:
            return name, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(build, compose_model["services"].items()))


@pytest.fixture(scope="module")
def cert_dir(workspace: Workspace, gen_binary: Path) -> Path:
    out = workspace.dir("lb-example-certs")
    proc = subprocess.run(
        [str(gen_binary), "cert", "--out", str(out), "--force"], capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        pytest.fail(f"gen cert failed:\n{proc.stderr}", pytrace=False)
    return out


@pytest.fixture(scope="module")
def project(
    workspace: Workspace, compose_model: dict, lb_images: dict[str, Image | str], cert_dir: Path
) -> Iterator[Project]:
    broken = {name: why for name, why in lb_images.items() if isinstance(why, str)}
    if broken:
        pytest.fail(f"images that did not build: {broken}", pytrace=False)
    images = {name: image for name, image in lb_images.items() if isinstance(image, Image)}
    proj = Project(workspace, compose_model, images, mounts={"/etc/nginx/certs": cert_dir})
    try:
        proj.start()
    except ContainerError as exc:
        pytest.fail(f"the project did not come up: {exc}", pytrace=False)
    try:
        yield proj
    finally:
        proj.close()


@pytest.fixture(scope="module")
def tls(cert_dir: Path) -> ssl.SSLContext:
    """A client that trusts only the test certificate."""
    return ssl.create_default_context(cafile=str(cert_dir / "cert.pem"))


def _https(spec: LbSpec, ctx: ssl.SSLContext, path: str, headers: dict[str, str] | None = None) -> web.Response:
    resp, _ = web.get_tls(spec.https_port, path, ctx, spec.server_name, headers, timeout=REQUEST_TIMEOUT)
    return resp


def _app_lines(member: Member, token: str) -> list[str]:
    """The app's own log lines (not nginx's access log) that mention `token`."""
    lines = [ln for ln in member.container.console_text().splitlines() if token in ln]
    return [ln for ln in lines if not _NGINX_ACCESS.match(ln)]


def _wait_for_app_lines(members: list[Member], token: str, timeout: float = 5.0) -> dict[str, list[str]]:
    deadline = time.monotonic() + timeout
    while True:
        found = {m.name: _app_lines(m, token) for m in members}
        if any(found.values()) or time.monotonic() > deadline:
            return {name: lines for name, lines in found.items() if lines}
        time.sleep(0.1)


# --- the images and their configurations -----------------------------------------------------


@pytest.mark.parametrize("service", ["fastapi-nginx", "express-nginx", "lb"])
def test_image_builds(service: str, lb_images: dict[str, Image | str]) -> None:
    image = lb_images.get(service)
    assert isinstance(image, Image), f"{service} did not build: {image}"
    assert image.config.argv(), "the image has no CMD"


@pytest.mark.parametrize("service", ["fastapi-nginx", "express-nginx"])
def test_nginx_t_in_app_image(service: str, lb_images: dict[str, Image | str], workspace: Workspace) -> None:
    image = lb_images.get(service)
    if not isinstance(image, Image):
        pytest.fail(f"{service} did not build: {image}", pytrace=False)
    for place in image.dest_of("nginx.conf"):
        proc = static.nginx_t(workspace, image, place)
        assert proc.returncode == 0, f"`nginx -t -c {place}` failed:\n{proc.stdout}{proc.stderr}"
        assert "test is successful" in proc.stderr, proc.stderr


@pytest.mark.parametrize("service", ["fastapi-nginx", "express-nginx"])
def test_configuration_variables_agree(
    service: str, lb_images: dict[str, Image | str], compose_model: dict
) -> None:
    """The image's ENV, compose's environment, the Kubernetes env, the entrypoint and the
    README name the same variables with the same defaults (see harness/config.py)."""
    image = lb_images.get(service)
    if not isinstance(image, Image):
        pytest.fail(f"{service} did not build: {image}", pytrace=False)
    cdir = Path(compose_model["services"][service]["build"]["context"])
    problems = config.disagreements(cdir, image.config.env, compose_model["services"][service])
    assert not problems, "\n".join(problems)


def test_nginx_t_in_lb(project: Project) -> None:
    """In the running load balancer: its certificate mounted, the service names resolving."""
    assert project.lb is not None
    proc = project.lb.container.exec(["nginx", "-t", "-c", "/etc/nginx/nginx.conf"])
    assert proc.returncode == 0, f"`nginx -t` in the load balancer failed:\n{proc.stdout}{proc.stderr}"
    assert "test is successful" in proc.stderr, proc.stderr


# --- the running project ---------------------------------------------------------------------


def test_service_names_resolve_to_every_copy(project: Project, lb_spec: LbSpec) -> None:
    """nginx resolves an upstream's name once, at start, with the system resolver: one A record
    per copy gives the upstream group one server per copy."""
    assert project.lb is not None
    for service, count in lb_spec.replicas.items():
        proc = project.lb.container.exec(["getent", "ahostsv4", service])
        addresses = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
        expected = {m.backend_ip for m in project.replicas(service)}
        assert len(expected) == count, f"{service}: {len(expected)} copies running, the spec says {count}"
        assert addresses == expected, f"{service} resolves to {sorted(addresses)}, expected {sorted(expected)}"


def test_http_healthz(project: Project, lb_spec: LbSpec) -> None:
    resp = web.get(lb_spec.http_port, "/healthz")
    assert resp.status == 200, f"GET /healthz answered {resp.status}: {resp.body[:200]!r}"


def test_http_redirects_to_https(project: Project, lb_spec: LbSpec) -> None:
    resp = web.get(lb_spec.http_port, "/fastapi/?a=1")
    assert resp.status == 301, f"GET http://…/fastapi/ answered {resp.status}: {resp.body[:200]!r}"
    location = resp.headers.get("location", "")
    assert location == f"https://127.0.0.1:{lb_spec.https_port}/fastapi/?a=1", f"redirects to {location!r}"


@pytest.mark.parametrize("path", ["/fastapi/", "/express/", "/"])
def test_https_route(path: str, project: Project, lb_spec: LbSpec, tls: ssl.SSLContext) -> None:
    target = lb_spec.routes[path]
    resp = _https(lb_spec, tls, path)
    assert resp.status == 200, f"GET https://{lb_spec.server_name}{path} answered {resp.status}: {resp.body[:200]!r}"
    assert resp.json() == {"message": lb_spec.messages[target]}, f"{path} answered {resp.body[:200]!r}"
    hsts = resp.headers.get("strict-transport-security", "")
    assert re.fullmatch(r"max-age=\d+.*", hsts), f"no HSTS header (got {hsts!r})"
    assert int(re.findall(r"\d+", hsts)[0]) >= 31536000, f"HSTS max-age under a year: {hsts!r}"


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_version_accepted(version: str, project: Project, lb_spec: LbSpec, cert_dir: Path) -> None:
    ctx = ssl.create_default_context(cafile=str(cert_dir / "cert.pem"))
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion[version]
    resp, negotiated = web.get_tls(lb_spec.https_port, "/healthz", ctx, lb_spec.server_name, timeout=REQUEST_TIMEOUT)
    assert resp.status == 200
    assert negotiated == version.replace("_", "."), f"negotiated {negotiated}"


def test_tls_1_1_refused(project: Project, lb_spec: LbSpec, cert_dir: Path) -> None:
    ctx = ssl.create_default_context(cafile=str(cert_dir / "cert.pem"))
    # OpenSSL's default security level forbids TLS 1.1 on the client side; level 0 offers it,
    # so a refusal is the server's (its protocol_version alert).
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated is what is being tested
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError) as refused:
        web.get_tls(lb_spec.https_port, "/healthz", ctx, lb_spec.server_name, timeout=REQUEST_TIMEOUT)
    assert "PROTOCOL_VERSION" in str(refused.value).upper(), f"refused, but not by the server: {refused.value}"


def test_requests_reach_every_copy(project: Project, lb_spec: LbSpec, tls: ssl.SSLContext) -> None:
    copies = project.replicas("fastapi-nginx")
    assert len(copies) == lb_spec.replicas["fastapi-nginx"]
    served: dict[str, int] = {m.name: 0 for m in copies}
    for _ in range(4 * len(copies)):
        token = uuid.uuid4().hex
        resp = _https(lb_spec, tls, f"/fastapi/?probe={token}")
        assert resp.status == 200, f"answered {resp.status}"
        for name in _wait_for_app_lines(copies, token):
            served[name] += 1
    assert all(served.values()), f"requests per copy: {served}"
    assert sum(served.values()) == 4 * len(copies), f"requests per copy: {served} (some were not logged)"


@pytest.mark.parametrize("path", ["/fastapi/", "/express/"])
def test_app_logs_the_client_address(path: str, project: Project, lb_spec: LbSpec, tls: ssl.SSLContext) -> None:
    """The client as the load balancer saw it (the frontend gateway), carried by X-Forwarded-For
    and believed by the container's nginx (realip from the backend subnet) and by the app;
    neither the load balancer's address nor a spoofed X-Forwarded-For."""
    assert project.lb is not None
    members = project.replicas(lb_spec.routes[path])
    token = uuid.uuid4().hex
    resp = _https(lb_spec, tls, f"{path}?probe={token}", headers={"X-Forwarded-For": SPOOFED})
    assert resp.status == 200, f"answered {resp.status}"
    found = _wait_for_app_lines(members, token)
    lines = [ln for group in found.values() for ln in group]
    assert lines, f"no app logged `{path}?probe={token}`"
    clients = {m.group(1) for ln in lines for m in [_IPV4.search(ln)] if m}
    assert clients == {FRONTEND_GATEWAY}, (
        f"the app logged client {sorted(clients)}, expected {FRONTEND_GATEWAY} "
        f"(the load balancer is {project.lb.backend_ip}): {lines}"
    )
    assert SPOOFED not in " ".join(lines), f"the app believed the spoofed X-Forwarded-For: {lines}"


def test_lb_answers_with_a_copy_stopped(project: Project, lb_spec: LbSpec, tls: ssl.SSLContext) -> None:
    """`docker stop` of one copy: the requests that would go to it are retried on the other
    (proxy_next_upstream), so every request still gets the message. Last: it changes the run."""
    copies = project.replicas("fastapi-nginx")
    assert len(copies) >= 2, "needs two copies"
    stopped, alive = copies[-1], copies[:-1]
    outcome = stopped.container.stop(timeout=stopped.container.options.stop_timeout or 10)
    assert not outcome.leftover, f"processes left in the stopped copy: {outcome.leftover}"
    message = lb_spec.messages["fastapi-nginx"]
    for _ in range(4):
        token = uuid.uuid4().hex
        resp = _https(lb_spec, tls, f"/fastapi/?probe={token}")
        assert resp.status == 200 and resp.json() == {"message": message}, f"answered {resp.status}: {resp.body!r}"
        assert _wait_for_app_lines(alive, token), f"no running copy logged {token}"
