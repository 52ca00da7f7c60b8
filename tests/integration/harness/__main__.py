"""Try generated containers by hand, without Docker (scripts/try-container.sh runs this).

    python -m harness try DIR...     build each image, run it with the spec's host port published
                                     on 127.0.0.1, follow the consoles until Ctrl-C, then stop
                                     each container the way `docker stop` does
    python -m harness check DIR...   build, run and put every container through the live checks

DIR is a container directory such as generated/fastapi-nginx; its spec is the spec.toml two
levels up (or --spec). The gen binary is target/debug/gen (or $GEN).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from . import ns, report, scenario, session, spec
from .container import Container
from .workspace import Workspace

REPO = Path(__file__).resolve().parents[3]


def _dirs(args: argparse.Namespace) -> list[spec.ContainerDir]:
    found = []
    for raw in args.dirs:
        path = Path(raw).resolve()
        spec_path = Path(args.spec).resolve() if args.spec else path.parent.parent / "spec.toml"
        specs = spec.load_spec(spec_path)
        if path.name not in specs:
            raise spec.SpecError(f"{spec_path} has no container named {path.name!r}")
        found.append(spec.ContainerDir(path=path, spec=specs[path.name], host_port=specs[path.name].host_port))
    return found


def _follow(containers: list[Container], dirs: list[spec.ContainerDir]) -> None:
    stop = {"asked": False}

    def ask(*_: object) -> None:
        stop["asked"] = True

    signal.signal(signal.SIGINT, ask)
    signal.signal(signal.SIGTERM, ask)
    for c, d in zip(containers, dirs, strict=True):
        print(f"[{c.name}] up: curl http://127.0.0.1:{d.host_port}/   (Ctrl-C stops)", flush=True)
    offsets = {c.name: 0 for c in containers}
    running = list(containers)
    while running and not stop["asked"]:
        for c in list(running):
            text = c.console_text()
            for line in text[offsets[c.name] :].splitlines():
                print(f"[{c.name}] {line}", flush=True)
            offsets[c.name] = len(text)
            if not c.running():
                print(f"[{c.name}] exited with status {c.proc.returncode if c.proc else '?'}", flush=True)
                running.remove(c)
        time.sleep(0.2)
    for c, d in zip(containers, dirs, strict=True):
        if c.running():
            outcome = c.stop(timeout=d.spec.stop_timeout)
            took = f"after {outcome.seconds:.1f} s" if outcome.seconds is not None else "only when killed"
            print(f"[{c.name}] {outcome.signal}: exited {took}, status {outcome.returncode}", flush=True)
            for line in c.console_text()[offsets[c.name] :].splitlines():
                print(f"[{c.name}] {line}", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("try", "check"))
    parser.add_argument("dirs", nargs="+", metavar="DIR")
    parser.add_argument("--spec", help="the spec.toml (default: two levels above DIR)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("harness: needs root (namespaces, overlayfs, chroot); try sudo", file=sys.stderr)
        return 2
    gen = Path(os.environ.get("GEN", REPO / "target" / "debug" / "gen"))
    if not gen.exists():
        print(f"harness: no gen binary at {gen}: run `cargo build` first", file=sys.stderr)
        return 2
    try:
        dirs = _dirs(args)
    except (spec.SpecError, OSError, KeyError, ValueError) as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return 2
    report.echo = True
    ns.enter_private_mount_namespace()
    ws = Workspace()
    ws.hold_temporary_files()
    containers: list[Container] = []
    try:
        subjects = session.build_all(ws, gen, dirs)
        broken = [s for s in subjects if s.image is None]
        for s in broken:
            print(f"[{s.name}] the build failed: {s.error}", file=sys.stderr)
        if broken:
            return 1
        if args.mode == "check":
            scenario.run(ws, subjects)
            for s in subjects:
                for check in scenario.CHECKS:
                    r = s.results[check]
                    print(f"{'ok  ' if r.ok else 'FAIL'} {s.name} {check}: {r.detail}")
            return 0 if all(not s.failed() for s in subjects) else 1
        for index, s in enumerate(subjects):
            assert s.image is not None
            c = Container(ws, s.image, s.name, index)
            containers.append(c)
            c.start(s.cdir.host_port, s.cdir.spec.nginx_port)
        _follow(containers, dirs)
        return 0
    finally:
        for c in containers:
            c.cleanup()
        ws.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
