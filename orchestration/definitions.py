"""Dagster code location: raw data -> dbt build -> data-quality validation -> publish.

    .venv/bin/dagster dev -f orchestration/definitions.py     # the UI, see docs/orchestration.md
    .venv/bin/dagster definitions validate -f orchestration/definitions.py

The same steps as `make run` (revenue_engine.pipeline), as assets:

- `raw/<source>/<table>`: one asset per raw contract table, all made by one step that generates the
  demo company when RAW_DATA_DIR is unset (pipeline.ensure_raw_data) or checks the landed files.
- every dbt seed and model is an asset, every dbt data test an asset check on it. Tests of
  severity `error` are blocking checks: the dbt step fails and nothing downstream runs.
- `data_quality_validation`: the Great Expectations step, with one blocking check.
- `published_marts`: revenue_engine.publish.publish(), downstream of the public marts and the
  validation; it also refuses to run while the latest evaluation of any blocking check failed.
- `source_freshness` checks on the raw assets: `dbt source freshness --selector source_freshness`.

Jobs and schedules come from the dbt selectors in selectors.yml. Settings come from the same
environment variables as `make run` (WAREHOUSE_DIR, RAW_DATA_DIR, DEMO_LEADS, AS_OF_DATE, ...).
Self-contained on purpose: `dagster ... -f <this file>` works from any working directory.
"""

import fcntl
import importlib.util
import json
import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    build_dbt_asset_selection,
    dbt_assets,
)
from pydantic import Field

# `dagster ... -f` imports this file by path, with the working directory (not the project) on
# sys.path: without an installed revenue_engine (`make setup` installs it), use the project's.
if importlib.util.find_spec("revenue_engine") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from revenue_engine import pipeline
from revenue_engine.dbt import dbt_executable, dbt_vars, public_models, run_dbt
from revenue_engine.publish import publish
from revenue_engine.settings import Settings, load_settings

# --------------------------------------------------------------------------------------------
# The dbt project and its manifest
# --------------------------------------------------------------------------------------------

# What the manifest is parsed from (tests/python holds pytest files, not dbt tests).
_DBT_FILES = ("dbt_project.yml", "selectors.yml", "profiles.yml")
_DBT_DIRS = ("models", "macros", "seeds", "tests", "analyses", "snapshots")
_DBT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


def _newest_dbt_change(project_dir: Path) -> float:
    """Newest mtime of a dbt file or folder (a folder's changes when a file is added or removed)."""
    times = [
        (project_dir / name).stat().st_mtime
        for name in _DBT_FILES
        if (project_dir / name).is_file()
    ]
    for folder in (project_dir / name for name in _DBT_DIRS):
        if folder.is_dir():
            times += [folder.stat().st_mtime] + [
                path.stat().st_mtime
                for path in folder.rglob("*")
                if path.is_dir() or path.suffix in _DBT_SUFFIXES
            ]
    return max(times, default=0.0)


