"""A real connector landing builds: only six Salesforce tables, the connector's naming, no currency.

The demo company's raw files are reshaped the way a Fivetran-style connector lands a single-currency
Salesforce org: only account, user, lead, contact, opportunity and task; custom fields spelled
`x_c` (one underscore); `_fivetran_deleted` instead of `is_deleted`; no `currency_iso_code`; 200
extra org fields per table; `task` in history mode (`_fivetran_active`, with superseded versions
that would change every first touch if read); two org fields carried into the marts (passthrough);
no custom-field mapping. A second, smaller build renames one field the org's own way
(`Lead_Score_Custom_c`) and maps it with var raw_column_map. The pipeline must build and publish
it; the leads mart must equal the demo build's row for row (nothing but the shape changed), every
deal must be there in USD, and what did not land must be listed with the figures it makes
unavailable, which are null rather than 0.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from processes import dbt, passed, pipeline, warehouse_env

from tests.python.conftest import DemoWarehouse

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

LANDED = ["account", "user", "lead", "contact", "opportunity", "task"]
PASSTHROUGH = {
    "passthrough_columns": {
        "salesforce.lead": ["segment_c"],
        "salesforce.opportunity": ["Deal_Desk_Approved_c"],
    },
}
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")


def connector_shape(table: pa.Table) -> pa.Table:
    names = []
    for name in table.column_names:
        if name.endswith("__c"):
            name = name[:-3] + "_c"
        names.append("_fivetran_deleted" if name == "is_deleted" else name)
    table = table.rename_columns(names)
    if "currency_iso_code" in table.column_names:
        table = table.drop_columns(["currency_iso_code"])
    for number in range(200):
        table = table.append_column(f"org_field_{number}_c", pa.nulls(len(table), pa.string()))
    return table


def history_mode(task: pa.Table) -> pa.Table:
    """Every current row active, plus an inactive older version of each task a day earlier, at the
    same load (read, it would move every first touch a day ahead and collide with its id)."""
    current = task.to_pandas()
    old = current.copy()
    old["created_date"] = old["created_date"] - pd.Timedelta(days=1)
    old["activity_date"] = (pd.to_datetime(old["activity_date"]) - pd.Timedelta(days=1)).dt.date
    current["_fivetran_active"] = True
    old["_fivetran_active"] = False
    frame = pd.concat([current, old], ignore_index=True)
    return pa.Table.from_pandas(frame, preserve_index=False).cast(
        task.schema.append(pa.field("_fivetran_active", pa.bool_()))
    )


@pytest.fixture(scope="module")
def landing(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("connector") / "raw"
    (raw / "salesforce").mkdir(parents=True)
    for name in LANDED:
        table = pq.read_table(demo_warehouse.raw_data_dir / "salesforce" / f"{name}.parquet")
        table = connector_shape(history_mode(table) if name == "task" else table)
        if name == "lead":
            segments = [SEGMENTS[i % 3] for i in range(len(table))]  # an org field to carry over
            table = table.append_column("Segment_c", pa.array(segments))
        if name == "opportunity":
            approved = [i % 2 == 0 for i in range(len(table))]
            table = table.append_column("deal_desk_approved_c", pa.array(approved))
        pq.write_table(table, raw / "salesforce" / f"{name}.parquet")
    return raw


@pytest.fixture(scope="module")
def run(landing: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    warehouse = landing.parent / "warehouse"
    env = warehouse_env(
        warehouse,
        landing,
        landing.parent / "target",
        REVENUE_ENGINE_VARS=json.dumps(PASSTHROUGH),  # no custom-field mapping
    )
    result = pipeline(env)
    return result, warehouse / "analytics.duckdb"


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def dbt_build(raw: Path, workdir: Path, *args: str) -> Path:
    """`dbt build <args>` on the landing in `raw` into `workdir`/build.duckdb (no publish); the
    database, once dbt passed."""
    database = workdir / "build.duckdb"
    env = warehouse_env(
        workdir,
        raw,
        workdir / "target",
        DUCKDB_PATH=str(database),
        DBT_LOG_PATH=str(workdir / "logs"),
    )
    passed(dbt(env, "build", *args), tail=3000)
    return database


def test_it_builds_and_publishes(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, published = run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert published.exists()


def test_leads_are_exactly_the_demo_build_s(
    run: tuple[subprocess.CompletedProcess[str], Path], demo_warehouse: DemoWarehouse
) -> None:
    """Custom fields found under `x_c`, the mapped lead score, `_fivetran_deleted` and only the
    active task versions: the leads mart is the demo build's, row for row."""
    _, published = run
    with duckdb.connect() as connection:
        connection.execute(f"attach '{published}' as landed (read_only)")
        connection.execute(f"attach '{demo_warehouse.published_database}' as demo (read_only)")
        differing = connection.execute(
            "select count(*) from ("
            "(select * from landed.marts.fct_leads except all select * from demo.marts.fct_leads)"
            " union all "
            "(select * from demo.marts.fct_leads except all select * from landed.marts.fct_leads))"
        ).fetchone()[0]
        leads = connection.execute("select count(*) from landed.marts.fct_leads").fetchone()[0]
    assert leads > 4000
    assert differing == 0


