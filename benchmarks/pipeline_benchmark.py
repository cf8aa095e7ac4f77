"""Benchmark `make run`'s pipeline: generate the demo company, dbt build, validate, publish.

Runs `python -m revenue_engine run` in a subprocess `--repeats` times, each against a fresh
warehouse (the generated raw data is reused after the first run, as `make run` does), and reports
the median wall time and the peak resident memory of the pipeline and its children (dbt, DuckDB,
Great Expectations), with the seconds of each step. Side by side, in the same run, it measures the
floor: the same compiled SQL (every model, then every data test, from the last run's
run_results.json) executed straight in one DuckDB process on a copy of the build database, with no
dbt, Great Expectations or publish around it. The machines are shared and noisy: read medians, and
compare figures measured in one run of this script.

    .venv/bin/python benchmarks/pipeline_benchmark.py --leads 5000 --repeats 3
    .venv/bin/python benchmarks/pipeline_benchmark.py --leads 1000000 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DUCKDB_SETTINGS = {"memory_limit": "4GB", "preserve_insertion_order": "false", "TimeZone": "UTC"}


STEP = re.compile(r"([a-z][a-z ]*) ([0-9.]+)s")


def steps_of(output: str) -> dict[str, float]:
    """Seconds per step from the pipeline's last line, `Done in 52.1s (raw data 0.1s, ...)`."""
    done = [line for line in output.splitlines() if line.startswith("Done in ")]
    inside = done[-1].partition("(")[2] if done else ""
    return {name.strip(): float(seconds) for name, seconds in STEP.findall(inside)}


def run_once(raw: Path, warehouse: Path, leads: int) -> tuple[float, int, dict[str, float]]:
    """One pipeline run: wall seconds, peak RSS in MB of this run's child processes, seconds per
    step."""
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
    return elapsed, peak_kb // 1024, steps_of(result.stdout)


def sql_floor(warehouse: Path, scratch: Path, slowest: int = 0) -> tuple[float, float]:
    """Seconds to run the last build's compiled SQL straight in DuckDB: (models, data tests).

    Models in the order dbt finished them (a node finishes only after its parents), each as
    `create or replace table|view ... as <compiled SQL>` on a copy of the build database (raw views
    and seeds are there already); then every data test as `select count(*) from (<compiled SQL>)`.
    Prints the `slowest` nodes to stderr (where to look with EXPLAIN ANALYZE).
    """
    import duckdb

    results = sorted((warehouse / "runs").glob("*_passed_run_results.json"))[-1]
    manifest = json.loads((PROJECT_DIR / "target" / "manifest.json").read_text())["nodes"]
    copy = scratch / "floor" / "revenue_engine.duckdb"  # the compiled SQL names its catalog
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(warehouse / "build" / "revenue_engine.duckdb", copy)
    connection = duckdb.connect(str(copy), config={"temp_directory": str(scratch / "floor_tmp")})
    for name, value in DUCKDB_SETTINGS.items():
        connection.execute(f"set {name} = '{value}'")
    models = tests = 0.0
    timings: list[tuple[float, str]] = []
    for result in json.loads(results.read_text())["results"]:
        node, code = result["unique_id"], result.get("compiled_code")
        if not code or node not in manifest:
            continue
        started = time.perf_counter()
        if node.startswith("model."):
            kind = "view" if manifest[node]["config"]["materialized"] == "view" else "table"
            relation = manifest[node]["relation_name"].split(".", 1)[1]  # schema.table
            connection.execute(f"create or replace {kind} {relation} as {code}")
            models += time.perf_counter() - started
        elif node.startswith("test."):
            connection.execute(f"select count(*) from ({code}) as failures").fetchall()
            tests += time.perf_counter() - started
        timings.append((time.perf_counter() - started, node))
    for seconds, node in sorted(timings, reverse=True)[:slowest]:
        print(f"  {seconds:6.2f} s  {node}", file=sys.stderr)
    connection.close()
    copy.unlink()
    return models, tests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tmp-dir", default=None, help="where the temporary data and warehouse go")
    parser.add_argument("--floor-repeats", type=int, default=3, help="runs of the SQL floor")
    parser.add_argument("--slowest", type=int, default=10, help="slowest floor nodes to list")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.tmp_dir) as tmp:
        raw, warehouse = Path(tmp) / "raw", Path(tmp) / "warehouse"
        walls, peaks, steps = [], [], []
        for index in range(args.repeats):
            wall, peak, step = run_once(raw, warehouse, args.leads)
            walls.append(wall)
            peaks.append(peak)
            steps.append(step)
            print(f"run {index + 1}: {wall:.1f} s, peak RSS {peak} MB, {step}", file=sys.stderr)
        floors = [
            sql_floor(warehouse, Path(tmp), args.slowest if index == 0 else 0)
            for index in range(args.floor_repeats)
        ]
        for models, tests in floors:
            print(f"SQL floor: models {models:.1f} s, data tests {tests:.1f} s", file=sys.stderr)
    names = [name for name in steps[-1] if name != "raw data"]
    print("| leads | runs | median wall | runs (s) | peak RSS | " + " | ".join(names) + " |")
    print("|---|---|---|---|---|" + "---|" * len(names))
    medians = [statistics.median(step.get(name, 0.0) for step in steps) for name in names]
    print(
        f"| {args.leads:,} | {args.repeats} | {statistics.median(walls):.1f} s | "
        f"{' / '.join(f'{wall:.1f}' for wall in walls)} | {max(peaks)} MB | "
        + " | ".join(f"{median:.1f} s" for median in medians)
        + " |"
    )
    floor = statistics.median(models + tests for models, tests in floors)
    models = statistics.median(models for models, _ in floors)
    print(
        f"\nSQL floor (compiled SQL straight in DuckDB, median of {len(floors)}): {floor:.1f} s "
        f"(models {models:.1f} s, data tests {floor - models:.1f} s); "
        f"whole run / floor = {statistics.median(walls) / floor:.1f}x"
    )
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
