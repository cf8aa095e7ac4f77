"""dbt source freshness as one non-blocking check per raw table (selector `source_freshness`).

No `from __future__ import annotations`: Dagster reads the `context` annotations at definition time.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from revenue_engine.orchestration.assets import invocation_target
from revenue_engine.orchestration.project import TRANSLATOR, has_freshness, own_sources
from revenue_engine.orchestration.resources import RevenueEngine, dbt_environment
from revenue_engine.orchestration.retries import TRANSIENT_RETRY, final_unless_transient

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
    for source in own_sources()
    if has_freshness(source)
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
    by_key = {TRANSLATOR.get_asset_key(source): source["unique_id"] for source in own_sources()}
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
