"""`make run`: raw data -> dbt build -> quality -> audit -> publish -> summary, each step failing
loudly.

Write-audit-publish: dbt writes the build database; only when every model and data test passed
(unit tests run in `make test`, not on each night's data), the Great Expectations suites passed
and the build compares sanely with the last publish (publish_checks) is the published release
replaced. A failure leaves the last good publish untouched and ends in plain `FAILED:` lines (no
traceback; REVENUE_ENGINE_DEBUG=1 shows it). One run at a time holds a warehouse (a lock file,
released on any exit).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from revenue_engine import failures, incremental, summary
from revenue_engine.dbt import DbtError, public_model_descriptions, public_models, run_dbt
from revenue_engine.publish import publish
from revenue_engine.publish_checks import ACCEPT_CHANGES, PublishBlockedError
from revenue_engine.settings import Settings
from revenue_engine.spark_tables import spark_tables_database

LOCK_FILE = ".run.lock"


class WarehouseBusyError(RuntimeError):
    """Another run holds the warehouse."""


@contextmanager
def warehouse_lock(settings: Settings) -> Iterator[None]:
    """Hold WAREHOUSE_DIR/.run.lock for the run (an OS lock: released on any exit, even a kill)."""
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = settings.warehouse_dir / LOCK_FILE
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise WarehouseBusyError(
                f"another run holds the warehouse {settings.warehouse_dir} ({holder}); wait for "
                "it to finish or stop it, then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


GENERATION_MARKER = "_generated.json"


def ensure_raw_data(settings: Settings) -> None:
    """Generate the demo company when RAW_DATA_DIR is unset (once per scale and seed)."""
    if not settings.generate_demo:
        if not settings.raw_data_dir.is_dir():
            raise SystemExit(f"RAW_DATA_DIR={settings.raw_data_dir} is not a directory")
        print(f"Raw data: {settings.raw_data_dir} (RAW_DATA_DIR)")
        return
    from revenue_engine.generate import generate

    wanted = {"leads": settings.demo_leads, "seed": settings.demo_seed}
    marker = settings.raw_data_dir / GENERATION_MARKER
    if marker.exists() and json.loads(marker.read_text()).get("arguments") == wanted:
        print(
            f"Raw data: {settings.raw_data_dir} (demo company, {settings.demo_leads} leads, cached)"
        )
        return
    shutil.rmtree(settings.raw_data_dir, ignore_errors=True)
    started = time.perf_counter()
    counts = generate(
        out_dir=settings.raw_data_dir,
        leads=settings.demo_leads,
        seed=settings.demo_seed,
        progress=sys.stderr.isatty(),
    )
    marker.write_text(json.dumps({"arguments": wanted, "rows": counts}, indent=2))
    print(
        f"Raw data: generated the demo company ({settings.demo_leads} leads) in "
        f"{time.perf_counter() - started:.1f}s into {settings.raw_data_dir}"
    )


def archive_run_results(
    settings: Settings, outcome: str, target_dir: Path | None = None
) -> Path | None:
    """Keep each run's run_results.json (from `target_dir`, else dbt's target folder) under
    WAREHOUSE_DIR/runs/ with its time and outcome."""
    results = (target_dir or settings.target_dir) / "run_results.json"
    if not results.exists():
        return None
    settings.runs_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = settings.runs_dir / f"{stamp}_{outcome}_run_results.json"
    shutil.copyfile(results, target)
    return target


def check_quality(
    settings: Settings, database: Path | None = None, blocking: list[str] | None = None
) -> bool:
    """Great Expectations on the raw files and the build (`database`, by default the DuckDB build);
    Data Docs to WAREHOUSE_DIR/quality.

    Returns whether every critical expectation passed; prints the summary either way. `blocking`,
    when given, receives one line per critical failure: what blocked the publish.
    """
    from revenue_engine.quality import run_quality

    target = settings.target_dir
    report = run_quality(
        database or settings.build_database,
        settings.raw_data_dir,
        settings.quality_dir,
        manifest=target / "manifest.json",
        as_of_date=settings.as_of_date,
        temp_directory=settings.warehouse_dir / "tmp",
    )
    print("\n" + report.summary())
    if blocking is not None:
        blocking += [finding.describe() for finding in report.failures]
    return report.passed


def built_database(settings: Settings) -> Path:
    """The database the audit and the publish read after a passed build: the DuckDB build, or on
    Spark a DuckDB database of views over Spark's tables (made afresh: it only names files)."""
    if settings.target == "spark":
        return spark_tables_database(settings.spark_dir)
    return settings.build_database


def _import_quality() -> None:
    import revenue_engine.quality.runner  # noqa: F401  (check_quality's import then finds it loaded)


def fail(settings: Settings, lines: list[str], hint: str = "") -> int:
    """Print the FAILED lines of a run that published nothing; the exit code."""
    print("", file=sys.stderr)
    for line in lines:
        print(f"FAILED: {line}", file=sys.stderr)
    if hint:
        print(hint, file=sys.stderr)
    print(f"Nothing was published; {settings.published_database} is unchanged.", file=sys.stderr)
    return 1


