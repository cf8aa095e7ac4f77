"""Assets: the raw contract files, the dbt build (every seed and model; every data test a check),
the Great Expectations validation and the publish. Each calls the library functions
`revenue-engine run` calls (revenue_engine.pipeline, revenue_engine.publish).

No `from __future__ import annotations`: Dagster reads the `context` annotations at definition time.
"""

import json
import shutil
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from revenue_engine import incremental, pipeline
from revenue_engine.dbt import dbt_vars, public_model_descriptions, public_models
from revenue_engine.orchestration.project import (
    DBT_PROJECT,
    MANIFEST,
    PUBLIC_MART_KEYS,
    TRANSLATOR,
    own_sources,
)
from revenue_engine.orchestration.resources import RevenueEngine, dbt_environment
from revenue_engine.orchestration.retries import (
    TRANSIENT_RETRY,
    final_unless_transient,
    is_transient,
)
from revenue_engine.publish import publish
from revenue_engine.settings import Settings

KEEP_INVOCATIONS = 20


def invocation_target(settings: Settings, context: Any, step: str) -> Path:
    """A fresh dbt target folder per invocation under WAREHOUSE_DIR/dagster/dbt/ (never the repo's
    target/), keeping the newest KEEP_INVOCATIONS for debugging."""
    root = settings.warehouse_dir / "dagster" / "dbt"
    root.mkdir(parents=True, exist_ok=True)
    existing = sorted(root.iterdir(), key=lambda path: path.stat().st_mtime)
    for folder in existing[: max(0, len(existing) - KEEP_INVOCATIONS + 1)]:
        shutil.rmtree(folder, ignore_errors=True)
    target = root / f"{context.run.run_id[:8]}-{step}-{uuid.uuid4().hex[:6]}" / "target"
    # Partial parsing: start from the previous invocation of this step (same profile, unlike the
    # repo's target/, which dagster-dbt would copy otherwise).
    previous = [
        path / "target" / "partial_parse.msgpack"
        for path in existing[::-1]
        if path.name.split("-")[1:2] == [step]
    ]
    previous = [path for path in previous if path.exists()]
    if previous:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(previous[0], target / "partial_parse.msgpack")
    return target


def archive(settings: Settings, target: Path, outcome: str) -> Path | None:
    """pipeline.archive_run_results, pointed at this invocation's target folder."""
    return pipeline.archive_run_results(settings, outcome, target_dir=target)


def failed_nodes(run_results: Mapping[str, Any]) -> dict[str, str]:
    """unique_id (status) -> dbt's message, for every node that failed or errored."""
    return {
        f"{result['unique_id']} ({result['status']})": str(result.get("message") or "")
        for result in run_results.get("results", [])
        if result["status"] in {"fail", "error", "runtime error"}
    }


def raise_dbt_failure(invocation: DbtCliInvocation, target: Path, archived: Path | None) -> None:
    """A failed test or a SQL error is final; a lock conflict (no test failed) is retried."""
    error = invocation.get_error()
    run_results_path = target / "run_results.json"
    failed: dict[str, str] = {}
    if run_results_path.exists():
        failed = failed_nodes(json.loads(run_results_path.read_text()))
    message = "\n".join([str(error) if error else "dbt failed", *failed.values()])
    if not any("(fail)" in node for node in failed) and is_transient(message):
        raise RuntimeError(f"dbt failed, transient (retried): {message[-3000:]}")
    raise dg.Failure(
        description=(
            f"dbt failed: {len(failed)} node(s) failed or errored; nothing downstream "
            "(validation, publish) runs.\n" + "\n".join(sorted(failed)[:50])
        ),
        metadata={
            "failed_nodes": dg.MetadataValue.json(sorted(failed)),
            "run_results": dg.MetadataValue.path(str(archived or run_results_path)),
            "dbt_error": dg.MetadataValue.md(f"```\n{message[-4000:]}\n```"),
        },
        allow_retries=False,
    )


RAW_SPECS = [
    dg.AssetSpec(
        key=TRANSLATOR.get_asset_key(source),
        group_name="raw",
        description=source.get("description")
        or f"Raw table {source['source_name']}.{source['name']}",
        kinds={"parquet"},
        metadata={
            "dbt_source": f"{source['source_name']}.{source['name']}",
            "loaded_at_field": source.get("loaded_at_field") or "none",
        },
    )
    for source in own_sources()
]


