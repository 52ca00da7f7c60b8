"""Configuration by environment variables, checked with the real parts.

- Names and defaults agree across the files: the image's ENV (its Dockerfile replayed),
  Compose's own normalized `environment` (`docker-compose config`), the Kubernetes `env`
  (PyYAML, with the kubelet's `$$` read as `$`), the variables entrypoint.sh checks and the
  README's table. For the default spec and the load-balancer example.
- The entrypoint, under the image's own shell (dash on Ubuntu, busybox on Alpine), refuses
  each kind of bad value with exit code 78 and the variable named, before supervisord starts.
- Every container run with every variable changed (`docker run -e`): it answers with the new
  message through nginx, the app listens on the new port and nothing on the old one, nginx
  runs the rewritten config (which `nginx -t` accepts) with the new timeouts, the new body
  limit gives 413 just above it and not below, and the worker count is the new one.
- shellcheck has nothing to say about entrypoint.sh.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from harness import compose, config, static, web
from harness.container import Container, RunOptions, run_once
from harness.scenario import Subject
from harness.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
ROOTS = [REPO / "generated", REPO / "examples" / "lb" / "generated"]


def test_names_and_defaults_agree_across_files(
    container: str, containers, images: dict[str, Subject], generated: Path
) -> None:
    image = _image(images, container)
    model, messages = static.compose_config(generated / "compose.yaml")
    assert model is not None, f"docker compose config rejects {generated / 'compose.yaml'}:\n{messages}"
    problems = config.disagreements(containers[container].path, image.config.env, model["services"][container])
    assert not problems, "\n".join(problems)


def test_entrypoint_passes_shellcheck() -> None:
    scripts = sorted(p for root in ROOTS for p in root.glob("*/entrypoint.sh"))
    assert scripts, "no entrypoint.sh under generated/"
    proc = subprocess.run(
        [static.tool("shellcheck"), "--shell=sh", "--severity=style", *map(str, scripts)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _image(images: dict[str, Subject], name: str):
    subject = images[name]
    if subject.image is None:
        pytest.fail(f"the image did not build: {subject.error}", pytrace=False)
    return subject.image


BAD_VALUES = [
    ("APP_PORT", "80", "nginx's own port"),
    ("APP_PORT", "0", "from 1 to 65535"),
    ("APP_PORT", "65536", "from 1 to 65535"),
    ("APP_PORT", "08000", "whole number"),
    ("APP_PORT", "8000x", "whole number"),
    ("APP_PORT", "", "whole number"),
    ("APP_LOG_LEVEL", "verbose", "expected one of"),
    ("APP_MESSAGE", "", "is empty"),
    ("NGINX_CLIENT_MAX_BODY_SIZE", "10mb", "nginx size"),
    ("NGINX_CLIENT_MAX_BODY_SIZE", "1m; daemon on", "nginx size"),
    ("NGINX_PROXY_READ_TIMEOUT", "0", "from 1 to 86400"),
    ("NGINX_PROXY_CONNECT_TIMEOUT", "90", "from 1 to 75"),
    ("NGINX_PROXY_SEND_TIMEOUT", "60s", "whole number"),
]


@pytest.mark.parametrize(("var", "value", "says"), BAD_VALUES, ids=[f"{v}={x!r}" for v, x, _ in BAD_VALUES])
def test_entrypoint_refuses_a_bad_value(
    container: str, var: str, value: str, says: str, images: dict[str, Subject], workspace: Workspace
) -> None:
    image = _image(images, container)
    started = time.monotonic()
    proc = run_once(workspace, image, image.config.argv(), timeout=20, env={var: value})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 78, f"exit {proc.returncode}, expected 78:\n{output}"
    assert f"gen: {var}" in output and says in output, output
    assert "supervisord" not in output.lower(), f"supervisord started:\n{output}"
    assert time.monotonic() - started < 10


def _changed(cdir_spec, kind: str) -> dict[str, str]:
    env = {
        "APP_PORT": str(cdir_spec.app_port + 11),
        "APP_LOG_LEVEL": "warning",
        "APP_MESSAGE": 'Changed at run time: $HOME ${x} $(id) "quoted" \\ ünï 😀',
        "NGINX_CLIENT_MAX_BODY_SIZE": "2k",
        "NGINX_PROXY_CONNECT_TIMEOUT": "7",
        "NGINX_PROXY_READ_TIMEOUT": "17",
        "NGINX_PROXY_SEND_TIMEOUT": "19",
    }
    if kind == "fastapi":
        env["APP_WORKERS"] = "2"
    return env


def _wait_healthy(c: Container, port: int, timeout: float = 30.0) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not c.running():
            raise AssertionError(f"the container exited:\n{c.console_tail()}")
        resp = web.answers(port, "/healthz", timeout=2)
        if resp is not None and resp.status == 200:
            return
        time.sleep(0.25)
    raise AssertionError(f"/healthz did not answer within {timeout:.0f} s:\n{c.console_tail()}")


@pytest.mark.parametrize("how", ["docker-run", "compose"])
def test_every_variable_changed_at_run_time(
    container: str, how: str, containers, images: dict[str, Subject], workspace: Workspace, generated: Path
) -> None:
    """`docker run -e ...`, and the compose service (read-only root with tmpfs, capabilities
    dropped, no-new-privileges) with every variable of its `environment:` changed."""
    cdir = containers[container]
    image = _image(images, container)
    env = _changed(cdir.spec, cdir.spec.app_kind)
    if how == "compose":
        model, messages = static.compose_config(generated / "compose.yaml")
        assert model is not None, messages
        options = compose.run_options(model["services"][container])
        options.env.update(env)
    else:
        options = RunOptions(label="docker run -e", env=env)
    index = 20 + 2 * sorted(containers).index(container) + (how == "compose")
    host_port = cdir.host_port + 100 + 50 * (how == "compose")
    c = Container(workspace, image, f"{container}-cfg-{how}", index, options)
    try:
        c.start(host_port, cdir.spec.nginx_port)
        _wait_healthy(c, host_port)
        resp = web.get(host_port, "/")
        assert resp.status == 200, resp.body
        assert resp.json() == {"message": env["APP_MESSAGE"]}
        new_port, old_port = int(env["APP_PORT"]), cdir.spec.app_port
        listening = c.listeners()
        assert ("127.0.0.1", new_port) in listening, listening
        assert all(port != old_port for _, port in listening), listening
        cmdlines = [cmd for _, _, cmd in c.processes()]
        masters = [cmd for cmd in cmdlines if cmd.startswith("nginx: master")]
        assert masters and all("-c /run/nginx/nginx.conf" in m for m in masters), cmdlines
        rendered = c.file("/run/nginx/nginx.conf").read_text()
        for line in (
            f"server 127.0.0.1:{new_port}; # env APP_PORT",
            "client_max_body_size 2k; # env NGINX_CLIENT_MAX_BODY_SIZE",
            "proxy_connect_timeout 7; # env NGINX_PROXY_CONNECT_TIMEOUT",
            "proxy_read_timeout 17; # env NGINX_PROXY_READ_TIMEOUT",
            "proxy_send_timeout 19; # env NGINX_PROXY_SEND_TIMEOUT",
        ):
            assert line in rendered, f"{line!r} not in the rewritten nginx.conf"
        original = (cdir.path / "nginx.conf").read_text().splitlines()
        changed = [a for a, b in zip(original, rendered.splitlines(), strict=True) if a != b]
        assert all("# env " in line for line in changed), changed
        test = c.exec(["/usr/sbin/nginx", "-t", "-c", "/run/nginx/nginx.conf"])
        assert test.returncode == 0, test.stderr
        assert web.post(host_port, "/", b"x" * 2049).status == 413
        assert web.post(host_port, "/", b"x" * 2000).status != 413
        if "APP_WORKERS" in env:
            # uvicorn's supervisor process forks one process per worker.
            workers = [c for c in cmdlines if "multiprocessing.spawn" in c]
            assert len(workers) == int(env["APP_WORKERS"]), cmdlines
    finally:
        c.cleanup()


HOSTILE = [
    'costs $5: $HOME ${HOME} $$ $(id) `id` "quoted" \\ back',
    "yaml: - [a, b] {c: d} # not a comment &anchor *alias !tag 'single' %",
    "ünïcödé 😀 \u2028 separators \u2029 and a BOM \ufeff",
]


@pytest.mark.parametrize("message", HOSTILE, ids=["dollars-and-quotes", "yaml-syntax", "unicode"])
def test_hostile_message_survives_compose_and_kubernetes(message: str, gen_binary: Path, tmp_path: Path) -> None:
    """The message is written into compose.yaml and the Kubernetes manifest: Compose's own
    loader and the Kubernetes schema accept them, and both give back exactly the message."""
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(
        c if ord(c) < 0x2000 else f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}" for c in escaped
    )
    (tmp_path / "spec.toml").write_text(
        f'[[container]]\nname = "web"\nhost_port = 8001\n[container.app]\nkind = "express"\nmessage = "{escaped}"\n'
    )
    proc = subprocess.run([str(gen_binary), "build"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    model, messages = static.compose_config(tmp_path / "generated" / "compose.yaml")
    assert model is not None, messages
    # `docker-compose config` prints a literal `$` as `$$`, so that its output loads again.
    assert model["services"]["web"]["environment"]["APP_MESSAGE"].replace("$$", "$") == message
    manifest = tmp_path / "generated" / "k8s" / "web.yaml"
    ok, output = static.kubernetes_validate([manifest])
    assert ok, output
    assert config.k8s_env(manifest)["APP_MESSAGE"] == message


def test_a_changed_setting_needs_a_writable_run(
    container: str, containers, images: dict[str, Subject], workspace: Workspace
) -> None:
    """`docker run --read-only` without a tmpfs on /run: a changed nginx setting cannot be
    written, and the entrypoint says so (exit 78) instead of failing in the middle."""
    cdir = containers[container]
    image = _image(images, container)
    options = RunOptions(label="docker run --read-only -e", read_only=True, env={"NGINX_PROXY_READ_TIMEOUT": "30"})
    c = Container(workspace, image, f"{container}-ro", 30 + sorted(containers).index(container), options)
    try:
        c.start(cdir.host_port + 200, cdir.spec.nginx_port)
        started = time.monotonic()
        while c.running() and time.monotonic() - started < 15:
            time.sleep(0.1)
        assert not c.running(), f"still running after 15 s:\n{c.console_tail()}"
        console = c.console_text()
        assert c.proc is not None and c.proc.returncode == 78, f"exit {c.proc and c.proc.returncode}:\n{console}"
        assert "gen: cannot write /run/nginx/nginx.conf" in console, console
    finally:
        c.cleanup()
