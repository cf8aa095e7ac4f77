"""End to end on real data: the public Maven CRM export, mapped by the loader, through `make run`.

Expected figures are computed with pandas from the original CSVs in examples/maven_crm.
The export has no leads, spend, expenses or subscriptions: those marts must build and be empty.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import processes
import pytest

from revenue_engine.loaders.maven_crm import load_maven_crm

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

DATASET = processes.PROJECT_DIR / "examples" / "maven_crm"


@pytest.fixture(scope="module")
def pipeline() -> pd.DataFrame:
    return pd.read_csv(DATASET / "sales_pipeline.csv")


def make_run(export: Path, root: Path) -> Path:
    """Load a Maven export and run the pipeline on it, as `make run` would; the warehouse."""
    load_maven_crm(export, root / "raw")
    env = processes.warehouse_env(root / "warehouse", root / "raw")
    processes.passed(processes.pipeline(env), tail=4000)
    return root / "warehouse"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(DATASET, tmp_path_factory.mktemp("maven"))


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as connection:
        return connection.execute(sql).df()


def test_every_deal_reaches_the_marts(warehouse: Path, pipeline: pd.DataFrame) -> None:
    actual = query(
        warehouse,
        """
        select count(*) as deals, sum(is_won::int) as won, sum(is_lost::int) as lost,
               sum(case when is_won then amount_usd end) as won_usd,
               count(distinct account_id) as accounts
        from marts.fct_opportunities
        """,
    ).iloc[0]
    assert actual["deals"] == len(pipeline) == 8_800
    assert actual["won"] == (pipeline["deal_stage"] == "Won").sum()
    assert actual["lost"] == (pipeline["deal_stage"] == "Lost").sum()
    won_value = pipeline.loc[pipeline["deal_stage"] == "Won", "close_value"].sum()
    assert float(actual["won_usd"]) == pytest.approx(won_value)
    assert actual["accounts"] == pipeline["account"].nunique()


def test_win_rate_and_cycle_match_the_export(warehouse: Path, pipeline: pd.DataFrame) -> None:
    closed = pipeline[pipeline["deal_stage"].isin(["Won", "Lost"])]
    won = closed[closed["deal_stage"] == "Won"]
    cycle = (pd.to_datetime(won["close_date"]) - pd.to_datetime(won["engage_date"])).dt.days
    actual = query(
        warehouse,
        """
        select sum(is_won::int) / sum(is_closed::int) as win_rate,
               median(sales_cycle_days) filter (where is_won) as median_cycle
        from marts.fct_opportunities
        """,
    ).iloc[0]
    assert actual["win_rate"] == pytest.approx(len(won) / len(closed))
    assert actual["median_cycle"] == pytest.approx(cycle[cycle >= 0].median())


def test_new_customers_are_accounts_with_a_won_deal(
    warehouse: Path, pipeline: pd.DataFrame
) -> None:
    won_accounts = pipeline.loc[pipeline["deal_stage"] == "Won", "account"].dropna().nunique()
    actual = query(
        warehouse, "select count(*) as n from marts.fct_opportunities where is_new_customer"
    )
    assert actual["n"].iloc[0] == won_accounts
    statuses = query(
        warehouse, "select customer_status, count(*) as n from marts.dim_accounts group by 1"
    )
    assert statuses.set_index("customer_status")["n"].to_dict() == {"customer": won_accounts}


def test_tables_without_data_build_and_report_empty(warehouse: Path) -> None:
    empty = ("fct_leads", "fct_marketing_spend_daily", "fct_subscriptions", "rpt_funnel_conversion")
    for mart in empty:
        assert query(warehouse, f"select count(*) as n from marts.{mart}")["n"].iloc[0] == 0, mart


def test_deals_without_a_created_date_are_flagged_not_lost(
    warehouse: Path, pipeline: pd.DataFrame
) -> None:
    without_engage = int(pipeline["engage_date"].isna().sum())
    build = warehouse / "build" / "revenue_engine.duckdb"
    with duckdb.connect(str(build), read_only=True) as connection:
        flagged = connection.execute(
            "select count(distinct record_id) from audit.audit_flagged_records "
            "where source_table = 'salesforce.opportunity'"
        ).fetchone()[0]
        in_mart = connection.execute(
            "select count(*) from marts.fct_opportunities where created_at is null"
        ).fetchone()[0]
    assert without_engage == 500
    assert in_mart == without_engage
    assert flagged >= without_engage


def test_a_deal_without_an_id_is_quarantined_and_the_rest_publishes(
    tmp_path: Path, pipeline: pd.DataFrame
) -> None:
    """The real export with one more deal whose opportunity_id is empty: a row-level problem, so
    the run publishes every other deal and holds that row out, counted (issue: one blank id used to
    stop the whole nightly run)."""
    source = tmp_path / "export"
    shutil.copytree(DATASET, source)
    with (source / "sales_pipeline.csv").open("a", encoding="utf-8") as handle:
        handle.write(",Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054\n")

    warehouse = make_run(source, tmp_path)  # publishes (asserted inside)

    deals = query(warehouse, "select count(*) as deals from marts.fct_opportunities")
    assert int(deals["deals"][0]) == len(pipeline)  # 8,800: every deal with an id
    quarantined = query(
        warehouse,
        "select source_table, record_id, reason from audit.audit_quarantined_records",
    )
    assert quarantined.values.tolist() == [
        ["salesforce.opportunity", "<missing key> #1", "missing_key"]
    ]
    reconciliation = query(
        warehouse,
        "select raw_rows, staged_rows, quarantined_rows, is_reconciled "
        "from audit.audit_raw_row_reconciliation where source_table = 'salesforce.opportunity'",
    )
    assert reconciliation.values.tolist() == [[len(pipeline) + 1, len(pipeline), 1, True]]


def test_the_dashboards_render_on_the_export_and_name_what_is_missing(
    warehouse: Path, pipeline: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No leads, spend or subscriptions: every page still renders, says which figures are not
    available and why, and shows the export's own win rate by tier where it has one."""
    from streamlit.testing.v1 import AppTest

    from revenue_engine.dashboards.pages import PAGES

    monkeypatch.setenv("PUBLISHED_DATABASE", str(warehouse / "analytics.duckdb"))
    warnings = {}
    for page in PAGES:
        app = AppTest.from_function(render_page, args=(page.slug,), default_timeout=60)
        app.run()
        assert [error.value for error in app.exception] == [], page.slug
        warnings[page.slug] = " ".join(warning.value for warning in app.warning)
        if page.slug == "overview":
            shown = {metric.label: metric.value for metric in app.metric}
            assert shown["Paid CAC, trailing"] == "n/a" and shown["LTV : CAC"] == "n/a"
    assert "Lead funnel conversion: not available" in warnings["weekly-funnel-review"]
    assert "Speed-to-lead: not available" in warnings["weekly-funnel-review"]
    assert "MQL acceptance: not available" in warnings["icp-calibration"]
    assert "CAC: not available" in warnings["unit-economics"]
    assert "Churn and LTV: not available" in warnings["unit-economics"]
    assert "No paid channel" in warnings["more-leads-or-better-conversion"]


def render_page(slug: str) -> None:
    from revenue_engine.dashboards.pages import PAGES

    next(page for page in PAGES if page.slug == slug).render()