def _raw_file(settings: Settings, source: str, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):  # the order register_raw_sources() prefers
        path = settings.raw_data_dir / source / f"{table}{suffix}"
        if path.exists():
            return path
    return None


@dg.multi_asset(specs=RAW_SPECS, name="raw_data", retry_policy=TRANSIENT_RETRY)
def raw_data(context: dg.AssetExecutionContext, revenue_engine: RevenueEngine) -> Iterator[Any]:
    """The raw contract files: the generated demo company (RAW_DATA_DIR unset) or landed data."""
    settings = revenue_engine.settings()
    with final_unless_transient("raw data"):
        pipeline.ensure_raw_data(settings)
        files = {spec.key: _raw_file(settings, *spec.key.path[1:]) for spec in RAW_SPECS}
        missing = [key.to_user_string() for key, path in files.items() if path is None]
        if missing:
            raise dg.Failure(
                f"Raw contract: no file for {', '.join(missing)} in {settings.raw_data_dir}",
                allow_retries=False,
            )
        with duckdb.connect() as connection:
            rows = {
                key: connection.execute(
                    "select count(*) from "
                    + ("read_parquet(?)" if path.suffix == ".parquet" else "read_csv(?)"),
                    [str(path)],
                ).fetchone()[0]
                for key, path in files.items()
                if path is not None
            }
    for key, path in files.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "dagster/row_count": int(rows[key]),
                "generated_demo": settings.generate_demo,
            },
        )
    context.log.info(f"Raw data ready in {settings.raw_data_dir}")


@dbt_assets(
    manifest=MANIFEST,
    project=DBT_PROJECT,
    selector="nightly_full_build",
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_build",
    retry_policy=TRANSIENT_RETRY,
)
def dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, revenue_engine: RevenueEngine
) -> Iterator[Any]:
    """`dbt build` of the selected models with their tests (seeds, models and data tests;
    unit tests run in development and CI, selector `unit_tests`).

    Every run's run_results.json is archived under WAREHOUSE_DIR/runs/ with its time and outcome.
    """
    with final_unless_transient("dbt build"):
        settings = revenue_engine.settings()
        settings.build_database.parent.mkdir(parents=True, exist_ok=True)
        (settings.warehouse_dir / "tmp").mkdir(parents=True, exist_ok=True)
        target = invocation_target(settings, context, "build")
        # the same rule as make run: incremental only when the last passed build's raw rows are
        # unchanged (revenue_engine/incremental.py); a subset run never records a new fingerprint.
        # On Spark (DBT_TARGET=spark) every table is rebuilt each run, as in make run.
        on_spark = settings.target == "spark"
        full_refresh = None if on_spark else incremental.full_refresh_reason(settings)
        if on_spark:
            settings.spark_dir.mkdir(parents=True, exist_ok=True)
            context.log.info(f"Build: Spark (local session; tables in {settings.spark_dir})")
        else:
            context.log.info(
                f"Build: full refresh ({full_refresh})" if full_refresh else "Build: incremental"
            )
            incremental.forget(settings)
        with dbt_environment(settings.dbt_env()):
            invocation = dbt.cli(
                ["build", *dbt_vars(settings), *(["--full-refresh"] if full_refresh else [])],
                context=context,
                target_path=target,
                raise_on_error=False,
            )
        yield from invocation.stream()
        passed = invocation.is_successful()
        archived = archive(settings, target, "passed" if passed else "failed")
        if archived:
            context.log.info(f"Archived run_results.json to {archived}")
        if not passed:
            raise_dbt_failure(invocation, target, archived)
        if not context.is_subset and not on_spark:
            incremental.record(settings, target)


QUALITY_KEY = dg.AssetKey("data_quality_validation")
QUALITY_CHECK = "great_expectations_suite_passes"


