"""The generated stack under load: wrk against the app, the generated nginx and a naive nginx.

Builds each container directory's image with the integration harness (tests/integration/
harness), starts it (supervisord as pid 1, nginx and the app as the spec generated them), and
runs `wrk --latency` from inside the container's network namespace (the host's wrk binary,
joined to that namespace only; no traffic crosses the veth or the forwarder) against:

  app      the app directly, 127.0.0.1:APP_PORT
  gen      nginx with the generated config, port 80
  naive    a second nginx (the same binary, in the container) on port 8080 whose server block
           is only `location / { proxy_pass http://127.0.0.1:APP_PORT; }`, reference-style
  gen-copy the generated config again on port 8085, started the way naive is: the control
           (its stdout, where the generated config logs each request, is /dev/null here, not
           supervisord's pipe as for gen)

in alternation, ROUNDS times, and prints requests/s and p99 latency (medians over the rounds,
with their spread, and the load average at each run) and the ratios gen/app and gen/naive.
With --variants it adds nginx configs that differ from the generated one in one setting each,
and an app started with two uvicorn workers, to show what each setting is worth on this
machine.

With --reference (FastAPI directories), a second container runs the reference setup users
would otherwise pick (scripts/bench/reference/: gunicorn managing (2 x cores) + 1 uvicorn
workers with uvicorn[standard], no nginx) on the same app.py, built and started by the same
harness, and its run is interleaved with the others in every round:

  reference  gunicorn + uvicorn workers, port 8000 of its own container

and the report prints `gen/reference throughput X, p99 Y` (gen's median over the reference's).

Usage (scripts/bench/stack-load.sh runs this, as root):
    python stack_load.py [--duration 10] [--connections 32] [--rounds 3] [--variants] [--reference] DIR...
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from harness import ns, runner, session, spec  # noqa: E402
from harness.container import Container  # noqa: E402
from harness.image import Builder  # noqa: E402
from harness.workspace import Workspace  # noqa: E402

WRK_THREADS = 2  # this machine's cores; wrk shares them with the server, as a sidecar would

NAIVE = """\
user www-data;
worker_processes auto;
pid /tmp/bench-{name}.pid;
error_log /tmp/bench-{name}-error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    access_log /tmp/bench-{name}-access.log;
    server {{
        listen {port};
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
        }}
    }}
}}
"""


REFERENCE = Path(__file__).resolve().parent / "reference"
REFERENCE_PORT = 8000


@dataclass
class Target:
    name: str
    port: int
    what: str
    runs: list[tuple[float, float, str]] = field(default_factory=list)  # (req/s, p99 ms, errors)
    loads: list[float] = field(default_factory=list)  # the 1-minute load average after each run
    # The container whose network namespace wrk joins; None: the subject's own.
    container: Container | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _in_net(c: Container, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    assert c.pid1 is not None
    return subprocess.run(
        ["nsenter", f"--net=/proc/{c.pid1}/ns/net", *argv],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_200(c: Container, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = _in_net(c, ["curl", "-fsS", "-o", "/dev/null", "-m", "2", f"http://127.0.0.1:{port}/"], 10)
        if r.returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{c.name}: nothing answers 200 on 127.0.0.1:{port} after {timeout} s\n{c.console_tail()}")


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _parse_wrk(out: str) -> tuple[float, float, str]:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    if not rps or not p99:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = "; ".join(
        m.group(0).strip() for m in re.finditer(r"^\s*(Socket errors:.*|Non-2xx or 3xx responses:.*)$", out, re.M)
    )
    return float(rps.group(1)), float(p99.group(1)) * _UNIT_MS[p99.group(2)], errors


def _wrk(c: Container, port: int, duration: int, connections: int) -> tuple[float, float, str]:
    argv = [
        "wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency",
        f"http://127.0.0.1:{port}/",
    ]  # fmt: skip
    r = _in_net(c, argv, timeout=duration + 30)
    if r.returncode != 0:
        raise RuntimeError(f"wrk failed ({r.returncode}): {r.stderr.strip()}")
    return _parse_wrk(r.stdout)


def _start_in(c: Container, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """A process in every namespace of the container (so it ends with the container)."""
    assert c.pid1 is not None
    line = runner.exec_command_line(c.pid1, argv, {**c.env, **(env or {})}, c.options.caps, c.options.no_new_privs)
    return subprocess.Popen(
        line, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=runner.HOST_TOOLS_ENV,
    )  # fmt: skip


def _nginx(c: Container, name: str, config: str) -> subprocess.Popen:
    path = f"/tmp/bench-{name}.conf"
    c.file(path).write_text(config)
    check = c.exec(["/usr/sbin/nginx", "-t", "-q", "-c", path])
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t on the {name} config: {check.stderr.strip()}")
    return _start_in(c, ["/usr/sbin/nginx", "-e", f"/tmp/bench-{name}-error.log", "-c", path, "-g", "daemon off;"])


def _variant_of_generated(generated: str, name: str, port: int, edits: list[tuple[str, str]]) -> str:
    """The generated nginx.conf on another port and pid file, with `edits` applied."""
    text = generated
    for old, new in [
        ("listen 80 default_server;", f"listen {port} default_server;"),
        ("pid /run/nginx.pid;", f"pid /tmp/bench-{name}.pid;"),
        *edits,
    ]:
        if old not in text:
            raise RuntimeError(f"variant {name}: the generated nginx.conf has no `{old}`")
        text = text.replace(old, new)
    return re.sub(r"^daemon off;\n", "", text, flags=re.M)


def _targets(c: Container, cdir: spec.ContainerDir, variants: bool) -> tuple[list[Target], list[subprocess.Popen]]:
    app_port, nginx_port = cdir.spec.app_port, cdir.spec.nginx_port
    targets = [
        Target("app", app_port, f"the app directly, 127.0.0.1:{app_port}"),
        Target("gen", nginx_port, f"generated nginx.conf, port {nginx_port}"),
        Target("naive", 8080, "naive nginx: `location / { proxy_pass http://127.0.0.1:APP; }`, port 8080"),
    ]
    procs = [_nginx(c, "naive", NAIVE.format(name="naive", port=8080, app_port=app_port))]
    # The control: the generated config unchanged, started the way the naive one is (outside
    # supervisord: its access log, /dev/stdout, is /dev/null here, not supervisord's pipe).
    generated = (cdir.path / "nginx.conf").read_text()
    procs.append(_nginx(c, "gen-copy", _variant_of_generated(generated, "gen-copy", 8085, [])))
    targets.append(Target("gen-copy", 8085, "generated nginx.conf, started like naive, port 8085"))
    if variants:
        edits: dict[str, tuple[str, list[tuple[str, str]]]] = {
            "gen-nolog": ("generated, `access_log off`", [("access_log /dev/stdout;", "access_log off;")]),
            "gen-1wp": ("generated, `worker_processes 1`", [("worker_processes auto;", "worker_processes 1;")]),
            "gen-noka": (
                "generated, no upstream keepalive",
                [("        keepalive 16;\n", "")],
            ),
            "gen-ka64": ("generated, upstream `keepalive 64`", [("keepalive 16;", "keepalive 64;")]),
        }
        for port, (name, (what, changes)) in enumerate(edits.items(), start=8081):
            procs.append(_nginx(c, name, _variant_of_generated(generated, name, port, changes)))
            targets.append(Target(name, port, what))
        if cdir.spec.app_kind == "fastapi":
            # The same app.py with APP_WORKERS=2 on another port, behind the generated config.
            app2 = app_port + 1
            procs.append(
                _start_in(
                    c, ["/bin/sh", "-c", "cd /app && exec /opt/venv/bin/python /app/app.py"],
                    {"APP_HOST": "127.0.0.1", "APP_PORT": str(app2), "APP_WORKERS": "2"},
                )  # fmt: skip
            )
            conf = _variant_of_generated(
                generated, "gen-2uv", 8090, [("server 127.0.0.1:8000;", f"server 127.0.0.1:{app2};")]
            )
            procs.append(_nginx(c, "gen-2uv", conf))
            targets.append(Target("gen-2uv", 8090, "generated, app with APP_WORKERS=2 (uvicorn workers)"))
            _wait_200(c, app2)
    for t in targets:
        _wait_200(c, t.port)
    return targets, procs


def _spread(values: list[float]) -> str:
    """(max - min) / median, as a percentage."""
    med = statistics.median(values)
    return f"{(max(values) - min(values)) / med * 100:.0f}%" if med else "-"


def _report(name: str, targets: list[Target]) -> None:
    med = {t.name: (statistics.median(r[0] for r in t.runs), statistics.median(r[1] for r in t.runs)) for t in targets}
    print(f"\n== {name}: medians of {len(targets[0].runs)} rounds")
    print(f"{'target':<10} {'req/s':>9} {'spread':>6} {'p99 ms':>8} {'spread':>6}   runs (req/s @ p99 ms)   what")
    for t in targets:
        runs = ", ".join(f"{r[0]:.0f}@{r[1]:.1f}" for r in t.runs)
        rps_spread, p99_spread = _spread([r[0] for r in t.runs]), _spread([r[1] for r in t.runs])
        print(
            f"{t.name:<10} {med[t.name][0]:>9.0f} {rps_spread:>6} {med[t.name][1]:>8.2f} {p99_spread:>6}   "
            f"{runs:<22}  {t.what}"
        )
        for r in t.runs:
            if r[2]:
                print(f"{'':<10} errors: {r[2]}")
    loads = [load for t in targets for load in t.loads]
    print(f"load average (1 min) after the runs: median {statistics.median(loads):.2f}, "
          f"from {min(loads):.2f} to {max(loads):.2f}")  # fmt: skip
    g, a, n = med["gen"], med["app"], med["naive"]
    print(f"gen/app   throughput {g[0] / a[0]:.2f} (target >= 0.9)   p99 {g[1] / a[1]:.2f}")
    print(f"gen/naive throughput {g[0] / n[0]:.2f} (target >= 1.0)   p99 {g[1] / n[1]:.2f} (target <= 1.0)")
    gc = med["gen-copy"]
    print(f"gen-copy/naive throughput {gc[0] / n[0]:.2f}   p99 {gc[1] / n[1]:.2f}")
    for t in targets[4:]:
        v = med[t.name]
        if t.name == "reference":
            continue
        print(f"{t.name}/gen-copy throughput {v[0] / gc[0]:.2f}   p99 {v[1] / gc[1]:.2f}")
    if "reference" in med:
        r = med["reference"]
        print(f"gen/reference throughput {g[0] / r[0]:.2f}, p99 {g[1] / r[1]:.2f}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _start_reference(ws: Workspace, gen: Path, cdir: spec.ContainerDir, index: int) -> Container:
    """The reference setup on the generated container's app.py, built and started by the harness."""
    context = ws.dir("reference-context")
    for name in ("Dockerfile", "requirements.txt", "start.sh"):
        shutil.copy(REFERENCE / name, context / name)
    shutil.copy(cdir.path / "app.py", context / "app.py")
    t0 = time.monotonic()
    image = Builder(ws, gen).build(context, "reference")
    print(f"built the reference image in {time.monotonic() - t0:.0f} s", flush=True)
    ref = Container(ws, image, "reference", index)
    ref.start(_free_port(), REFERENCE_PORT)
    _wait_200(ref, REFERENCE_PORT)
    return ref


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", metavar="DIR")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10, at most 60)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32, at most 256)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the targets in turn (default 3, at most 10)")
    parser.add_argument("--variants", action="store_true", help="also time one-setting variants of the config")
    parser.add_argument(
        "--reference", action="store_true",
        help="also time the reference setup (gunicorn + uvicorn workers) on the same app (fastapi only)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    # Every load loop is bounded: at most 10 rounds of a few 60 s runs.
    if not (1 <= args.duration <= 60 and 1 <= args.connections <= 256 and 1 <= args.rounds <= 10):
        parser.error("--duration 1..60, --connections 1..256, --rounds 1..10")
    gen = Path(os.environ.get("GEN", REPO / "target" / "debug" / "gen"))
    cdirs = []
    for raw in args.dirs:
        path = Path(raw).resolve()
        specs = spec.load_spec(path.parent.parent / "spec.toml")
        # A free host port for the forwarder: the spec's may be taken by a test run.
        cdirs.append(spec.ContainerDir(path=path, spec=specs[path.name], host_port=_free_port()))

    ns.enter_private_mount_namespace()
    ws = Workspace()
    ws.hold_temporary_files()
    containers: list[Container] = []
    try:
        t0 = time.monotonic()
        subjects = session.build_all(ws, gen, cdirs)
        for s in subjects:
            if s.image is None:
                print(f"[{s.name}] the build failed: {s.error}", file=sys.stderr)
                return 1
        print(f"built {len(subjects)} image(s) in {time.monotonic() - t0:.0f} s", flush=True)
        for index, s in enumerate(subjects):
            assert s.image is not None
            c = Container(ws, s.image, s.name, index)
            containers.append(c)
            c.start(s.cdir.host_port, s.cdir.spec.nginx_port)
            targets, _ = _targets(c, s.cdir, args.variants)
            ref: Container | None = None
            if args.reference and s.cdir.spec.app_kind == "fastapi":
                ref = _start_reference(ws, gen, s.cdir, len(subjects) + index)
                containers.append(ref)
                targets.append(
                    Target("reference", REFERENCE_PORT, "gunicorn + (2 x cores) + 1 uvicorn[standard] workers, no nginx",
                           container=ref)
                )  # fmt: skip
            print(f"[{s.name}] load before the runs: {_load()}", flush=True)
            for t in targets:  # warm-up, not counted
                _wrk(t.container or c, t.port, 2, args.connections)
            for rnd in range(args.rounds):
                # Each round in another order, so no target always runs after the same one.
                order = targets[rnd % len(targets):] + targets[: rnd % len(targets)]
                for t in order:
                    t.runs.append(_wrk(t.container or c, t.port, args.duration, args.connections))
                    t.loads.append(os.getloadavg()[0])
                    print(f"[{s.name}] round {rnd + 1} {t.name}: {t.runs[-1][0]:.0f} req/s, "
                          f"p99 {t.runs[-1][1]:.2f} ms {t.runs[-1][2]} (load {_load()})", flush=True)  # fmt: skip
            _report(f"{s.name} (wrk -t{WRK_THREADS} -c{args.connections} -d{args.duration}s)", targets)
            # Stopping the container ends the extra nginx and app too: they are in its pid namespace.
            for done in [c, ref]:
                if done is not None:
                    done.stop(timeout=s.cdir.spec.stop_timeout)
                    done.cleanup()
                    containers.remove(done)
        return 0
    finally:
        for c in containers:
            c.cleanup()
        ws.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
