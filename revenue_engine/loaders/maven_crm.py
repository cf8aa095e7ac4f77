"""Map the public Maven Analytics "CRM Sales Opportunities" export into the raw contract.

The export (`sales_pipeline.csv`, `accounts.csv`, `products.csv`, `sales_teams.csv`) is a
real B2B pipeline of 8,800 deals. This loader writes all 16 tables of the raw contract as
Parquet under `<out>/<source>/<table>.parquet`, so `RAW_DATA_DIR=<out> make run` builds the
project on it. It is also the worked example of `docs/onboarding-a-crm-export.md`.

Usage::

    python -m revenue_engine.loaders.maven_crm --source examples/maven_crm --out data/maven

What it maps (everything else is written as a typed, zero-row table):

- `sales_pipeline.csv` -> `salesforce/opportunity` (one row per deal, none dropped) and
  `salesforce/opportunity_history` (one row per dated stage event).
- `accounts.csv` -> `salesforce/account` (plus any account a deal names that the file lacks).
- `sales_teams.csv` -> `salesforce/user` (agents and managers, plus any agent a deal names that
  the file lacks).

Rules worth knowing (each is also in DECISIONS.md):

- Ids are deterministic: opportunities keep their export id; accounts and users get
  `mvn_acc_` / `mvn_usr_` + the first 12 hex digits of the SHA-1 of the name, with the name
  compared case- and whitespace-insensitively.
- `amount` is the export's `close_value` for won deals. Open and lost deals get their
  product's list price (`products.csv` `sales_price`), what a CRM's amount field holds before a
  deal closes; a lost deal's `close_value = 0` is the revenue it brought, not its size (kept in
  `maven_close_value`). A deal whose product is unknown keeps a null amount.
- `created_date` is `engage_date` (midnight UTC); missing engage dates stay null.
- `_fivetran_synced` is one load timestamp for every row: midnight after the latest date in
  the export (2018-01-01 for the published file), or `--loaded-at`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa

from revenue_engine.loaders.contract import CONTRACT, build_table, empty_table, write_table

SOURCE_FILES: dict[str, tuple[str, ...]] = {
    "sales_pipeline.csv": (
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ),
    "accounts.csv": (
        "account",
        "sector",
        "year_established",
        "revenue",
        "employees",
        "office_location",
        "subsidiary_of",
    ),
    "products.csv": ("product", "series", "sales_price"),
    "sales_teams.csv": ("sales_agent", "manager", "regional_office"),
}
"""Each export file and the columns the loader needs from it."""

ACCOUNT_ID_PREFIX = "mvn_acc_"
USER_ID_PREFIX = "mvn_usr_"
HISTORY_ID_PREFIX = "mvn_oph_"

OPPORTUNITY_TYPE = "New Business"
"""The export has no deal type; every deal is a first sale of a product to an account."""

CURRENCY = "USD"
"""The data dictionary gives revenue in USD; close values are in the same currency."""

ENGAGE_STAGE = "Engaging"
WON_STAGE = "Won"
LOST_STAGE = "Lost"


@dataclass(frozen=True)
class StageFacts:
    """What a deal stage implies for the Salesforce stage fields."""

    probability: float
    forecast_category: str
    is_closed: bool
    is_won: bool


STAGES: dict[str, StageFacts] = {
    "Prospecting": StageFacts(10.0, "Pipeline", is_closed=False, is_won=False),
    ENGAGE_STAGE: StageFacts(50.0, "Pipeline", is_closed=False, is_won=False),
    WON_STAGE: StageFacts(100.0, "Closed", is_closed=True, is_won=True),
    LOST_STAGE: StageFacts(0.0, "Omitted", is_closed=True, is_won=False),
}
"""Salesforce's default probability and forecast category for each export stage. An unknown
stage keeps its row with null probability and forecast category and is neither closed nor won;
the project reports it through its stage seed."""

SECTOR_CORRECTIONS: dict[str, str] = {
    "technolgy": "Technology",
}
"""Misspelled sectors in `accounts.csv`; every other sector is title-cased."""

COUNTRY_CODES: dict[str, str] = {
    "belgium": "BE",
    "brazil": "BR",
    "china": "CN",
    "germany": "DE",
    "italy": "IT",
    "japan": "JP",
    "jordan": "JO",
    "kenya": "KE",
    "korea": "KR",
    "south korea": "KR",
    "norway": "NO",
    "panama": "PA",
    "philipines": "PH",
    "philippines": "PH",
    "poland": "PL",
    "romania": "RO",
    "united states": "US",
}
"""`office_location` (lower case) to ISO 3166-1 alpha-2. 'Philipines' is the export's
spelling; 'Korea' is the Republic of Korea. An unknown name is an error, never a guess."""


class MavenExportError(ValueError):
    """The export is missing a file or column, or holds a value the loader cannot map."""


def _key(name: str) -> str:
    """Compare names case- and whitespace-insensitively ('Acme  corp' == 'acme corp')."""
    return " ".join(name.split()).casefold()


def _stable_id(prefix: str, name: str) -> str:
    """A deterministic id for a name: prefix + 12 hex digits of SHA-1 of its key."""
    return prefix + hashlib.sha1(_key(name).encode("utf-8")).hexdigest()[:12]


def account_id(name: str) -> str:
    """The `salesforce/account.id` the loader gives the account called `name`."""
    return _stable_id(ACCOUNT_ID_PREFIX, name)


def user_id(name: str) -> str:
    """The `salesforce/user.id` the loader gives the agent or manager called `name`."""
    return _stable_id(USER_ID_PREFIX, name)


def _read_csv(source: Path, file: str) -> list[dict[str, str]]:
    """Read one export file as stripped strings, checking the columns the loader needs."""
    path = source / file
    if not path.is_file():
        raise MavenExportError(f"{path}: file not found (expected the Maven CRM export)")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in SOURCE_FILES[file] if name not in header]
        if missing:
            raise MavenExportError(f"{path}: missing column(s) {missing}; found {header}")
        reader.fieldnames = header
        return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def _where(file: str, line: int, what: str) -> str:
    return f"{file} line {line} ({what})"


def _parse_date(value: str, where: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MavenExportError(f"{where}: {column} {value!r} is not a YYYY-MM-DD date") from None


def _parse_decimal(value: str, where: str, column: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise MavenExportError(f"{where}: {column} {value!r} is not a number") from None
    if not number.is_finite():
        raise MavenExportError(f"{where}: {column} {value!r} is not a finite number")
    return number


def _parse_int(value: str, where: str, column: str) -> int | None:
    number = _parse_decimal(value, where, column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise MavenExportError(f"{where}: {column} {value!r} is not a whole number")
    return int(number)


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min)


def industry(sector: str) -> str | None:
    """Map an export sector to an industry: fix known misspellings, title-case the rest."""
    if not sector:
        return None
    return SECTOR_CORRECTIONS.get(_key(sector), " ".join(sector.split()).title())


def country_code(office_location: str, where: str = "office_location") -> str | None:
    """Map an export `office_location` to ISO-2; an unknown name raises, naming it."""
    if not office_location:
        return None
    try:
        return COUNTRY_CODES[_key(office_location)]
    except KeyError:
        raise MavenExportError(
            f"{where}: unknown office_location {office_location!r}; add it to "
            "COUNTRY_CODES in revenue_engine/loaders/maven_crm.py with its ISO 3166-1 "
            "alpha-2 code"
        ) from None


def parse_loaded_at(value: str) -> datetime:
    """Parse `--loaded-at` (a date or ISO datetime) as a naive UTC datetime."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MavenExportError(
            f"--loaded-at {value!r} is not an ISO date or datetime (e.g. 2018-01-01T00:00:00)"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@dataclass(frozen=True)
