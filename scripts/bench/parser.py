#!/usr/bin/env python3
"""Times `gen parse` against `crossplane parse` and `nginx -t` on the same files, as whole
processes, and prints a table of medians, throughput, peak memory and ratios.

The files are the benchmark inputs of `cargo bench --bench nginx_parse`, written to
target/bench/: the corpus's 1.3 MB real-world config (decompressed with `bzip2`) and the
synthetic config of scripts/bench/make-nginx-config.py. Each tool runs once on a file to warm
the page cache (for nginx, the run that checks that the file passes `nginx -t`), then the
tools take turns, one run each per round, for --runs rounds (at least 3: it stops early once
the rounds have taken --budget seconds), so that other work on the machine weighs on all of
them alike; every run has a --timeout. Output goes to /dev/null.

Per tool: the median wall time, taken around posix_spawn and wait4 (so it includes the
process's start and exit), and the median CPU time (user + system, from wait4), which other
work on the machine disturbs much less; "empty s" is the median wall time of the same command
on an empty file, its start-up cost. Peak RSS comes from one more run under GNU time
(`/usr/bin/time -f %M`, Debian package `time`): a child spawned by Python itself would report
Python's own size as its peak. "over base" subtracts the peak RSS of the same tool on the
empty file, what the process holds before it reads anything. The machine's load average is
printed before and after.

Commands:
  gen        target/release/gen parse FILE             (built here with `cargo build --release`)
  crossplane .venv/bin/crossplane parse --single-file FILE   (crossplane 0.5.8, installed into
             .venv as scripts/test.sh does when missing; GEN_CROSSPLANE names another)
  nginx      nginx -t -q -e /dev/null -c FILE          (Debian's nginx; only where the file
             passes `nginx -t` on this machine, else the reason is printed)

Usage: scripts/bench/parser.py [--runs N] [--budget SECONDS] [--timeout SECONDS] [--no-build]
"""

import argparse
import bz2
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LARGE_CONFIG = (
    ROOT.parent
    / "shared/corpus/nginx/nginxinc-nginx-go-crossplane/testdata/configs/large-config/nginx.conf.bz2"
)
SYNTHETIC_MB = 20
CROSSPLANE_VERSION = "crossplane 0.5.8"
GNU_TIME = "/usr/bin/time"


def die(message: str) -> None:
    print(f"parser.py: {message}", file=sys.stderr)
    sys.exit(2)


def bench_dir() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    out = target / "bench"
    out.mkdir(parents=True, exist_ok=True)
    return out


def inputs() -> list[Path]:
    """The two benchmark files, the same bytes as benches/common writes."""
    out = bench_dir()
    if not LARGE_CONFIG.is_file():
        die(f"the corpus config is missing: expected {LARGE_CONFIG}")
    large = out / "large-config.conf"
    large.write_bytes(bz2.decompress(LARGE_CONFIG.read_bytes()))
    synthetic = out / f"synthetic-{SYNTHETIC_MB}mb.conf"
    with synthetic.open("wb") as f:
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/bench/make-nginx-config.py"), str(SYNTHETIC_MB)],
            stdout=f,
            check=True,
        )
    empty = out / "empty.conf"
    empty.write_bytes(b"")
    return [large, synthetic]


def gen_binary(build: bool) -> Path:
    if build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "release/gen"
    if not binary.is_file():
        die(f"{binary} is missing: run without --no-build")
    return binary


def crossplane_binary() -> Path:
    named = os.environ.get("GEN_CROSSPLANE")
    path = Path(named) if named else ROOT / ".venv/bin/crossplane"
    version = ""
    if path.is_file():
        version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()
    if version != CROSSPLANE_VERSION and not named:
        subprocess.run([sys.executable, "-m", "venv", str(ROOT / ".venv")], check=True)
        subprocess.run(
            [ROOT / ".venv/bin/pip", "install", "--quiet", "crossplane==0.5.8"], check=True
        )
        version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()
    if version != CROSSPLANE_VERSION:
        die(f"{path} is not {CROSSPLANE_VERSION} (it says {version!r})")
    return path


class Run:
    """One finished run: wall and CPU seconds, exit code."""

    def __init__(self, wall: float, cpu: float, code: int) -> None:
        self.wall = wall
        self.cpu = cpu
        self.code = code


