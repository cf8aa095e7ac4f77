"""Plausibility and trust: the bad input that used to move a published number silently.

Each class of docs/bad-input-catalogue.md added for "never publish a wrong number" has a row in
one of the tables below, on its own record of one crafted fixture built once (dbt: the core marts
and the audit). The runs of the whole pipeline (time zones and offsets, an FX rate in the wrong
unit, a header-only extract, the publish guard, the lock, a corrupt file, signals) share one
sandbox and compare every public mart with the clean company's.
"""

from __future__ import annotations

import csv
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from raw_fixtures import (
    EARLIER,
    LOAD,
    PROJECT_DIR,
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

# --- one build: a record per quarantine / flag class ---


def implausible_company() -> dict[str, list[dict[str, Any]]]:
    """The clean company plus one record per plausibility class (ids say which)."""
    tables = clean_company()
    leads = tables["salesforce/lead"]
    opportunities = tables["salesforce/opportunity"]
    changes = tables["salesforce/opportunity_history"]
    # keys: a blank lead id and a null deal id (quarantined); a padded copy of 00QL3 loaded
    # earlier (the same record: superseded)
    leads.append(
        row("salesforce/lead", id="   ", lead_source="Webinar", created_date=at("2026-02-01"))
    )
    opportunities.append(opportunity(None, amount=10.0))
    leads.append(
        row(
            "salesforce/lead",
            id=" 00QL3 ",
            company="Three",
            lead_source="Referral",
            status="Stale",
            created_date=at("2026-03-01"),
            _fivetran_synced=EARLIER,
        )
    )
    # load time missing: two different copies, neither with a load time (conflicting: quarantined);
    # one copy with and one without (the timed one wins; nothing to flag); one copy alone (flagged)
    for status in ("Open", "Working"):
        leads.append(
            row(
                "salesforce/lead",
                id="00QNULLDUP",
                lead_source="Webinar",
                status=status,
                created_date=at("2026-02-02"),
                _fivetran_synced=None,
            )
        )
    for status, loaded in (("Open", LOAD), ("Working", None)):
        leads.append(
            row(
                "salesforce/lead",
                id="00QTIMED",
                lead_source="Webinar",
                status=status,
                created_date=at("2026-02-03"),
                _fivetran_synced=loaded,
            )
        )
    leads.append(
        row(
            "salesforce/lead",
            id="00QNOLOAD",
            lead_source="Webinar",
            created_date=at("2026-02-04"),
            _fivetran_synced=None,
        )
    )
    # dates: a lead created in 1900 (quarantined); a lead whose MQL date is before its creation
    # (flagged); a deal closed in 1900 (flagged)
    leads.append(
        row(
            "salesforce/lead", id="00QANCIENT", lead_source="Webinar", created_date=at("1900-01-01")
        )
    )
    leads.append(
        row(
            "salesforce/lead",
            id="00QMQLFIRST",
            lead_source="Webinar",
            created_date=at("2026-03-05"),
            mql_date__c=at("2026-03-01"),
        )
    )
    opportunities.append(
        opportunity(
            "006OLDCLOSE",
            amount=10.0,
            stage_name="Closed Lost",
            is_closed=True,
            close_date=day("1900-01-01"),
        )
    )
    # money: NaN, infinite, beyond the money type, beyond any plausible deal (all quarantined)
    opportunities.append(opportunity("006NAN", amount=float("nan")))
    opportunities.append(opportunity("006BIG", amount=5e9))
    tables["billing/subscription"].append(
        row(
            "billing/subscription",
            id="SINF",
            account_id="001A2",
            plan="Growth",
            mrr=float("inf"),
            currency_code="USD",
            started_at=at("2026-03-02"),
            status="active",
        )
    )
    tables["finance/expenses"].append(
        row(
            "finance/expenses",
            id="EHUGE",
            month=day("2026-05-01"),
            department="marketing",
            category="program",
            amount=1e30,
            currency_code="USD",
        )
    )
    # a subscription that ends before it starts (quarantined)
    tables["billing/subscription"].append(
        row(
            "billing/subscription",
            id="SBACK",
            account_id="001A3",
            plan="Growth",
            mrr=100.0,
            currency_code="USD",
            started_at=at("2026-03-02"),
            ended_at=at("2026-02-01"),
            status="canceled",
        )
    )
    # a campaign that ends before it starts; history out of order; a deal reopened after a loss
    tables["salesforce/campaign"].append(
        row(
            "salesforce/campaign",
            id="701CBACK",
            name="Backwards",
            type="Webinar",
            status="Completed",
            start_date=day("2026-03-01"),
            end_date=day("2026-02-01"),
        )
    )
    changes.append(change("017HEARLY", "006O2", "Qualification", "2026-03-20"))
    # a deal's history is money too: a negative amount there is held out, naming the history table
    changes.append(change("017HNEG", "006O2", "Proposal/Price Quote", "2026-04-02", amount=-5000.0))
    # an infinite day of ad spend: held out, and the spend reconciliation test still runs
    tables["facebook_ads/basic_campaign"].append(
        row(
            "facebook_ads/basic_campaign",
            date=day("2026-06-03"),
            account_id="f1",
            campaign_id="fcINF",
            campaign_name="spring_social",
            spend=float("inf"),
            account_currency="USD",
            impressions=1,
            clicks=0,
        )
    )
    opportunities.append(opportunity("006REOPEN", amount=10.0, stage_name="Qualification"))
    changes.append(change("017HLOST", "006REOPEN", "Closed Lost", "2026-02-01"))
    changes.append(change("017HREOPEN", "006REOPEN", "Qualification", "2026-02-10"))
    # ids that differ only in case: two accounts (ids are case-sensitive: both kept, flagged)
    for account_id in ("001ACASE", "001acase"):
        tables["salesforce/account"].append(
            row("salesforce/account", id=account_id, name=account_id, created_date=at("2026-01-05"))
        )
    # FX: one EUR rate a million times too high on the day of the LinkedIn spend (quarantined, the
    # day takes the day before's rate); AUD rates that stop two months before an AUD expense
    for rate in tables["finance/fx_rates"]:
        if rate["currency_code"] == "EUR" and rate["date"] == day("2026-06-01"):
            rate["rate_to_usd"] = 1_000_000.0
        if rate["currency_code"] == "GBP" and rate["date"] == day("2026-04-10"):
            rate["rate_to_usd"] = float("nan")
    for offset in range(0, 60):
        tables["finance/fx_rates"].append(
            row(
                "finance/fx_rates",
                date=day("2026-03-01") + (day("2026-01-02") - day("2026-01-01")) * offset,
                currency_code="AUD",
                rate_to_usd=0.65,
            )
        )
    tables["finance/expenses"].append(
        row(
            "finance/expenses",
            id="EAUD",
            month=day("2026-06-01"),
            department="marketing",
            category="program",
            amount=100.0,
            currency_code="AUD",
        )
    )
    return tables


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path_factory.mktemp("plausibility"))
    yield box
    shutil.rmtree(box.root, ignore_errors=True)