class _Product:
    name: str
    series: str | None
    sales_price: float | None


def _product_lookup(rows: list[dict[str, str]]) -> dict[str, _Product]:
    """Products keyed by their name without spaces, lower case ('GTXPro' finds 'GTX Pro')."""
    lookup: dict[str, _Product] = {}
    for line, row in enumerate(rows, start=2):
        where = _where("products.csv", line, row["product"])
        key = re.sub(r"\s+", "", row["product"]).casefold()
        if key in lookup:
            raise MavenExportError(
                f"{where}: product {row['product']!r} is ambiguous with {lookup[key].name!r}"
            )
        price = _parse_decimal(row["sales_price"], where, "sales_price")
        lookup[key] = _Product(
            name=row["product"],
            series=row["series"] or None,
            sales_price=None if price is None else float(price),
        )
    return lookup


def _match_product(name: str, lookup: dict[str, _Product]) -> _Product | None:
    return lookup.get(re.sub(r"\s+", "", name).casefold())


def _default_loaded_at(pipeline: list[dict[str, str]]) -> datetime:
    """Midnight after the latest engage or close date in the export."""
    days = [
        date.fromisoformat(row[column])
        for row in pipeline
        for column in ("engage_date", "close_date")
        if row[column]
    ]
    if not days:
        raise MavenExportError(
            "sales_pipeline.csv has no engage or close date to derive the load time from; "
            "pass --loaded-at"
        )
    return datetime.combine(max(days) + timedelta(days=1), time.min)


