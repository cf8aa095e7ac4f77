"""Tests of the demo-company generator (`revenue_engine.generate`).

The generator runs a few times per module at a small scale; every assertion reads the written
Parquet files (with DuckDB), never the generator's internals. Column lists come from the
contract's one definition, the source YAML (`revenue_engine.contract`). True ICP fit is
recomputed from each lead's industry, size and country, exactly as a user of the data would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_engine.contract import load_contract
from revenue_engine.generate import generate

PROJECT = Path(__file__).resolve().parents[2]
LEADS = 3000
SEED = 7
END_DATE = date(2026, 6, 30)
LOAD_TIME = datetime(2026, 6, 30, 6, 0)
SALESFORCE_WITH_DELETES = [
    "account",
    "lead",
    "contact",
    "opportunity",
    "opportunity_history",
    "opportunity_contact_role",
    "task",
    "campaign",
    "campaign_member",
]
PAID_SOURCES = ("Google Ads", "LinkedIn Ads", "Facebook Ads")
FIT = """
    industry in ('Software', 'Financial Services', 'Healthcare')
    and number_of_employees between 200 and 5000
    and country in ('US', 'GB', 'DE', 'CA', 'NL', 'AU')
"""


def contract_tables() -> dict[str, list[str]]:
    """`<source>/<table>` -> columns, from the contract's one definition (the source YAML)."""
    return {key: table.column_names for key, table in load_contract().items()}


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per generated table, named after the table."""
    con = duckdb.connect()
    for path in sorted(folder.glob("*/*.parquet")):
        con.execute(f"create view \"{path.stem}\" as select * from read_parquet('{path}')")
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value `sql` returns."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated folders: dirty (twice, for determinism), clean, another seed, small chunks."""
    base = tmp_path_factory.mktemp("generate")
    plans = {
        "dirty": {"seed": SEED},
        "dirty_again": {"seed": SEED},
        "clean": {"seed": SEED, "dirt_rate": 0.0},
        "other_seed": {"seed": SEED + 1},
    }
    out = {}
    for name, kwargs in plans.items():
        out[name] = base / name
        counts = generate(out[name], leads=LEADS, end_date=END_DATE, **kwargs)
        (out[name] / "counts.json").write_text(json.dumps(counts))
    for name, workers in (("chunked", 0), ("chunked_in_workers", 2)):
        out[name] = base / name
        generate(out[name], leads=1500, seed=SEED, dirt_rate=0.0, chunk_size=400, workers=workers)
    return out


