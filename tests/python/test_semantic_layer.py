"""The semantic layer (models/semantic/) gives the marts' numbers.

Every figure is queried through the real `mf` CLI (`mf query --csv`) and compared with the same
figure computed here, independently, in SQL over the marts (mostly the core marts, following
docs/metrics.md), and, where a report mart publishes it, with the report's column.
No expected value is copied from the semantic layer's inputs.

The warehouse is the demo company of the shared `demo_warehouse` fixture (reused after
`make test`'s pipeline run, else built into a temporary folder), or the database named by
REVENUE_ENGINE_TEST_DATABASE. `mf` reads `<project>/target/semantic_manifest.json` and nothing
else (it has no --target-path). When the project's copy is missing, older than the semantic YAML
or written for another database file, a fresh one is parsed into a temporary target folder and
`mf` is pointed at it with DBT_PROJECT_DIR (a folder holding dbt_project.yml and that target).
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.python.conftest import PROJECT_DIR

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

SEMANTIC_DIR = PROJECT_DIR / "models" / "semantic"
BIN = Path(sys.executable).parent
TRANSITIONS = (
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "lead_to_opportunity",
    "lead_to_won",
)
# Report rates are `float` columns: a 4-byte REAL on DuckDB (dbt.type_float()), ~7 digits.
REPORT_FLOAT = 1e-6

Value = float | None
Table = dict[tuple, dict[str, Value]]


@dataclass(frozen=True)
class SemanticWarehouse:
    database: Path
    project_dir: Path  # mf reads <project_dir>/target/semantic_manifest.json
    scratch: Path

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DUCKDB_PATH": str(self.database),
            "DUCKDB_TEMP_DIRECTORY": str(self.scratch / "duckdb_tmp"),
            "DBT_PROJECT_DIR": str(self.project_dir),
        }
        env.pop("DBT_TARGET_PATH", None)
        return env


def project_vars() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def manifest_is_usable(manifest: Path, database: Path) -> bool:
    """It exists, is newer than the semantic YAML and names this database file's catalog."""
    if not manifest.exists():
        return False
    newest_yaml = max(path.stat().st_mtime for path in SEMANTIC_DIR.glob("*.yml"))
    if manifest.stat().st_mtime < newest_yaml:
        return False
    spines = json.loads(manifest.read_text())["project_configuration"]["time_spines"]
    return bool(spines) and spines[0]["node_relation"]["database"] == database.stem