def _users(
    teams: list[dict[str, str]], pipeline: list[dict[str, str]], loaded_at: datetime
) -> pa.Table:
    """Every manager and agent of `sales_teams.csv`, then agents only the pipeline names."""
    rows: dict[str, dict[str, object]] = {}

    def add(name: str, role: str, office: str | None, manager: str | None, origin: str) -> None:
        uid = user_id(name)
        if uid in rows:
            return
        is_agent = role == "agent"
        title = "Sales Agent" if is_agent else "Sales Manager"
        rows[uid] = {
            "id": uid,
            "name": name,
            "department": "Account Executive" if is_agent else "Sales Management",
            "title": f"{title} - {office}" if office else title,
            "manager_id": user_id(manager) if manager else None,
            "maven_regional_office": office,
            "maven_role": role,
            "maven_origin": origin,
        }

    managers = {_key(row["manager"]) for row in teams if row["manager"]}
    # Managers first, so a manager who also appears as an agent stays a manager.
    for row in teams:
        if row["manager"]:
            add(row["manager"], "manager", row["regional_office"] or None, None, "sales_teams.csv")
    for row in teams:
        if row["sales_agent"] and _key(row["sales_agent"]) not in managers:
            add(
                row["sales_agent"],
                "agent",
                row["regional_office"] or None,
                row["manager"] or None,
                "sales_teams.csv",
            )
    for row in pipeline:
        if row["sales_agent"]:
            add(row["sales_agent"], "agent", None, None, "sales_pipeline.csv")

    users = list(rows.values())
    n = len(users)
    return build_table(
        "salesforce/user",
        {
            "id": [u["id"] for u in users],
            "name": [u["name"] for u in users],
            "email": [None] * n,
            "department": [u["department"] for u in users],
            "title": [u["title"] for u in users],
            "manager_id": [u["manager_id"] for u in users],
            "is_active": [True] * n,
            "created_date": [None] * n,
            "_fivetran_synced": [loaded_at] * n,
        },
        extra={
            "maven_regional_office": (pa.string(), [u["maven_regional_office"] for u in users]),
            "maven_role": (pa.string(), [u["maven_role"] for u in users]),
            "maven_origin": (pa.string(), [u["maven_origin"] for u in users]),
        },
    )