@pytest.fixture(scope="module")
def implausible_build(sandbox: Sandbox) -> Built:
    write_company(sandbox.raw, implausible_company())
    result = sandbox.dbt("build", *SELECT)
    assert result.returncode == 0, result.stdout[-6000:]
    copy = sandbox.root / "implausible.duckdb"
    shutil.copyfile(sandbox.database, copy)
    return Built(copy)


def audit(build: Built, model: str) -> set[tuple[str, str, str]]:
    return set(build.query(f"select source_table, record_id, reason from audit.{model}"))


def ids(build: Built, mart: str, column: str) -> list[str]:
    return [value for (value,) in build.query(f"select {column} from marts.{mart}")]


QUARANTINED = [
    # (class, raw table, record id, reason, mart, mart key column, mart key value or None)
    (
        "blank id",
        "salesforce.lead",
        "<missing key> #1",
        "missing_key",
        "fct_leads",
        "lead_id",
        "   ",
    ),
    ("null id", "salesforce.opportunity", "<missing key> #1", "missing_key", None, None, None),
    (
        "amount NaN",
        "salesforce.opportunity",
        "006NAN",
        "implausible_amount",
        "fct_opportunities",
        "opportunity_id",
        "006NAN",
    ),
    (
        "amount beyond the ceiling",
        "salesforce.opportunity",
        "006BIG",
        "implausible_amount",
        "fct_opportunities",
        "opportunity_id",
        "006BIG",
    ),
    (
        "amount infinite",
        "billing.subscription",
        "SINF",
        "implausible_amount",
        "fct_subscriptions",
        "subscription_id",
        "SINF",
    ),
    (
        "amount overflows the money type",
        "finance.expenses",
        "EHUGE",
        "implausible_amount",
        "fct_expenses",
        "expense_id",
        "EHUGE",
    ),
    ("FX rate NaN", "finance.fx_rates", "GBP|2026-04-10", "invalid_fx_rate", None, None, None),
    (
        "history amount negative",
        "salesforce.opportunity_history",
        "017HNEG",
        "negative_amount",
        None,
        None,
        None,
    ),
    (
        "ad spend infinite",
        "facebook_ads.basic_campaign",
        "fcINF|2026-06-03",
        "implausible_amount",
        None,
        None,
        None,
    ),
    (
        "FX rate moves beyond the daily factor",
        "finance.fx_rates",
        "EUR|2026-06-01",
        "implausible_fx_move",
        None,
        None,
        None,
    ),
    (
        "date before the floor",
        "salesforce.lead",
        "00QANCIENT",
        "date_before_floor",
        "fct_leads",
        "lead_id",
        "00QANCIENT",
    ),
    (
        "subscription ends before it starts",
        "billing.subscription",
        "SBACK",
        "inverted_dates",
        "fct_subscriptions",
        "subscription_id",
        "SBACK",
    ),
    (
        "different copies, no load time",
        "salesforce.lead",
        "00QNULLDUP",
        "conflicting_duplicate_id",
        "fct_leads",
        "lead_id",
        "00QNULLDUP",
    ),
]


