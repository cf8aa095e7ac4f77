"""The Dagster code location (revenue_engine.orchestration).

It loads (in-process and with `dagster definitions validate` from another directory), its
schedules exist with their crons, the whole graph materializes on a small generated demo company
with every asset check passing, and a failing dbt test or a failing validation keeps the published
file exactly as it was. Every run uses its own WAREHOUSE_DIR and raw data under a temporary folder.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dagster as dg
import duckdb
import pytest

from revenue_engine.contract import load_contract

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFINITIONS = "revenue_engine.orchestration.definitions"
LEADS = 2000
# A raw user without an id: staging keeps it, and its `not_null` test must fail.
FAILING_CHECK = dg.AssetCheckKey(
    dg.AssetKey(["staging", "stg_finance__fx_rates"]),
    "unique_combination_of_columns_stg_finance__fx_rates_currency_code__rate_date",
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Point the pipeline's settings at a temporary warehouse and demo-data folder."""
    root = tmp_path_factory.mktemp("orchestration")
    patch = pytest.MonkeyPatch()
    patch.setenv("WAREHOUSE_DIR", str(root / "warehouse"))
    patch.setenv("DEMO_DATA_DIR", str(root / "demo"))  # RAW_DATA_DIR unset: generate the demo
    patch.setenv("DEMO_LEADS", str(LEADS))
    for name in ("RAW_DATA_DIR", "DUCKDB_PATH", "AS_OF_DATE"):
        patch.delenv(name, raising=False)
    yield root
    patch.undo()


