#!/usr/bin/env python3
"""Re-lint latency of `gen lsp`: from sending `textDocument/didChange` to reading the
`textDocument/publishDiagnostics` it causes for the edited file, over stdio, whole process.

Two projects, each copied or built under a temporary directory:
  - the default project: spec.toml and generated/ of this repository; the edits are made in
    generated/fastapi-nginx/nginx.conf;
  - a 20-container compose project: a spec of 20 containers (scripts/bench/make-spec.py 20)
    built with `gen build`; the edits are made in one container's nginx.conf, and (the whole
    project being one unit then) in generated/compose.yaml.
Each edit flips the upstream's port between the app's and another (a finding appears, then
vanishes), so every edit changes what is published; the next edit is sent once the previous
one's diagnostics are read. The first edits are a warm-up and not counted.

Usage: scripts/bench/lsp.py [--edits N] [--gen PATH]
Prints p50, p90, p99 and max per case. Uses the release build (target/release/gen) unless
--gen names another. Writes only under a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAKE_SPEC = REPO / "scripts" / "bench" / "make-spec.py"
WARMUP = 10
TIMEOUT = 30.0


class Client:
    """A minimal LSP client: Content-Length framing over the server's stdin and stdout."""

    def __init__(self, gen: Path, root: Path, cache: Path):
        env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        self.proc = subprocess.Popen(
            [str(gen), "lsp", "--today", "2026-01-01"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.next_id = 1
        uri = root.as_uri()
        self.request("initialize", {"processId": None, "rootUri": uri, "capabilities": {}})
        self.notify("initialized", {})

    def send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self) -> dict:
        assert self.proc.stdout is not None
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("gen lsp closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length is None:
            raise RuntimeError("a message without Content-Length")
        return json.loads(self.proc.stdout.read(length))

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            msg = self.read()
            if msg.get("id") == rid and "method" not in msg:
                return msg.get("result")
        raise RuntimeError(f"no answer to {method}")

    def published(self, uri: str) -> list:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            msg = self.read()
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                return msg["params"]["diagnostics"]
        raise RuntimeError(f"nothing published for {uri}")

    def close(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.proc.wait(timeout=TIMEOUT)


def measure(gen: Path, root: Path, file: Path, old: str, new: str, edits: int, cache: Path) -> list[float]:
    """Latencies in ms of `edits` edits of `file`, flipping `old` and `new` in its text."""
    client = Client(gen, root, cache)
    text = file.read_text()
    if old not in text:
        raise SystemExit(f"{file} does not contain {old!r}")
    uri = file.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}},
    )
    client.published(uri)
    times = []
    broken = text.replace(old, new, 1)
    for i in range(WARMUP + edits):
        body = broken if i % 2 == 0 else text
        start = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": body}]},
        )
        client.published(uri)
        if i >= WARMUP:
            times.append((time.perf_counter() - start) * 1000)
    code = client.close()
    if code != 0:
        raise SystemExit(f"gen lsp exited with {code}")
    return times


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def report(name: str, times: list[float]) -> None:
    print(
        f"| {name} | {len(times)} | {percentile(times, 50):.2f} | {percentile(times, 90):.2f} "
        f"| {percentile(times, 99):.2f} | {max(times):.2f} | {statistics.mean(times):.2f} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edits", type=int, default=300)
    ap.add_argument("--gen", type=Path, default=REPO / "target" / "release" / "gen")
    args = ap.parse_args()
    args.gen = args.gen.resolve()
    if not 1 <= args.edits <= 5000:
        ap.error("--edits is 1 to 5000")
    if not args.gen.is_file():
        ap.error(f"{args.gen} is missing: run `cargo build --release` first")
    print(f"# {platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; {args.gen}")
    print("| case | edits | p50 ms | p90 ms | p99 ms | max ms | mean ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="gen-lsp-bench-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        default = tmp / "default"
        default.mkdir()
        shutil.copy(REPO / "spec.toml", default / "spec.toml")
        shutil.copytree(REPO / "generated", default / "generated")
        nginx = default / "generated" / "fastapi-nginx" / "nginx.conf"
        report(
            "default project, fastapi-nginx/nginx.conf",
            measure(args.gen, default, nginx, "127.0.0.1:8000;", "127.0.0.1:8001;", args.edits, cache),
        )
        big = tmp / "twenty"
        big.mkdir()
        spec = subprocess.run([sys.executable, str(MAKE_SPEC), "20"], check=True, capture_output=True, text=True)
        (big / "spec.toml").write_text(spec.stdout)
        subprocess.run([str(args.gen), "build"], cwd=big, check=True, capture_output=True)
        nginx = big / "generated" / "fastapi-0010" / "nginx.conf"
        report(
            "20-container project, fastapi-0010/nginx.conf",
            measure(args.gen, big, nginx, "127.0.0.1:8000;", "127.0.0.1:8001;", args.edits, cache),
        )
        compose = big / "generated" / "compose.yaml"
        report(
            "20-container project, compose.yaml (all 20 containers)",
            measure(args.gen, big, compose, "'127.0.0.1:20010:80'", "'127.0.0.1:20011:80'", args.edits, cache),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
