"""The user's own apps (`app.source`), built and run for real.

tests/fixtures/own-apps is a project of three apps, each in its own directory beside the
spec: `shop` (FastAPI in a src/ layout installed from pyproject.toml, an app factory, the extra
dependency humanize, its own health path), `api` (FastAPI from requirements.txt, which lacks
uvicorn: gen adds it; no health path) and `notes` (Express with its own package-lock.json; no
health path). Its committed generated/ must be what the spec gives; gen check finds nothing in
the project nor in generated/; hadolint, gixy-ng, buildkit's parser, `docker compose config`
and `nginx -t` in the image are clean as for the starter containers. Each image is built as
its README says (`docker build -f generated/<name>/Dockerfile .` from the project), and run
as `docker run -p` would: `GET /` through nginx on the host port gives the app's own answer
(for shop and api, with humanize's formatting: the extra dependency is installed), /healthz
and the image's HEALTHCHECK pass (through the app's health path, or on any answer of the
app), the app listens on loopback only, supervisord restarts it after SIGKILL, and the stop
signal with an upload in flight stops everything cleanly within the stop timeout.
"""

from __future__ import annotations

import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness import dockerfile, scenario, spec, static
from harness.distro import BuildError
from harness.dockerfile import DockerfileError
from harness.image import Builder
from harness.rootfs import RootfsError
from harness.scenario import Result, Subject
from harness.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "fixtures" / "own-apps"
GENERATED = PROJECT / "generated"
# What each app's `GET /` answer holds: its own JSON, with humanize's formatting for the two
# FastAPI apps (their extra dependency).
ANSWERS = {
    "shop": '"stock":"1,234,567"',
    "api": '"limit":"1.0 MB"',
    "notes": '"notes":["buy milk","write tests"]',
}
LIVE_CHECKS = (
    "starts",
    "get_root",
    "healthz",
    "healthcheck",
    "listeners",
    "app_port_private",
    "restart_after_kill",
    "graceful_stop",
)


def _cdir(name: str) -> spec.ContainerDir:
    data = tomllib.loads((PROJECT / "spec.toml").read_text())
    entry = next(c for c in data["container"] if c["name"] == name)
    app = entry["app"]
    kind = app["kind"]
    cspec = spec.ContainerSpec(
        name=name,
        container_name=entry.get("container_name", name),
        host_port=int(entry["host_port"]),
        stop_timeout=int(entry.get("stop_timeout", spec.DEFAULT_STOP_TIMEOUT)),
        nginx_port=spec.DEFAULT_NGINX_PORT,
        app_kind=kind,
        app_port=int(app.get("port", spec.DEFAULT_APP_PORT[kind])),
        # The checks look for this in the app's answers (GET /, the upload in flight).
        message=ANSWERS[name],
    )
    return spec.ContainerDir(path=GENERATED / name, spec=cspec, host_port=cspec.host_port)


