#!/usr/bin/env python3
"""Check latency and scaling: how long `gen check` and `gen build` take, and how that grows.

Times, with the release build of gen:
  - `gen check` on the default project (spec.toml and generated/ of this repository), on one
    of its containers, and `gen --version` (start-up alone): process time and page faults,
    from `perf stat` (task-clock) when perf is installed, else from the child's rusage;
  - `gen build` into an empty directory, then `gen check`, on specs of 1, 10, 100 and 1,000
    containers written by scripts/bench/make-spec.py (alternating fastapi and express).
Each is run several times; the medians of wall time and of CPU time (user + sys, from the
child's rusage) are printed, with the time per container and the ratio of per-container time
at 1,000 containers to that at 10 (about 1 when the work grows linearly).

The specs are built under a temporary directory on /dev/shm (tmpfs) by default, so the
figures are gen's own work: on ext4, creating thousands of files right after deleting
thousands (each run starts from an empty directory) costs the kernel seconds in inode
allocation (`find_inode_bit`, `recently_deleted`); `--dir /tmp` shows that case.

Usage: scripts/bench/check-scaling.py [--runs N] [--sizes 1,10,100,1000] [--dir DIR] [--no-build]
                                      [--latency-only] [--gen BINARY ...]
With several `--gen` binaries (and `--latency-only`) the binaries take turns, so that a change of
the machine's load falls on all of them alike: how to compare two builds.
Writes only under a temporary directory (removed afterwards) and target/.
"""

from __future__ import annotations

