"""The same project on Apache Spark (dbt-spark, a local session), proven equal to DuckDB.

The demo company that `make test` built on DuckDB is built again on Spark from the same raw files:
every seed, model and data test (`revenue-engine run` with DBT_TARGET=spark), then every unit test.
The real Maven CRM export is built on both engines too.
Every public mart Spark wrote (Parquet tables under SPARK_WAREHOUSE_DIR) is then compared row for
row with the DuckDB publish: the same columns, row counts and keys; money equal to the cent, other
numbers within 1e-9 relative; text, dates and flags equal. The one allowed difference is how each
engine quotes an identifier in audit_raw_landing.landed_as (the SQL that reads a landed column).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from processes import PROJECT_DIR, dbt, passed, pipeline, python, warehouse_env

from revenue_engine.dbt import raw_files
from revenue_engine.loaders.maven_crm import load_maven_crm

pytestmark = [pytest.mark.slow, pytest.mark.spark]

MAVEN = PROJECT_DIR / "examples" / "maven_crm"
MONEY_SUFFIXES = ("_usd", "amount", "spend", "mrr")


def run_pipeline(env: dict[str, str]) -> str:
    """`revenue-engine run` in `env`, as `make run` would; its output."""
    return passed(pipeline(env))


# The Dagster job `nightly_full_build`, executed in a process of its own with the given
# environment; prints what the test asserts on (steps, failed checks, the dbt invocation's target).
DAGSTER_JOB = """
import json, sys
import dagster as dg
from revenue_engine.dbt import run_dbt
from revenue_engine.settings import load_settings
run_dbt(load_settings(), "parse", "--quiet")  # the code location reads the manifest
from revenue_engine.orchestration.checks import FRESHNESS_CHECK_KEYS
from revenue_engine.orchestration.definitions import defs
job = defs.resolve_job_def("nightly_full_build")
result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
evaluations = result.get_asset_check_evaluations()
expected = set(job.asset_layer.asset_graph.asset_check_keys) - set(FRESHNESS_CHECK_KEYS)
print(json.dumps({
    "success": result.success,
    "expected_checks": len(expected),
    "materialized": len(result.get_asset_materialization_events()),
    "checks": len(evaluations),
    "failed_checks": [e.asset_check_key.to_user_string() for e in evaluations if not e.passed],
    "failed_steps": [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"],
}))
"""


def run_dagster_job(env: dict[str, str]) -> str:
    """The Dagster job `nightly_full_build` in `env` (the scheduler's path); its last output line,
    a JSON summary of the run."""
    return passed(python(env, DAGSTER_JOB)).strip().splitlines()[-1]


def build_on_spark(
    base_env: dict[str, str], root: Path, target_path: str, run=run_pipeline
) -> dict:
    """The pipeline on Spark into `root` (`revenue-engine run`, or `run_dagster_job`); its
    environment, output, tables and manifest."""
    env = {
        **base_env,
        "DBT_TARGET": "spark",
        "WAREHOUSE_DIR": str(root / "warehouse"),
        # the run's default; set here too, for a later `dbt test` to open the same metastore
        "SPARK_WAREHOUSE_DIR": str(root / "warehouse" / "spark"),
        "DBT_TARGET_PATH": target_path,
    }
    env.pop("DUCKDB_PATH", None)
    output = run(env)
    manifest = json.loads((PROJECT_DIR / target_path / "manifest.json").read_text())
    return {
        "env": env,
        "root": root,
        "output": output,
        "tables": root / "warehouse" / "spark" / "tables",
        "manifest": manifest,
    }


@pytest.fixture(scope="module")
def spark_build(demo_warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build_on_spark(
        demo_warehouse.env(), tmp_path_factory.mktemp("spark"), "target/pytest-spark"
    )


@pytest.fixture(scope="module")
def maven_builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The real Maven CRM export, mapped by the loader, built on DuckDB and on Spark."""
    root = tmp_path_factory.mktemp("maven-engines")
    load_maven_crm(MAVEN, root / "raw")
    env = warehouse_env(root / "duckdb", root / "raw", PROJECT_DIR / "target/pytest-maven-duckdb")
    run_pipeline(env)
    # the Spark side runs as the scheduler would: the Dagster job (dbt writes its target folders
    # under the warehouse; the parsed project's manifest is target/manifest.json)
    spark = build_on_spark(env, root / "spark", "target", run=run_dagster_job)
    return {"published": root / "duckdb" / "analytics.duckdb", **spark}


def public_models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("access") == "public"
    }


def primary_key(node: dict, frame: pd.DataFrame) -> list[str]:
    for constraint in node.get("constraints", []):
        if constraint["type"] == "primary_key":
            return constraint["columns"]
    for column in node["columns"].values():
        if any(c["type"] == "primary_key" for c in column.get("constraints", [])):
            return [column["name"]]
    return [name for name in frame.columns if not pd.api.types.is_float_dtype(frame[name])]


def plain(value, column: str):
    """A cell as a comparable Python value: null, text, a timestamp's ISO text, or a number."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value.replace('"', "").replace("`", "") if column == "landed_as" else value
    if hasattr(value, "isoformat"):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def differences(duck: pd.DataFrame, spark: pd.DataFrame, key: list[str]) -> list[str]:
    found = []
    if list(duck.columns) != list(spark.columns):
        return [f"columns: DuckDB {list(duck.columns)}, Spark {list(spark.columns)}"]
    if len(duck) != len(spark):
        return [f"rows: DuckDB {len(duck)}, Spark {len(spark)}"]
    duck = duck.sort_values(key, na_position="first").reset_index(drop=True)
    spark = spark.sort_values(key, na_position="first").reset_index(drop=True)
    for column in duck.columns:
        money = column.endswith(MONEY_SUFFIXES)
        for row, (left, right) in enumerate(zip(duck[column], spark[column], strict=True)):
            a, b = plain(left, column), plain(right, column)
            if a is None or b is None:
                same = a is None and b is None
            elif isinstance(a, (bool, str)) or isinstance(b, str):
                same = a == b
            elif money:
                same = abs(float(a) - float(b)) < 0.005
            else:
                same = math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
            if not same:
                keys = {name: duck[name][row] for name in key}
                found.append(f"{column} at {keys}: DuckDB {a!r}, Spark {b!r}")
                break
    return found


def mart_differences(published: Path, build: dict) -> dict[str, list[str]]:
    """Every public mart Spark wrote against the DuckDB publish: {mart: differences}."""
    models = public_models(build["manifest"])
    assert len(models) >= 30
    problems = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{published}' as duck (read_only)")
        for name, node in sorted(models.items()):
            folder = build["tables"] / f"{node['schema']}.db" / name
            assert folder.is_dir(), f"Spark wrote no table {node['schema']}.{name}"
            duck = connection.execute(f'select * from duck.{node["schema"]}."{name}"').df()
            spark = connection.execute(f"select * from read_parquet('{folder}/*.parquet')").df()
            found = differences(duck, spark, primary_key(node, duck))
            if found:
                problems[name] = found
    return problems


def test_every_public_mart_on_spark_equals_duckdb(spark_build, demo_warehouse) -> None:
    assert mart_differences(demo_warehouse.published_database, spark_build) == {}


def test_the_maven_export_on_spark_equals_duckdb(maven_builds) -> None:
    """Real data with its own shape (no leads, spend or subscriptions; deals without dates)."""
    assert mart_differences(maven_builds["published"], maven_builds) == {}


def test_the_maven_win_rate_on_spark_is_the_exports(maven_builds) -> None:
    pipeline = pd.read_csv(MAVEN / "sales_pipeline.csv")
    closed = pipeline[pipeline["deal_stage"].isin(["Won", "Lost"])]
    folder = maven_builds["tables"] / "marts.db" / "fct_opportunities"
    with duckdb.connect() as connection:
        deals, won, closed_deals = connection.execute(
            f"select count(*), count(*) filter (where is_won), count(*) filter (where is_closed) "
            f"from read_parquet('{folder}/*.parquet')"
        ).fetchone()
    assert deals == len(pipeline) == 8_800
    assert won / closed_deals == pytest.approx((closed["deal_stage"] == "Won").mean())


def test_the_dagster_job_runs_on_spark(maven_builds) -> None:
    """The scheduler's job against DBT_TARGET=spark: every step and every dbt test (as an asset
    check) passes, Great Expectations validates Spark's tables, and the release is published."""
    summary = json.loads(maven_builds["output"])
    assert summary["success"], summary
    assert summary["failed_steps"] == [] and summary["failed_checks"] == []
    # every data test of the job is evaluated as a check (and the validation's own check)
    assert summary["checks"] == summary["expected_checks"] > 300
    published = maven_builds["root"] / "warehouse" / "analytics.duckdb"
    with duckdb.connect(str(published), read_only=True) as connection:
        deals = connection.execute("select count(*) from marts.fct_opportunities").fetchone()[0]
    assert deals == len(pd.read_csv(MAVEN / "sales_pipeline.csv"))
    assert (maven_builds["root"] / "warehouse" / "quality" / "summary.json").exists()


