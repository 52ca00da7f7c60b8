#!/usr/bin/env python3
"""Writes a spec.toml of N containers to stdout, for the check-scaling benchmark.

The containers alternate between fastapi (on ubuntu:24.04) and express (on alpine:3.22), each
with a distinct name and host port, so `gen build` and `gen check` see N independent
containers, like N copies of the default project's two. Deterministic: the same N gives the
same bytes.

Usage: make-spec.py N > spec.toml
"""

import sys

FIRST_HOST_PORT = 20000


def container(i: int) -> str:
    kind, base, port = ("fastapi", "ubuntu:24.04", 8000) if i % 2 == 0 else ("express", "alpine:3.22", 3000)
    return f"""
[[container]]
name = "{kind}-{i:04d}"
base = "{base}"
host_port = {FIRST_HOST_PORT + i}

[container.app]
kind = "{kind}"
port = {port}
message = "Hello from container {i} - {kind}"
"""


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or not 1 <= int(sys.argv[1]) <= 40000:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    n = int(sys.argv[1])
    sys.stdout.write(f"# {n} generated containers (scripts/bench/make-spec.py {n})\n")
    for i in range(n):
        sys.stdout.write(container(i))
    return 0


if __name__ == "__main__":
    sys.exit(main())
