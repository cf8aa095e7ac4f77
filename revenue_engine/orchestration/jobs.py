"""Jobs, built from the dbt selectors in selectors.yml, so a schedule and a hand-run
`dbt build --selector <name>` select the same nodes."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from revenue_engine.orchestration.assets import dbt_build
from revenue_engine.orchestration.checks import FRESHNESS_CHECK_KEYS
from revenue_engine.orchestration.retries import TRANSIENT_RETRY

_NIGHTLY_DBT = build_dbt_asset_selection([dbt_build], dbt_selector="nightly_full_build")
_MARTS_DBT = build_dbt_asset_selection([dbt_build], dbt_selector="marts_only")
_FRESHNESS = dg.AssetSelection.checks(*FRESHNESS_CHECK_KEYS)

nightly_full_build_job = dg.define_asset_job(
    "nightly_full_build",
    selection=(_NIGHTLY_DBT.upstream() | _NIGHTLY_DBT.downstream()) - _FRESHNESS,
    description="Raw data, then dbt selector `nightly_full_build` (every model and data test), the "
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
