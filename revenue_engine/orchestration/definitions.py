"""The code location `dagster dev` loads (pyproject.toml names it; see docs/orchestration.md)."""

from __future__ import annotations

import dagster as dg

from revenue_engine.orchestration.assets import (
    data_quality_validation,
    dbt_build,
    published_marts,
    raw_data,
)
from revenue_engine.orchestration.checks import dbt_source_freshness
from revenue_engine.orchestration.jobs import (
    marts_only_job,
    nightly_full_build_job,
    source_freshness_job,
)
from revenue_engine.orchestration.resources import RevenueEngine, dbt_resource
from revenue_engine.orchestration.schedules import (
    nightly_full_build_schedule,
    source_freshness_schedule,
)

defs = dg.Definitions(
    assets=[raw_data, dbt_build, data_quality_validation, published_marts],
    asset_checks=[dbt_source_freshness],
    jobs=[nightly_full_build_job, marts_only_job, source_freshness_job],
    schedules=[nightly_full_build_schedule, source_freshness_schedule],
    resources={"dbt": dbt_resource(), "revenue_engine": RevenueEngine()},
)