@pytest.fixture(scope="session")
def semantic_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> SemanticWarehouse:
    explicit = os.environ.get("REVENUE_ENGINE_TEST_DATABASE")
    if explicit:
        database = Path(explicit).resolve()
        assert database.exists(), f"REVENUE_ENGINE_TEST_DATABASE={explicit} does not exist"
    else:
        database = request.getfixturevalue("demo_warehouse").build_database
    scratch = tmp_path_factory.mktemp("semantic")
    (scratch / "duckdb_tmp").mkdir()
    if manifest_is_usable(PROJECT_DIR / "target" / "semantic_manifest.json", database):
        return SemanticWarehouse(database, PROJECT_DIR, scratch)
    shadow = scratch / "project"
    shadow.mkdir()
    (shadow / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
    warehouse = SemanticWarehouse(database, shadow, scratch)
    env = warehouse.env()
    env.pop("DBT_PROJECT_DIR")  # dbt reads it too: parse the project itself
    command = [
        str(BIN / "dbt"), "parse", "--project-dir", str(PROJECT_DIR),
        "--target-path", str(shadow / "target"), "--log-path", str(scratch / "logs"),
    ]  # fmt: skip
    parsed = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert parsed.returncode == 0, parsed.stdout[-4000:]
    return warehouse


def run_mf(
    warehouse: SemanticWarehouse, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "mf"), *args],
        cwd=PROJECT_DIR,
        env={**warehouse.env(), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def to_value(text: str) -> Value:
    return None if text == "" else float(text)


def to_key(name: str, text: str) -> object:
    return date.fromisoformat(text[:10]) if "metric_time" in name and text else text


def mf_query(
    warehouse: SemanticWarehouse,
    metrics: Sequence[str],
    group_by: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> Table:
    """`mf query --csv`, keyed by the group-by values (time dimensions as dates)."""
    output = warehouse.scratch / "query.csv"
    output.unlink(missing_ok=True)
    args = ["query", "--metrics", ",".join(metrics), "--quiet", "--csv", str(output)]
    if group_by:
        args += ["--group-by", ",".join(group_by)]
    result = run_mf(warehouse, *args, env=env)
    assert result.returncode == 0 and output.exists(), result.stdout[-4000:] + result.stderr
    table: Table = {}
    with output.open(newline="") as handle:
        for row in csv.DictReader(handle):
            key = tuple(to_key(name, row[name]) for name in group_by)
            assert key not in table, f"duplicate row {key}"
            table[key] = {metric: to_value(row[metric]) for metric in metrics}
    return table


def sql(warehouse: SemanticWarehouse, query: str) -> list[dict]:
    """Rows of an independent query over the marts (read-only, closed before mf runs again)."""
    with duckdb.connect(str(warehouse.database), read_only=True) as connection:
        cursor = connection.execute(query)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def as_number(value: object) -> object:
    return float(value) if isinstance(value, int | float | Decimal) else value


def keyed(rows: Iterable[dict], keys: Sequence[str]) -> Table:
    return {
        tuple(row[name] for name in keys): {
            name: as_number(value) for name, value in row.items() if name not in keys
        }
        for row in rows
    }


def assert_same(
    label: str, actual: Value, expected: Value, rel: float = 1e-9, absolute: float = 1e-9
) -> None:
    if expected is None or actual is None:
        assert actual is None and expected is None, f"{label}: mf {actual} != {expected}"
        return
    assert math.isclose(actual, expected, rel_tol=rel, abs_tol=absolute), (
        f"{label}: mf {actual} != {expected}"
    )


def compare(
    mf: Table,
    expected: Table,
    columns: dict[str, str],
    rel: float = 1e-9,
    absolute: float = 1e-9,
    keys: Iterable[tuple] | None = None,
) -> int:
    """mf metric == expected column for every key (a key missing on one side reads as null)."""
    checked = 0
    for key in sorted(set(mf) | set(expected) if keys is None else keys, key=str):
        for metric, column in columns.items():
            wanted = expected.get(key, {}).get(column)
            assert_same(f"{metric} at {key}", mf.get(key, {}).get(metric), wanted, rel, absolute)
            checked += wanted is not None
    assert checked > 0, "nothing was compared"
    return checked


# ---------------------------------------------------------------------------------------------


def test_mf_validate_configs_passes(semantic_warehouse: SemanticWarehouse) -> None:
    result = run_mf(semantic_warehouse, "validate-configs")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Successfully validated metrics against data warehouse" in result.stdout
    assert "Breaking issues" not in result.stdout


def test_windows_and_margin_come_from_the_project_vars(
    semantic_warehouse: SemanticWarehouse,
) -> None:
    manifest_path = semantic_warehouse.project_dir / "target" / "semantic_manifest.json"
    manifest = json.loads(manifest_path.read_text())
    metrics = {metric["name"]: metric for metric in manifest["metrics"]}
    variables = project_vars()
    conversion = metrics["lead_to_won_rate_within_window"]["type_params"]["conversion_type_params"]
    # MetricFlow counts a conversion less than `window` days after the base event (day grain)
    assert conversion["window"]["count"] == variables["conversion_window_days"] + 1
    cumulative = metrics["trailing_customers_churned"]["type_params"]["cumulative_type_params"]
    assert cumulative["window"] == {
        "count": variables["trailing_window_months"],
        "granularity": "month",
    }
    assert str(variables["gross_margin"]) in metrics["ltv_usd"]["type_params"]["expr"]


VELOCITY_SQL = """
    select
        cast(date_trunc('month', close_date) as date) as month,
        count(*) filter (where is_won) as won_deals,
        count(*) filter (where is_lost) as lost_deals,
        count(*) filter (where is_won) / nullif(count(*) filter (where is_won or is_lost), 0)
            as win_rate,
        -- macros/metrics/amount_weighted_win_rate.sql: deals without an amount weigh nothing
        coalesce(sum(amount_usd) filter (where is_won), 0)
            / nullif(coalesce(sum(amount_usd) filter (where is_won or is_lost), 0), 0)
            as amount_weighted_win_rate,
        avg(amount_usd) filter (where is_won) as average_won_deal_usd,
        avg(sales_cycle_days) filter (where is_won) as sales_cycle_days,
        quantile_cont(sales_cycle_days, 0.5) filter (where is_won) as median_sales_cycle_days,
        count(*) filter (where is_new_customer) as new_customers
    from marts.fct_opportunities
    where is_closed
    group by 1
"""

VELOCITY_REPORT_SQL = """
    select month_start_date as month, win_rate, amount_weighted_win_rate, average_won_deal_usd,
        mean_sales_cycle_days, median_sales_cycle_days, won_deals, lost_deals
    from marts.rpt_pipeline_velocity
    where segment_type = 'all' and won_deals + lost_deals > 0
"""


def test_velocity_metrics_by_month_match_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    metrics = [
        "win_rate",
        "amount_weighted_win_rate",
        "average_won_deal_usd",
        "sales_cycle_days",
        "median_sales_cycle_days",
        "won_deals",
        "lost_deals",
        "new_customers",
    ]
    mf = mf_query(semantic_warehouse, metrics, ["metric_time__month"])
    expected = keyed(sql(semantic_warehouse, VELOCITY_SQL), ["month"])
    compare(mf, expected, {metric: metric for metric in metrics})
    # the velocity report (company total rows): another implementation of the same figures
    report = keyed(sql(semantic_warehouse, VELOCITY_REPORT_SQL), ["month"])
    columns = {
        "win_rate": "win_rate",
        "amount_weighted_win_rate": "amount_weighted_win_rate",
        "average_won_deal_usd": "average_won_deal_usd",  # decimal(28,6) there
        "sales_cycle_days": "mean_sales_cycle_days",
        "median_sales_cycle_days": "median_sales_cycle_days",
        "won_deals": "won_deals",
        "lost_deals": "lost_deals",
    }
    compare(mf, report, columns, rel=REPORT_FLOAT, absolute=1e-5, keys=report.keys())


TOTALS_SQL = """
    with
    as_of as (select max(date_day) as as_of_date from marts.dim_dates),
    closed_window as (
        -- deals closed in the {window} calendar months ending with as_of_date's month
        select
            count(*) filter (where is_won) / nullif(count(*), 0) as win_rate,
            avg(amount_usd) filter (where is_won) as average_won_deal_usd,
            avg(sales_cycle_days) filter (where is_won) as mean_sales_cycle_days
        from marts.fct_opportunities, as_of
        where is_closed
            and close_date <= as_of_date
            and close_date >= date_trunc('month', as_of_date) - interval {months_back} month
    ),
    pipeline as (
        select count(*) as open_qualified
        from marts.fct_opportunities
        where is_qualified_pipeline
    )
    select
        (select count(*) filter (where is_won) / count(*) from marts.fct_opportunities
         where is_closed) as win_rate,
        -- a new customer is an account's first won New Business deal: one per such account
        (select count(distinct account_id) from marts.fct_opportunities
         where is_won and opportunity_type = 'New Business' and account_id is not null
            and close_date is not null) as new_customers,
        pipeline.open_qualified as open_qualified_opportunities,
        pipeline.open_qualified * closed_window.win_rate * closed_window.average_won_deal_usd
            / nullif(closed_window.mean_sales_cycle_days, 0) as pipeline_velocity_usd_per_day
    from closed_window, pipeline
"""


def test_totals_without_time_match_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    """No group-by: all-time win rate and new customers; pipeline velocity at as_of_date."""
    metrics = [
        "win_rate",
        "new_customers",
        "pipeline_velocity_usd_per_day",
        "open_qualified_opportunities",
    ]
    mf = mf_query(semantic_warehouse, metrics)[()]
    window = int(project_vars()["trailing_window_months"])
    query = TOTALS_SQL.format(window=window, months_back=window - 1)
    [expected] = keyed(sql(semantic_warehouse, query), []).values()
    for metric in metrics:
        assert_same(metric, mf[metric], expected[metric], rel=1e-6)


def test_mf_reads_the_published_file_while_a_build_holds_the_build_database(
    semantic_warehouse: SemanticWarehouse, demo_warehouse
) -> None:
    """`DBT_TARGET=published`: mf attaches the last publish read-only, so it answers during a
    build (which holds the build database's only write lock) with the published numbers."""
    published = demo_warehouse.published_database
    metrics = ["win_rate", "new_customers", "open_qualified_opportunities"]
    env = {"DBT_TARGET": "published", "PUBLISHED_DATABASE": str(published)}
    with duckdb.connect(str(semantic_warehouse.database)):  # what a running build holds
        mf = mf_query(semantic_warehouse, metrics, env=env)[()]
    window = int(project_vars()["trailing_window_months"])
    query = TOTALS_SQL.format(window=window, months_back=window - 1)
    with duckdb.connect(str(published), read_only=True) as connection:
        cursor = connection.execute(query)
        names = [column[0] for column in cursor.description]
        [expected] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for metric in metrics:
        assert_same(metric, mf[metric], expected[metric], rel=1e-6)


def test_win_rate_by_channel_matches_fct_opportunities(
    semantic_warehouse: SemanticWarehouse,
) -> None:
    mf = mf_query(semantic_warehouse, ["win_rate"], ["opportunity__channel"])
    query = """
        select channel, count(*) filter (where is_won) / count(*) as win_rate
        from marts.fct_opportunities
        where is_closed
        group by channel
    """
    expected = keyed(sql(semantic_warehouse, query), ["channel"])
    assert len(expected) > 1
    compare(mf, expected, {"win_rate": "win_rate"})


FUNNEL_STAGES_SQL = """
    with
    as_of as (
        select cast(max(date_day) + interval 1 day as timestamp) as as_of_end from marts.dim_dates
    ),
    dated as (
        -- a stage's date: the earliest known date of it or of a later stage (metrics.md, skips)
        select
            leads.*,
            as_of.as_of_end,
            least(opportunity_created_at, coalesce(won_at, lost_at)) as opportunity_on,
            least(sql_at, opportunity_created_at, coalesce(won_at, lost_at)) as sql_on,
            least(mql_at, sql_at, opportunity_created_at, coalesce(won_at, lost_at)) as mql_on
        from marts.fct_leads as leads, as_of
        where created_at < as_of.as_of_end
    ),
    stages as (
        -- reached: the flag, unless its date is after as_of_date
        select
            lead_id,
            created_at as lead_on,
            mql_on,
            sql_on,
            opportunity_on,
            won_at as won_on,
            true as lead_reached,
            is_mql and coalesce(mql_on < as_of_end, true) as mql_reached,
            is_sql and coalesce(sql_on < as_of_end, true) as sql_reached,
            is_opportunity and coalesce(opportunity_on < as_of_end, true) as opportunity_reached,
            is_won and coalesce(won_at < as_of_end, true) as won_reached
        from dated
    ),
    transitions as (
        {transitions}
    )
"""

FUNNEL_TRANSITION_SQL = """
        select '{source}_to_{target}' as transition, lead_id,
            case when {source}_reached then {source}_on end as entered_on,
            {target}_reached as converted,
            case when {target}_reached then {target}_on end as converted_on
        from stages
        where {source}_reached
"""

FUNNEL_COHORT_SQL = """
    select
        transition,
        cast(date_trunc('month', entered_on) as date) as month,
        count(*) filter (where converted) / count(*) as cohort,
        count(*) filter (
            where converted and converted_on <= entered_on + interval {window_days} day
        ) / count(*) as within_window
    from transitions
    where entered_on is not null
    group by all
"""

FUNNEL_FLOW_SQL = """
    , entries as (
        select transition, cast(date_trunc('month', entered_on) as date) as month,
            count(*) as entered
        from transitions
        where entered_on is not null
        group by all
    ),
    conversions as (
        select transition, cast(date_trunc('month', converted_on) as date) as month,
            count(*) as converted
        from transitions
        where converted and converted_on is not null
        group by all
    )
    select transition, month, coalesce(converted, 0) / nullif(entered, 0) as flow
    from entries
    full outer join conversions using (transition, month)
"""


def test_funnel_conversion_by_month_matches_fct_leads(
    semantic_warehouse: SemanticWarehouse,
) -> None:
    """Cohort, within-window and flow conversion of every transition, rebuilt from fct_leads."""
    window_days = int(project_vars()["conversion_window_days"])
    kinds = ("cohort", "within_window", "flow")
    views = [f"{transition}_rate_{kind}" for transition in TRANSITIONS for kind in kinds]
    mf = mf_query(semantic_warehouse, views, ["metric_time__month"])
    transitions = "\n        union all".join(
        FUNNEL_TRANSITION_SQL.format(source=source, target=target)
        for source, target in (transition.split("_to_") for transition in TRANSITIONS)
    )
    prelude = FUNNEL_STAGES_SQL.format(transitions=transitions)
    cohort = sql(semantic_warehouse, prelude + FUNNEL_COHORT_SQL.format(window_days=window_days))
    flow = sql(semantic_warehouse, prelude + FUNNEL_FLOW_SQL)
    expected: Table = {}
    for row in cohort:
        month = expected.setdefault((row["month"],), {})
        month[f"{row['transition']}_rate_cohort"] = as_number(row["cohort"])
        month[f"{row['transition']}_rate_within_window"] = as_number(row["within_window"])
    for row in flow:
        month = expected.setdefault((row["month"],), {})
        month[f"{row['transition']}_rate_flow"] = as_number(row["flow"])
    checked = compare(mf, expected, {name: name for name in views})
    assert checked >= 12 * len(views)


LEAD_TO_WON_SQL = """
    select
        cast(date_trunc('month', created_at) as date) as month,
        count(*) as leads_created,
        count(*) filter (
            where date_diff('day', cast(created_at as date), cast(won_at as date))
                between 0 and {window_days}
        ) / count(*) as lead_to_won_rate_within_window
    from marts.fct_leads
    group by 1
"""

LEAD_TO_WON_REPORT_SQL = """
    select period_month as month,
        sum(converted_within_window_count) / sum(entered_count) as within_window
    from marts.rpt_funnel_conversion
    where conversion_type = 'cohort' and transition = 'lead_to_won'
    group by 1
"""


def test_lead_to_won_conversion_metric_matches_the_funnel_report(
    semantic_warehouse: SemanticWarehouse,
) -> None:
    """The MetricFlow conversion metric (lead created -> won within the window) equals a count
    over fct_leads and the report's within-window lead_to_won conversion, pooled over segments."""
    window_days = int(project_vars()["conversion_window_days"])
    metrics = ["lead_to_won_rate_within_window", "leads_created"]
    mf = mf_query(semantic_warehouse, metrics, ["metric_time__month"])
    query = LEAD_TO_WON_SQL.format(window_days=window_days)
    direct = keyed(sql(semantic_warehouse, query), ["month"])
    compare(mf, direct, {metric: metric for metric in metrics})
    report = keyed(sql(semantic_warehouse, LEAD_TO_WON_REPORT_SQL), ["month"])
    compare(mf, report, {"lead_to_won_rate_within_window": "within_window"}, keys=report.keys())


SPEED_TO_LEAD_SQL = """
    select
        cast(date_trunc('month', mql_at) as date) as month,
        quantile_cont(response_minutes, 0.5) as speed_to_lead_median_minutes,
        quantile_cont(response_minutes, 0.9) as speed_to_lead_p90_minutes,
        count(*) as mqls_dated
    from marts.fct_leads
    where mql_at is not null
    group by 1
"""


def test_speed_to_lead_by_month_matches_fct_leads(semantic_warehouse: SemanticWarehouse) -> None:
    metrics = ["speed_to_lead_median_minutes", "speed_to_lead_p90_minutes", "mqls_dated"]
    mf = mf_query(semantic_warehouse, metrics, ["metric_time__month"])
    expected = keyed(sql(semantic_warehouse, SPEED_TO_LEAD_SQL), ["month"])
    compare(mf, expected, {metric: metric for metric in metrics})
    # the report is per channel: its medians do not pool, its MQL counts add up
    query = "select mql_month as month, sum(mql_count) as n from marts.rpt_speed_to_lead group by 1"
    report = keyed(sql(semantic_warehouse, query), ["month"])
    compare(mf, report, {"mqls_dated": "n"}, keys=report.keys())


CAC_SQL = """
    with
    new_customers as (
        select cast(date_trunc('month', close_date) as date) as month, account_id
        from marts.fct_opportunities
        where is_new_customer
    ),
    first_subscriptions as (
        -- a new customer's new MRR: the subscriptions it started first
        select subscriptions.account_id, sum(subscriptions.mrr_usd) as new_mrr_usd
        from marts.fct_subscriptions as subscriptions
        where subscriptions.started_at = (
            select min(earlier.started_at)
            from marts.fct_subscriptions as earlier
            where earlier.account_id = subscriptions.account_id
        )
        group by subscriptions.account_id
    ),
    customers as (
        select
            month,
            count(*) as new_customers,
            count(first_subscriptions.account_id) as with_mrr,
            sum(first_subscriptions.new_mrr_usd) as new_mrr_usd
        from new_customers
        left join first_subscriptions using (account_id)
        group by month
    ),
    spend as (
        select cast(date_trunc('month', spend_date) as date) as month, sum(spend_usd) as spend_usd
        from marts.fct_marketing_spend_daily
        group by 1
    ),
    expenses as (
        select expense_month as month, sum(amount_usd) as expenses_usd
        from marts.fct_expenses
        where department in ('marketing', 'sales')
        group by 1
    ),
    months as (
        select month from customers
        union select month from spend
        union select month from expenses
    ),
    costs as (
        select
            months.month,
            spend.spend_usd / nullif(customers.new_customers, 0) as paid_cac,
            (spend.spend_usd + expenses.expenses_usd) / nullif(customers.new_customers, 0)
                as blended_cac,
            customers.new_mrr_usd / nullif(customers.with_mrr, 0) as new_mrr_per_customer
        from months
        left join customers using (month)
        left join spend using (month)
        left join expenses using (month)
    )
    select
        month,
        paid_cac,
        blended_cac,
        blended_cac / nullif(new_mrr_per_customer * {gross_margin}, 0) as cac_payback_months
    from costs
"""

CAC_REPORT_SQL = """
    select month_start_date as month, paid_cac_usd, blended_cac_usd, cac_payback_months
    from marts.rpt_customer_acquisition_cost
    where channel = 'all'
"""


def test_cac_by_month_matches_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    metrics = ["paid_cac", "blended_cac", "cac_payback_months"]
    mf = mf_query(semantic_warehouse, metrics, ["metric_time__month"])
    query = CAC_SQL.format(gross_margin=project_vars()["gross_margin"])
    expected = keyed(sql(semantic_warehouse, query), ["month"])
    compare(mf, expected, {metric: metric for metric in metrics})
    report = keyed(sql(semantic_warehouse, CAC_REPORT_SQL), ["month"])
    # the report rounds CAC to cents
    columns = {"paid_cac": "paid_cac_usd", "blended_cac": "blended_cac_usd"}
    compare(mf, report, columns, rel=0, absolute=0.006, keys=report.keys())
    columns = {"cac_payback_months": "cac_payback_months"}
    compare(mf, report, columns, rel=REPORT_FLOAT, keys=report.keys())


CHURN_SQL = """
    with
    as_of as (select max(date_day) as as_of_date from marts.dim_dates),
    subscriptions as (
        -- a customer is the subscription's account; an end after as_of_date has not happened
        select
            coalesce(account_id, subscription_id) as customer_id,
            started_at,
            mrr_usd,
            case when ended_at <= as_of_date then ended_at end as ended_at
        from marts.fct_subscriptions, as_of
        where started_at is not null
    ),
    months as (
        select distinct
            month_start_date as month,
            cast(month_start_date as timestamp) as start_at,
            cast(least(month_start_date + interval 1 month, as_of_date) as timestamp) as end_at
        from marts.dim_dates, as_of
    ),
    live_at_start as (
        select months.month, subscriptions.customer_id, sum(subscriptions.mrr_usd) as mrr_usd
        from months
        inner join subscriptions
            on subscriptions.started_at <= months.start_at
            and (subscriptions.ended_at is null or subscriptions.ended_at > months.start_at)
        group by all
    ),
    live_at_end as (
        select distinct months.month, subscriptions.customer_id
        from months
        inner join subscriptions
            on subscriptions.started_at <= months.end_at
            and (subscriptions.ended_at is null or subscriptions.ended_at > months.end_at)
    )
    select
        live_at_start.month,
        count(*) filter (where live_at_end.customer_id is null) / count(*) as logo_churn_rate,
        coalesce(sum(mrr_usd) filter (where live_at_end.customer_id is null), 0) / sum(mrr_usd)
            as mrr_churn_rate,
        sum(mrr_usd) / count(*) as arpa_usd
    from live_at_start
    left join live_at_end using (month, customer_id)
    group by 1
"""

CHURN_REPORT_SQL = """
    select month_start_date as month, logo_churn_rate, ltv_usd, ltv_to_cac_ratio
    from marts.rpt_churn
    where icp_tier = 'all' and acquisition_channel = 'all'
"""


def test_churn_and_ltv_by_month_match_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    metrics = ["logo_churn_rate", "mrr_churn_rate", "arpa_usd", "ltv_usd", "ltv_to_cac"]
    mf = mf_query(semantic_warehouse, metrics, ["metric_time__month"])
    expected = keyed(sql(semantic_warehouse, CHURN_SQL), ["month"])
    columns = {name: name for name in ("logo_churn_rate", "mrr_churn_rate", "arpa_usd")}
    compare(mf, expected, columns, keys=expected.keys())
    report = keyed(sql(semantic_warehouse, CHURN_REPORT_SQL), ["month"])
    compare(mf, report, {"logo_churn_rate": "logo_churn_rate"}, rel=REPORT_FLOAT)
    # LTV and LTV:CAC need a complete trailing window; the report has them there (LTV from its
    # REAL churn rate, rounded to cents)
    complete = [key for key, row in report.items() if row["ltv_usd"] is not None]
    assert complete, "no month with a complete trailing window in the demo data"
    compare(mf, report, {"ltv_usd": "ltv_usd"}, rel=REPORT_FLOAT, absolute=0.006, keys=complete)
    with_cac = [key for key in complete if report[key]["ltv_to_cac_ratio"] is not None]
    compare(mf, report, {"ltv_to_cac": "ltv_to_cac_ratio"}, rel=REPORT_FLOAT, keys=with_cac)


SNAPSHOT_WEEKS_SQL = """
    -- each week's last snapshot (Sunday, or as_of_date in the current week)
    with last_snapshots as (
        select date_trunc('week', snapshot_date) as week, max(snapshot_date) as snapshot_date
        from marts.fct_pipeline_snapshots
        group by 1
    )
    select
        cast(last_snapshots.week as date) as week,
        sum(amount_usd) as open_pipeline_usd,
        count(*) as open_deals,
        count(*) filter (where is_stalled) as stalled_open_deals
    from marts.fct_pipeline_snapshots
    join last_snapshots using (snapshot_date)
    group by 1
"""


def test_pipeline_history_metrics_match_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    """Snapshot levels by week (each week's last snapshot) and at as_of_date (today's open and
    stalled deals in fct_opportunities); pushed-out pipeline as the weekly movement rows."""
    levels = ["open_pipeline_usd", "open_deals", "stalled_open_deals"]
    mf = mf_query(semantic_warehouse, levels, ["metric_time__week"])
    expected = keyed(sql(semantic_warehouse, SNAPSHOT_WEEKS_SQL), ["week"])
    assert len(expected) > 50
    compare(mf, expected, {metric: metric for metric in levels}, rel=1e-9, absolute=1e-6)
    today = mf_query(semantic_warehouse, levels)[()]
    [deals] = sql(
        semantic_warehouse,
        "select sum(amount_usd) as open_pipeline_usd, count(*) as open_deals, "
        "count(*) filter (where is_stalled) as stalled_open_deals "
        "from marts.fct_opportunities where not is_closed",
    )
    for metric in levels:
        assert_same(metric, today[metric], as_number(deals[metric]), rel=1e-9)
    moved = ["pipeline_pushed_out_usd", "pipeline_pushed_out_deals", "pipeline_pulled_in_usd"]
    mf = mf_query(semantic_warehouse, moved, ["metric_time__week"])
    report = keyed(
        sql(
            semantic_warehouse,
            "select period_start_date as week, pushed_out_usd, pushed_out_count, pulled_in_usd "
            "from marts.rpt_pipeline_movement "
            "where period_grain = 'week' and segment_type = 'all'",
        ),
        ["week"],
    )
    columns = {
        "pipeline_pushed_out_usd": "pushed_out_usd",
        "pipeline_pushed_out_deals": "pushed_out_count",
        "pipeline_pulled_in_usd": "pulled_in_usd",
    }
    assert compare(mf, report, columns, absolute=1e-6, keys=report.keys()) > 100


def test_mrr_movement_metrics_match_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    """By month, and by month and tier: the report's rows."""
    metrics = ["new_mrr_usd", "reactivation_mrr_usd", "expansion_mrr_usd", "contraction_mrr_usd"]
    mf = mf_query(semantic_warehouse, metrics, ["metric_time__month"])
    report = keyed(
        sql(
            semantic_warehouse,
            "select month_start_date as month, new_mrr_usd, reactivation_mrr_usd, "
            "expansion_mrr_usd, contraction_mrr_usd "
            "from marts.rpt_mrr_movements where segment_type = 'all'",
        ),
        ["month"],
    )
    columns = {metric: metric for metric in metrics}
    assert compare(mf, report, columns, absolute=1e-6, keys=report.keys()) >= 4 * 20
    by_tier = mf_query(
        semantic_warehouse,
        ["new_mrr_usd"],
        ["metric_time__month", "mrr_movement_month__segment_value"],
    )
    tiers = keyed(
        sql(
            semantic_warehouse,
            "select month_start_date as month, segment_value as tier, new_mrr_usd "
            "from marts.rpt_mrr_movements where segment_type = 'icp_tier'",
        ),
        ["month", "tier"],
    )
    assert compare(by_tier, tiers, {"new_mrr_usd": "new_mrr_usd"}, absolute=1e-6) > 50


def test_forecast_and_stall_metrics_match_the_marts(semantic_warehouse: SemanticWarehouse) -> None:
    """Commit conversion and coverage by month, pooled from the report's company rows; newly
    stalled and unstalled deals by week."""
    mf = mf_query(
        semantic_warehouse, ["commit_conversion_rate", "pipeline_coverage"], ["metric_time__month"]
    )
    report = keyed(
        sql(
            semantic_warehouse,
            "select month_start_date as month, won_from_commit_usd / nullif(opening_commit_usd, 0) "
            "as commit_conversion_rate, opening_pipeline_usd / nullif(quota_usd, 0) "
            "as pipeline_coverage from marts.rpt_forecast_accuracy where segment_type = 'all'",
        ),
        ["month"],
    )
    columns = {"commit_conversion_rate": "commit_conversion_rate"}
    columns |= {"pipeline_coverage": "pipeline_coverage"}
    assert compare(mf, report, columns, rel=1e-9, absolute=1e-9, keys=report.keys()) >= 2 * 18
    mf = mf_query(
        semantic_warehouse, ["newly_stalled_deals", "unstalled_deals"], ["metric_time__week"]
    )
    weeks = keyed(
        sql(
            semantic_warehouse,
            "select week_start_date as week, newly_stalled_deals, unstalled_deals "
            "from marts.rpt_pipeline_stalls where segment_type = 'all'",
        ),
        ["week"],
    )
    metrics = {"newly_stalled_deals": "newly_stalled_deals", "unstalled_deals": "unstalled_deals"}
    assert compare(mf, weeks, metrics, keys=weeks.keys()) >= 100