def run_once(argv: list[str], timeout: float) -> Run:
    """Runs argv with stdout and stderr to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    timer = threading.Timer(timeout, lambda: os.kill(pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(pid, 0)
    finally:
        timer.cancel()
        os.close(devnull)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code == -signal.SIGKILL:
        die(f"timed out after {timeout:.0f} s: {' '.join(argv)}")
    return Run(wall, usage.ru_utime + usage.ru_stime, code)


def peak_rss(argv: list[str], timeout: float) -> int:
    """Peak RSS of argv in bytes, as GNU time reports it."""
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", report.name, *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
        # GNU time reports kilobytes.
        return int(report.read().split()[-1]) * 1024


class Tool:
    """A command on one file, the same command on the empty file, and what was measured."""

    def __init__(self, argv: list[str], base_argv: list[str]) -> None:
        self.argv = argv
        self.base_argv = base_argv
        self.runs: list[Run] = []
        self.base = 0.0
        self.rss = 0
        self.base_rss = 0

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)


def measure(tools: dict[str, Tool], args: argparse.Namespace) -> None:
    """Rounds of one run per tool; every run must exit 0."""
    started = time.perf_counter()
    for round_ in range(args.runs):
        for tool in tools.values():
            run = run_once(tool.argv, args.timeout)
            if run.code != 0:
                die(f"exit code {run.code}: {' '.join(tool.argv)}")
            tool.runs.append(run)
        if round_ + 1 >= 3 and time.perf_counter() - started > args.budget:
            break
    for tool in tools.values():
        tool.base = statistics.median(run_once(tool.base_argv, args.timeout).wall for _ in range(3))
        tool.rss = peak_rss(tool.argv, args.timeout)
        tool.base_rss = peak_rss(tool.base_argv, args.timeout)


def machine() -> str:
    """nproc, CPU model and memory, as the README reports them."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return (
        f"{os.cpu_count()} CPUs ({model}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def nginx_verdict(nginx: str, path: Path, timeout: float) -> str | None:
    """None when `nginx -t` accepts the file, else the reason it gives."""
    proc = subprocess.run(
        [nginx, "-t", "-q", "-e", "/dev/null", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode == 0:
        return None
    lines = [line for line in proc.stderr.splitlines() if "[emerg]" in line]
    return (lines or proc.stderr.splitlines() or ["no message"])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool and file")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per tool and file after 3 runs"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build")
    args = parser.parse_args()
    if args.runs < 3:
        die("--runs must be at least 3")

    if not Path(GNU_TIME).is_file():
        die(f"{GNU_TIME} is missing (Debian package `time`: apt-get install time)")
    gen = gen_binary(not args.no_build)
    crossplane = crossplane_binary()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).is_file():
        die("nginx is missing (Debian package `nginx`)")
    files = inputs()
    empty = bench_dir() / "empty.conf"
    print(f"machine: {machine()}")
    print(f"load average at start: {load()}")

    rows = []
    notes = []
    for path in files:
        size = path.stat().st_size
        tools = {
            "gen": Tool([str(gen), "parse", str(path)], [str(gen), "parse", str(empty)]),
            "crossplane": Tool(
                [str(crossplane), "parse", "--single-file", str(path)],
                [str(crossplane), "parse", "--single-file", str(empty)],
            ),
        }
        print(f"warming up on {path.name} ...", file=sys.stderr, flush=True)
        verdict = nginx_verdict(nginx, path, args.timeout)
        if verdict is None:
            tools["nginx -t"] = Tool(
                [nginx, "-t", "-q", "-e", "/dev/null", "-c", str(path)],
                [nginx, "-t", "-q", "-e", "/dev/null", "-c", str(empty)],
            )
        else:
            notes.append(f"{path.name}: nginx -t not timed, the file fails it here: {verdict}")
        for name, tool in tools.items():
            # The verdict run of nginx -t has already read the file.
            if name != "nginx -t":
                run_once(tool.argv, args.timeout)
        print(f"timing {', '.join(tools)} on {path.name} ...", file=sys.stderr, flush=True)
        measure(tools, args)
        rows.append((path, size, tools))

    print(f"load average at end: {load()}")
    print()
    header = (
        f"{'file':<22} {'MB':>6}  {'tool':<10} {'runs':>4} {'wall s':>9} {'MB/s':>8} "
        f"{'cpu s':>9} {'empty s':>8} {'peak RSS MB':>11} {'over base MB':>12} {'x input':>7}"
    )
    print(header)
    print("-" * len(header))
    for path, size, tools in rows:
        for name, t in tools.items():
            over = t.rss - t.base_rss
            print(
                f"{path.name:<22} {size / 1e6:>6.2f}  {name:<10} {len(t.runs):>4} "
                f"{t.wall:>9.4f} {size / 1e6 / t.wall:>8.2f} {t.cpu:>9.4f} {t.base:>8.4f} "
                f"{t.rss / 1e6:>11.1f} {over / 1e6:>12.1f} {over / size:>7.2f}"
            )
    print()
    for path, _, tools in rows:
        gen = tools["gen"]
        for name in ("crossplane", "nginx -t"):
            if name not in tools:
                continue
            other = tools[name]
            # The work on the file alone: each median less its start-up on an empty file.
            work = (other.wall - other.base) / max(gen.wall - gen.base, 1e-6)
            print(
                f"{path.name}: gen/{name} throughput {other.wall / gen.wall:.0f}x wall time, "
                f"{other.cpu / gen.cpu:.0f}x CPU time, {work:.0f}x wall without start-up"
            )
    for note in notes:
        print(note)

if __name__ == "__main__":
    main()
