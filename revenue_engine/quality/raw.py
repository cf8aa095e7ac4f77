"""Suites for the raw contract: one per contract table, read from RAW_DATA_DIR with duckdb.

What each raw suite checks (`critical` fails the run; `warning` is what the dbt audit models
quarantine or flag, reported here so the contract is documented and visible in Data Docs):

- columns: every contract column is present (critical; extra columns are allowed);
- types: every value casts to the column's contract type, exactly as dbt's `assert_raw_contract()`
  casts it (critical; the failing values are listed);
- keys: the key columns are never null (warning: keyless rows are quarantined); no two rows of one
  record share a load (warning);
- allowed values: stage names and lead sources the mapping seeds know, currencies the FX feed (or
  USD) covers, the contract's fixed vocabularies (warning);
- ranges: money and counts non-negative, probability and lead score within 0-100, FX rates
  positive, close date not before creation, nothing dated after as_of_date (warning);
- freshness: the table's latest load is within its `warn_after` (warning) and `error_after`
  (critical) of the source YAML's dbt freshness config. A live landing (its freshest table loaded
  within EXPORT_AFTER of the quality step's start) is measured against that moment, as dbt source
  freshness measures against the clock; an older landing is an export or a sample: each table is
  measured against the freshest table's load, and staleness only warns. Only the tables that change
  every working day (opportunity, task) have an `error_after`; users, accounts and contacts may be
  weeks old. (A load later than the run's start stops the run in dbt: assert_load_times_plausible.)
- volume: the table has rows (critical for a required table; a warning for an optional one: many
  orgs never use the Lead object, and a team without ad platforms has empty ad tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pyarrow as pa
from great_expectations.expectations.row_conditions import Column

from revenue_engine.contract import Table, duration_text, landed_files, load_contract
from revenue_engine.loaders.contract import CONTRACT
from revenue_engine.quality.suites import CRITICAL, WARNING, Finding, Suite, query_suite

# The key of each contract table, as staging deduplicates it (the source YAML's meta.keys).
RAW_KEYS: dict[str, tuple[str, ...]] = {key: t.keys for key, t in load_contract().items()}

SQL_TYPES: dict[pa.DataType, str] = {
    pa.string(): "varchar",
    pa.timestamp("us"): "timestamp",
    pa.date32(): "date",
    pa.bool_(): "boolean",
    pa.int64(): "bigint",
    pa.float64(): "double",
}

# Free text compared the way staging normalises it before mapping.
NORMALISED = {
    "lead_source": "trim({})",
    "stage_name": "trim({})",
    "currency_iso_code": "upper(trim({}))",
    "currency_code": "upper(trim({}))",
    "account_currency": "upper(trim({}))",
    "department": "lower(trim({}))",
    "category": "lower(trim({}))",
}

# (column, minimum, maximum, strict minimum)
RANGES: dict[str, list[tuple[str, float | None, float | None, bool]]] = {
    "salesforce/account": [
        ("number_of_employees", 0, None, False),
        ("annual_revenue", 0, None, False),
    ],
    "salesforce/lead": [
        ("number_of_employees", 0, None, False),
        ("annual_revenue", 0, None, False),
        ("lead_score__c", 0, 100, False),
    ],
    "salesforce/opportunity": [("amount", 0, None, False), ("probability", 0, 100, False)],
    "salesforce/campaign": [("budgeted_cost", 0, None, False), ("actual_cost", 0, None, False)],
    "google_ads/campaign_stats": [
        ("cost_micros", 0, None, False),
        ("impressions", 0, None, False),
        ("clicks", 0, None, False),
    ],
    "linkedin_ads/ad_analytics_by_campaign": [
        ("cost_in_local_currency", 0, None, False),
        ("impressions", 0, None, False),
        ("clicks", 0, None, False),
    ],
    "facebook_ads/basic_campaign": [
        ("spend", 0, None, False),
        ("impressions", 0, None, False),
        ("clicks", 0, None, False),
    ],
    "finance/expenses": [("amount", 0, None, False)],
    "finance/fx_rates": [("rate_to_usd", 0, None, True)],
    "billing/subscription": [("mrr", 0, None, False)],
}

CURRENCY_COLUMNS = {
    "salesforce/opportunity": "currency_iso_code",
    "google_ads/campaign_stats": "currency_code",
    "linkedin_ads/ad_analytics_by_campaign": "currency_code",
    "facebook_ads/basic_campaign": "account_currency",
    "finance/expenses": "currency_code",
    "billing/subscription": "currency_code",
}

NOT_AFTER_AS_OF = {
    "salesforce/lead": ("created_date",),
    "salesforce/opportunity": ("created_date",),
    "salesforce/opportunity_history": ("created_date",),
    "google_ads/campaign_stats": ("date",),
    "linkedin_ads/ad_analytics_by_campaign": ("day",),
    "facebook_ads/basic_campaign": ("date",),
    "finance/expenses": ("month",),
}

VALUE_SETS = {
    ("salesforce/opportunity", "type"): ("New Business", "Expansion", "Renewal"),
    ("finance/expenses", "department"): ("marketing", "sales"),
    ("finance/expenses", "category"): ("headcount", "program", "tools", "agency", "events"),
}

MAPPED_COLUMNS = {
    ("salesforce/opportunity", "stage_name"): "stage_mapping",
    ("salesforce/opportunity_history", "stage_name"): "stage_mapping",
    ("salesforce/lead", "lead_source"): "channel_mapping",
    ("salesforce/opportunity", "lead_source"): "channel_mapping",
}

# A landing whose freshest table is older than this at the run is an export or a sample, not a feed.
EXPORT_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class Lookups:
    """The values the raw data is compared with: mapping seeds, FX currencies, as_of_date."""

    stage_names: tuple[str, ...]
    lead_sources: tuple[str, ...]
    as_of_date: date | None
    run_started_at: datetime | None = None  # UTC, naive like the load times; None: no live check


def loaded_at_column(table: str) -> str | None:
    names = CONTRACT[table].names
    for candidate in ("_fivetran_synced", "_loaded_at"):
        if candidate in names:
            return candidate
    return None


def raw_file(raw_data_dir: Path, table: str) -> Path | None:
    """The file dbt reads for `table` (contract.landed_files: any case, with or without underscores;
    two files for one table raise LandingError)."""
    return landed_files(raw_data_dir).get(table)


def reader_sql(path: Path) -> str:
    """The duckdb reader dbt's register_raw_sources() uses for this file."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    return (
        f"read_csv('{quoted}', header = true, all_varchar = true, strict_mode = true, "
        "delim = ',', quote = '\"', escape = '\"')"
    )


