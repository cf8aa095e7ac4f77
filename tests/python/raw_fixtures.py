"""Crafted raw fixtures for the bad-input tests: a tiny valid company written with the contract
helpers (revenue_engine.loaders.contract), and a sandbox that runs dbt or the pipeline on it in a
subprocess with its own DuckDB file and target folder (shared by the bad-input and plausibility
modules, so dbt parses the project once per module and then only partially).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import processes
import pyarrow as pa

from revenue_engine.loaders.contract import CONTRACT, build_table, write_table

PROJECT_DIR = processes.PROJECT_DIR
LOAD = datetime(2026, 6, 30, 6, 0)  # every load: as_of_date defaults to 2026-06-30
EARLIER = LOAD - timedelta(days=3)
# Only what the audit and the core marts need: the report marts are other suites' business.
SELECT = [
    "--select",
    "+path:models/marts/core",
    "+path:models/audit",
    "--indirect-selection",
    "cautious",
]

DEFAULTS: dict[str, Any] = {"is_deleted": False, "_fivetran_synced": LOAD, "_loaded_at": LOAD}


def row(table: str, **values: Any) -> dict[str, Any]:
    """A contract row: every column null unless given (load time and is_deleted defaulted)."""
    names = CONTRACT[table].names
    unknown = set(values) - set(names)
    assert not unknown, f"{table}: not contract columns {unknown}"
    return {name: values.get(name, DEFAULTS.get(name)) for name in names}


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def clean_company() -> dict[str, list[dict[str, Any]]]:
    """A tiny, valid company: every contract table, every mart with rows."""
    fx = []
    for offset in range((day("2026-06-30") - day("2026-01-01")).days + 1):
        rate_day = day("2026-01-01") + timedelta(days=offset)
        fx.append(row("finance/fx_rates", date=rate_day, currency_code="EUR", rate_to_usd=1.1))
        fx.append(row("finance/fx_rates", date=rate_day, currency_code="GBP", rate_to_usd=1.3))
        if rate_day >= day("2026-06-01"):  # CAD rates only from June: earlier CAD money has no rate
            fx.append(row("finance/fx_rates", date=rate_day, currency_code="CAD", rate_to_usd=0.75))
    return {
        "salesforce/user": [
            row(
                "salesforce/user",
                id="005AE",
                name="Ann",
                department="Account Executive",
                is_active=True,
                created_date=at("2025-01-01"),
            ),
            row(
                "salesforce/user",
                id="005SDR",
                name="Sam",
                department="Sales Development",
                is_active=True,
                created_date=at("2025-01-01"),
            ),
        ],
        "salesforce/account": [
            row(
                "salesforce/account",
                id=f"001A{n}",
                name=f"Account {n}",
                industry="Software",
                number_of_employees=500,
                annual_revenue=1e7,
                billing_country="US",
                type="Prospect",
                owner_id="005AE",
                created_date=at("2026-01-05"),
            )
            for n in (1, 2, 3)
        ],
        "salesforce/contact": [
            row(
                "salesforce/contact",
                id="003C1",
                account_id="001A1",
                first_name="Kim",
                last_name="Lee",
                lead_source="Google Ads",
                created_date=at("2026-01-20"),
            ),
        ],
        "salesforce/lead": [
            row(
                "salesforce/lead",
                id="00QL1",
                company="Account 1",
                lead_source="Google Ads",
                status="Converted",
                owner_id="005SDR",
                created_date=at("2026-01-10"),
                mql_date__c=at("2026-01-12"),
                lead_score__c=80.0,
                is_converted=True,
                converted_date=at("2026-01-20"),
                converted_account_id="001A1",
                converted_contact_id="003C1",
                converted_opportunity_id="006O1",
            ),
            row(
                "salesforce/lead",
                id="00QL2",
                company="Two",
                lead_source="Webinar",
                status="Open",
                owner_id="005SDR",
                created_date=at("2026-02-01"),
            ),
            row(
                "salesforce/lead",
                id="00QL3",
                company="Three",
                lead_source="Referral",
                status="Working",
                owner_id="005SDR",
                created_date=at("2026-03-01"),
            ),
        ],
        "salesforce/opportunity": [
            opportunity(
                "006O1",
                account_id="001A1",
                amount=1000.0,
                stage_name="Closed Won",
                is_closed=True,
                is_won=True,
                close_date=day("2026-03-01"),
            ),
            opportunity(
                "006O2",
                account_id="001A2",
                amount=2000.0,
                currency_iso_code="EUR",
                stage_name="Negotiation/Review",
                created_date=at("2026-04-01"),
            ),
        ],
        "salesforce/opportunity_history": [
            change("017H1", "006O1", "Qualification", "2026-01-20"),
            change("017H2", "006O1", "Closed Won", "2026-03-01"),
            change("017H3", "006O2", "Negotiation/Review", "2026-04-01"),
        ],
        "salesforce/opportunity_contact_role": [
            row(
                "salesforce/opportunity_contact_role",
                id="00KR1",
                opportunity_id="006O1",
                contact_id="003C1",
                role="Decision Maker",
                is_primary=True,
                created_date=at("2026-01-21"),
            ),
        ],
        "salesforce/task": [
            row(
                "salesforce/task",
                id="00TT1",
                who_id="00QL1",
                owner_id="005SDR",
                type="Call",
                status="Completed",
                activity_date=day("2026-01-12"),
                created_date=at("2026-01-12 12:00"),
            ),
        ],
        "salesforce/campaign": [
            row(
                "salesforce/campaign",
                id="701C1",
                name="Spring search",
                type="Paid Search",
                status="Active",
                start_date=day("2026-01-01"),
                utm_campaign__c="spring_search",
            ),
        ],
        "salesforce/campaign_member": [
            row(
                "salesforce/campaign_member",
                id="00vM1",
                campaign_id="701C1",
                lead_id="00QL1",
                status="Responded",
                has_responded=True,
                created_date=at("2026-01-10"),
            ),
        ],
        "google_ads/campaign_stats": [
            row(
                "google_ads/campaign_stats",
                date=day("2026-06-01"),
                customer_id="g1",
                campaign_id="gc1",
                campaign_name="spring_search",
                cost_micros=5_000_000,
                currency_code="USD",
                impressions=100,
                clicks=10,
                conversions=1.0,
            ),
        ],
        "linkedin_ads/ad_analytics_by_campaign": [
            row(
                "linkedin_ads/ad_analytics_by_campaign",
                day=day("2026-06-01"),
                campaign_id="lc1",
                campaign_name="spring_social",
                cost_in_local_currency=10.0,
                currency_code="EUR",
                impressions=50,
                clicks=5,
            ),
        ],
        "facebook_ads/basic_campaign": [
            row(
                "facebook_ads/basic_campaign",
                date=day("2026-06-01"),
                account_id="f1",
                campaign_id="fc1",
                campaign_name="spring_social",
                spend=7.0,
                account_currency="USD",
                impressions=70,
                clicks=7,
            ),
        ],
        "finance/expenses": [
            row(
                "finance/expenses",
                id="E1",
                month=day("2026-05-01"),
                department="marketing",
                category="program",
                channel="paid_search",
                amount=1000.0,
                currency_code="USD",
            ),
        ],
        "finance/fx_rates": fx,
        "billing/subscription": [
            row(
                "billing/subscription",
                id="S1",
                account_id="001A1",
                plan="Growth",
                mrr=1000.0,
                currency_code="USD",
                started_at=at("2026-03-02"),
                status="active",
            ),
        ],
    }


def opportunity(opportunity_id: str, **values: Any) -> dict[str, Any]:
    base = {
        "account_id": "001A1",
        "owner_id": "005AE",
        "name": opportunity_id,
        "type": "New Business",
        "lead_source": "Google Ads",
        "currency_iso_code": "USD",
        "probability": 50.0,
        "forecast_category": "Pipeline",
        "is_closed": False,
        "is_won": False,
        "created_date": at("2026-01-20"),
    }
    return row("salesforce/opportunity", id=opportunity_id, **{**base, **values})


def change(
    change_id: str, opportunity_id: str, stage: str, when: str, **values: Any
) -> dict[str, Any]:
    return row(
        "salesforce/opportunity_history",
        id=change_id,
        opportunity_id=opportunity_id,
        created_date=at(when),
        stage_name=stage,
        **values,
    )


def write_company(
    raw: Path,
    tables: dict[str, list[dict[str, Any]]],
    csv_tables: tuple[str, ...] = (),
    extra_columns: dict[str, dict[str, list[Any]]] | None = None,
) -> None:
    """Write every table as Parquet (or CSV for `csv_tables`), with optional extra columns."""
    shutil.rmtree(raw, ignore_errors=True)
    for table, rows in tables.items():
        columns = {name: [r[name] for r in rows] for name in CONTRACT[table].names}
        extra = {}
        for name, values in (extra_columns or {}).get(table, {}).items():
            extra[name] = (pa.string(), values)
        data = build_table(table, columns, extra=extra)
        if table in csv_tables:
            path = raw / f"{table}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_csv(
                path,
                data.column_names,
                [list(r) for r in zip(*[c.to_pylist() for c in data.columns], strict=True)],
            )
        else:
            write_table(data, raw, table)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for values in rows:
            writer.writerow(["" if value is None else value for value in values])


@dataclass
class Sandbox:
    """One raw folder, warehouse and dbt target reused by every run of the module."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def database(self) -> Path:
        return self.warehouse / "build" / "revenue_engine.duckdb"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "RAW_DATA_DIR": str(self.raw),
            "WAREHOUSE_DIR": str(self.warehouse),
            "DUCKDB_PATH": str(self.database),
            "DUCKDB_TEMP_DIRECTORY": str(self.warehouse / "tmp"),
            "DBT_TARGET_PATH": str(self.root / "target"),
            "DBT_LOG_PATH": str(self.root / "logs"),
        }

    def reset(self) -> None:
        for leftover in (self.database, Path(str(self.database) + ".wal")):
            leftover.unlink(missing_ok=True)
        (self.warehouse / "tmp").mkdir(parents=True, exist_ok=True)
        self.database.parent.mkdir(parents=True, exist_ok=True)

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.reset()
        return processes.dbt(self.env(), *args)

    def pipeline(self, **extra_env: str) -> subprocess.CompletedProcess[str]:
        """`python -m revenue_engine run` on the sandbox (extra_env: TZ, thresholds, ...)."""
        return processes.pipeline({**self.env(), **extra_env})


@dataclass(frozen=True)
class Built:
    """A copy of a finished build, safe from the next run in the sandbox."""

    database: Path

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()