def run(settings: Settings, publish_results: bool = True) -> int:
    """The whole pipeline under the warehouse lock; returns the process exit code."""
    # dbt runs in a child process while this one waits: import Great Expectations meanwhile. The
    # import is joined before returning: a run that ends early must not exit mid-import (Python
    # then prints "Exception ignored ... cannot release un-acquired lock")
    importing = threading.Thread(target=_import_quality, name="import-quality", daemon=True)
    importing.start()
    try:
        with warehouse_lock(settings):
            return _run(settings, publish_results)
    except WarehouseBusyError as busy:
        return fail(settings, [str(busy)])
    finally:
        importing.join()


def _run(settings: Settings, publish_results: bool) -> int:
    started = time.perf_counter()
    steps: dict[str, float] = {}  # seconds per step, printed at the end (nightly logs, benchmarks)

    def step_done(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = now - since
        return now

    ensure_raw_data(settings)
    mark = step_done("raw data", started)
    for folder in (settings.build_database.parent, settings.warehouse_dir / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)  # the build database holds personal data: not world-readable
    # a failed run must never archive an earlier run's results as its own
    (settings.target_dir / "run_results.json").unlink(missing_ok=True)
    if settings.target == "spark":
        return _run_on_spark(settings, publish_results, (steps, step_done, started, mark))
    # the large tables' staging models read only the new loads unless the raw rows the last build
    # read changed (or code, settings, FULL_REFRESH=1): revenue_engine/incremental.py
    full_refresh = incremental.full_refresh_reason(settings)
    print(
        f"Build: full refresh ({full_refresh})"
        if full_refresh
        else "Build: incremental (raw rows of the last build unchanged; reading the new loads)"
    )
    incremental.forget(settings)
    try:
        run_dbt(
            settings,
            "build",
            "--selector",
            "nightly_full_build",
            *(["--full-refresh"] if full_refresh else []),
        )
    except DbtError as error:
        archive_run_results(settings, "failed")
        lines = failures.explain_dbt_output(
            error.output, settings.raw_data_dir, settings.target_dir / "manifest.json"
        )
        return fail(settings, lines or [str(error)])
    archive_run_results(settings, "passed")
    incremental.record(settings)
    mark = step_done("dbt build", mark)
    return _validate_and_publish(
        settings, settings.build_database, publish_results, (steps, step_done, started, mark)
    )


def _validate_and_publish(
    settings: Settings, database: Path, publish_results: bool, timing: tuple
) -> int:
    """Write-audit-publish after a passed build: Great Expectations on `database`, then the public
    marts copied from it into a new release, swapped in as one unit; then the summary. `timing`:
    the run's (steps, step_done, started, mark)."""
    steps, step_done, started, mark = timing
    blocking: list[str] = []
    if not check_quality(settings, database, blocking):
        # what blocked the publish, last and on its own: the warnings above did not
        return fail(
            settings,
            [f"data quality: {line}" for line in blocking]
            or [f"data quality (details above; Data Docs in {settings.quality_dir})"],
            f"Warnings do not block; the critical expectations above did (Data Docs in "
            f"{settings.quality_dir}).",
        )
    mark = step_done("quality", mark)
    if publish_results:
        try:
            counts = publish(
                database,
                settings.published_database,
                settings.parquet_dir,
                public_models(settings.target_dir),
                descriptions=public_model_descriptions(settings.target_dir),
            )
        except PublishBlockedError as blocked:
            hint = (
                f"If this change is intended, run again with {ACCEPT_CHANGES}=1."
                if blocked.overridable
                else ""
            )
            problems = [f"publish blocked: {problem}" for problem in blocked.problems]
            return fail(settings, problems, hint)
        mark = step_done("publish", mark)
        print(
            f"\nPublished {len(counts)} public marts to {settings.published_database} "
            f"(Parquet in {settings.parquet_dir})"
        )
    summary.print_summary(database)
    summary.print_headline_numbers(database)
    summary.print_audit_summary(database)
    step_done("summary", mark)
    timings = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in steps.items())
    print(f"\nDone in {time.perf_counter() - started:.1f}s ({timings}).")
    return 0


def _run_on_spark(settings: Settings, publish_results: bool, timing: tuple) -> int:
    """DBT_TARGET=spark: every model, seed and data test on a local Spark session (tables under
    SPARK_WAREHOUSE_DIR), then the same write-audit-publish as on DuckDB over Spark's tables, read
    in place through a DuckDB database of views (revenue_engine/spark_tables.py)."""
    steps, step_done, started, mark = timing
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    print(f"Build: Spark (local session; metastore and tables in {settings.spark_dir})")
    try:
        run_dbt(settings, "build", "--selector", "nightly_full_build")
    except DbtError as error:
        archive_run_results(settings, "failed")
        lines = failures.explain_dbt_output(
            error.output, settings.raw_data_dir, settings.target_dir / "manifest.json"
        )
        return fail(settings, lines or [str(error)])
    archive_run_results(settings, "passed")
    mark = step_done("dbt build", mark)
    database = built_database(settings)
    print(f"Validating and publishing Spark's tables (read in place through {database})")
    return _validate_and_publish(
        settings, database, publish_results, (steps, step_done, started, mark)
    )