NOT_ISO_4217 = "currency_code__not_iso_4217"


def uncastable_column(column: str, sql_type: str) -> str:
    """Name of the probe column holding `column`'s values that do not cast to its type."""
    return f"{column}__not_a_{sql_type}"


# `<source>/<table>` -> contract column -> the SQL reading it from the landed file (None: absent),
# as dbt's register_raw_sources() planned it (audit.audit_raw_landing).
Landing = dict[str, dict[str, str | None]]


def landing_from(database: Path) -> Landing | None:
    """How the build read each raw column (audit.audit_raw_landing), or None before that model."""
    with duckdb.connect(str(database), read_only=True) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'audit_raw_landing'"
        ).fetchone()[0]
        if not exists:
            return None
        rows = connection.execute(
            "select source_table, column_name, status, landed_as from audit.audit_raw_landing"
        ).fetchall()
    landing: Landing = {}
    for source_table, column, status, landed_as in rows:
        readable = status in ("landed", "mapped", "default")
        landing.setdefault(source_table.replace(".", "/"), {})[column] = (
            landed_as if readable else None
        )
    return landing


def raw_table_sql(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    plan: dict[str, str | None] | None = None,
) -> str:
    """SQL reading the contract columns of `table` from `path`, typed; plus, for every non-text
    column, a probe column with the values that do not cast (null elsewhere). `plan` says how each
    column is read (an alias, a mapped column, a default: audit.audit_raw_landing); without it a
    column is read under its own name. Absent columns are left out; a history-mode table is read as
    its current rows (the connector's `_fivetran_active`), as dbt reads it."""
    reader = reader_sql(path)
    present = {
        row[0].lower(): row[0]
        for row in connection.execute(
            f"select column_name from (describe select * from {reader})"
        ).fetchall()
    }
    selects: list[str] = []
    for contract_field in CONTRACT[table]:
        name = contract_field.name
        if plan is not None:
            source = plan.get(name)
            if source is None:
                continue
        elif name in present:
            source = f'"{present[name]}"'
        else:
            continue
        sql_type = SQL_TYPES[contract_field.type]
        expression = NORMALISED.get(name, "{}").format(source) if sql_type == "varchar" else source
        selects.append(f'try_cast({expression} as {sql_type}) as "{name}"')
        if sql_type != "varchar":
            probe = uncastable_column(name, sql_type)
            selects.append(
                f"case when {source} is not null and try_cast({source} as {sql_type}) is null "
                f'then cast({source} as varchar) end as "{probe}"'
            )
    if table == "salesforce/opportunity" and "created_date" in present:
        selects.append('cast(try_cast("created_date" as timestamp) as date) as "created_day"')
        if "is_closed" in present:
            selects.append(
                'coalesce(cast(try_cast("is_closed" as boolean) as integer), 0) as "closed_flag"'
            )
    # null _fivetran_active is active (a table not in history mode carries the column empty)
    where = (
        " where coalesce(try_cast(_fivetran_active as boolean), true)"
        if ("_fivetran_active" in present)
        else ""
    )
    if table == "finance/fx_rates":
        code = plan.get("currency_code") if plan is not None else present.get("currency_code")
        if code:
            # GX has no regex for DuckDB: the probe holds the codes that are not three letters
            normalised = NORMALISED["currency_code"].format(
                code if plan is not None else f'"{code}"'
            )
            selects.append(
                f"case when not regexp_full_match({normalised}, '[A-Z]{{3}}') "
                f'then {normalised} end as "{NOT_ISO_4217}"'
            )
    if not selects:
        return f"select count(*) as rows_without_contract_columns from {reader}{where}"
    return f"select {', '.join(selects)} from {reader}{where}"


