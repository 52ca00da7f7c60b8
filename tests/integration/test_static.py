"""Static validation of every generated container directory.

The real validators, pinned in tests/requirements.txt: hadolint (nothing at warning level or
above), gixy-ng (no finding at all), `nginx -t` and supervisor's options parser inside the
built image, the buildkit parser against gen's own Dockerfile reader, `ast.parse` and
`node --check` on the app sources.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import dockerfile, spec, static
from harness.scenario import Subject
from harness.workspace import Workspace


def test_generated_containers_are_found(containers: dict[str, spec.ContainerDir]) -> None:
    assert containers, "no container directory under generated/"


def test_readme_run_line_matches_spec(cdir: spec.ContainerDir) -> None:
    problems = spec.check_readme(cdir.path, cdir.spec)
    assert not problems, "\n".join(problems)


def test_hadolint(cdir: spec.ContainerDir) -> None:
    serious, _ = static.hadolint(cdir.path / "Dockerfile")
    assert not serious, "hadolint findings at warning level or above:\n" + "\n".join(serious)


def test_gixy(cdir: spec.ContainerDir) -> None:
    findings = static.gixy(cdir.path / "nginx.conf")
    assert not findings, "gixy-ng findings:\n" + "\n".join(findings)


def test_dockerfile_reader_agrees_with_buildkit(cdir: spec.ContainerDir, gen_binary: Path) -> None:
    reference = dockerfile.read_with_reference(cdir.path / "Dockerfile")
    ours = dockerfile.read_with_gen(gen_binary, cdir.path / "Dockerfile")
    problems = dockerfile.compare(ours, reference)
    assert not problems, "gen's Dockerfile reader and buildkit's parser disagree:\n" + "\n".join(problems)


def test_app_sources_parse(cdir: spec.ContainerDir) -> None:
    sources = sorted(cdir.path.glob("*.py")) + sorted(cdir.path.glob("*.js"))
    assert sources, f"no app source (*.py, *.js) in {cdir.path}"
    problems = static.python_sources(cdir.path) + static.javascript_sources(cdir.path)
    assert not problems, "\n".join(problems)


def _image(images: dict[str, Subject], name: str) -> Subject:
    subject = images[name]
    if subject.image is None:
        pytest.fail(f"the image did not build: {subject.error}", pytrace=False)
    return subject


def test_image_builds(cdir: spec.ContainerDir, images: dict[str, Subject]) -> None:
    subject = _image(images, cdir.name)
    assert subject.image is not None
    assert subject.image.config.argv(), "the image has no CMD"


def test_nginx_t_in_image(cdir: spec.ContainerDir, images: dict[str, Subject], workspace: Workspace) -> None:
    image = _image(images, cdir.name).image
    assert image is not None
    places = image.dest_of("nginx.conf")
    assert places, "the Dockerfile copies nginx.conf nowhere"
    for place in places:
        proc = static.nginx_t(workspace, image, place)
        assert proc.returncode == 0, f"`nginx -t -c {place}` in the image failed:\n{proc.stdout}{proc.stderr}"
        assert "test is successful" in proc.stderr, proc.stderr


def test_supervisord_accepts_config_in_image(
    cdir: spec.ContainerDir, images: dict[str, Subject], workspace: Workspace
) -> None:
    image = _image(images, cdir.name).image
    assert image is not None
    places = image.dest_of("supervisord.conf")
    assert places, "the Dockerfile copies supervisord.conf nowhere"
    for place in places:
        ok, detail = static.supervisord_accepts(workspace, image, place)
        assert ok, detail


def test_compose_file_loads_and_publishes_the_spec_ports(
    generated: Path, containers: dict[str, spec.ContainerDir]
) -> None:
    compose = generated / "compose.yaml"
    if not compose.exists():
        pytest.skip("gen wrote no generated/compose.yaml")
    model, messages = static.compose_config(compose)
    assert model is not None, f"docker compose config rejects {compose}:\n{messages}"
    services = model.get("services", {})
    for name, cdir in containers.items():
        service = services.get(name)
        assert service is not None, f"compose.yaml has no service {name}"
        ports = [(int(p["published"]), int(p["target"])) for p in service.get("ports", [])]
        assert ports == [(cdir.spec.host_port, cdir.spec.nginx_port)], f"{name} publishes {ports}"
        assert service.get("container_name") == cdir.spec.container_name
        assert Path(service["build"]["context"]).name == name


def test_kubernetes_manifests_validate(generated: Path) -> None:
    manifests = sorted((generated / "k8s").glob("*.yaml"))
    if not manifests:
        pytest.skip("gen wrote no generated/k8s/*.yaml")
    ok, output = static.kubernetes_validate(manifests)
    assert ok, f"kubernetes-validate --strict:\n{output}"