@pytest.mark.parametrize(
    ("label", "table", "record_id", "reason", "mart", "column", "value"),
    QUARANTINED,
    ids=[case[0] for case in QUARANTINED],
)
def test_quarantined_and_absent_from_the_mart(
    implausible_build: Built,
    label: str,
    table: str,
    record_id: str,
    reason: str,
    mart: str | None,
    column: str | None,
    value: str | None,
) -> None:
    assert (table, record_id, reason) in audit(implausible_build, "audit_quarantined_records"), (
        label
    )
    if mart is not None:
        assert value not in ids(implausible_build, mart, column), f"{label}: still in {mart}"


FLAGGED = [
    # (class, raw table, record id, reason, mart, mart key column)
    (
        "funnel date before creation",
        "salesforce.lead",
        "00QMQLFIRST",
        "inverted_dates",
        "fct_leads",
        "lead_id",
    ),
    (
        "close date before the floor",
        "salesforce.opportunity",
        "006OLDCLOSE",
        "date_before_floor",
        "fct_opportunities",
        "opportunity_id",
    ),
    (
        "campaign ends before it starts",
        "salesforce.campaign",
        "701CBACK",
        "inverted_dates",
        None,
        None,
    ),
    (
        "stage history before the deal was created",
        "salesforce.opportunity_history",
        "017HEARLY",
        "inverted_dates",
        "fct_opportunity_stage_history",
        "opportunity_id",
    ),
    (
        "stage history moving back after a close",
        "salesforce.opportunity_history",
        "017HREOPEN",
        "reopened_after_close",
        None,
        None,
    ),
    (
        "load time missing",
        "salesforce.lead",
        "00QNOLOAD",
        "missing_load_time",
        "fct_leads",
        "lead_id",
    ),
    (
        "ids differing only in case (1)",
        "salesforce.account",
        "001ACASE",
        "case_variant_id",
        "dim_accounts",
        "account_id",
    ),
    (
        "ids differing only in case (2)",
        "salesforce.account",
        "001acase",
        "case_variant_id",
        "dim_accounts",
        "account_id",
    ),
    (
        "FX rate older than the carry-forward limit",
        "finance.expenses",
        "EAUD",
        "stale_fx_rate",
        "fct_expenses",
        "expense_id",
    ),
]