def raw_suites(
    raw_data_dir: Path,
    lookups: Lookups,
    landing: Landing | None = None,
    scratch: Path | None = None,
) -> tuple[list[Suite], list[Finding]]:
    """One suite per landed contract table, its columns read as the build read them (`landing`);
    a required table that did not land or a file that cannot be read is a critical finding, an
    optional table that did not land a warning naming what is therefore not available.

    With `scratch` (a DuckDB file to create), each raw file is read once into a table there and
    the suites query those tables; without, each check reads the file itself."""
    suites: list[Suite] = []
    findings: list[Finding] = []
    if scratch is not None:
        scratch.unlink(missing_ok=True)
    connection = duckdb.connect(str(scratch) if scratch is not None else ":memory:")
    try:
        read: dict[str, Suite] = {}
        for table in CONTRACT:
            name = "raw." + table.replace("/", ".")
            path = raw_file(raw_data_dir, table)
            declared = load_contract()[table]
            if path is None:
                findings.append(
                    Finding(
                        suite=name,
                        location=str(raw_data_dir / table),
                        severity=CRITICAL if declared.required else WARNING,
                        check="the table's file exists (<table>.parquet or .csv)"
                        if declared.required
                        else "the table landed (optional: read as empty when it did not)",
                        error=f"no {table}.parquet or {table}.csv under {raw_data_dir}"
                        + ("" if declared.required else f": {declared.needed_for} not available"),
                    )
                )
                continue
            plan = None if landing is None else landing.get(table)
            try:
                query = raw_table_sql(connection, path, table, plan)
                if scratch is not None:
                    copy = table.replace("/", "__")
                    connection.execute(f'create table "{copy}" as {query}')
                    query = f'select * from "{copy}"'
                read[table] = query_suite(
                    connection,
                    name,
                    str(path),
                    query,
                    str(scratch) if scratch is not None else None,
                )
            except duckdb.Error as error:
                findings.append(
                    Finding(
                        suite=name,
                        location=str(path),
                        severity=CRITICAL,
                        check="the file is readable (valid Parquet, or UTF-8 CSV with a header)",
                        error=str(error).splitlines()[0],
                    )
                )
        currencies = _currencies(connection, read)
        latest = _latest_loads(connection, read)
        freshest = max(latest.values(), default=None)
        for table, suite in read.items():
            suites.append(_table_suite(table, suite, lookups, currencies, freshest, latest))
    finally:
        connection.close()
    return suites, findings