def _accounts(
    accounts: list[dict[str, str]], pipeline: list[dict[str, str]], loaded_at: datetime
) -> tuple[pa.Table, dict[str, str], int]:
    """`accounts.csv` plus any account only the pipeline names.

    Returns the table, the canonical account name by key, and the number of accounts added
    from the pipeline.
    """
    won = {
        _key(row["account"])
        for row in pipeline
        if row["account"] and row["deal_stage"] == WON_STAGE
    }
    canonical: dict[str, str] = {}
    cols: dict[str, list[object]] = {name: [] for name in CONTRACT["salesforce/account"].names}
    extra: dict[str, list[object]] = {
        "maven_sector": [],
        "maven_office_location": [],
        "maven_year_established": [],
        "maven_subsidiary_of": [],
        "maven_parent_account_id": [],
        "maven_origin": [],
    }

    def append(name: str, values: dict[str, object], extras: dict[str, object]) -> None:
        canonical[_key(name)] = name
        row = {
            "id": account_id(name),
            "name": name,
            "type": "Customer" if _key(name) in won else "Prospect",
            "owner_id": None,
            "created_date": None,
            "is_deleted": False,
            "_fivetran_synced": loaded_at,
            **values,
        }
        for column, bucket in cols.items():
            bucket.append(row[column])
        for column, bucket in extra.items():
            bucket.append(extras.get(column))

    for line, row in enumerate(accounts, start=2):
        name = row["account"]
        where = _where("accounts.csv", line, name or "no name")
        if not name:
            raise MavenExportError(f"{where}: account has no name")
        if _key(name) in canonical:
            raise MavenExportError(f"{where}: account {name!r} appears twice")
        revenue = _parse_decimal(row["revenue"], where, "revenue")
        parent = row["subsidiary_of"] or None
        append(
            name,
            {
                "industry": industry(row["sector"]),
                "number_of_employees": _parse_int(row["employees"], where, "employees"),
                # The data dictionary gives revenue in millions of USD.
                "annual_revenue": None if revenue is None else float(revenue * 1_000_000),
                "billing_country": country_code(row["office_location"], where),
            },
            {
                "maven_sector": row["sector"] or None,
                "maven_office_location": row["office_location"] or None,
                "maven_year_established": _parse_int(
                    row["year_established"], where, "year_established"
                ),
                "maven_subsidiary_of": parent,
                "maven_parent_account_id": None if parent is None else account_id(parent),
                "maven_origin": "accounts.csv",
            },
        )

    added = 0
    for row in pipeline:
        name = row["account"]
        if name and _key(name) not in canonical:
            append(
                name,
                {
                    "industry": None,
                    "number_of_employees": None,
                    "annual_revenue": None,
                    "billing_country": None,
                },
                {"maven_origin": "sales_pipeline.csv"},
            )
            added += 1

    types = {
        "maven_sector": pa.string(),
        "maven_office_location": pa.string(),
        "maven_year_established": pa.int64(),
        "maven_subsidiary_of": pa.string(),
        "maven_parent_account_id": pa.string(),
        "maven_origin": pa.string(),
    }
    table = build_table(
        "salesforce/account",
        cols,
        extra={name: (types[name], values) for name, values in extra.items()},
    )
    return table, canonical, added