@pytest.mark.parametrize(
    ("label", "table", "record_id", "reason", "mart", "column"),
    FLAGGED,
    ids=[case[0] for case in FLAGGED],
)
def test_flagged_and_kept(
    implausible_build: Built,
    label: str,
    table: str,
    record_id: str,
    reason: str,
    mart: str | None,
    column: str | None,
) -> None:
    assert (table, record_id, reason) in audit(implausible_build, "audit_flagged_records"), label
    if mart == "fct_opportunity_stage_history":
        assert "006O2" in ids(implausible_build, mart, column), label
    elif mart is not None:
        assert record_id in ids(implausible_build, mart, column), f"{label}: dropped from {mart}"


def test_keys_are_trimmed_and_a_padded_copy_is_the_same_record(implausible_build: Built) -> None:
    assert implausible_build.query(
        "select lead_id, lead_status from marts.fct_leads where trim(lead_id) = '00QL3'"
    ) == [("00QL3", "Working")]


def test_a_copy_without_a_load_time_loses_to_one_with(implausible_build: Built) -> None:
    assert implausible_build.query(
        "select lead_status from marts.fct_leads where lead_id = '00QTIMED'"
    ) == [("Open",)]
    assert ("salesforce.lead", "00QTIMED") not in {
        (table, record) for table, record, _ in audit(implausible_build, "audit_flagged_records")
    }


def test_an_implausible_fx_rate_is_replaced_by_the_day_before(implausible_build: Built) -> None:
    assert implausible_build.query(
        "select cast(rate_to_usd as double), cast(rate_observed_date as varchar) "
        "from intermediate.int_fx_rates_filled "
        "where currency_code = 'EUR' and date_day in ('2026-06-01', '2026-06-02') order by date_day"
    ) == [(pytest.approx(1.1), "2026-05-31"), (pytest.approx(1.1), "2026-06-02")]
    # the LinkedIn spend of that day (EUR 10) is worth USD 11, not 10 million
    assert implausible_build.query(
        "select cast(spend_usd as double) from marts.fct_marketing_spend_daily "
        "where ad_platform = 'linkedin_ads'"
    ) == [(pytest.approx(11.0),)]


def test_money_on_a_stale_rate_has_no_usd_value(implausible_build: Built) -> None:
    # AUD rates end 2026-04-29; the June expense is 33 days past the 7-day carry-forward limit
    assert implausible_build.query(
        "select cast(amount as double), amount_usd from marts.fct_expenses "
        "where expense_id = 'EAUD'"
    ) == [(100.0, None)]


def test_every_raw_row_is_still_accounted_for(implausible_build: Built) -> None:
    rows = {
        table: counts
        for table, *counts in implausible_build.query(
            "select source_table, raw_rows, staged_rows, superseded_rows, soft_deleted_rows, "
            "quarantined_rows, is_reconciled from audit.audit_raw_row_reconciliation"
        )
    }
    assert all(counts[-1] for counts in rows.values()), rows
    # lead: 3 clean + blank id + padded 00QL3 + 2 NULLDUP + 2 TIMED + NOLOAD + ANCIENT + MQLFIRST
    # = 12 raw; staged: 3 clean + TIMED + NOLOAD + MQLFIRST = 6; superseded: padded copy, the
    # NULLDUP and TIMED losers = 3; quarantined: blank id, NULLDUP, ANCIENT = 3
    assert rows["salesforce.lead"][:5] == [12, 6, 3, 0, 3]


# --- fail at start ---


def test_a_load_time_later_than_the_run_start_fails_naming_the_table(sandbox: Sandbox) -> None:
    tables = clean_company()
    for task in tables["salesforce/task"]:
        task["_fivetran_synced"] = datetime(2099, 1, 1)
    write_company(sandbox.raw, tables)

    result = sandbox.dbt("build", "--select", "stg_salesforce__users")

    assert result.returncode != 0
    assert (
        "salesforce.task: latest load 2099-01-01 00:00:00 is later than the moment this run started"
        in result.stdout
    ), result.stdout[-3000:]


# --- whole pipeline runs: time zones, FX, the publish guard ---