def run_quality_validation(settings: Settings) -> tuple[bool, dict[str, Any]]:
    """The Great Expectations step `make run` runs between build and publish (on the DuckDB
    build, or on Spark's tables: pipeline.built_database).

    pipeline.check_quality validates the raw contract files and the public marts, prints its
    summary (this step's log) and writes Data Docs and summary.json to WAREHOUSE_DIR/quality;
    returns whether every critical expectation passed, and what to show in the UI.
    """
    passed = pipeline.check_quality(settings, pipeline.built_database(settings))
    details: dict[str, Any] = {"data_docs": settings.quality_dir / "index.html"}
    summary = settings.quality_dir / "summary.json"
    if summary.exists():
        report = json.loads(summary.read_text())
        findings = report.get("findings", [])
        details |= {
            "suites": len(report.get("suites", [])),
            "expectations": sum(suite.get("expectations", 0) for suite in report.get("suites", [])),
            "critical_failures": [f["message"] for f in findings if f["severity"] == "critical"],
            "warnings": sum(1 for f in findings if f["severity"] == "warning"),
        }
    return passed, details


@dg.asset(
    key=QUALITY_KEY,
    deps=PUBLIC_MART_KEYS,
    group_name="publish",
    kinds={"great_expectations"},
    check_specs=[
        dg.AssetCheckSpec(
            QUALITY_CHECK,
            asset=QUALITY_KEY,
            blocking=True,
            description="Every expectation of the Great Expectations suites passed.",
        )
    ],
    retry_policy=TRANSIENT_RETRY,
)
def data_quality_validation(revenue_engine: RevenueEngine) -> dg.MaterializeResult:
    """Great Expectations on the raw files and the public marts (pipeline.check_quality)."""
    settings = revenue_engine.settings()
    with final_unless_transient("data-quality validation"):
        passed, details = run_quality_validation(settings)
    return dg.MaterializeResult(
        metadata={"passed": passed, **details},
        check_results=[
            dg.AssetCheckResult(
                check_name=QUALITY_CHECK,
                passed=passed,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata=details,
            )
        ],
    )


BLOCKING_CHECK_KEYS = sorted(
    [spec.key for spec in dbt_build.check_specs if spec.blocking]
    + [dg.AssetCheckKey(QUALITY_KEY, QUALITY_CHECK)],
    key=lambda key: key.to_user_string(),
)


def failing_blocking_checks(instance: dg.DagsterInstance) -> list[str]:
    """Blocking checks whose latest evaluation failed with severity ERROR (any run)."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(BLOCKING_CHECK_KEYS)
    failing = []
    for key, record in latest.items():
        evaluation = record.evaluation if record.status.value == "FAILED" else None
        if evaluation is not None and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failing.append(key.to_user_string())
    return sorted(failing)


@dg.asset(
    key="published_marts",
    deps=[QUALITY_KEY, *PUBLIC_MART_KEYS],
    group_name="publish",
    kinds={"duckdb", "parquet"},
    retry_policy=TRANSIENT_RETRY,
)
def published_marts(
    context: dg.AssetExecutionContext, revenue_engine: RevenueEngine
) -> dg.MaterializeResult:
    """The public marts copied to the file BI tools read (WAREHOUSE_DIR/analytics.duckdb) and to
    Parquet, replaced atomically. Never runs after a failed check: in the same run the failed
    step stops it; in a later run it refuses while a blocking check's latest evaluation failed."""
    settings = revenue_engine.settings()
    failing = failing_blocking_checks(context.instance)
    if failing:
        raise dg.Failure(
            description=(
                f"Publish blocked: {len(failing)} blocking check(s) failed at their "
                f"latest evaluation; {settings.published_database} is unchanged.\n"
                + "\n".join(failing[:50])
            ),
            metadata={"failing_checks": dg.MetadataValue.json(failing)},
            allow_retries=False,
        )
    with final_unless_transient("publish"):
        counts = publish(
            pipeline.built_database(settings),
            settings.published_database,
            settings.parquet_dir,
            public_models(settings.project_dir / "target"),
            descriptions=public_model_descriptions(settings.project_dir / "target"),
        )
    return dg.MaterializeResult(
        metadata={
            "published_database": dg.MetadataValue.path(str(settings.published_database)),
            "parquet_dir": dg.MetadataValue.path(str(settings.parquet_dir)),
            "tables": len(counts),
            "rows": dg.MetadataValue.json(counts),
        }
    )
