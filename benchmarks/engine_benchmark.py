"""Benchmark the same pipeline on DuckDB and on a local Spark session, on the same raw data.

Generates the demo company once (or takes `--raw-data-dir`), then runs `python -m revenue_engine
run` with DBT_TARGET=duckdb and DBT_TARGET=spark, alternating, each in a fresh warehouse: build,
Great Expectations, publish. Reports per engine the median wall time, the seconds of each step,
and the peak memory of the whole process tree (the pipeline, dbt, DuckDB, Spark's JVM): the sum of
the resident memory of every process in the tree, sampled every 0.2 s from /proc (a JVM child
does not show in the parent's own peak). Compare figures from one run of this script: the machines
are shared and noisy.

    .venv/bin/python benchmarks/engine_benchmark.py --leads 5000 --repeats 3
    .venv/bin/python benchmarks/engine_benchmark.py --leads 1000000 --repeats 1

Spark reads SPARK_DRIVER_MEMORY (profiles.yml; default 4g) and SPARK_SHUFFLE_PARTITIONS.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_benchmark import PROJECT_DIR, steps_of

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of `root` and every process descending from it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))  # ppid -> pid
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # a process that just ended
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
        stack.extend(children.get(pid, []))
    return total


def run_once(engine: str, raw: Path, warehouse: Path) -> tuple[float, int, dict[str, float]]:
    """One `revenue-engine run` on `engine` in a fresh `warehouse`: wall seconds, peak tree RSS in
    MB, seconds per step."""
    shutil.rmtree(warehouse, ignore_errors=True)
    env = {**os.environ, "DBT_TARGET": engine, "RAW_DATA_DIR": str(raw)}
    env["WAREHOUSE_DIR"] = str(warehouse)
    env["DBT_TARGET_PATH"] = f"target/benchmark-{engine}"
    for variable in ("DUCKDB_PATH", "FULL_REFRESH", "SPARK_WAREHOUSE_DIR"):
        env.pop(variable, None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "revenue_engine", "run"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(0.2)
    reader.join()
    elapsed = time.perf_counter() - started
    text = "".join(output)
    if process.returncode != 0:
        raise SystemExit(f"{engine} run failed:\n{text[-5000:]}")
    return elapsed, peak // 1024, steps_of(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--tmp-dir", default=None, help="where the temporary data and warehouse go")
    parser.add_argument("--raw-data-dir", help="this raw data instead of generating the demo")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.tmp_dir) as tmp:
        raw = Path(args.raw_data_dir).resolve() if args.raw_data_dir else Path(tmp) / "raw"
        if not args.raw_data_dir:
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "revenue_engine",
                    "generate",
                    "--leads",
                    str(args.leads),
                    "--out",
                    str(raw),
                    "--no-progress",
                ],
                cwd=PROJECT_DIR,
                check=True,
            )
            print(f"raw data generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        runs: dict[str, list[tuple[float, int, dict[str, float]]]] = {e: [] for e in args.engines}
        for index in range(args.repeats):  # alternate engines, so drift hits both alike
            for engine in args.engines:
                result = run_once(engine, raw, Path(tmp) / f"warehouse-{engine}")
                runs[engine].append(result)
                print(
                    f"run {index + 1} {engine}: {result[0]:.1f} s, peak RSS {result[1]} MB, "
                    f"{result[2]}",
                    file=sys.stderr,
                )
    names = ["dbt build", "quality", "publish"]
    label = f"{args.leads:,} leads" if not args.raw_data_dir else Path(args.raw_data_dir).name
    print(f"\n{label}, {args.repeats} run(s) per engine, medians:\n")
    print("| engine | whole run | runs (s) | " + " | ".join(names) + " | peak RSS (tree) |")
    print("|---|---|---|" + "---|" * len(names) + "---|")
    for engine, results in runs.items():
        walls = [wall for wall, _, _ in results]
        medians = [
            statistics.median(step.get(name, 0.0) for _, _, step in results) for name in names
        ]
        print(
            f"| {engine} | {statistics.median(walls):.1f} s | "
            f"{' / '.join(f'{wall:.1f}' for wall in walls)} | "
            + " | ".join(f"{median:.1f} s" for median in medians)
            + f" | {max(peak for _, peak, _ in results):,} MB |"
        )
    if len(runs) == 2:
        first, second = (statistics.median(w for w, _, _ in r) for r in runs.values())
        print(f"\n{args.engines[1]} / {args.engines[0]}: {second / first:.1f}x the wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