def public_marts(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every public mart of a published warehouse, rows sorted (publish history left out)."""
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where not (table_schema = 'audit' and table_name = 'publish_history') order by 1, 2"
        ).fetchall()
        # which file a table was read from (lead.csv or lead.parquet) is not a published number
        columns = {("audit", "audit_raw_landing"): "* exclude (landed_file)"}
        return {
            f"{schema}.{name}": sorted(
                connection.execute(
                    f'select {columns.get((schema, name), "*")} from "{schema}"."{name}"'
                ).fetchall(),
                key=repr,
            )
            for schema, name in tables
        }


def write_with_offsets(raw: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """The same company, its lead table as CSV text with UTC offsets (2026-01-10 00:00 UTC written
    2026-01-09T16:00:00-08:00) and its opportunities as Parquet TIMESTAMPTZ: the same instants,
    spelt otherwise."""
    write_company(raw, tables)
    leads = pq.read_table(raw / "salesforce/lead.parquet")
    (raw / "salesforce/lead.parquet").unlink()
    pacific = ZoneInfo("America/Los_Angeles")
    with (raw / "salesforce/lead.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(leads.column_names)
        for record in leads.to_pylist():
            writer.writerow(
                [
                    value.replace(tzinfo=UTC).astimezone(pacific).isoformat()
                    if isinstance(value, datetime)
                    else ("" if value is None else value)
                    for value in record.values()
                ]
            )
    deals = pq.read_table(raw / "salesforce/opportunity.parquet")
    for index, field in enumerate(deals.schema):
        if pa.types.is_timestamp(field.type):
            deals = deals.set_column(
                index, field.name, deals.column(index).cast(pa.timestamp("us", tz="UTC"))
            )
    pq.write_table(deals, raw / "salesforce/opportunity.parquet")


@pytest.fixture(scope="module")
def clean_publish(sandbox: Sandbox) -> dict[str, list[tuple[Any, ...]]]:
    """The clean company run through the pipeline (host TZ UTC): the reference."""
    shutil.rmtree(sandbox.warehouse, ignore_errors=True)
    write_company(sandbox.raw, clean_company())
    sandbox.reset()
    result = sandbox.pipeline(TZ="UTC")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return public_marts(sandbox.warehouse)


def test_offsets_and_host_time_zone_change_no_published_number(
    sandbox: Sandbox, clean_publish: dict[str, list[tuple[Any, ...]]]
) -> None:
    write_with_offsets(sandbox.raw, clean_company())
    assert "-08:00" in (sandbox.raw / "salesforce/lead.csv").read_text()

    result = sandbox.pipeline(TZ="America/Los_Angeles")

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert public_marts(sandbox.warehouse) == clean_publish


def test_an_fx_rate_in_the_wrong_unit_changes_no_published_number(
    sandbox: Sandbox, clean_publish: dict[str, list[tuple[Any, ...]]]
) -> None:
    tables = clean_company()
    for rate in tables["finance/fx_rates"]:
        if rate["currency_code"] == "EUR" and rate["date"] == day("2026-06-01"):
            rate["rate_to_usd"] = 1_000_000.0
    write_company(sandbox.raw, tables)

    result = sandbox.pipeline()

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    published = public_marts(sandbox.warehouse)
    for name, rows in clean_publish.items():
        if not name.startswith("audit."):
            assert published[name] == rows, name
    assert ("finance.fx_rates", "EUR|2026-06-01", "implausible_fx_move") in {
        row[:3] for row in published["audit.audit_quarantined_records"]
    }


def fingerprint(warehouse: Path) -> dict[str, bytes]:
    files = [warehouse / "analytics.duckdb", *sorted((warehouse / "parquet").glob("*"))]
    return {file.name: file.read_bytes() for file in files}


def test_a_header_only_extract_blocks_the_publish_naming_it(
    sandbox: Sandbox, clean_publish: dict[str, list[tuple[Any, ...]]]
) -> None:
    # the last publish is the clean company's (or one with the same marts, earlier in this module)
    before = fingerprint(sandbox.warehouse)
    tables = clean_company()
    tables["salesforce/opportunity"] = []
    write_company(sandbox.raw, tables)

    result = sandbox.pipeline()

    output = result.stdout + result.stderr
    assert result.returncode == 1
    # a required table with no rows fails the raw suites (critical), before the publish guard
    critical = output[output.index("FAILED (critical") : output.index("Warnings")]
    assert "raw.salesforce.opportunity: the table has rows -- " in critical
    assert "Traceback" not in output
    assert fingerprint(sandbox.warehouse) == before


def test_an_intended_drop_is_published_with_the_switch_and_recorded(
    sandbox: Sandbox, clean_publish: dict[str, list[tuple[Any, ...]]]
) -> None:
    tables = clean_company()
    tables["salesforce/lead"] = tables["salesforce/lead"][:1]  # 3 leads -> 1
    write_company(sandbox.raw, tables)

    blocked = sandbox.pipeline()
    accepted = sandbox.pipeline(REVENUE_ENGINE_ACCEPT_CHANGES="1")

    assert blocked.returncode == 1
    assert "raw salesforce.lead rows fell from 3 to 1" in blocked.stderr
    assert "REVENUE_ENGINE_ACCEPT_CHANGES=1" in blocked.stderr
    assert accepted.returncode == 0, accepted.stdout[-3000:] + accepted.stderr[-3000:]
    with duckdb.connect(str(sandbox.warehouse / "analytics.duckdb"), read_only=True) as published:
        history = published.execute(
            "select publish_id, measure_value from audit.publish_history "
            "where measure_name = 'raw salesforce.lead' order by publish_id desc limit 2"
        ).fetchall()
    assert [value for _, value in history] == [1.0, 3.0]


def test_a_mostly_quarantined_table_trips_the_circuit_breaker(sandbox: Sandbox) -> None:
    tables = clean_company()
    for deal in tables["salesforce/opportunity"]:
        deal["amount"] = float("nan")
    write_company(sandbox.raw, tables)

    result = sandbox.pipeline(REVENUE_ENGINE_ACCEPT_CHANGES="1")  # no switch overrides it

    assert result.returncode == 1
    assert (
        "FAILED: publish blocked: salesforce.opportunity: 2 of 2 rows (100%) are quarantined "
        "(more than QUARANTINE_MAX_SHARE=10%)" in result.stderr
    )


# --- faults: a second run, a corrupt file, stopping a run ---


def test_a_second_run_on_the_same_warehouse_is_refused(sandbox: Sandbox) -> None:
    write_company(sandbox.raw, clean_company())
    sandbox.warehouse.mkdir(parents=True, exist_ok=True)
    runs = sandbox.warehouse / "runs"
    archived = set(runs.glob("*")) if runs.exists() else set()
    with (sandbox.warehouse / ".run.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = sandbox.pipeline()
    assert result.returncode == 1
    assert "FAILED: another run holds the warehouse" in result.stderr
    assert (set(runs.glob("*")) if runs.exists() else set()) == archived


def test_a_corrupt_parquet_file_fails_naming_the_file(sandbox: Sandbox) -> None:
    tables = clean_company()
    tables["salesforce/task"] = tables["salesforce/task"] * 2000
    for number, task in enumerate(tables["salesforce/task"]):
        task["id"] = f"00TT{number}"
        task["subject"] = f"call {number} " * 20
    write_company(sandbox.raw, tables)
    path = sandbox.raw / "salesforce/task.parquet"
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 2000] = bytes(range(256)) * 7 + bytes(208)  # a damaged page
    path.write_bytes(bytes(data))

    result = sandbox.pipeline()

    output = result.stdout + result.stderr
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED:")]
    assert failed and any("task.parquet" in line for line in failed), output[-4000:]
    assert "Traceback" not in output


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_the_runner_stops_dbt(sandbox: Sandbox, signum: int) -> None:
    write_company(sandbox.raw, clean_company())
    sandbox.reset()
    log = sandbox.root / f"stopped-{signum}.log"
    with log.open("wb") as output:
        runner = subprocess.Popen(
            [sys.executable, "-m", "revenue_engine", "run"],
            cwd=PROJECT_DIR,
            env=sandbox.env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 180
    while "START sql" not in log.read_text(errors="replace") and time.monotonic() < deadline:
        assert runner.poll() is None, log.read_text()[-3000:]
        time.sleep(0.05)
    os.kill(runner.pid, signum)  # the runner only, not its process group
    runner.wait(timeout=60)
    # dbt (the runner's child) stops too: it lets go of the build database
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            duckdb.connect(str(sandbox.database)).close()
            break
        except duckdb.IOException:
            time.sleep(0.2)
    else:
        pytest.fail("dbt still holds the build database after the runner was stopped")