import argparse
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
GEN = REPO / "target" / "release" / "gen"
MAKE_SPEC = REPO / "scripts" / "bench" / "make-spec.py"


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, user + sys seconds) of one run; fails loudly on a non-zero exit."""
    wall, cpu, _ = timed_faults(argv, cwd)
    return wall, cpu


def timed_faults(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, user + sys seconds, page faults) of one run; fails loudly on a
    non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} (in {cwd}) exited {proc.returncode}:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_minflt + usage.ru_majflt


def perf_stat(argv: list[str], cwd: Path, runs: int) -> tuple[float, float] | None:
    """(task-clock ms, page faults), means over `runs` runs by `perf stat -r`; None without
    a working perf."""
    if shutil.which("perf") is None:
        return None
    cmd = ["perf", "stat", "-x,", "-e", "task-clock,page-faults", "-r", str(runs), *argv]
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    figures = {}
    for line in proc.stderr.splitlines():
        fields = line.split(",")
        if proc.returncode == 0 and len(fields) > 2 and fields[2] in ("task-clock", "page-faults"):
            try:
                figures[fields[2]] = float(fields[0])
            except ValueError:
                return None
    if len(figures) != 2:
        return None
    return figures["task-clock"], figures["page-faults"]


def latency(gens: list[str], runs: int) -> None:
    """Process time and page faults of `gen check` on the default project, on one of its
    containers, and of `gen --version`: `runs` rounds taking turns (between the cases, and
    between the binaries when there are several), medians of the rounds.

    The page faults depend on how the binary's file came into the page cache: the file the
    linker wrote took 433 on the default project where a `cp` of it took 385 (2026-12-06).
    Compare binaries put in place the same way."""
    cases = []
    for gen in gens:
        tag = f" [{gen}]" if len(gens) > 1 else ""
        cases += [
            (f"default project, `gen check`{tag}", [gen, "check", "--quiet"]),
            (f"one container, `gen check generated/fastapi-nginx`{tag}", [gen, "check", "--quiet", "generated/fastapi-nginx"]),
            (f"start-up alone, `gen --version`{tag}", [gen, "--version"]),
        ]  # fmt: skip
    use_perf = perf_stat([gens[0], "--version"], REPO, 1) is not None
    how = "perf stat task-clock, 20 runs a round" if use_perf else "rusage user+sys (perf not found)"
    print(f"\nprocess time and page faults ({how}; medians of {runs} rounds taking turns):")
    rounds: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in cases}
    for _ in range(runs):
        for label, argv in cases:
            if use_perf:
                figures = perf_stat(argv, REPO, 20)
                if figures is None:
                    raise SystemExit(f"perf stat failed on {' '.join(argv)}")
                rounds[label].append(figures)
            else:
                _, cpu, faults = timed_faults(argv, REPO)
                rounds[label].append((cpu * 1000, float(faults)))
    for label, figures in rounds.items():
        ms = statistics.median(f[0] for f in figures)
        faults = statistics.median(f[1] for f in figures)
        spread = f"{min(f[0] for f in figures):.2f} to {max(f[0] for f in figures):.2f}"
        print(f"  {label}: {ms:.2f} ms ({spread}), {faults:.0f} page faults")
    print("  (target: < 5 ms of process time for the default project)")


def median_pair(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
        )
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}, {mem_kb / 1024 / 1024:.0f} GiB, Linux {platform.release()}, load {load}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5; the default project gets 4x)")
    parser.add_argument("--sizes", default="1,10,100,1000", help="container counts (default 1,10,100,1000)")
    parser.add_argument("--dir", default="/dev/shm" if Path("/dev/shm").is_dir() else None,
                        help="where to make the temporary directory (default /dev/shm)")  # fmt: skip
    parser.add_argument("--no-build", action="store_true", help="use target/release/gen as it is")
    parser.add_argument("--latency-only", action="store_true",
                        help="only the default project's process time and page faults, no scaling")  # fmt: skip
    parser.add_argument("--gen", action="append", metavar="BINARY",
                        help="the binary to measure instead of target/release/gen (implies --no-build); "
                             "given more than once, the binaries take turns in --latency-only")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not 1 <= args.runs <= 50 or not all(1 <= n <= 10000 for n in sizes):
        parser.error("--runs 1..50, sizes 1..10000")
    gens = [str(Path(g).resolve()) for g in args.gen or []]
    if len(gens) > 1 and not args.latency_only:
        parser.error("several --gen binaries take turns only with --latency-only")
    if not args.no_build and not gens:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--locked"], cwd=REPO, check=True)
    gens = gens or [str(GEN)]
    gen = gens[0]

    print(f"machine: {machine()}")
    for g in gens:
        print(f"gen: {g}: {subprocess.run([g, '--version'], capture_output=True, text=True).stdout.strip()}")

    latency(gens, args.runs)
    if args.latency_only:
        return 0
    runs = [timed([gen, "check", "--quiet"], REPO) for _ in range(args.runs * 4)]
    wall, cpu = median_pair(runs)
    print(f"\ndefault project, `gen check` ({len(runs)} runs): wall {wall * 1000:.1f} ms, "
          f"user+sys {cpu * 1000:.1f} ms (target: < 20 ms of process time)")  # fmt: skip

    work = Path(tempfile.mkdtemp(prefix="gen-check-scaling-", dir=args.dir))
    fs = subprocess.run(["stat", "-f", "-c", "%T", str(work)], capture_output=True, text=True).stdout.strip()
    print(f"(in {work}, a {fs or '?'} file system)")
    print(f"\n`gen build` into an empty directory, then `gen check`; medians of {args.runs} runs")
    print(f"{'containers':>10} {'build wall':>11} {'build cpu':>10} {'check wall':>11} {'check cpu':>10} "
          f"{'total wall':>11} {'total cpu':>10} {'cpu/container':>14}")  # fmt: skip
    per_container: dict[int, float] = {}
    try:
        for n in sizes:
            d = work / str(n)
            d.mkdir()
            spec = subprocess.run([sys.executable, str(MAKE_SPEC), str(n)], capture_output=True, text=True, check=True)
            (d / "spec.toml").write_text(spec.stdout)
            builds, checks, totals = [], [], []
            for _ in range(args.runs):
                shutil.rmtree(d / "generated", ignore_errors=True)
                b = timed([gen, "build", "--spec", "spec.toml", "--out", "generated"], d)
                c = timed([gen, "check", "--quiet", "--spec", "spec.toml", "--out", "generated"], d)
                builds.append(b)
                checks.append(c)
                totals.append((b[0] + c[0], b[1] + c[1]))
            bw, bc = median_pair(builds)
            cw, cc = median_pair(checks)
            tw, tc = median_pair(totals)
            per_container[n] = tc / n
            print(f"{n:>10} {bw * 1000:>9.1f}ms {bc * 1000:>8.1f}ms {cw * 1000:>9.1f}ms {cc * 1000:>8.1f}ms "
                  f"{tw * 1000:>9.1f}ms {tc * 1000:>8.1f}ms {tc / n * 1000:>12.3f}ms")  # fmt: skip
            shutil.rmtree(d)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if 10 in per_container and 1000 in per_container:
        ratio = per_container[1000] / per_container[10]
        print(f"\nCPU time per container at 1,000 / at 10: {ratio:.2f} (1.0 = linear; the fixed start-up cost "
              "spread over 10 containers pulls it below 1)")  # fmt: skip
    if 100 in per_container and 1000 in per_container:
        print(f"CPU time per container at 1,000 / at 100: {per_container[1000] / per_container[100]:.2f}")
    if 1000 in per_container:
        print(f"1,000 containers, build + check: {per_container[1000] * 1000:.2f} s of CPU (target: < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
