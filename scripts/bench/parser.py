#!/usr/bin/env python3
"""Times `gen parse` against `crossplane parse` and `nginx -t` on the same files, as whole
processes, and prints a table of medians, throughput, peak memory and ratios.

The files are the benchmark inputs of `cargo bench --bench nginx_parse`, written to
target/bench/: the corpus's 1.3 MB real-world config (decompressed with `bzip2`) and the
synthetic config of scripts/bench/make-nginx-config.py. Each tool runs once to warm the page
cache (for nginx, the run that checks the file passes `nginx -t`), then --runs times (at least 3: it stops early once a tool has spent --budget seconds on
a file); every run has a --timeout. Output goes to /dev/null. Wall time is taken around
posix_spawn and wait4, so it includes the process's start and exit. Peak RSS comes from one
more run under GNU time (`/usr/bin/time -f %M`, Debian package `time`): a child spawned by
Python itself would report Python's own size as its peak. "over base" subtracts the peak
RSS of the same tool on an empty file, which is what the process costs before it reads
anything. The machine's load average is printed: other work on it slows every tool.

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


def run_once(argv: list[str], timeout: float) -> tuple[float, int]:
    """Runs argv with stdout and stderr to /dev/null: (wall seconds, exit code)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    timer = threading.Timer(timeout, lambda: os.kill(pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, _ = os.wait4(pid, 0)
    finally:
        timer.cancel()
        os.close(devnull)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code == -signal.SIGKILL:
        die(f"timed out after {timeout:.0f} s: {' '.join(argv)}")
    return elapsed, code


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


class Timing:
    def __init__(self, times: list[float], base: float, rss: int, base_rss: int) -> None:
        self.median = statistics.median(times)
        self.runs = len(times)
        self.base = base
        self.rss = rss
        self.base_rss = base_rss


def measure(argv: list[str], base_argv: list[str], args: argparse.Namespace, warm: bool) -> Timing:
    """Median wall time and peak RSS of argv, which must exit 0; `warm` skips the warm-up."""
    if not warm:
        run_once(argv, args.timeout)
    times: list[float] = []
    while len(times) < args.runs:
        elapsed, code = run_once(argv, args.timeout)
        if code != 0:
            die(f"exit code {code}: {' '.join(argv)}")
        times.append(elapsed)
        if len(times) >= 3 and sum(times) > args.budget:
            break
    base = statistics.median(run_once(base_argv, args.timeout)[0] for _ in range(3))
    rss = peak_rss(argv, args.timeout)
    return Timing(times, base, rss, peak_rss(base_argv, args.timeout))


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
            "gen": ([str(gen), "parse", str(path)], [str(gen), "parse", str(empty)]),
            "crossplane": (
                [str(crossplane), "parse", "--single-file", str(path)],
                [str(crossplane), "parse", "--single-file", str(empty)],
            ),
        }
        verdict = nginx_verdict(nginx, path, args.timeout)
        if verdict is None:
            tools["nginx -t"] = (
                [nginx, "-t", "-q", "-e", "/dev/null", "-c", str(path)],
                [nginx, "-t", "-q", "-e", "/dev/null", "-c", str(empty)],
            )
        else:
            notes.append(f"{path.name}: nginx -t not timed, the file fails it here: {verdict}")
        timings = {}
        for tool, (argv, base_argv) in tools.items():
            print(f"timing {tool} on {path.name} ...", file=sys.stderr, flush=True)
            # The verdict run of nginx -t has already read the file.
            timings[tool] = measure(argv, base_argv, args, warm=tool == "nginx -t")
        rows.append((path, size, timings))

    print(f"load average at end: {load()}")
    print()
    header = (
        f"{'file':<22} {'MB':>6}  {'tool':<10} {'runs':>4} {'median s':>9} {'MB/s':>8} "
        f"{'empty s':>8} {'peak RSS MB':>11} {'over base MB':>12} {'x input':>7}"
    )
    print(header)
    print("-" * len(header))
    for path, size, timings in rows:
        for tool, t in timings.items():
            over = t.rss - t.base_rss
            print(
                f"{path.name:<22} {size / 1e6:>6.2f}  {tool:<10} {t.runs:>4} {t.median:>9.4f} "
                f"{size / 1e6 / t.median:>8.2f} {t.base:>8.4f} {t.rss / 1e6:>11.1f} "
                f"{over / 1e6:>12.1f} "
                f"{over / size:>7.2f}"
            )
    print()
    for path, _, timings in rows:
        gen_t = timings["gen"].median
        ratios = [f"gen/crossplane {timings['crossplane'].median / gen_t:.0f}x"]
        if "nginx -t" in timings:
            ratios.append(f"gen/nginx -t {timings['nginx -t'].median / gen_t:.0f}x")
        print(f"{path.name}: throughput ratio {', '.join(ratios)}")
    print("(empty s: median time of the same command on an empty file, its start-up cost)")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
