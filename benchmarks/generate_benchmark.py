"""Benchmark of the demo-company generator: wall time, peak memory and rows per table.

    python benchmarks/generate_benchmark.py --leads 1000000 [--repeats 3] [--workers 0]

Each repeat runs `python -m revenue_engine.generate` in a fresh subprocess (so imports and
memory are measured as a user sees them), into a temporary folder deleted afterwards. Peak
memory is the larger of the child's own `ru_maxrss` and the summed resident memory of its
process tree, sampled every 50 ms (worker processes count too). Prints a markdown report.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.05


@dataclass
class Run:
    """One generator run."""

    seconds: float
    peak_rss_mb: float
    rows: dict[str, int]
    megabytes_on_disk: float


def _rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants (kB), 0 if it is gone."""
    total = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                total += sum(_rss_kb(int(child)) for child in children.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return total


def run_once(leads: int, seed: int, workers: int, out: Path) -> Run:
    """Generate `leads` leads into `out` in a subprocess and measure it."""
    command = [
        sys.executable, "-m", "revenue_engine.generate", "--out", str(out),
        "--leads", str(leads), "--seed", str(seed), "--workers", str(workers), "--no-progress",
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL)
    sampled_kb = 0
    while True:
        # wait4 gives the child's own peak RSS (ru_maxrss, kB on Linux) when it ends
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        sampled_kb = max(sampled_kb, _rss_kb(child.pid))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"generator failed with exit code {child.returncode}")
    own_kb = usage.ru_maxrss
    rows = {
        path.relative_to(out).with_suffix("").as_posix(): pq.read_metadata(path).num_rows
        for path in sorted(out.glob("*/*.parquet"))
    }
    size = sum(path.stat().st_size for path in out.glob("*/*.parquet")) / 1e6
    return Run(seconds, max(own_kb, sampled_kb) / 1024, rows, size)


def report(leads: int, workers: int, runs: list[Run]) -> str:
    """A markdown report of the runs."""
    lines = [
        f"## Generator benchmark: {leads:,} leads, {workers} worker process(es)",
        "",
        "| run | wall time (s) | peak RSS (MB) |",
        "|---|---:|---:|",
    ]
    for number, run in enumerate(runs, start=1):
        lines.append(f"| {number} | {run.seconds:.1f} | {run.peak_rss_mb:,.0f} |")
    median_seconds = statistics.median(run.seconds for run in runs)
    lines.append(
        f"| **median** | **{median_seconds:.1f}** | "
        f"**{statistics.median(run.peak_rss_mb for run in runs):,.0f}** |"
    )
    lines += [
        "",
        f"Throughput: {leads / median_seconds:,.0f} leads/s; "
        f"{runs[-1].megabytes_on_disk:,.0f} MB of Parquet; machine: {os.cpu_count()} CPUs.",
        "",
        "| table | rows |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {rows:,} |" for name, rows in runs[-1].rows.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=0, help="generator worker processes")
    parser.add_argument("--tmp-dir", default=None, help="where the temporary output goes")
    args = parser.parse_args(argv)
    runs = []
    for repeat in range(args.repeats):
        out = Path(tempfile.mkdtemp(prefix="generate_benchmark_", dir=args.tmp_dir))
        try:
            runs.append(run_once(args.leads, args.seed, args.workers, out))
        finally:
            shutil.rmtree(out, ignore_errors=True)
        print(
            f"run {repeat + 1}/{args.repeats}: {runs[-1].seconds:.1f}s, "
            f"{runs[-1].peak_rss_mb:,.0f} MB",
            file=sys.stderr,
        )
    print(report(args.leads, args.workers, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