def _currencies(connection: duckdb.DuckDBPyConnection, read: dict[str, Suite]) -> tuple[str, ...]:
    """USD and every currency with a positive FX rate."""
    found = {"USD"}
    rates = read.get("finance/fx_rates")
    if rates is not None and {"currency_code", "rate_to_usd"} <= set(rates.columns):
        rows = connection.execute(
            f"select distinct currency_code from ({rates.query}) "
            "where rate_to_usd > 0 and currency_code is not null"
        ).fetchall()
        found |= {row[0] for row in rows}
    return tuple(sorted(found))


def _latest_loads(
    connection: duckdb.DuckDBPyConnection, read: dict[str, Suite]
) -> dict[str, datetime]:
    """Each table's latest load time (tables without one, or with no load time set, left out)."""
    latest: dict[str, datetime] = {}
    for table, suite in read.items():
        column = loaded_at_column(table)
        if column and column in suite.columns:
            row = connection.execute(f'select max("{column}") from ({suite.query})').fetchone()
            if row and row[0] is not None:
                latest[table] = row[0]
    return latest


def _table_suite(
    table: str,
    suite: Suite,
    lookups: Lookups,
    currencies: tuple[str, ...],
    freshest: datetime | None,
    latest: dict[str, datetime],
) -> Suite:
    schema = CONTRACT[table]
    present = set(suite.columns)
    suite.expect(
        gxe.ExpectTableColumnsToMatchSet,
        "every required contract column landed (optional ones may be absent: see "
        "audit.audit_raw_landing; extra columns are allowed and ignored)",
        column_set=load_contract()[table].required_columns,
        exact_match=False,
    )
    required = load_contract()[table].required
    suite.expect(
        gxe.ExpectTableRowCountToBeBetween,
        "the table has rows" + ("" if required else " (optional: empty is allowed)"),
        CRITICAL if required else WARNING,
        min_value=1,
    )
    for contract_field in schema:
        sql_type = SQL_TYPES[contract_field.type]
        probe = uncastable_column(contract_field.name, sql_type)
        if probe in present:
            suite.expect(
                gxe.ExpectColumnValuesToBeNull,
                f"every {contract_field.name} value casts to {sql_type} (listed: those that don't)",
                column=probe,
            )
    keys = [key for key in RAW_KEYS[table] if key in present]
    for key in keys:
        suite.expect(
            gxe.ExpectColumnValuesToNotBeNull,
            f"key column {key} is never null (keyless rows are quarantined as missing_key)",
            WARNING,
            column=key,
        )
    loaded_at = loaded_at_column(table)
    if keys and loaded_at in present:
        suite.expect(
            gxe.ExpectCompoundColumnsToBeUnique,
            "no two rows of one record share a load (conflicting copies: quarantined or flagged)",
            WARNING,
            column_list=[*keys, loaded_at],
        )
    for column, minimum, maximum, strict in RANGES.get(table, []):
        if column in present:
            bounds = f">= {minimum}" if maximum is None else f"within {minimum}..{maximum}"
            if strict:
                bounds = f"> {minimum}"
            suite.expect(
                gxe.ExpectColumnValuesToBeBetween,
                f"{column} is {bounds}",
                WARNING,
                column=column,
                min_value=minimum,
                max_value=maximum,
                strict_min=strict,
            )
    currency = CURRENCY_COLUMNS.get(table)
    if currency in present:
        suite.expect(
            gxe.ExpectColumnValuesToBeInSet,
            f"{currency} is USD or has an FX rate ({', '.join(currencies)})",
            WARNING,
            column=currency,
            value_set=list(currencies),
        )
    if NOT_ISO_4217 in present:
        suite.expect(
            gxe.ExpectColumnValuesToBeNull,
            "currency_code is an ISO 4217 code: three letters (listed: those that are not)",
            WARNING,
            column=NOT_ISO_4217,
        )
    for (value_table, column), allowed in VALUE_SETS.items():
        if value_table == table and column in present:
            suite.expect(
                gxe.ExpectColumnValuesToBeInSet,
                f"{column} is one of {', '.join(allowed)}",
                WARNING,
                column=column,
                value_set=list(allowed),
            )
    for (mapped_table, column), seed in MAPPED_COLUMNS.items():
        if mapped_table == table and column in present:
            known = lookups.stage_names if seed == "stage_mapping" else lookups.lead_sources
            suite.expect(
                gxe.ExpectColumnValuesToBeInSet,
                f"{column} is mapped by the {seed} seed (unmapped values are kept and flagged)",
                WARNING,
                column=column,
                value_set=list(known),
            )
    if table == "salesforce/lead" and "created_date" in present:
        suite.expect(
            gxe.ExpectColumnValuesToNotBeNull,
            "created_date is set (a lead without one is quarantined)",
            WARNING,
            column="created_date",
        )
    if (
        table == "salesforce/opportunity"
        and {"close_date", "created_day", "closed_flag"} <= present
    ):
        suite.expect(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB,
            "a closed deal's close_date is not before its created_date (flagged)",
            WARNING,
            column_A="close_date",
            column_B="created_day",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            row_condition=Column("closed_flag") == 1,
        )
    if lookups.as_of_date is not None:
        as_of_end = datetime.combine(lookups.as_of_date, datetime.max.time())
        for column in NOT_AFTER_AS_OF.get(table, ()):
            if column in present:
                suite.expect(
                    gxe.ExpectColumnValuesToBeBetween,
                    f"{column} is not after as_of_date {lookups.as_of_date} (quarantined)",
                    WARNING,
                    column=column,
                    max_value=as_of_end,
                )
    if freshest is not None and table in latest:
        _expect_fresh(suite, load_contract()[table], loaded_at, freshest, lookups.run_started_at)
    return suite