def _gen(gen_binary: Path, *args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(gen_binary), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_generated_is_what_the_spec_gives(gen_binary: Path) -> None:
    proc = _gen(gen_binary, "build", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("where", [".", "generated"])
def test_gen_check_finds_nothing(gen_binary: Path, where: str) -> None:
    args = ("check",) if where == "." else ("check", where)
    proc = _gen(gen_binary, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no problems in 3 containers" in proc.stderr, proc.stderr


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_hadolint(name: str) -> None:
    serious, _ = static.hadolint(GENERATED / name / "Dockerfile")
    assert not serious, "hadolint findings at warning level or above:\n" + "\n".join(serious)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_gixy(name: str) -> None:
    findings = static.gixy(GENERATED / name / "nginx.conf")
    assert not findings, "gixy-ng findings:\n" + "\n".join(findings)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_dockerfile_reader_agrees_with_buildkit(name: str, gen_binary: Path) -> None:
    path = GENERATED / name / "Dockerfile"
    problems = dockerfile.compare(dockerfile.read_with_gen(gen_binary, path), dockerfile.read_with_reference(path))
    assert not problems, "gen's Dockerfile reader and buildkit's parser disagree:\n" + "\n".join(problems)


def test_compose_builds_each_image_from_the_project() -> None:
    model, messages = static.compose_config(GENERATED / "compose.yaml")
    assert model is not None, f"docker compose config rejects it:\n{messages}"
    for name in ANSWERS:
        build = model["services"][name]["build"]
        assert Path(build["context"]).resolve() == PROJECT.resolve(), build
        assert build["dockerfile"] == f"generated/{name}/Dockerfile", build


@pytest.fixture(scope="module")
def own_images(workspace: Workspace, gen_binary: Path) -> dict[str, Subject]:
    builder = Builder(workspace, gen_binary)

    def build(name: str) -> Subject:
        subject = Subject(_cdir(name))
        try:
            subject.image = builder.build(PROJECT, f"own-{name}", GENERATED / name / "Dockerfile")
        except (BuildError, DockerfileError, RootfsError, OSError) as exc:
            subject.error = f"{type(exc).__name__}: {exc}"
        return subject

    with ThreadPoolExecutor(max_workers=2) as pool:
        return {s.name: s for s in pool.map(build, sorted(ANSWERS))}


def _image(images: dict[str, Subject], name: str) -> Subject:
    subject = images[name]
    if subject.image is None:
        pytest.fail(f"the image did not build: {subject.error}", pytrace=False)
    return subject


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_nginx_t_in_image(name: str, own_images: dict[str, Subject], workspace: Workspace) -> None:
    image = _image(own_images, name).image
    assert image is not None
    # gen's files are copied from the output directory, inside the project context.
    places = image.dest_of(f"generated/{name}/nginx.conf")
    assert places, "the Dockerfile copies nginx.conf nowhere"
    for place in places:
        proc = static.nginx_t(workspace, image, place)
        assert proc.returncode == 0, f"`nginx -t -c {place}` in the image failed:\n{proc.stdout}{proc.stderr}"


def _get_root(s: Subject) -> str:
    resp = scenario.web.get(s.cdir.host_port, "/")
    scenario._expect(resp.status == 200, f"GET / answered {resp.status}: {scenario._short(resp.body)}")
    scenario._expect(s.cdir.spec.message.encode() in resp.body, f"GET / answered {scenario._short(resp.body)}")
    return f"200 {resp.body[:120]!r}"


@pytest.fixture(scope="module")
def own_live(workspace: Workspace, own_images: dict[str, Subject]) -> dict[str, Subject]:
    """The three apps run at once, each through the live checks that hold for any app."""
    live = [s for s in own_images.values() if s.image is not None]
    for s in own_images.values():
        if s.image is None:
            s.results = {c: Result(False, f"no image: {s.error}") for c in LIVE_CHECKS}
    try:
        for index, s in enumerate(live):
            scenario._record(s, "starts", lambda s=s, index=index: scenario._start(workspace, s, 40 + index))
        scenario._wait_ready([s for s in live if s.results["starts"].ok])
        for s in live:
            scenario._record(s, "get_root", lambda s=s: _get_root(s))
            scenario._record(s, "healthz", lambda s=s: scenario._healthz(s))
            scenario._record(s, "healthcheck", lambda s=s: scenario._healthcheck(s))
            scenario._record(s, "listeners", lambda s=s: scenario._listeners(s))
            scenario._record(s, "app_port_private", lambda s=s: scenario._app_port_private(s))
        for s in live:
            scenario._record(s, "restart_after_kill", lambda s=s: scenario._restart_after_kill(s))
        with ThreadPoolExecutor(max_workers=max(1, len(live))) as pool:
            list(pool.map(lambda s: scenario._record(s, "graceful_stop", lambda: scenario._graceful_stop(s)), live))
    finally:
        for s in live:
            if s.container is not None:
                s.container.cleanup()
    return own_images


@pytest.mark.parametrize("check", LIVE_CHECKS)
@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_own_app_live(name: str, check: str, own_live: dict[str, Subject]) -> None:
    result = own_live[name].results.get(check)
    assert result is not None, f"the check {check} did not run"
    assert result.ok, result.detail
