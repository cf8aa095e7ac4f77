"""The bad-input catalogue (docs/bad-input-catalogue.md), each class on a small crafted raw fixture.

A clean miniature company is written with the contract helpers (revenue_engine.loaders.contract),
then bad rows are added and dbt (or the pipeline) runs on it in a subprocess, with its own DuckDB
file and target folder. The outcomes:

- fail: the run stops with an error naming the table, the column and the value;
- quarantine: the record is in `audit_quarantined_records` with its reason, absent from the mart;
- flag: the record is in `audit_flagged_records` with its reason, and present in the mart;
- superseded / soft-deleted: counted in `audit_raw_row_reconciliation`, absent from the mart.

To keep the file fast, every quarantine/flag class is injected into ONE fixture (each on its own
records) and built once; the fail classes that stop the run at start share runs where the error
messages can be told apart. All runs share one sandbox (same paths, same target folder) so dbt
parses the project once and then only partially.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pyarrow.parquet as pq
import pytest
from raw_fixtures import (
    EARLIER,
    LOAD,
    SELECT,
    Built,
    Sandbox,
    at,
    change,
    clean_company,
    day,
    opportunity,
    row,
    write_company,
)

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("bad_input"))


# --- quarantine, flag, supersede, soft-delete: one build ------------------------------------------


def dirty_company() -> dict[str, list[dict[str, Any]]]:
    """The clean company plus one record per quarantine/flag class (ids say which)."""
    tables = clean_company()
    leads = tables["salesforce/lead"]
    opportunities = tables["salesforce/opportunity"]
    changes = tables["salesforce/opportunity_history"]
    # superseded: an older load of L2 with a stale status; soft-deleted: L_SOFT
    leads.append(
        row(
            "salesforce/lead",
            id="00QL2",
            company="Two",
            lead_source="Webinar",
            status="Stale",
            owner_id="005SDR",
            created_date=at("2026-02-01"),
            _fivetran_synced=EARLIER,
        )
    )
    leads.append(
        row(
            "salesforce/lead",
            id="00QSOFT",
            lead_source="Webinar",
            created_date=at("2026-02-02"),
            is_deleted=True,
        )
    )
    # quarantine: created after as_of_date, no created date, conflicting copies at the same load
    leads.append(
        row("salesforce/lead", id="00QFUTURE", lead_source="Webinar", created_date=at("2027-01-01"))
    )
    leads.append(row("salesforce/lead", id="00QNOCREATED", lead_source="Webinar"))
    leads.append(
        row(
            "salesforce/lead",
            id="00QDUP",
            lead_source="Webinar",
            status="Open",
            created_date=at("2026-02-03"),
        )
    )
    leads.append(
        row(
            "salesforce/lead",
            id="00QDUP",
            lead_source="Webinar",
            status="Working",
            created_date=at("2026-02-03"),
        )
    )
    # flag: an unknown lead source; a lead converted into a quarantined deal
    leads.append(
        row(
            "salesforce/lead",
            id="00QPIGEON",
            lead_source="Carrier Pigeon",
            created_date=at("2026-02-04"),
        )
    )
    leads.append(
        row(
            "salesforce/lead",
            id="00QTONEG",
            lead_source="Webinar",
            created_date=at("2026-02-05"),
            is_converted=True,
            converted_date=at("2026-02-06"),
            converted_opportunity_id="006NEG",
        )
    )
    # quarantine: negative amount (with a change, which follows it), unknown currency
    opportunities.append(opportunity("006NEG", amount=-500.0))
    changes.append(change("017HNEG", "006NEG", "Qualification", "2026-01-21"))
    opportunities.append(opportunity("006XYZ", amount=100.0, currency_iso_code="XYZ"))
    # quarantine: a change to a deal that never existed; a change to a soft-deleted deal
    changes.append(change("017HORPHAN", "006NOWHERE", "Qualification", "2026-01-22"))
    opportunities.append(opportunity("006DEL", amount=10.0, is_deleted=True))
    changes.append(change("017HDEL", "006DEL", "Qualification", "2026-01-23"))
    # quarantine: a change dated after as_of_date
    changes.append(change("017HFUTURE", "006O2", "Negotiation/Review", "2026-08-01"))
    # flag: unknown stage, close before create, missing FX rate, orphan account, soft-deleted
    # account, missing created date, probability out of range, closed after as_of_date, flags
    # contradicting the stage
    opportunities += [
        opportunity("006STAGE", amount=10.0, stage_name="Discovery (old)"),
        opportunity(
            "006INVERTED",
            amount=10.0,
            stage_name="Closed Lost",
            is_closed=True,
            close_date=day("2026-01-02"),
        ),
        opportunity(
            "006CAD",
            amount=10.0,
            currency_iso_code="CAD",
            stage_name="Closed Won",
            is_closed=True,
            is_won=True,
            close_date=day("2026-02-01"),
        ),
        opportunity("006ORPHANACC", amount=10.0, account_id="001NOWHERE"),
        opportunity("006DELACC", amount=10.0, account_id="001ADEL"),
        opportunity("006NOCREATED", amount=10.0, created_date=None),
        opportunity("006PROB", amount=10.0, probability=150.0),
        opportunity(
            "006LATE",
            amount=10.0,
            stage_name="Closed Won",
            is_closed=True,
            is_won=True,
            close_date=day("2026-12-01"),
        ),
        opportunity(
            "006FLAGS",
            amount=10.0,
            stage_name="Closed Won",
            is_closed=True,
            is_won=False,
            close_date=day("2026-03-01"),
        ),
    ]
    tables["salesforce/account"].append(
        row(
            "salesforce/account",
            id="001ADEL",
            name="Deleted",
            created_date=at("2026-01-05"),
            is_deleted=True,
        )
    )
    # quarantine: negative spend (Google), negative clicks (Facebook), spend after as_of_date
    # (LinkedIn)
    tables["google_ads/campaign_stats"].append(
        row(
            "google_ads/campaign_stats",
            date=day("2026-06-02"),
            customer_id="g1",
            campaign_id="gcneg",
            campaign_name="spring_search",
            cost_micros=-1_000_000,
            currency_code="USD",
            impressions=1,
            clicks=1,
        )
    )
    tables["facebook_ads/basic_campaign"].append(
        row(
            "facebook_ads/basic_campaign",
            date=day("2026-06-02"),
            account_id="f1",
            campaign_id="fcneg",
            campaign_name="spring_social",
            spend=1.0,
            account_currency="USD",
            impressions=1,
            clicks=-3,
        )
    )
    tables["linkedin_ads/ad_analytics_by_campaign"].append(
        row(
            "linkedin_ads/ad_analytics_by_campaign",
            day=day("2026-07-15"),
            campaign_id="lcfuture",
            campaign_name="spring_social",
            cost_in_local_currency=3.0,
            currency_code="EUR",
            impressions=1,
            clicks=1,
        )
    )
    # quarantine: a negative expense; a subscription in an unknown currency; an unusable FX rate
    tables["finance/expenses"].append(
        row(
            "finance/expenses",
            id="ENEG",
            month=day("2026-05-01"),
            department="marketing",
            category="program",
            amount=-50.0,
            currency_code="USD",
        )
    )
    tables["billing/subscription"].append(
        row(
            "billing/subscription",
            id="SXYZ",
            account_id="001A2",
            plan="Growth",
            mrr=10.0,
            currency_code="XYZ",
            started_at=at("2026-03-02"),
            status="active",
        )
    )
    for rate in tables["finance/fx_rates"]:
        if rate["currency_code"] == "GBP" and rate["date"] == day("2026-03-10"):
            rate["rate_to_usd"] = 0.0
    # accepted: an empty table (no campaign members)
    tables["salesforce/campaign_member"] = []
    return tables


@pytest.fixture(scope="module")
def dirty_build(sandbox: Sandbox) -> Built:
    """The dirty company, with an extra column and a CSV table, built once (models and tests)."""
    write_company(
        sandbox.raw,
        dirty_company(),
        csv_tables=("salesforce/contact",),
        extra_columns={"salesforce/account": {"custom_tier__c": ["gold", "silver", None, None]}},
    )
    result = sandbox.dbt("build", *SELECT)
    assert result.returncode == 0, result.stdout[-6000:]
    copy = sandbox.root / "dirty.duckdb"
    shutil.copyfile(sandbox.database, copy)
    return Built(copy)


def quarantined(sandbox: Built) -> set[tuple[str, str, str]]:
    return set(
        sandbox.query("select source_table, record_id, reason from audit.audit_quarantined_records")
    )


def flagged(sandbox: Built) -> set[tuple[str, str, str]]:
    return set(
        sandbox.query("select source_table, record_id, reason from audit.audit_flagged_records")
    )


def mart_ids(sandbox: Built, mart: str, column: str) -> set[str]:
    return {value for (value,) in sandbox.query(f"select {column} from marts.{mart}")}


QUARANTINED = [
    # (class, raw table, record id, reason, mart, mart key column, mart key value)
    (
        "date after as_of_date",
        "salesforce.lead",
        "00QFUTURE",
        "date_after_as_of_date",
        "fct_leads",
        "lead_id",
        "00QFUTURE",
    ),
    (
        "null required value (lead created date)",
        "salesforce.lead",
        "00QNOCREATED",
        "missing_created_date",
        "fct_leads",
        "lead_id",
        "00QNOCREATED",
    ),
    (
        "duplicate id, conflicting copies at one load",
        "salesforce.lead",
        "00QDUP",
        "conflicting_duplicate_id",
        "fct_leads",
        "lead_id",
        "00QDUP",
    ),
    (
        "negative amount",
        "salesforce.opportunity",
        "006NEG",
        "negative_amount",
        "fct_opportunities",
        "opportunity_id",
        "006NEG",
    ),
    (
        "unknown currency",
        "salesforce.opportunity",
        "006XYZ",
        "unknown_currency",
        "fct_opportunities",
        "opportunity_id",
        "006XYZ",
    ),
    (
        "orphan foreign key (change of a deal that never existed)",
        "salesforce.opportunity_history",
        "017HORPHAN",
        "orphan_foreign_key",
        "fct_opportunity_stage_history",
        "opportunity_id",
        "006NOWHERE",
    ),
    (
        "soft-deleted parent with live children",
        "salesforce.opportunity_history",
        "017HDEL",
        "parent_soft_deleted",
        "fct_opportunity_stage_history",
        "opportunity_id",
        "006DEL",
    ),
    (
        "child of a quarantined record",
        "salesforce.opportunity_history",
        "017HNEG",
        "parent_quarantined",
        "fct_opportunity_stage_history",
        "opportunity_id",
        "006NEG",
    ),
    (
        "date after as_of_date (deal change)",
        "salesforce.opportunity_history",
        "017HFUTURE",
        "date_after_as_of_date",
        "fct_opportunity_stage_history",
        "entered_at",
        datetime(2026, 8, 1),
    ),
    (
        "negative amount (ad spend)",
        "google_ads.campaign_stats",
        "gcneg|2026-06-02",
        "negative_amount",
        "fct_marketing_spend_daily",
        "campaign_id",
        "gcneg",
    ),
    (
        "negative count (clicks)",
        "facebook_ads.basic_campaign",
        "fcneg|2026-06-02",
        "negative_count",
        "fct_marketing_spend_daily",
        "campaign_id",
        "fcneg",
    ),
    (
        "date after as_of_date (ad spend)",
        "linkedin_ads.ad_analytics_by_campaign",
        "lcfuture|2026-07-15",
        "date_after_as_of_date",
        "fct_marketing_spend_daily",
        "campaign_id",
        "lcfuture",
    ),
    (
        "negative amount (expense)",
        "finance.expenses",
        "ENEG",
        "negative_amount",
        "fct_expenses",
        "expense_id",
        "ENEG",
    ),
    (
        "unknown currency (subscription)",
        "billing.subscription",
        "SXYZ",
        "unknown_currency",
        "fct_subscriptions",
        "subscription_id",
        "SXYZ",
    ),
    ("unusable FX rate", "finance.fx_rates", "GBP|2026-03-10", "invalid_fx_rate", None, None, None),
]


@pytest.mark.parametrize(
    ("label", "table", "record_id", "reason", "mart", "column", "value"),
    QUARANTINED,
    ids=[case[0] for case in QUARANTINED],
)
def test_quarantined_and_absent_from_the_mart(
    dirty_build: Built,
    label: str,
    table: str,
    record_id: str,
    reason: str,
    mart: str | None,
    column: str | None,
    value: Any,
) -> None:
    assert (table, record_id, reason) in quarantined(dirty_build), label
    if mart is not None:
        assert value not in mart_ids(dirty_build, mart, column), f"{label}: still in {mart}"


def test_quarantine_detected_at_is_the_load_not_the_clock(dirty_build: Built) -> None:
    times = dirty_build.query(
        "select distinct detected_at from audit.audit_quarantined_records "
        "where source_table != 'finance.fx_rates'"
    )
    assert times == [(LOAD,)]


def test_unusable_fx_rate_is_carried_over_from_the_day_before(dirty_build: Built) -> None:
    # GBP on 2026-03-10 has rate 0 (quarantined): the filled rate is the 9th's
    assert dirty_build.query(
        "select cast(rate_to_usd as double), rate_observed_date "
        "from intermediate.int_fx_rates_filled "
        "where currency_code = 'GBP' and date_day = '2026-03-10'"
    ) == [(pytest.approx(1.3), date(2026, 3, 9))]


FLAGGED = [
    # (class, raw table, record id, reason)
    ("unknown stage", "salesforce.opportunity", "006STAGE", "unmapped_stage_name"),
    ("unknown lead source", "salesforce.lead", "00QPIGEON", "unmapped_lead_source"),
    (
        "close date before create date",
        "salesforce.opportunity",
        "006INVERTED",
        "close_before_create",
    ),
    ("missing FX rate", "salesforce.opportunity", "006CAD", "missing_fx_rate"),
    (
        "orphan foreign key (deal's account)",
        "salesforce.opportunity",
        "006ORPHANACC",
        "orphan_foreign_key",
    ),
    (
        "soft-deleted parent with a live child",
        "salesforce.opportunity",
        "006DELACC",
        "parent_soft_deleted",
    ),
    ("reference to a quarantined record", "salesforce.lead", "00QTONEG", "parent_quarantined"),
    (
        "null created date on a deal",
        "salesforce.opportunity",
        "006NOCREATED",
        "missing_created_date",
    ),
    ("value out of range", "salesforce.opportunity", "006PROB", "out_of_range"),
    ("closed after as_of_date", "salesforce.opportunity", "006LATE", "closed_after_as_of_date"),
    (
        "CRM flags contradict the stage",
        "salesforce.opportunity",
        "006FLAGS",
        "flags_disagree_with_stage",
    ),
]


@pytest.mark.parametrize(
    ("label", "table", "record_id", "reason"), FLAGGED, ids=[case[0] for case in FLAGGED]
)
def test_flagged_and_kept_in_the_mart(
    dirty_build: Built, label: str, table: str, record_id: str, reason: str
) -> None:
    assert (table, record_id, reason) in flagged(dirty_build), label
    mart, column = {
        "salesforce.opportunity": ("fct_opportunities", "opportunity_id"),
        "salesforce.lead": ("fct_leads", "lead_id"),
    }[table]
    assert record_id in mart_ids(dirty_build, mart, column), f"{label}: dropped from {mart}"


def test_flagged_values_show_as_unmapped_or_null_in_the_marts(dirty_build: Built) -> None:
    assert dirty_build.query(
        "select stage, raw_stage_name from marts.fct_opportunities "
        "where opportunity_id = '006STAGE'"
    ) == [("Discovery (old)", "Discovery (old)")]  # a name the seed lacks: placed by its flags
    assert dirty_build.query("select channel from marts.fct_leads where lead_id = '00QPIGEON'") == [
        ("unmapped",)
    ]
    assert dirty_build.query(
        "select sales_cycle_days from marts.fct_opportunities where opportunity_id = '006INVERTED'"
    ) == [(None,)]
    assert dirty_build.query(
        "select amount, amount_usd from marts.fct_opportunities where opportunity_id = '006CAD'"
    ) == [(10, None)]


def test_unmapped_values_are_listed_with_counts(dirty_build: Built) -> None:
    rows = set(
        dirty_build.query(
            "select source_table, source_column, raw_value, mapping_seed, record_count "
            "from audit.audit_unmapped_values"
        )
    )
    assert rows == {
        ("salesforce.lead", "lead_source", "Carrier Pigeon", "channel_mapping", 1),
        ("salesforce.opportunity", "stage_name", "Discovery (old)", "stage_mapping", 1),
    }


def test_a_record_is_never_both_quarantined_and_flagged(dirty_build: Built) -> None:
    held_out = {(table, record) for table, record, _ in quarantined(dirty_build)}
    kept = {(table, record) for table, record, _ in flagged(dirty_build)}
    assert not held_out & kept


def test_superseded_copy_loses_to_the_latest_load(dirty_build: Built) -> None:
    assert dirty_build.query("select lead_status from marts.fct_leads where lead_id = '00QL2'") == [
        ("Open",)
    ]
    assert not mart_ids(dirty_build, "fct_leads", "lead_id") & {"00QSOFT"}


def test_every_raw_row_is_accounted_for(dirty_build: Built) -> None:
    rows = {
        table: counts
        for table, *counts in dirty_build.query(
            "select source_table, raw_rows, staged_rows, superseded_rows, soft_deleted_rows, "
            "quarantined_rows, is_reconciled from audit.audit_raw_row_reconciliation"
        )
    }
    assert len(rows) == 17
    assert all(counts[-1] for counts in rows.values())
    # lead: 3 clean + stale copy + soft + future + no-created + 2 conflicting + 2 flagged = 11
    assert rows["salesforce.lead"][:5] == [11, 5, 2, 1, 3]
    # opportunity: 2 clean + neg + xyz + deleted + 9 flagged = 14; 2 quarantined, 1 soft-deleted
    assert rows["salesforce.opportunity"][:5] == [14, 11, 0, 1, 2]
    assert rows["salesforce.opportunity_history"][:5] == [7, 3, 0, 0, 4]
    assert rows["salesforce.account"][:5] == [4, 3, 0, 1, 0]
    assert rows["salesforce.campaign_member"][:5] == [0, 0, 0, 0, 0]  # an empty table builds


def test_extra_columns_and_csv_tables_are_accepted(dirty_build: Built) -> None:
    assert mart_ids(dirty_build, "dim_accounts", "account_id") == {"001A1", "001A2", "001A3"}
    assert dirty_build.query(
        "select raw_rows, staged_rows from audit.audit_raw_row_reconciliation "
        "where source_table = 'salesforce.contact'"
    ) == [(1, 1)]


# --- fail: the run stops, naming the table, the column and the value ------------------------------


def test_missing_column_and_non_numeric_amount_fail_and_publish_nothing(sandbox: Sandbox) -> None:
    tables = clean_company()
    write_company(sandbox.raw, tables, csv_tables=("salesforce/opportunity",))
    # a missing required column (lead.created_date; an optional one would read as null) ...
    lead = pq.read_table(sandbox.raw / "salesforce/lead.parquet").drop_columns(["created_date"])
    pq.write_table(lead, sandbox.raw / "salesforce/lead.parquet")
    # ... and a non-numeric amount in a CSV
    path = sandbox.raw / "salesforce/opportunity.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",1000.0,", ",12O0,", 1), encoding="utf-8"
    )
    sandbox.warehouse.mkdir(parents=True, exist_ok=True)
    published = sandbox.warehouse / "analytics.duckdb"
    published.write_bytes(b"the last good publish")
    sandbox.reset()

    result = sandbox.pipeline()

    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "salesforce.lead is missing required column created_date" in output
    assert "salesforce.opportunity column amount has value '12O0' that is not a double" in output
    assert "Nothing was published" in output
    assert published.read_bytes() == b"the last good publish"


MISSING = b""  # content meaning: delete the file

MALFORMED = [
    # (class, file written badly, bytes (None: truncate; MISSING: delete), words in the error)
    (
        "wrong encoding",
        "salesforce/contact.csv",
        "id,account_id,first_name,last_name,email,title,lead_source,created_date,is_deleted,_fivetran_synced\n"
        "003C1,001A1,Zo\xeb,M\xfcller,,,,2026-01-20,false,2026-06-30 06:00:00\n".encode("latin-1"),
        ["contact.csv", "utf-8"],
    ),
    ("truncated Parquet", "salesforce/account.parquet", None, ["account.parquet"]),
    (
        "CSV with a broken row",
        "salesforce/campaign.csv",
        b"id,name,type,status,start_date,end_date,budgeted_cost,actual_cost,utm_campaign__c,is_deleted,"
        b'_fivetran_synced\n701C1,"Spring, search,Paid Search,Active,2026-01-01,,,,spring_search,'
        b"false,2026-06-30 06:00:00\n",
        ["campaign.csv"],
    ),
    (
        "missing file of a required table",
        "salesforce/opportunity.parquet",
        MISSING,
        ["salesforce.opportunity has no file", "opportunity.parquet"],
    ),
]


@pytest.mark.parametrize(
    ("label", "file", "content", "words"), MALFORMED, ids=[case[0] for case in MALFORMED]
)
def test_malformed_file_fails_naming_the_file(
    sandbox: Sandbox, label: str, file: str, content: bytes | None, words: list[str]
) -> None:
    write_company(sandbox.raw, clean_company())
    target = sandbox.raw / file
    if content is None:  # truncate the Parquet file the clean company wrote
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2])
    elif content == MISSING:
        target.unlink()
    else:
        target.with_suffix(".parquet").unlink()
        target.write_bytes(content)

    result = sandbox.dbt("build", "--select", "stg_salesforce__users")

    output = result.stdout + result.stderr
    assert result.returncode != 0, label
    for word in words:
        assert word.lower() in output.lower(), f"{label}: {word!r} not in\n{output[-3000:]}"


def test_duplicate_fx_rates_fail_naming_table_and_columns(sandbox: Sandbox) -> None:
    # the FX feed has no load time, so neither copy can win: the run stops (keyless rows, by
    # contrast, are quarantined: test_plausibility.py)
    tables = clean_company()
    tables["finance/fx_rates"].append(
        row("finance/fx_rates", date=day("2026-03-10"), currency_code="EUR", rate_to_usd=1.2)
    )
    write_company(sandbox.raw, tables)

    result = sandbox.dbt("build", "--select", "path:models/staging")

    output = result.stdout
    assert result.returncode != 0
    assert "unique_combination_of_columns_stg_finance__fx_rates_currency_code__rate_date" in output


@pytest.fixture(autouse=True, scope="module")
def _cleanup(sandbox: Sandbox) -> Iterator[None]:
    yield
    shutil.rmtree(sandbox.root, ignore_errors=True)
