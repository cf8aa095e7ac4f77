"""Benchmark `make run`'s pipeline: generate the demo company, dbt build, validate, publish.

Runs `python -m revenue_engine run` in a subprocess `--repeats` times, each against a fresh
warehouse (the generated raw data is reused after the first run, as `make run` does), and reports
the median wall time and the peak resident memory of the pipeline and its children (dbt, DuckDB,
Great Expectations). The machines are shared and noisy: read medians, and compare figures measured
in one run of this script.

    .venv/bin/python benchmarks/pipeline_benchmark.py --leads 5000 --repeats 3
    .venv/bin/python benchmarks/pipeline_benchmark.py --leads 1000000 --repeats 1
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def run_once(raw: Path, warehouse: Path, leads: int) -> tuple[float, int]:
    """One pipeline run; returns (wall seconds, peak RSS in MB of this run's child processes)."""
    shutil.rmtree(warehouse, ignore_errors=True)
    env = {**os.environ, "DEMO_LEADS": str(leads), "DEMO_DATA_DIR": str(raw)}
    env["WAREHOUSE_DIR"] = str(warehouse)
    for variable in ("RAW_DATA_DIR", "DUCKDB_PATH"):
        env.pop(variable, None)
    command = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys;"
        "code = subprocess.call([sys.executable, '-m', 'revenue_engine', 'run']);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
        "sys.exit(code)",
    ]
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pipeline failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tmp-dir", default=None, help="where the temporary data and warehouse go")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.tmp_dir) as tmp:
        raw, warehouse = Path(tmp) / "raw", Path(tmp) / "warehouse"
        walls, peaks = [], []
        for index in range(args.repeats):
            wall, peak = run_once(raw, warehouse, args.leads)
            walls.append(wall)
            peaks.append(peak)
            print(f"run {index + 1}: {wall:.1f} s, peak RSS {peak} MB", file=sys.stderr)
    print("| leads | runs | median wall | runs (s) | peak RSS |")
    print("|---|---|---|---|---|")
    print(
        f"| {args.leads:,} | {args.repeats} | {statistics.median(walls):.1f} s | "
        f"{' / '.join(f'{wall:.1f}' for wall in walls)} | {max(peaks)} MB |"
    )
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