def prepare_manifest(settings: Settings) -> Path:
    """Return target/manifest.json, running `dbt parse` first when it is missing or stale.

    Stale: older than a dbt file or folder, so a fresh clone parses once, and `dagster dev`'s
    *Reload definitions* picks up a new, changed or deleted model (as DbtProject.prepare_if_dev
    would, without re-parsing in every run and step process). A file lock keeps two processes
    loading the code location at once from writing target/ together.
    """
    target = settings.project_dir / "target"
    manifest = target / "manifest.json"

    def needed() -> bool:
        return not manifest.exists() or manifest.stat().st_mtime < _newest_dbt_change(
            settings.project_dir
        )

    if needed():
        target.mkdir(parents=True, exist_ok=True)
        with (target / ".dagster-parse.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if needed():
                run_dbt(settings, "parse", "--quiet", "--log-path", str(target))
    return manifest


SETTINGS = load_settings()
MANIFEST_PATH = prepare_manifest(SETTINGS)
DBT_PROJECT = DbtProject(project_dir=SETTINGS.project_dir)


class RevenueEngineTranslator(DagsterDbtTranslator):
    """dbt sources are the `raw/<source>/<table>` assets; groups follow the model folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(
                ["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]]
            )
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return "raw"
        if resource_type == "seed":
            return "seeds"
        fqn = dbt_resource_props["fqn"]  # [project, folder, ..., name]
        return fqn[1] if len(fqn) > 2 else "models"


TRANSLATOR = RevenueEngineTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,  # every dbt data test an asset check
        enable_source_tests_as_checks=True,  # tests on sources too, on the raw assets
        enable_code_references=True,
    )
)


def attach_multi_parent_tests(manifest: dict[str, Any]) -> dict[str, Any]:
    """Make every dbt data test an asset check, including singular tests that ref several models.

    dagster-dbt attaches a test to its one parent, or to `meta.dagster.ref` when it has several;
    without that meta such a test (a reconciliation across reports) would not be a check. Here it
    defaults to its most downstream model or seed parent (ties: by name); the others become the
    check's additional dependencies. A test's own `meta.dagster.ref` still wins.
    """
    nodes, parents = manifest["nodes"], manifest["parent_map"]
    depths: dict[str, int] = {}

    def depth(unique_id: str) -> int:
        if unique_id not in depths:
            depths[unique_id] = 1 + max((depth(p) for p in parents.get(unique_id, [])), default=0)
        return depths[unique_id]

    for node in nodes.values():
        if node["resource_type"] != "test" or node.get("attached_node"):
            continue
        meta = node.setdefault("config", {}).setdefault("meta", {}) or {}
        candidates = sorted(
            {
                uid
                for uid in node["depends_on"]["nodes"]
                if nodes.get(uid, {}).get("resource_type") in {"model", "seed", "snapshot"}
            }
        )
        if (
            len(set(node["depends_on"]["nodes"])) < 2
            or not candidates
            or "ref" in meta.get("dagster", {})
        ):
            continue
        chosen = max(candidates, key=lambda uid: (depth(uid), uid))
        node["config"]["meta"] = {
            **meta,
            "dagster": {**meta.get("dagster", {}), "ref": {"name": nodes[chosen]["name"]}},
        }
    return manifest


MANIFEST: dict[str, Any] = attach_multi_parent_tests(json.loads(MANIFEST_PATH.read_text()))


def _own_sources() -> list[Mapping[str, Any]]:
    project = MANIFEST["metadata"]["project_name"]
    return sorted(
        (source for source in MANIFEST["sources"].values() if source["package_name"] == project),
        key=lambda source: source["unique_id"],
    )


def _has_freshness(source: Mapping[str, Any]) -> bool:
    freshness = source.get("freshness") or {}
    return bool(source.get("loaded_at_field")) and any(
        (freshness.get(level) or {}).get("count") for level in ("warn_after", "error_after")
    )


PUBLIC_MART_KEYS = [
    TRANSLATOR.get_asset_key(node)
    for node in MANIFEST["nodes"].values()
    if node["resource_type"] == "model"
    and node.get("access") == "public"
    and node["package_name"] == MANIFEST["metadata"]["project_name"]
]

# --------------------------------------------------------------------------------------------
# Settings, environment, retries
# --------------------------------------------------------------------------------------------


class RevenueEngine(dg.ConfigurableResource):
    """Where the pipeline reads and writes. Unset fields come from the environment, as in
    `make run` (revenue_engine.settings: WAREHOUSE_DIR, RAW_DATA_DIR, DEMO_LEADS, AS_OF_DATE)."""

    warehouse_dir: str | None = Field(
        default=None, description="Overrides WAREHOUSE_DIR (build database, published file, runs/)."
    )
    raw_data_dir: str | None = Field(
        default=None, description="Overrides RAW_DATA_DIR (unset: generate the demo company)."
    )

    def settings(self) -> Settings:
        environ = dict(os.environ)
        if self.warehouse_dir:
            environ["WAREHOUSE_DIR"] = self.warehouse_dir
        if self.raw_data_dir:
            environ["RAW_DATA_DIR"] = self.raw_data_dir
        return load_settings(environ)


# Lock conflicts (DuckDB allows one writer per file: a `make run`, a BI tool on the build file,
# an overlapping run) and network hiccups are worth retrying; a failed test or a SQL error is not.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
_TRANSIENT = re.compile(
    r"could not set lock|conflicting lock|database is locked|resource temporarily unavailable"
    r"|connection (?:reset|refused|aborted)|timed out|temporary failure",
    re.IGNORECASE,
)


def is_transient(message: str) -> bool:
    return bool(_TRANSIENT.search(message))


@contextmanager
def final_unless_transient(step: str) -> Iterator[None]:
    """Let transient errors reach the retry policy; turn every other error into a final Failure."""
    try:
        yield
    except dg.Failure:
        raise
    except SystemExit as error:  # pipeline.ensure_raw_data exits on a missing RAW_DATA_DIR
        raise dg.Failure(f"{step}: {error}", allow_retries=False) from error
    except Exception as error:
        if is_transient(str(error)):
            raise
        raise dg.Failure(f"{step}: {error}", allow_retries=False) from error


@contextmanager
def dbt_environment(environment: Mapping[str, str]) -> Iterator[None]:
    """The profile reads DUCKDB_PATH, RAW_DATA_DIR, ... from the environment of the dbt process,
    which DbtCliResource copies from ours when it starts dbt."""
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


KEEP_INVOCATIONS = 20


def invocation_target(settings: Settings, context: Any, step: str) -> Path:
    """A fresh dbt target folder per invocation under WAREHOUSE_DIR/dagster/dbt/ (never the repo's
    target/), keeping the newest KEEP_INVOCATIONS for debugging. The folder is named `target` so
    pipeline.archive_run_results (which reads <project>/target/run_results.json) can archive it."""
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
    return pipeline.archive_run_results(replace(settings, project_dir=target.parent), outcome)


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


# --------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------

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
    for source in _own_sources()
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
    """`dbt build` of the selected models with their tests (seeds, models, data and unit tests).

    Every run's run_results.json is archived under WAREHOUSE_DIR/runs/ with its time and outcome.
    """
    with final_unless_transient("dbt build"):
        settings = revenue_engine.settings()
        settings.build_database.parent.mkdir(parents=True, exist_ok=True)
        (settings.warehouse_dir / "tmp").mkdir(parents=True, exist_ok=True)
        target = invocation_target(settings, context, "build")
        with dbt_environment(settings.dbt_env()):
            invocation = dbt.cli(
                ["build", *dbt_vars(settings)],
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


QUALITY_KEY = dg.AssetKey("data_quality_validation")
QUALITY_CHECK = "great_expectations_suite_passes"


def run_quality_validation(settings: Settings) -> tuple[bool, dict[str, Any]]:
    """The Great Expectations step `make run` runs between build and publish.

    pipeline.check_quality validates the raw contract files and the public marts, prints its
    summary (this step's log) and writes Data Docs and summary.json to WAREHOUSE_DIR/quality;
    returns whether every critical expectation passed, and what to show in the UI.
    """
    passed = pipeline.check_quality(settings)
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
            settings.build_database,
            settings.published_database,
            settings.parquet_dir,
            public_models(settings.project_dir / "target"),
        )
    return dg.MaterializeResult(
        metadata={
            "published_database": dg.MetadataValue.path(str(settings.published_database)),
            "parquet_dir": dg.MetadataValue.path(str(settings.parquet_dir)),
            "tables": len(counts),
            "rows": dg.MetadataValue.json(counts),
        }
    )


# --------------------------------------------------------------------------------------------
# Source freshness (dbt source freshness --selector source_freshness)
# --------------------------------------------------------------------------------------------

FRESHNESS_CHECK = "source_freshness"
FRESHNESS_SPECS = [
    dg.AssetCheckSpec(
        FRESHNESS_CHECK,
        asset=TRANSLATOR.get_asset_key(source),
        blocking=False,
        description=(
            f"dbt source freshness: newest {source['loaded_at_field']} against the clock "
            f"(warn/error after {source['freshness']})."
        ),
    )
    for source in _own_sources()
    if _has_freshness(source)
]
FRESHNESS_CHECK_KEYS = [spec.key for spec in FRESHNESS_SPECS]


@dg.multi_asset_check(
    specs=FRESHNESS_SPECS, name="dbt_source_freshness", retry_policy=TRANSIENT_RETRY
)
def dbt_source_freshness(
    context: dg.AssetCheckExecutionContext, dbt: DbtCliResource, revenue_engine: RevenueEngine
) -> Iterator[dg.AssetCheckResult]:
    """One check per raw table: pass, warn (severity WARN) or error (severity ERROR).

    Runs against its own DuckDB file (WAREHOUSE_DIR/freshness.duckdb: dbt's on-run-start hooks
    create views over the raw files there), so it never waits for, or blocks, the build.
    """
    with final_unless_transient("dbt source freshness"):
        settings = revenue_engine.settings()
        target = invocation_target(settings, context, "freshness")
        environment = {
            **settings.dbt_env(),
            "DUCKDB_PATH": str(settings.warehouse_dir / "freshness.duckdb"),
        }
        (settings.warehouse_dir / "tmp").mkdir(parents=True, exist_ok=True)
        with dbt_environment(environment):
            invocation = dbt.cli(
                ["source", "freshness", "--selector", "source_freshness"],
                target_path=target,
                raise_on_error=False,
            ).wait()
        if not (target / "sources.json").exists():  # dbt stopped before checking any source
            error = invocation.get_error()
            raise RuntimeError(str(error) if error else "dbt wrote no sources.json")
    results = {
        result["unique_id"]: result for result in invocation.get_artifact("sources.json")["results"]
    }
    by_key = {TRANSLATOR.get_asset_key(source): source["unique_id"] for source in _own_sources()}
    for spec in FRESHNESS_SPECS:
        result = results.get(by_key[spec.asset_key])
        status = result["status"] if result else "not evaluated"
        metadata: dict[str, Any] = {"status": status}
        if result and "max_loaded_at" in result:
            metadata |= {
                "max_loaded_at": result["max_loaded_at"],
                "snapshotted_at": result["snapshotted_at"],
                "age_hours": round(float(result["max_loaded_at_time_ago_in_s"]) / 3600, 1),
                "criteria": dg.MetadataValue.json(result.get("criteria") or {}),
            }
        elif result:
            metadata["message"] = str(result.get("message") or result.get("error"))
        yield dg.AssetCheckResult(
            asset_key=spec.asset_key,
            check_name=FRESHNESS_CHECK,
            passed=status == "pass",
            severity=dg.AssetCheckSeverity.WARN
            if status == "warn"
            else dg.AssetCheckSeverity.ERROR,
            metadata=metadata,
        )


# --------------------------------------------------------------------------------------------
# Jobs and schedules, built from selectors.yml
# --------------------------------------------------------------------------------------------

_NIGHTLY_DBT = build_dbt_asset_selection([dbt_build], dbt_selector="nightly_full_build")
_MARTS_DBT = build_dbt_asset_selection([dbt_build], dbt_selector="marts_only")
_FRESHNESS = dg.AssetSelection.checks(*FRESHNESS_CHECK_KEYS)

nightly_full_build_job = dg.define_asset_job(
    "nightly_full_build",
    selection=(_NIGHTLY_DBT.upstream() | _NIGHTLY_DBT.downstream()) - _FRESHNESS,
    description="Raw data, then dbt selector `nightly_full_build` (every model and test), the "
    "data-quality validation and the publish. A failed check stops it before publish.",
    op_retry_policy=TRANSIENT_RETRY,
)
marts_only_job = dg.define_asset_job(
    "marts_only",
    selection=_MARTS_DBT.downstream(),
    description="dbt selector `marts_only` (marts and their tests), then validation and publish.",
    op_retry_policy=TRANSIENT_RETRY,
)
source_freshness_job = dg.define_asset_job(
    "source_freshness",
    selection=_FRESHNESS,
    description="dbt source freshness (selector `source_freshness`) as a check on each raw table.",
    op_retry_policy=TRANSIENT_RETRY,
)

NIGHTLY_CRON = "0 5 * * *"  # daily, 05:00 UTC: after the connectors' overnight sync
FRESHNESS_CRON = "30 * * * *"  # hourly, half past

nightly_full_build_schedule = dg.ScheduleDefinition(
    name="nightly_full_build_schedule",
    job=nightly_full_build_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
source_freshness_schedule = dg.ScheduleDefinition(
    name="source_freshness_schedule",
    job=source_freshness_job,
    cron_schedule=FRESHNESS_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(
    assets=[raw_data, dbt_build, data_quality_validation, published_marts],
    asset_checks=[dbt_source_freshness],
    jobs=[nightly_full_build_job, marts_only_job, source_freshness_job],
    schedules=[nightly_full_build_schedule, source_freshness_schedule],
    resources={
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
        "revenue_engine": RevenueEngine(),
    },
)
