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
    .venv/bin/python benchmarks/pipeline_benchmark.py --leads 1000000 --repeats 1 --increment

`--increment` then appends the next day's loads and times the nightly (incremental) run against a
full run of the same data in a fresh warehouse.
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
# as the build: the memory limit the pipeline is given (DUCKDB_MEMORY_LIMIT), no insertion order
DUCKDB_SETTINGS = {
    "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "4GB"),
    "preserve_insertion_order": "false",
    "TimeZone": "UTC",
}


STEP = re.compile(r"([a-z][a-z ]*) ([0-9.]+)s")


def steps_of(output: str) -> dict[str, float]:
    """Seconds per step from the pipeline's last line, `Done in 52.1s (raw data 0.1s, ...)`."""
    done = [line for line in output.splitlines() if line.startswith("Done in ")]
    inside = done[-1].partition("(")[2] if done else ""
    return {name.strip(): float(seconds) for name, seconds in STEP.findall(inside)}


def run_once(
    raw: Path, warehouse: Path, leads: int, fresh: bool = True, given_raw: bool = False
) -> tuple[float, int, dict[str, float]]:
    """One pipeline run (in a fresh warehouse unless not `fresh`): wall seconds, peak RSS in MB of
    this run's child processes, seconds per step. `raw` is the demo company generated there (and
    reused), or, with `given_raw`, RAW_DATA_DIR as it is."""
    if fresh:
        shutil.rmtree(warehouse, ignore_errors=True)
    env = {**os.environ, "DEMO_LEADS": str(leads), "DEMO_DATA_DIR": str(raw)}
    env["WAREHOUSE_DIR"] = str(warehouse)
    for variable in ("RAW_DATA_DIR", "DUCKDB_PATH", "FULL_REFRESH"):
        env.pop(variable, None)
    if given_raw:
        env["RAW_DATA_DIR"] = str(raw)
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
    build = [line for line in result.stdout.splitlines() if line.startswith("Build: ")]
    print(f"  {build[0] if build else 'Build: ?'}", file=sys.stderr)
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


def increment(
    raw: Path, warehouse: Path, full_warehouse: Path, leads: int, given_raw: bool
) -> tuple[tuple[float, int, dict[str, float]], tuple[float, int, dict[str, float]]]:
    """Append the next day to the raw data, then run on `warehouse` (incremental: it holds the
    last build) and on a fresh `full_warehouse` (a full build of the same data), side by side."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "revenue_engine", "generate", "--next-day", "--out", str(raw)],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    print(f"next day appended in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    nightly = run_once(raw, warehouse, leads, fresh=False, given_raw=given_raw)
    print(f"incremental run: {nightly[0]:.1f} s, {nightly[2]}", file=sys.stderr)
    full = run_once(raw, full_warehouse, leads, given_raw=given_raw)
    print(f"full run, same data: {full[0]:.1f} s, {full[2]}", file=sys.stderr)
    return nightly, full


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tmp-dir", default=None, help="where the temporary data and warehouse go")
    parser.add_argument("--floor-repeats", type=int, default=3, help="runs of the SQL floor")
    parser.add_argument("--slowest", type=int, default=10, help="slowest floor nodes to list")
    parser.add_argument(
        "--increment",
        action="store_true",
        help="then append the next day (generate --next-day) and time an incremental run against "
        "a full run on the same data",
    )
    parser.add_argument(
        "--raw-data-dir",
        help="build this raw data (RAW_DATA_DIR) instead of generating the demo company; "
        "--increment appends to it",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.tmp_dir) as tmp:
        given_raw = args.raw_data_dir is not None
        raw = Path(args.raw_data_dir).resolve() if given_raw else Path(tmp) / "raw"
        warehouse = Path(tmp) / "warehouse"
        walls, peaks, steps = [], [], []
        for index in range(args.repeats):
            wall, peak, step = run_once(raw, warehouse, args.leads, given_raw=given_raw)
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
        if args.increment:
            nightly = increment(raw, warehouse, Path(tmp) / "full_warehouse", args.leads, given_raw)
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
    if floors:  # --floor-repeats 0 skips the floor (at 10M it is another long build)
        floor = statistics.median(models + tests for models, tests in floors)
        models = statistics.median(models for models, _ in floors)
        print(
            f"\nSQL floor (compiled SQL straight in DuckDB, median of {len(floors)}): "
            f"{floor:.1f} s (models {models:.1f} s, data tests {floor - models:.1f} s); "
            f"whole run / floor = {statistics.median(walls) / floor:.1f}x"
        )
    if args.increment:
        (inc, inc_peak, inc_steps), (full, full_peak, full_steps) = nightly
        inc_dbt, full_dbt = inc_steps.get("dbt build", 0.0), full_steps.get("dbt build", 0.0)
        print(
            f"\nNext day: incremental run {inc:.1f} s (dbt build {inc_dbt:.1f} s, peak RSS "
            f"{inc_peak} MB) against a full run on the same data {full:.1f} s (dbt build "
            f"{full_dbt:.1f} s, peak RSS {full_peak} MB): {inc / full:.0%} of the full run, "
            f"dbt build {inc_dbt / max(full_dbt, 1e-9):.0%}"
        )
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