def test_the_run_on_spark_validates_and_publishes(spark_build, demo_warehouse) -> None:
    """Write-audit-publish on Spark: the Great Expectations suites pass on Spark's tables and the
    published release (DuckDB file and Parquet) holds the same public marts as the DuckDB run's."""
    output = spark_build["output"]
    assert "Build: Spark (local session" in output
    assert "Quality: " in output and " 0 failed" in output
    published = spark_build["root"] / "warehouse" / "analytics.duckdb"
    assert "Published " in output and published.exists()
    models = public_models(spark_build["manifest"])
    with duckdb.connect() as connection:
        connection.execute(f"attach '{published}' as spark (read_only)")
        connection.execute(f"attach '{demo_warehouse.published_database}' as duck (read_only)")
        differing = {}
        for name, node in sorted(models.items()):
            duck = connection.execute(f'select * from duck.{node["schema"]}."{name}"').df()
            spark = connection.execute(f'select * from spark.{node["schema"]}."{name}"').df()
            found = differences(duck, spark, primary_key(node, duck))
            if found:
                differing[name] = found
        parquet = spark_build["root"] / "warehouse" / "parquet" / "fct_leads.parquet"
        rows = connection.execute(f"select count(*) from '{parquet}'").fetchone()[0]
        assert rows == connection.execute("select count(*) from duck.marts.fct_leads").fetchone()[0]
    assert differing == {}