def freshness_reference(
    freshest: datetime, run_started_at: datetime | None
) -> tuple[datetime, bool]:
    """The moment load times are measured against, and whether the landing is live: the run's
    start when the freshest table loaded within EXPORT_AFTER of it, else (an export, a sample) the
    freshest table's load."""
    if run_started_at is not None and run_started_at - freshest <= EXPORT_AFTER:
        return run_started_at, True
    return freshest, False


def _expect_fresh(
    suite: Suite,
    declared: Table,
    loaded_at: str | None,
    freshest: datetime,
    run_started_at: datetime | None,
) -> None:
    """The table's latest load within its contract freshness (warn_after, error_after)."""
    reference, live = freshness_reference(freshest, run_started_at)
    against = (
        f"the run's start ({reference:%Y-%m-%d %H:%M} UTC)"
        if live
        else f"the freshest table's load ({reference:%Y-%m-%d %H:%M}; an export: warnings only)"
    )
    limits = [(declared.warn_after, WARNING)]
    if live:
        limits.append((declared.error_after, CRITICAL))
    for limit, severity in limits:
        if limit is None:
            continue
        suite.expect(
            gxe.ExpectColumnMaxToBeBetween,
            f"latest {loaded_at} within {duration_text(limit)} of {against}",
            severity,
            column=loaded_at,
            min_value=reference - limit,
        )