def _opportunities(
    pipeline: list[dict[str, str]],
    canonical_accounts: dict[str, str],
    products: dict[str, _Product],
    loaded_at: datetime,
) -> tuple[pa.Table, pa.Table]:
    """One opportunity per deal, and its dated stage events as opportunity history."""
    opp: dict[str, list[object]] = {name: [] for name in CONTRACT["salesforce/opportunity"].names}
    extra: dict[str, list[object]] = {
        "maven_sales_agent": [],
        "maven_account": [],
        "maven_product": [],
        "maven_product_name": [],
        "maven_product_series": [],
        "maven_product_sales_price": [],
        "maven_close_value": [],
    }
    hist: dict[str, list[object]] = {
        name: [] for name in CONTRACT["salesforce/opportunity_history"].names
    }
    seen: set[str] = set()

    def event(opp_id: str, stage: str, day: date, amount: float | None, close: date | None) -> None:
        facts = STAGES.get(stage)
        values = {
            "id": f"{HISTORY_ID_PREFIX}{opp_id}_{stage.casefold()}",
            "opportunity_id": opp_id,
            "created_date": _midnight(day),
            "stage_name": stage,
            "amount": amount,
            "close_date": close,
            "probability": None if facts is None else facts.probability,
            "is_deleted": False,
            "_fivetran_synced": loaded_at,
        }
        for column, bucket in hist.items():
            bucket.append(values[column])

    for line, row in enumerate(pipeline, start=2):
        opp_id = row["opportunity_id"]
        where = _where("sales_pipeline.csv", line, f"opportunity {opp_id or 'without id'}")
        # A row without an id is landed as it is (id null): the pipeline quarantines it as
        # missing_key and counts it, so one bad row does not stop the run; it has no history.
        opp_id = opp_id.strip() or None
        if opp_id is not None and opp_id in seen:
            raise MavenExportError(f"{where}: opportunity_id {opp_id!r} appears twice")
        if opp_id is not None:
            seen.add(opp_id)

        stage = row["deal_stage"]
        facts = STAGES.get(stage)
        engage = _parse_date(row["engage_date"], where, "engage_date")
        close = _parse_date(row["close_date"], where, "close_date")
        close_value = _parse_decimal(row["close_value"], where, "close_value")
        is_won = facts.is_won if facts else False
        account = canonical_accounts.get(_key(row["account"])) if row["account"] else None
        product = _match_product(row["product"], products) if row["product"] else None
        # A won deal's amount is its close value. An open or lost deal's size is what a CRM's
        # amount field holds before closing: the product's list price (a lost deal's close value,
        # always 0 in the export, is the revenue it brought, not its size; kept aside).
        if is_won:
            amount = None if close_value is None else float(close_value)
        else:
            amount = product.sales_price if product else None
        product_name = product.name if product else (row["product"] or None)
        if product_name and account:
            name = f"{product_name} - {account}"
        else:
            name = product_name or account or opp_id

        values = {
            "id": opp_id,
            "account_id": account_id(account) if account else None,
            "owner_id": user_id(row["sales_agent"]) if row["sales_agent"] else None,
            "name": name,
            "type": OPPORTUNITY_TYPE,
            "lead_source": None,
            "campaign_id": None,
            "amount": amount,
            "currency_iso_code": CURRENCY,
            "stage_name": stage or None,
            "probability": facts.probability if facts else None,
            "forecast_category": facts.forecast_category if facts else None,
            "is_closed": facts.is_closed if facts else False,
            "is_won": is_won,
            "created_date": _midnight(engage),
            "close_date": close,
            "loss_reason__c": None,
            "is_deleted": False,
            "_fivetran_synced": loaded_at,
        }
        for column, bucket in opp.items():
            bucket.append(values[column])
        extra["maven_sales_agent"].append(row["sales_agent"] or None)
        extra["maven_account"].append(row["account"] or None)
        extra["maven_product"].append(row["product"] or None)
        extra["maven_product_name"].append(product_name)
        extra["maven_product_series"].append(product.series if product else None)
        extra["maven_product_sales_price"].append(product.sales_price if product else None)
        extra["maven_close_value"].append(None if close_value is None else float(close_value))

        if opp_id is None:
            continue
        if engage is not None and stage in (ENGAGE_STAGE, WON_STAGE, LOST_STAGE):
            event(opp_id, ENGAGE_STAGE, engage, None, None)
        if close is not None and stage in (WON_STAGE, LOST_STAGE):
            event(opp_id, stage, close, amount, close)

    types = {
        "maven_sales_agent": pa.string(),
        "maven_account": pa.string(),
        "maven_product": pa.string(),
        "maven_product_name": pa.string(),
        "maven_product_series": pa.string(),
        "maven_product_sales_price": pa.float64(),
        "maven_close_value": pa.float64(),
    }
    opportunities = build_table(
        "salesforce/opportunity",
        opp,
        extra={name: (types[name], values) for name, values in extra.items()},
    )
    history = build_table("salesforce/opportunity_history", hist)
    return opportunities, history