def test_every_unit_test_passes_on_spark(spark_build) -> None:
    files = json.dumps({"raw_files": raw_files(Path(spark_build["env"]["RAW_DATA_DIR"]))})
    passed(dbt(spark_build["env"], "test", "--selector", "unit_tests", "--vars", files))
    results = json.loads((PROJECT_DIR / "target/pytest-spark/run_results.json").read_text())
    statuses = [r["status"] for r in results["results"] if r["unique_id"].startswith("unit_test.")]
    assert len(statuses) >= 20 and set(statuses) == {"pass"}, statuses


def test_a_differing_value_is_found() -> None:
    """The comparison itself: a cent, a relative 1e-6 and a flipped flag are differences."""
    duck = pd.DataFrame({"id": ["a", "b"], "amount_usd": [10.0, 20.0], "rate": [0.5, 0.25]})
    assert differences(duck, duck.copy(), ["id"]) == []
    assert differences(duck, duck.assign(amount_usd=[10.0, 20.01]), ["id"])
    assert differences(duck, duck.assign(rate=[0.5, 0.25 * (1 + 1e-6)]), ["id"])
    assert differences(duck, duck.iloc[:1], ["id"])
    assert differences(duck, duck.assign(amount_usd=[10.0, 20.004]), ["id"]) == []