def test_every_deal_is_there_in_the_one_currency(
    run: tuple[subprocess.CompletedProcess[str], Path], landing: Path
) -> None:
    _, published = run
    raw = pq.read_table(landing / "salesforce" / "opportunity.parquet").to_pandas()
    raw["id"] = raw["id"].str.strip().replace("", None)  # staging trims keys; blank is no key
    latest = raw.sort_values("_fivetran_synced", na_position="first").drop_duplicates(
        "id", keep="last"
    )
    live = set(latest.loc[~latest["_fivetran_deleted"].fillna(False), "id"].dropna())
    marts = query(
        published,
        "select opportunity_id, currency_code, amount, amount_usd from marts.fct_opportunities",
    )
    assert {row[0] for row in marts} == live
    assert {row[1] for row in marts} == {"USD"}
    assert all(row[3] == row[2] for row in marts if row[2] is not None)


def test_what_did_not_land_is_listed_with_what_it_makes_unavailable(
    run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, published = run
    status = dict(
        ((table, column), (state, landed_as))
        for table, column, state, landed_as in query(
            published,
            "select source_table, column_name, status, landed_as from audit.audit_raw_landing",
        )
    )
    assert status[("salesforce.lead", "mql_date__c")] == ("mapped", '"mql_date_c"')
    assert status[("salesforce.lead", "lead_score__c")] == ("mapped", '"lead_score_c"')
    assert status[("salesforce.lead", "is_deleted")] == ("mapped", '"_fivetran_deleted"')
    assert status[("salesforce.opportunity", "currency_iso_code")] == ("default", "'USD'")
    assert status[("salesforce.opportunity", "stage_name")] == ("landed", '"stage_name"')
    not_landed = {table for (table, _), (state, _) in status.items() if state == "not_landed"}
    assert len(not_landed) == 11 and "billing.subscription" in not_landed
    assert "salesforce.lead" not in not_landed
    assert "billing.subscription -> MRR, churn, LTV, LTV:CAC and CAC payback: not available" in (
        result.stdout
    )
    assert "salesforce.opportunity: currency_iso_code -> filled with 'USD'" in result.stdout


def test_unavailable_figures_are_null_not_zero(
    run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, published = run
    cac = query(
        published,
        "select icp_tier, paid_media_spend_usd, paid_cac_usd from marts.rpt_icp_performance",
    )
    assert cac and all(row[1] is None and row[2] is None for row in cac)
    assert query(published, "select count(*) from marts.rpt_churn") == [(0,)]
    # a deal's campaign cannot be checked when campaigns did not land: not an orphan
    orphans = query(
        published,
        "select count(*) from audit.audit_flagged_records "
        "where reason = 'orphan_foreign_key' and details like 'campaign_id = %'",
    )
    assert orphans == [(0,)]


def test_org_fields_are_carried_into_the_marts(
    run: tuple[subprocess.CompletedProcess[str], Path], landing: Path
) -> None:
    _, published = run
    raw = pq.read_table(landing / "salesforce" / "lead.parquet").to_pandas()
    raw["id"] = raw["id"].str.strip().replace("", None)
    latest = raw.sort_values("_fivetran_synced", na_position="first").drop_duplicates(
        "id", keep="last"
    )
    expected = dict(zip(latest["id"], latest["Segment_c"], strict=True))
    carried = query(published, "select lead_id, segment_c from marts.fct_leads_custom_fields")
    leads = query(published, "select count(*) from marts.fct_leads")[0][0]
    assert len(carried) == leads
    assert all(segment == expected[lead_id] for lead_id, segment in carried)
    assert {segment for _, segment in carried} == set(SEGMENTS)
    deals = query(
        published,
        "select count(*), count(deal_desk_approved_c) from marts.fct_opportunities_custom_fields",
    )
    assert deals == query(published, "select count(*), count(*) from marts.fct_opportunities")
    # no account field listed: the key alone, one row per account
    columns = query(
        published,
        "select column_name from information_schema.columns "
        "where table_name = 'dim_accounts_custom_fields'",
    )
    assert columns == [("account_id",)]
    assert query(published, "select count(*) from marts.dim_accounts_custom_fields") == query(
        published, "select count(*) from marts.dim_accounts"
    )


def test_a_passthrough_of_personal_data_or_of_a_column_that_did_not_land_is_refused(
    landing: Path,
) -> None:
    env = warehouse_env(
        landing.parent / "refused",
        landing,
        landing.parent / "refused_target",
        REVENUE_ENGINE_VARS=json.dumps(
            {"passthrough_columns": {"salesforce.lead": ["email", "no_such_field_c"]}}
        ),
    )
    result = pipeline(env)
    assert result.returncode != 0
    assert "FAILED: salesforce.lead.email is personal data" in result.stderr
    assert "FAILED: salesforce.lead.no_such_field_c did not land" in result.stderr


def test_an_org_specific_field_name_is_mapped(
    landing: Path, demo_warehouse: DemoWarehouse, tmp_path: Path
) -> None:
    """The lead score under the org's own name, mapped with var raw_column_map: dbt builds the leads
    mart and its ancestors (no publish needed), and it equals the demo build's."""
    raw = tmp_path / "raw"
    shutil.copytree(landing, raw)
    lead = pq.read_table(raw / "salesforce" / "lead.parquet")
    lead = lead.rename_columns(
        ["Lead_Score_Custom_c" if n == "lead_score_c" else n for n in lead.column_names]
    )
    pq.write_table(lead, raw / "salesforce" / "lead.parquet")
    mapping = {"raw_column_map": {"salesforce.lead.lead_score__c": "Lead_Score_Custom_c"}}
    database = dbt_build(
        raw,
        tmp_path,
        *("--select", "+fct_leads", "audit_raw_landing", "--exclude", "test_type:data"),
        *("--vars", json.dumps(mapping)),
    )
    with duckdb.connect(str(database), read_only=True) as connection:
        connection.execute(f"attach '{demo_warehouse.published_database}' as demo (read_only)")
        landed_as = connection.execute(
            "select status, landed_as from audit.audit_raw_landing "
            "where source_table = 'salesforce.lead' and column_name = 'lead_score__c'"
        ).fetchall()
        differing = connection.execute(
            "select count(*) from ("
            "(select * from marts.fct_leads except all select * from demo.marts.fct_leads)"
            " union all "
            "(select * from demo.marts.fct_leads except all select * from marts.fct_leads))"
        ).fetchone()[0]
    assert landed_as == [("mapped", '"lead_score_custom_c"')]
    assert differing == 0


def test_without_tasks_speed_to_lead_is_not_tracked_rather_than_never(
    landing: Path, demo_warehouse: DemoWarehouse, tmp_path: Path
) -> None:
    """No task table landed: no lead is "never touched", the touch figures are null and the band
    says 'not tracked'; the MQL and SQL counts are the demo build's. dbt builds the speed-to-lead
    reports with their ancestors and data tests (no publish needed)."""
    raw = tmp_path / "raw"
    shutil.copytree(landing, raw)
    (raw / "salesforce" / "task.parquet").unlink()
    database = dbt_build(
        raw,
        tmp_path,
        *("--select", "+rpt_speed_to_lead", "+rpt_speed_to_lead_conversion", "+fct_leads"),
        *("audit_raw_landing", "--indirect-selection", "cautious"),
    )
    demo = demo_warehouse.published_database
    with duckdb.connect(str(database), read_only=True) as connection:
        connection.execute(f"attach '{demo}' as demo (read_only)")
        status = connection.execute(
            "select distinct status from audit.audit_raw_landing "
            "where source_table = 'salesforce.task'"
        ).fetchall()
        leads = connection.execute(
            "select count(*), count(sales_touch_count), count(first_response_at),"
            " count(response_minutes) from marts.fct_leads"
        ).fetchone()
        speed = connection.execute(
            "select count(*), count(worked_count), count(never_touched_count),"
            " count(touched_within_1h_count), count(share_touched_within_48h),"
            " count(median_response_minutes) from marts.rpt_speed_to_lead"
        ).fetchone()
        bands = connection.execute(
            "select distinct response_band from marts.rpt_speed_to_lead_conversion"
        ).fetchall()
        by_month = (
            "select mql_month, channel, sum(mql_count), sum(sql_count), sum(still_open_count)"
            " from {}.marts.rpt_speed_to_lead_conversion group by all order by all"
        )
        landed_counts = connection.execute(by_month.format("build")).fetchall()
        demo_counts = connection.execute(by_month.format("demo")).fetchall()
        mqls_sql = "select sum(mql_count) from {}.marts.rpt_speed_to_lead"
        mqls = connection.execute(mqls_sql.format("build")).fetchone()[0]
        demo_mqls = connection.execute(mqls_sql.format("demo")).fetchone()[0]
    assert status == [("not_landed",)]
    assert leads[0] > 4000 and leads[1:] == (0, 0, 0)
    assert speed[0] > 0 and speed[1:] == (0, 0, 0, 0, 0)
    assert bands == [("not tracked",)]
    assert landed_counts == demo_counts
    assert mqls == demo_mqls > 0