@pytest.fixture(scope="module")
def clean(runs: dict[str, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The clean run (dirt_rate = 0)."""
    con = connect(runs["clean"])
    con.execute(f"create view lead_fit as select *, ({FIT}) as is_fit from lead")
    yield con
    con.close()


@pytest.fixture(scope="module")
def dirty(runs: dict[str, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The default run (dirt_rate = 0.02)."""
    con = connect(runs["dirty"])
    yield con
    con.close()


# --- files, columns, types, determinism -------------------------------------------------------


def test_every_contract_table_is_written_with_its_columns_in_order(runs: dict[str, Path]) -> None:
    tables = contract_tables()
    assert len(tables) == 17
    for name, columns in tables.items():
        path = runs["dirty"] / f"{name}.parquet"
        assert path.exists(), name
        assert pq.read_schema(path).names == columns, name
    assert sorted(
        p.relative_to(runs["dirty"]).as_posix() for p in runs["dirty"].glob("*/*.parquet")
    ) == sorted(f"{name}.parquet" for name in tables)


def test_columns_have_sensible_arrow_types(runs: dict[str, Path]) -> None:
    for path in runs["dirty"].glob("*/*.parquet"):
        schema = pq.read_schema(path)
        for field in schema:
            name = field.name
            if name in ("_fivetran_synced", "_loaded_at", "created_date") or name.endswith(
                ("_at", "_date__c")
            ):
                assert field.type == pa.timestamp("us"), (path, name)
            elif name in (
                "close_date",
                "activity_date",
                "start_date",
                "end_date",
                "date",
                "day",
                "month",
            ):
                assert field.type == pa.date32(), (path, name)
            elif name.startswith(("is_", "has_", "bant_")):
                assert field.type == pa.bool_(), (path, name)
            elif name == "id" or name.endswith("_id"):
                assert field.type == pa.string(), (path, name)


def test_same_arguments_give_identical_bytes(runs: dict[str, Path]) -> None:
    for path in runs["dirty"].glob("*/*.parquet"):
        twin = runs["dirty_again"] / path.relative_to(runs["dirty"])
        assert path.read_bytes() == twin.read_bytes(), path


def test_chunks_built_in_worker_processes_give_identical_bytes(runs: dict[str, Path]) -> None:
    for path in runs["chunked"].glob("*/*.parquet"):
        twin = runs["chunked_in_workers"] / path.relative_to(runs["chunked"])
        assert path.read_bytes() == twin.read_bytes(), path


def test_another_seed_gives_other_data(runs: dict[str, Path]) -> None:
    for name in ("salesforce/lead", "salesforce/opportunity", "google_ads/campaign_stats"):
        first = (runs["dirty"] / f"{name}.parquet").read_bytes()
        assert first != (runs["other_seed"] / f"{name}.parquet").read_bytes(), name


def test_returned_row_counts_match_the_files(runs: dict[str, Path]) -> None:
    counts = json.loads((runs["dirty"] / "counts.json").read_text())
    assert set(counts) == set(contract_tables())
    for name, rows in counts.items():
        assert pq.read_metadata(runs["dirty"] / f"{name}.parquet").num_rows == rows, name
    assert counts["salesforce/lead"] >= LEADS


def test_ids_look_like_salesforce_ids(clean: duckdb.DuckDBPyConnection) -> None:
    prefixes = {
        "lead": "00Q",
        "opportunity": "006",
        "account": "001",
        "user": "005",
        "contact": "003",
    }
    prefixes |= {"task": "00T", "campaign": "701", "campaign_member": "00v"}
    for table, prefix in prefixes.items():
        bad = scalar(
            clean,
            f"select count(*) from \"{table}\" where id not similar to '{prefix}[0-9A-Za-z]{{15}}'",
        )
        assert bad == 0, table


# --- integrity of the clean set ---------------------------------------------------------------

FOREIGN_KEYS = [
    ("opportunity", "account_id", "account", "id"),
    ("opportunity", "owner_id", "user", "id"),
    ("opportunity", "campaign_id", "campaign", "id"),
    ("lead", "converted_opportunity_id", "opportunity", "id"),
    ("lead", "converted_account_id", "account", "id"),
    ("lead", "converted_contact_id", "contact", "id"),
    ("lead", "owner_id", "user", "id"),
    ("task", "what_id", "opportunity", "id"),
    ("task", "owner_id", "user", "id"),
    ("opportunity_history", "opportunity_id", "opportunity", "id"),
    ("opportunity_contact_role", "opportunity_id", "opportunity", "id"),
    ("opportunity_contact_role", "contact_id", "contact", "id"),
    ("contact", "account_id", "account", "id"),
    ("account", "owner_id", "user", "id"),
    ("campaign_member", "campaign_id", "campaign", "id"),
    ("campaign_member", "lead_id", "lead", "id"),
    ("campaign_member", "contact_id", "contact", "id"),
    ("subscription", "account_id", "account", "id"),
    ("user", "manager_id", "user", "id"),
    ("campaign_stats", "campaign_name", "campaign", "utm_campaign__c"),
    ("ad_analytics_by_campaign", "campaign_name", "campaign", "utm_campaign__c"),
    ("basic_campaign", "campaign_name", "campaign", "utm_campaign__c"),
    ("lead", "utm_campaign__c", "campaign", "utm_campaign__c"),
]


def _orphans(con: duckdb.DuckDBPyConnection, table: str, column: str, parent: str, key: str) -> int:
    return int(
        scalar(
            con,
            f'select count(*) from "{table}" c where c.{column} is not null '
            f'and c.{column} not in (select {key} from "{parent}")',
        )
    )


@pytest.mark.parametrize("run", ["clean", "chunked"])
def test_clean_ids_are_unique_and_every_foreign_key_resolves(
    runs: dict[str, Path], run: str
) -> None:
    con = connect(runs[run])
    for table in [*SALESFORCE_WITH_DELETES, "user", "subscription", "expenses"]:
        total, distinct = con.execute(
            f'select count(*), count(distinct id) from "{table}"'
        ).fetchone()
        assert total == distinct > 0, table
    for table, column, parent, key in FOREIGN_KEYS:
        assert _orphans(con, table, column, parent, key) == 0, (table, column)
    who = "select id from lead union all select id from contact"
    assert scalar(con, f"select count(*) from task where who_id not in ({who})") == 0
    assert scalar(con, "select count(*) from task where who_id is null") == 0
    assert (
        scalar(
            con, "select count(*) from lead where is_converted and converted_opportunity_id is null"
        )
        == 0
    )


def test_clean_set_has_no_dirt(clean: duckdb.DuckDBPyConnection) -> None:
    for table in SALESFORCE_WITH_DELETES:
        assert scalar(clean, f'select count(*) from "{table}" where is_deleted') == 0, table
    assert (
        scalar(
            clean,
            "select count(*) from lead where phone is null or title is null or industry is null",
        )
        == 0
    )
    sources = "select lead_source from lead where lead_source is not null"
    assert {r[0] for r in clean.execute(sources).fetchall()} == {
        *PAID_SOURCES,
        "Organic Search",
        "Website Direct",
        "Webinar",
        "Trade Show",
        "Referral",
        "Partner",
        "Outbound Prospecting",
    }
    stages = {r[0] for r in clean.execute("select stage_name from opportunity_history").fetchall()}
    assert stages == {
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    }


def test_opportunities_are_internally_consistent(clean: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "won implies closed": "is_won and not is_closed",
        "closed before created": "is_closed and close_date < created_date::date",
        "won stage": "is_won <> (stage_name = 'Closed Won')",
        "lost stage": "(is_closed and not is_won) <> (stage_name = 'Closed Lost')",
        "loss reason only when lost": "(loss_reason__c is not null) <> (is_closed and not is_won)",
        "probability": "(is_won and probability <> 100)"
        " or (is_closed and not is_won and probability <> 0)",
        "closed amount": "is_closed and amount is null",
        "currency": "currency_iso_code not in ('USD', 'EUR', 'GBP', 'CAD', 'AUD')",
    }
    for label, condition in checks.items():
        assert scalar(clean, f"select count(*) from opportunity where {condition}") == 0, label
    assert (
        scalar(clean, "select count(*) from opportunity where not is_closed and amount is null") > 0
    )
    assert scalar(
        clean, "select count(distinct stage_name || forecast_category) from opportunity"
    ) == scalar(clean, "select count(distinct stage_name) from opportunity")
    types = {r[0] for r in clean.execute("select distinct type from opportunity").fetchall()}
    assert types == {"New Business", "Expansion", "Renewal"}


def test_stage_history_starts_at_creation_and_ends_at_the_current_stage(
    clean: duckdb.DuckDBPyConnection,
) -> None:
    mismatches = scalar(
        clean,
        """
        with ordered as (
            select opportunity_id, stage_name, created_date,
                row_number() over (partition by opportunity_id order by created_date) as first_n,
                row_number() over (partition by opportunity_id order by created_date desc) as last_n
            from opportunity_history
        )
        select count(*) from opportunity o
        left join ordered f on f.opportunity_id = o.id and f.first_n = 1
        left join ordered l on l.opportunity_id = o.id and l.last_n = 1
        where f.created_date is distinct from o.created_date
            or l.stage_name is distinct from o.stage_name
        """,
    )
    assert mismatches == 0
    # stalls: some open deals have sat in their current stage for more than 60 days
    stalled = scalar(
        clean,
        """
        select count(*) from opportunity o
        join (
            select opportunity_id, max(created_date) as entered
            from opportunity_history group by 1
        ) h on h.opportunity_id = o.id
        where not o.is_closed and h.entered < timestamp '2026-06-30' - interval 60 day
        """,
    )
    assert stalled > 0
    # some deals skip a stage; deals are lost from several different stages
    paths = """
        select opportunity_id, stage_name,
            list_position(
                ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition',
                 'Proposal/Price Quote', 'Negotiation/Review'],
                stage_name
            ) as position,
            lag(stage_name) over deal as previous,
            lag(position) over deal as previous_position
        from opportunity_history
        window deal as (partition by opportunity_id order by created_date)
    """
    skips = f"select count(*) from ({paths}) where position - previous_position > 1"
    assert scalar(clean, skips) > 0
    lost_from = f"select count(distinct previous) from ({paths}) where stage_name = 'Closed Lost'"
    assert scalar(clean, lost_from) >= 4
    closed_at = "select stage_name from opportunity_history where stage_name like 'Closed%'"
    assert scalar(clean, f"select count(*) from ({closed_at})") == scalar(
        clean, "select count(*) from opportunity where is_closed"
    )


def test_contact_roles_have_one_primary_and_one_to_four_people(
    clean: duckdb.DuckDBPyConnection,
) -> None:
    row = clean.execute(
        """
        select min(people), max(people), min(primaries), max(primaries), count(*)
        from (
            select opportunity_id, count(*) as people,
                count(*) filter (where is_primary) as primaries
            from opportunity_contact_role group by 1
        )
        """
    ).fetchone()
    assert row[:4] == (1, 4, 1, 1)
    assert row[4] == scalar(clean, "select count(*) from opportunity")


def test_leads_funnel_fields_are_consistent(clean: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "mql before created": "mql_date__c < created_date",
        "sql before mql": "sql_date__c < mql_date__c",
        "converted before created": "converted_date < created_date",
        "converted without ids": "is_converted"
        " and (converted_account_id is null or converted_contact_id is null)",
        "status converted": "is_converted <> (status = 'Converted')",
        "reason only when disqualified": "(disqualified_reason__c is not null)"
        " <> (status = 'Disqualified')",
        "score range": "lead_score__c not between 0 and 100",
        "utm on paid leads": f"lead_source in {PAID_SOURCES} and utm_campaign__c is null",
    }
    for label, condition in checks.items():
        assert scalar(clean, f"select count(*) from lead where {condition}") == 0, label
    statuses = {r[0] for r in clean.execute("select distinct status from lead").fetchall()}
    assert statuses == {"Open", "Working", "Nurturing", "Qualified", "Disqualified", "Converted"}
    reasons = {
        r[0] for r in clean.execute("select distinct disqualified_reason__c from lead").fetchall()
    }
    assert {
        "No Budget",
        "Not Decision Maker",
        "Bad Fit",
        "Competitor",
        "No Response",
        "Student/Job Seeker",
    } <= reasons
    # BANT is filled once sales worked the lead, null before
    assert (
        scalar(
            clean,
            "select count(*) from lead where mql_date__c is null and not is_converted"
            " and bant_need__c is not null",
        )
        == 0
    )
    assert (
        scalar(
            clean,
            "select count(*) from lead where sql_date__c is not null and bant_need__c is null",
        )
        == 0
    )


def test_some_leads_skip_stages(clean: duckdb.DuckDBPyConnection) -> None:
    share = scalar(
        clean,
        "select avg((mql_date__c is null or sql_date__c is null)::int)"
        " from lead where is_converted",
    )
    assert 0.005 <= share <= 0.1


# --- time window and loads --------------------------------------------------------------------


def test_window_is_24_months_ending_on_end_date(clean: duckdb.DuckDBPyConnection) -> None:
    first, last, months = clean.execute(
        "select min(created_date), max(created_date),"
        " count(distinct date_trunc('month', created_date)) from lead"
    ).fetchone()
    assert first >= datetime(2024, 7, 1)
    assert last < LOAD_TIME
    assert months == 24
    events = {
        "lead": ["created_date", "mql_date__c", "sql_date__c", "converted_date"],
        "opportunity": ["created_date"],
        "opportunity_history": ["created_date"],
        "task": ["created_date"],
        "campaign_member": ["created_date"],
        "contact": ["created_date"],
        "account": ["created_date"],
        "subscription": ["started_at", "ended_at"],
    }
    for table, columns in events.items():
        for column in columns:
            latest = scalar(clean, f'select max({column}) from "{table}"')
            assert latest <= datetime(2026, 6, 30, 23, 59, 59), (table, column)
    assert scalar(clean, "select max(close_date) from opportunity where is_closed") <= END_DATE


def test_latest_load_is_on_end_date(
    clean: duckdb.DuckDBPyConnection, dirty: duckdb.DuckDBPyConnection
) -> None:
    loads = {
        "lead": "_fivetran_synced",
        "opportunity": "_fivetran_synced",
        "task": "_fivetran_synced",
        "account": "_fivetran_synced",
        "user": "_fivetran_synced",
        "campaign_stats": "_fivetran_synced",
        "basic_campaign": "_fivetran_synced",
        "ad_analytics_by_campaign": "_fivetran_synced",
        "expenses": "_loaded_at",
        "subscription": "_loaded_at",
    }
    for con in (clean, dirty):
        for table, column in loads.items():
            assert scalar(con, f'select max({column}) from "{table}"') == LOAD_TIME, table


def test_fx_rates_cover_every_day_and_currency(clean: duckdb.DuckDBPyConnection) -> None:
    days, currencies, rows = clean.execute(
        "select count(distinct date), count(distinct currency_code), count(*) from fx_rates"
    ).fetchone()
    assert days == (END_DATE - date(2024, 7, 1)).days + 1
    assert rows == days * currencies
    assert (
        scalar(
            clean, "select count(*) from fx_rates where currency_code = 'USD' and rate_to_usd <> 1"
        )
        == 0
    )
    used = """
        select currency_iso_code from opportunity union select currency_code from subscription
        union select currency_code from expenses union select currency_code from campaign_stats
        union select currency_code from ad_analytics_by_campaign
        union select account_currency from basic_campaign
    """
    assert (
        scalar(
            clean,
            f"select count(*) from ({used})"
            " where currency_iso_code not in (select currency_code from fx_rates)",
        )
        == 0
    )
    currencies_used = {r[0] for r in clean.execute(used).fetchall()}
    assert {"USD", "EUR", "GBP", "CAD"} <= currencies_used


def test_recent_cohorts_are_immature(clean: duckdb.DuckDBPyConnection) -> None:
    open_share = """
        select avg((status in ('Open', 'Working', 'Qualified'))::int) from lead
        where created_date {} timestamp '2026-06-01'
    """
    assert scalar(clean, open_share.format(">=")) > 3 * scalar(clean, open_share.format("<"))
    assert scalar(clean, "select count(*) from opportunity where not is_closed") > 0


# --- dirt -------------------------------------------------------------------------------------


def test_dirt_adds_resynced_duplicates_with_an_older_load(dirty: duckdb.DuckDBPyConnection) -> None:
    for table in [*SALESFORCE_WITH_DELETES, "user"]:
        duplicates = scalar(dirty, f'select count(*) - count(distinct id) from "{table}"')
        assert duplicates > 0, table
    changed = scalar(
        dirty,
        """
        select count(*) from (
            select id, count(distinct status) as statuses, count(distinct _fivetran_synced) as loads
            from lead group by id having count(*) > 1
        ) where statuses = 2 and loads = 2
        """,
    )
    assert changed > 0


def test_dirt_soft_deletes_nulls_unmapped_values_and_orphans(
    dirty: duckdb.DuckDBPyConnection,
) -> None:
    for table in SALESFORCE_WITH_DELETES:
        assert scalar(dirty, f'select count(*) from "{table}" where is_deleted') > 0, table
    for column in ("phone", "title", "annual_revenue", "industry"):
        assert scalar(dirty, f"select count(*) from lead where {column} is null") > 0, column
    unmapped = "('web-form-legacy', 'Partner Referal', 'Website - Direct', 'tradeshow')"
    assert scalar(dirty, f"select count(*) from lead where lead_source in {unmapped}") > 0
    assert (
        scalar(
            dirty, "select count(*) from opportunity_history where stage_name = 'Discovery (old)'"
        )
        > 0
    )
    assert (
        scalar(dirty, "select count(*) from opportunity where stage_name = 'Discovery (old)'") > 0
    )
    who = "select id from lead union all select id from contact"
    assert scalar(dirty, f"select count(*) from task where who_id not in ({who})") > 0
    assert _orphans(dirty, "campaign_member", "campaign_id", "campaign", "id") > 0
    assert _orphans(dirty, "opportunity", "account_id", "account", "id") > 0


def test_dirt_is_bounded_and_the_clean_part_is_the_clean_run(
    runs: dict[str, Path], clean: duckdb.DuckDBPyConnection, dirty: duckdb.DuckDBPyConnection
) -> None:
    for table in ["lead", "opportunity", "task", "account", "contact"]:
        clean_ids = {r[0] for r in clean.execute(f'select id from "{table}"').fetchall()}
        dirty_ids = {r[0] for r in dirty.execute(f'select distinct id from "{table}"').fetchall()}
        assert clean_ids == dirty_ids, table
        extra = scalar(dirty, f'select count(*) from "{table}"') - len(clean_ids)
        assert 0 < extra <= 0.05 * len(clean_ids) + 1, table
    same = scalar(
        dirty,
        f"""
        select avg((l.created_date = c.created_date and l.status = c.status)::int)
        from (
            select * from lead
            qualify row_number() over (partition by id order by _fivetran_synced desc) = 1
        ) l
        join read_parquet('{runs["clean"] / "salesforce/lead.parquet"}') c using (id)
        """,
    )
    assert same == 1.0


# --- dynamics ---------------------------------------------------------------------------------


def _stage_rates(con: duckdb.DuckDBPyConnection) -> dict[bool, tuple[float, ...]]:
    rows = con.execute(
        """
        with l as (
            select is_fit,
                mql_date__c is not null or is_converted as mql,
                sql_date__c is not null or is_converted as sql,
                is_converted as opp,
                coalesce(o.is_won, false) as won,
                coalesce(o.is_closed, false) as closed
            from lead_fit left join opportunity o on o.id = converted_opportunity_id
        )
        select is_fit,
            avg(mql::int),
            sum(sql::int) / sum(mql::int),
            sum(opp::int) / sum(sql::int),
            sum(won::int) / sum(closed::int)
        from l group by 1
        """
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_fit_leads_convert_better_at_every_stage(clean: duckdb.DuckDBPyConnection) -> None:
    rates = _stage_rates(clean)
    for stage, fit, other in zip(
        ["lead->MQL", "MQL->SQL", "SQL->opp", "opp->won"], rates[True], rates[False], strict=True
    ):
        assert fit > other * 1.1, (stage, fit, other)


def test_fit_deals_close_faster_and_bigger(clean: duckdb.DuckDBPyConnection) -> None:
    rows = clean.execute(
        """
        select l.is_fit,
            median(date_diff('day', o.created_date::date, o.close_date)),
            avg(o.amount * fx.rate_to_usd)
        from lead_fit l
        join opportunity o on o.id = l.converted_opportunity_id
        join fx_rates fx on fx.date = o.close_date and fx.currency_code = o.currency_iso_code
        where o.is_won and o.type = 'New Business'
        group by 1
        """
    ).fetchall()
    by_fit = {row[0]: row[1:] for row in rows}
    assert by_fit[True][0] < by_fit[False][0]
    assert by_fit[True][1] > 1.3 * by_fit[False][1]


def test_fit_customers_churn_less(clean: duckdb.DuckDBPyConnection) -> None:
    rows = clean.execute(
        f"""
        select {FIT.replace("country", "billing_country")} as is_fit,
            avg((s.status = 'canceled')::int), count(*)
        from subscription s join account a on a.id = s.account_id
        where s.plan <> 'Add-on'
        group by 1
        """
    ).fetchall()
    churn = {row[0]: row[1] for row in rows}
    assert churn[True] < churn[False]
    assert (
        scalar(
            clean,
            "select count(*) from subscription where status = 'canceled' and ended_at is null",
        )
        == 0
    )


def test_paid_volume_channels_bring_lower_fit_than_referrals(
    clean: duckdb.DuckDBPyConnection,
) -> None:
    rows = clean.execute("select lead_source, avg(is_fit::int) from lead_fit group by 1").fetchall()
    share = dict(rows)
    for paid in ("Google Ads", "Facebook Ads"):
        for warm in ("Referral", "Partner", "Outbound Prospecting"):
            assert share[paid] < share[warm], (paid, warm)


def test_fast_first_touch_reaches_sql_twice_as_often(clean: duckdb.DuckDBPyConnection) -> None:
    rows = clean.execute(
        """
        with first_touch as (
            select t.who_id, min(t.created_date) as touched
            from task t join "user" u on u.id = t.owner_id
            where u.department in ('Sales Development', 'Account Executive')
                and t.type in ('Call', 'Email')
            group by 1
        ), banded as (
            select case
                    when l.touched - lead.mql_date__c <= interval 1 hour then 'fast'
                    when l.touched - lead.mql_date__c > interval 48 hour then 'slow'
                end as band,
                lead.sql_date__c is not null as reached_sql
            from lead join first_touch l on l.who_id = lead.id
            where lead.mql_date__c is not null
        )
        select band, avg(reached_sql::int), count(*) from banded where band is not null group by 1
        """
    ).fetchall()
    rate = {row[0]: row[1] for row in rows}
    assert rate["fast"] > 1.6 * rate["slow"]
    assert (
        scalar(
            clean,
            "select count(*) from task t join lead l on l.id = t.who_id"
            " where t.created_date < l.created_date",
        )
        == 0
    )


def test_poor_fit_deals_take_more_rep_effort(clean: duckdb.DuckDBPyConnection) -> None:
    rows = clean.execute(
        """
        select l.is_fit, count(t.id) / count(distinct o.id)
        from lead_fit l
        join opportunity o on o.id = l.converted_opportunity_id
        left join task t on t.what_id = o.id
        where o.is_closed
        group by 1
        """
    ).fetchall()
    effort = dict(rows)
    assert effort[False] > effort[True]


def test_spend_scales_to_a_plausible_cac(clean: duckdb.DuckDBPyConnection) -> None:
    paid = scalar(
        clean,
        """
        select sum(usd) from (
            select c.cost_micros / 1e6 * fx.rate_to_usd as usd from campaign_stats c
            join fx_rates fx on fx.date = c.date and fx.currency_code = c.currency_code
            union all
            select c.cost_in_local_currency * fx.rate_to_usd from ad_analytics_by_campaign c
            join fx_rates fx on fx.date = c.day and fx.currency_code = c.currency_code
            union all
            select c.spend * fx.rate_to_usd from basic_campaign c
            join fx_rates fx on fx.date = c.date and fx.currency_code = c.account_currency
        )
        """,
    )
    customers = scalar(
        clean,
        "select count(distinct account_id) from opportunity where is_won and type = 'New Business'",
    )
    assert 1_000 <= paid / customers <= 15_000
    expenses = scalar(
        clean, "select count(distinct channel), count(distinct category) from expenses"
    )
    assert expenses >= 5


# --- command line -----------------------------------------------------------------------------


def test_command_line_writes_every_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "revenue_engine.generate",
            "--out",
            str(tmp_path),
            "--leads",
            "200",
            "--seed",
            "3",
            "--no-progress",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("*/*.parquet"))) == 17
    assert "salesforce/lead" in result.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "revenue_engine.generate",
            "--out",
            str(tmp_path),
            "--dirt-rate",
            "0.9",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "dirt rate" in bad.stderr