def load_maven_crm(source: Path, out: Path, loaded_at: datetime | None = None) -> dict[str, int]:
    """Write all 16 raw-contract tables for the Maven CRM export at `source` under `out`.

    Each table lands as `<out>/<source>/<table>.parquet` with the contract's columns in order
    and types, followed by `maven_*` columns that keep the export's original values. Tables the
    export has no data for are written with zero rows. Returns the rows written per table,
    keyed `<source>/<table>`. Raises `MavenExportError` on a missing file or column or a value
    that cannot be mapped (an unknown office location, a malformed date, a duplicate id).

    `loaded_at` (naive UTC) is the `_fivetran_synced` of every row; by default, midnight after
    the latest date in the export, so the project's `as_of_date` defaults to the export's end.
    """
    source, out = Path(source), Path(out)
    raw = {file: _read_csv(source, file) for file in SOURCE_FILES}
    pipeline = raw["sales_pipeline.csv"]
    if loaded_at is None:
        loaded_at = _default_loaded_at(pipeline)

    users = _users(raw["sales_teams.csv"], pipeline, loaded_at)
    accounts, canonical, added_accounts = _accounts(raw["accounts.csv"], pipeline, loaded_at)
    products = _product_lookup(raw["products.csv"])
    opportunities, history = _opportunities(pipeline, canonical, products, loaded_at)

    # Nothing silently dropped: every deal, account and agent of the export is accounted for.
    if opportunities.num_rows != len(pipeline):
        raise AssertionError(f"{len(pipeline)} deals in, {opportunities.num_rows} out")
    if accounts.num_rows != len(raw["accounts.csv"]) + added_accounts:
        raise AssertionError("accounts lost between accounts.csv and salesforce/account")
    known_users = set(users.column("id").to_pylist())
    agents = {row["sales_agent"] for row in pipeline if row["sales_agent"]}
    unresolved = sorted(name for name in agents if user_id(name) not in known_users)
    if unresolved:
        raise AssertionError(f"sales agents without a user: {unresolved}")

    tables: dict[str, pa.Table] = {
        "salesforce/account": accounts,
        "salesforce/user": users,
        "salesforce/opportunity": opportunities,
        "salesforce/opportunity_history": history,
    }
    counts: dict[str, int] = {}
    for table in CONTRACT:
        data = tables.get(table, empty_table(table))
        write_table(data, out, table)
        counts[table] = data.num_rows
    return counts


def _format_counts(counts: dict[str, int]) -> Iterable[str]:
    width = max(len(name) for name in counts)
    for name, rows in counts.items():
        yield f"{name:<{width}}  {rows:>6,}"


def main(
    argv: Sequence[str] | None = None, prog: str = "python -m revenue_engine.loaders.maven_crm"
) -> int:
    """Command line: `revenue-engine load maven --source DIR --out DIR`."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Map the Maven Analytics CRM export into the raw contract (Parquet).",
    )
    parser.add_argument("--source", type=Path, required=True, help="folder of the export CSVs")
    parser.add_argument(
        "--out", type=Path, required=True, help="RAW_DATA_DIR to write <source>/<table>.parquet"
    )
    parser.add_argument(
        "--loaded-at",
        help="_fivetran_synced for every row, ISO date or datetime in UTC "
        "(default: midnight after the latest date in the export)",
    )
    args = parser.parse_args(argv)
    try:
        loaded_at = parse_loaded_at(args.loaded_at) if args.loaded_at else None
        counts = load_maven_crm(args.source, args.out, loaded_at=loaded_at)
    except MavenExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(counts)} tables under {args.out}:")
    for line in _format_counts(counts):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