@pytest.fixture(scope="module")
def orchestration(workdir: Path) -> Any:
    """The code location's modules, after parsing the project (the code location reads the
    manifest; `make run` and `make orchestration` parse it, so does this fixture)."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    env["DUCKDB_PATH"] = str(workdir / "parse.duckdb")
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run([str(dbt), "parse", "--quiet"], cwd=PROJECT_DIR, env=env, check=True)
    from revenue_engine.orchestration import assets, checks, definitions, resources, retries

    return SimpleNamespace(
        definitions=definitions,
        assets=assets,
        checks=checks,
        resources=resources,
        retries=retries,
    )


def manifest() -> dict[str, Any]:
    return json.loads((PROJECT_DIR / "target" / "manifest.json").read_text())


def fingerprint(warehouse: Path) -> dict[str, str]:
    """sha256 of the published file and of every Parquet export."""
    files = [warehouse / "analytics.duckdb", *sorted((warehouse / "parquet").glob("*"))]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def step_events(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    kinds = {"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"}
    return {
        e.step_key: e.event_type_value
        for e in result.all_events
        if e.event_type_value in kinds and e.step_key
    }


# ---------------------------------------------------------------------------------------------
# The definitions
# ---------------------------------------------------------------------------------------------


def test_every_model_is_an_asset_and_every_data_test_a_check(orchestration: Any) -> None:
    graph = orchestration.definitions.defs.get_repository_def().asset_graph
    nodes = manifest()["nodes"].values()
    project = [n for n in nodes if n["package_name"] == "revenue_engine"]
    models = {
        n["name"]
        for n in project
        if n["resource_type"] in {"model", "seed"} and n["config"]["materialized"] != "ephemeral"
    }
    assets = {key.path[-1] for key in graph.get_all_asset_keys()}
    assert models <= assets
    assert "published_marts" in assets and "data_quality_validation" in assets
    sources = {("raw", s["source_name"], s["name"]) for s in manifest()["sources"].values()}
    assert sources <= {tuple(key.path) for key in graph.get_all_asset_keys()}

    tests = {n["name"] for n in project if n["resource_type"] == "test"}
    checks = {key.name for key in graph.asset_check_keys}
    assert tests - checks == set(), "dbt data tests that are not asset checks"
    # an `error` test blocks everything downstream of its model
    blocking = {key.name for key in orchestration.assets.BLOCKING_CHECK_KEYS}
    errors = {
        n["name"]
        for n in project
        if n["resource_type"] == "test" and n["config"]["severity"].lower() == "error"
    }
    assert errors <= blocking


def test_publish_is_downstream_of_every_public_mart_and_the_validation(orchestration: Any) -> None:
    graph = orchestration.definitions.defs.get_repository_def().asset_graph
    publish = graph.get(dg.AssetKey("published_marts"))
    public = {
        n["name"]
        for n in manifest()["nodes"].values()
        if n["resource_type"] == "model" and n.get("access") == "public"
    }
    parents = {key.path[-1] for key in publish.parent_keys}
    assert public and public <= parents
    assert "data_quality_validation" in parents
    quality = graph.get(dg.AssetKey("data_quality_validation"))
    assert [spec.blocking for spec in orchestration.assets.data_quality_validation.check_specs] == [
        True
    ]
    assert quality.check_keys == {dg.AssetCheckKey(quality.key, orchestration.assets.QUALITY_CHECK)}


def test_schedules_and_jobs(orchestration: Any) -> None:
    repository = orchestration.definitions.defs.get_repository_def()
    schedules = {s.name: s for s in repository.schedule_defs}
    nightly = schedules["nightly_full_build_schedule"]
    assert (nightly.cron_schedule, nightly.job_name, nightly.execution_timezone) == (
        "0 5 * * *",
        "nightly_full_build",
        "UTC",
    )
    freshness = schedules["source_freshness_schedule"]
    assert (freshness.cron_schedule, freshness.job_name) == ("30 * * * *", "source_freshness")
    # the full build runs everything but the freshness checks; the freshness job only those
    nightly_job = repository.get_job("nightly_full_build")
    assert {n.name for n in nightly_job.graph.node_defs} == {
        "raw_data",
        "dbt_build",
        "data_quality_validation",
        "published_marts",
    }
    assert {n.name for n in repository.get_job("source_freshness").graph.node_defs} == {
        "dbt_source_freshness"
    }
    marts_job = repository.get_job("marts_only")
    assert "raw_data" not in {n.name for n in marts_job.graph.node_defs}
    # one freshness check per source that declares a loaded_at_field and a threshold
    with_freshness = {
        ("raw", s["source_name"], s["name"])
        for s in manifest()["sources"].values()
        if s.get("loaded_at_field") and s.get("freshness")
    }
    assert {
        tuple(k.asset_key.path) for k in orchestration.checks.FRESHNESS_CHECK_KEYS
    } == with_freshness


def test_only_transient_errors_are_retried(orchestration: Any) -> None:
    lock = (
        'IO Error: Could not set lock on file "build/revenue_engine.duckdb": Conflicting lock is '
        "held in python3.11 (PID 42)"
    )
    assert orchestration.retries.is_transient(lock)
    assert not orchestration.retries.is_transient(
        "Binder Error: Referenced column amount not found"
    )
    # a lock conflict reaches the retry policy as it is; anything else becomes a final Failure
    with (
        pytest.raises(OSError, match="set lock"),
        orchestration.retries.final_unless_transient("step"),
    ):
        raise OSError(lock)
    with pytest.raises(dg.Failure) as failure, orchestration.retries.final_unless_transient("step"):
        raise ValueError("Binder Error")
    assert failure.value.allow_retries is False
    assert orchestration.assets.dbt_build.op.retry_policy.max_retries == 3


def test_dagster_definitions_validate_from_another_directory(workdir: Path, tmp_path: Path) -> None:
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", DEFINITIONS],
        cwd=tmp_path,  # not the project: the installed package is found from anywhere
        env={name: value for name, value in os.environ.items() if name != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Validation successful" in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()


@pytest.fixture(scope="module")
def full_build(orchestration: Any, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    job = orchestration.definitions.defs.resolve_job_def("nightly_full_build")
    return job.execute_in_process(instance=instance, raise_on_error=False)


def test_the_whole_graph_materializes_with_every_check_passing(
    orchestration: Any, full_build: dg.ExecuteInProcessResult, workdir: Path
) -> None:
    assert full_build.success, step_events(full_build)
    job = orchestration.definitions.defs.resolve_job_def("nightly_full_build")
    materialized = {e.asset_key for e in full_build.get_asset_materialization_events()}
    assert materialized == set(job.asset_layer.executable_asset_keys)
    evaluations = full_build.get_asset_check_evaluations()
    failed = [e.asset_check_key.to_user_string() for e in evaluations if not e.passed]
    assert failed == []
    expected = set(job.asset_layer.asset_graph.asset_check_keys) - set(
        orchestration.checks.FRESHNESS_CHECK_KEYS
    )
    assert {e.asset_check_key for e in evaluations} == expected

    warehouse = workdir / "warehouse"
    # the raw step generated the demo company; publish wrote every public mart
    assert (
        json.loads((workdir / "demo" / "_generated.json").read_text())["arguments"]["leads"]
        == LEADS
    )
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as published:
        tables = set(
            published.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        )
    public = {
        (f"{n['schema']}.{n['alias']}",)
        for n in manifest()["nodes"].values()
        if n["resource_type"] == "model" and n.get("access") == "public"
    }
    assert tables == public | {("audit.publish_history",)}
    # the run's run_results.json is archived with its time and outcome
    archived = sorted((warehouse / "runs").glob("*_passed_run_results.json"))
    assert len(archived) == 1
    results = json.loads(archived[0].read_text())["results"]
    # every model, seed and test passed; exposures are listed too, as "no-op" (nothing to run)
    built = [r for r in results if not r["unique_id"].startswith("exposure.")]
    assert built and {r["status"] for r in built} <= {"success", "pass"}
    assert {r["status"] for r in results if r["unique_id"].startswith("exposure.")} <= {"no-op"}


def test_the_source_freshness_job_runs_and_reports_each_raw_table(
    orchestration: Any,
    full_build: dg.ExecuteInProcessResult,
    instance: dg.DagsterInstance,
    workdir: Path,
) -> None:
    result = orchestration.definitions.defs.resolve_job_def("source_freshness").execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert result.success  # stale data is a failed check, not a failed run
    evaluations = {e.asset_check_key: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == set(orchestration.checks.FRESHNESS_CHECK_KEYS)
    # independent: the newest load in the raw file against the clock, each table's own thresholds in
    # the contract (lead: warn after 7 days, never an error; opportunity: warn 3 days, error 7)
    for table in ("lead", "opportunity"):
        declared = load_contract()[f"salesforce/{table}"]
        evaluation = evaluations[
            dg.AssetCheckKey(dg.AssetKey(["raw", "salesforce", table]), "source_freshness")
        ]
        with duckdb.connect() as connection:
            (newest,) = connection.execute(
                "select max(_fivetran_synced) from read_parquet(?)",
                [str(workdir / "demo" / "salesforce" / f"{table}.parquet")],
            ).fetchone()
        age = datetime.now(UTC).replace(tzinfo=None) - newest
        expected = (
            "pass"
            if age <= declared.warn_after
            else "warn"
            if declared.error_after is None or age <= declared.error_after
            else "error"
        )
        assert evaluation.metadata["status"].value == expected, table
        assert evaluation.passed == (expected == "pass")
        assert abs(evaluation.metadata["age_hours"].value - age.total_seconds() / 3600) < 1


@pytest.fixture(scope="module")
def broken_raw(full_build: dg.ExecuteInProcessResult, workdir: Path) -> Path:
    """The demo company plus a second FX rate for one currency and day (a dbt test fails: the
    feed has no load time, so neither copy can win)."""
    broken = workdir / "broken"
    shutil.copytree(workdir / "demo", broken)
    rates = broken / "finance" / "fx_rates.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_parquet('{rates}') union all "
            f"(select * replace (rate_to_usd * 2 as rate_to_usd) from read_parquet('{rates}') "
            f"where currency_code != 'USD' limit 1)) "
            f"to '{broken / 'fx_rates.parquet'}' (format parquet)"
        )
    (broken / "fx_rates.parquet").replace(rates)
    return broken


@pytest.fixture(scope="module")
def contract_broken_raw(full_build: dg.ExecuteInProcessResult, workdir: Path) -> Path:
    """The demo company with a CRM user table that lacks a contract column (email)."""
    broken = workdir / "contract_broken"
    shutil.copytree(workdir / "demo", broken)
    users = broken / "salesforce" / "user.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * exclude (email) from read_parquet('{users}')) "
            f"to '{broken / 'user.parquet'}' (format parquet)"
        )
    (broken / "user.parquet").replace(users)
    return broken


def test_a_failing_check_blocks_publish(
    orchestration: Any,
    instance: dg.DagsterInstance,
    broken_raw: Path,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse = workdir / "warehouse"
    before = fingerprint(warehouse)
    monkeypatch.setenv("RAW_DATA_DIR", str(broken_raw))

    result = orchestration.definitions.defs.resolve_job_def(
        "nightly_full_build"
    ).execute_in_process(instance=instance, raise_on_error=False)

    assert not result.success
    steps = step_events(result)
    assert steps["dbt_build"] == "STEP_FAILURE"
    assert steps.get("published_marts") in {None, "STEP_SKIPPED"}
    assert dg.AssetKey("published_marts") not in {
        e.asset_key for e in result.get_asset_materialization_events()
    }
    failed = {e.asset_check_key for e in result.get_asset_check_evaluations() if not e.passed}
    assert FAILING_CHECK in failed
    assert fingerprint(warehouse) == before
    assert len(list((warehouse / "runs").glob("*_failed_run_results.json"))) == 1

    # publishing on its own, in a later run, is refused while that check's latest result failed
    alone = dg.materialize(
        [orchestration.assets.published_marts],
        instance=instance,
        raise_on_error=False,
        resources={"revenue_engine": orchestration.resources.RevenueEngine()},
    )
    assert not alone.success
    failure = next(e for e in alone.all_events if e.event_type_value == "STEP_FAILURE")
    assert "Publish blocked" in str(failure.step_failure_data.error)
    assert FAILING_CHECK.to_user_string() in str(failure.step_failure_data.error)
    assert fingerprint(warehouse) == before


def test_a_failing_validation_blocks_publish(
    orchestration: Any, contract_broken_raw: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real Great Expectations step: the raw suite's "every contract column is present" is
    critical."""
    warehouse = workdir / "warehouse"
    before = fingerprint(warehouse)
    monkeypatch.setenv("RAW_DATA_DIR", str(contract_broken_raw))
    # a fresh instance: no earlier failed check, so only this run's validation can block
    result = dg.materialize(
        [orchestration.assets.data_quality_validation, orchestration.assets.published_marts],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        resources={"revenue_engine": orchestration.resources.RevenueEngine()},
    )
    assert not result.success
    steps = step_events(result)
    assert steps["data_quality_validation"] == "STEP_FAILURE"
    assert steps.get("published_marts") in {None, "STEP_SKIPPED"}
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == (orchestration.assets.QUALITY_CHECK, False)
    failures = evaluation.metadata["critical_failures"].value
    assert any("salesforce.user" in failure for failure in failures), failures
    assert fingerprint(warehouse) == before
