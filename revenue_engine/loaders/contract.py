"""The raw data contract (v1) as typed Arrow schemas.

`shared/design/raw-contract.md` lists the tables and their columns; this module adds the Arrow
type of every column so a loader can write a table the project reads without casting guesses:

- ids and free text are strings;
- `*_date` columns that Salesforce stores as datetimes (`created_date`, `mql_date__c`,
  `sql_date__c`, `converted_date`) and every `*_at` / `_fivetran_synced` / `_loaded_at`
  column are `timestamp[us]` (naive, meaning UTC: the contract says every timestamp is UTC);
- calendar dates (`close_date`, `activity_date`, campaign dates, ad-platform days, `month`,
  fx `date`) are `date32`;
- flags are `bool`; counts are `int64`; money, rates, scores and percentages are `float64`.

These are the `data_type`s the project's source YAML declares (`models/staging/*/_*__sources.yml`,
checked at run start by `assert_raw_contract()`), expressed as Arrow types.

The test suite checks that the table and column lists here match the markdown contract, in
order, so the two cannot drift apart silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

STRING = pa.string()
TIMESTAMP = pa.timestamp("us")
DATE = pa.date32()
BOOL = pa.bool_()
INT = pa.int64()
FLOAT = pa.float64()


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    """Build a schema whose fields are all nullable (a connector never guarantees a value)."""
    return pa.schema([pa.field(name, dtype, nullable=True) for name, dtype in columns])


CONTRACT: Mapping[str, pa.Schema] = {
    "salesforce/account": _schema(
        ("id", STRING),
        ("name", STRING),
        ("industry", STRING),
        ("number_of_employees", INT),
        ("annual_revenue", FLOAT),
        ("billing_country", STRING),
        ("type", STRING),
        ("owner_id", STRING),
        ("created_date", TIMESTAMP),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/user": _schema(
        ("id", STRING),
        ("name", STRING),
        ("email", STRING),
        ("department", STRING),
        ("title", STRING),
        ("manager_id", STRING),
        ("is_active", BOOL),
        ("created_date", TIMESTAMP),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/lead": _schema(
        ("id", STRING),
        ("first_name", STRING),
        ("last_name", STRING),
        ("email", STRING),
        ("phone", STRING),
        ("company", STRING),
        ("title", STRING),
        ("industry", STRING),
        ("number_of_employees", INT),
        ("annual_revenue", FLOAT),
        ("country", STRING),
        ("lead_source", STRING),
        ("status", STRING),
        ("owner_id", STRING),
        ("created_date", TIMESTAMP),
        ("mql_date__c", TIMESTAMP),
        ("sql_date__c", TIMESTAMP),
        ("lead_score__c", FLOAT),
        ("bant_budget__c", BOOL),
        ("bant_authority__c", BOOL),
        ("bant_need__c", BOOL),
        ("bant_timeline__c", BOOL),
        ("disqualified_reason__c", STRING),
        ("utm_source__c", STRING),
        ("utm_medium__c", STRING),
        ("utm_campaign__c", STRING),
        ("is_converted", BOOL),
        ("converted_date", TIMESTAMP),
        ("converted_account_id", STRING),
        ("converted_contact_id", STRING),
        ("converted_opportunity_id", STRING),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/contact": _schema(
        ("id", STRING),
        ("account_id", STRING),
        ("first_name", STRING),
        ("last_name", STRING),
        ("email", STRING),
        ("title", STRING),
        ("lead_source", STRING),
        ("created_date", TIMESTAMP),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/opportunity": _schema(
        ("id", STRING),
        ("account_id", STRING),
        ("owner_id", STRING),
        ("name", STRING),
        ("type", STRING),
        ("lead_source", STRING),
        ("campaign_id", STRING),
        ("amount", FLOAT),
        ("currency_iso_code", STRING),
        ("stage_name", STRING),
        ("probability", FLOAT),
        ("forecast_category", STRING),
        ("is_closed", BOOL),
        ("is_won", BOOL),
        ("created_date", TIMESTAMP),
        ("close_date", DATE),
        ("loss_reason__c", STRING),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/opportunity_history": _schema(
        ("id", STRING),
        ("opportunity_id", STRING),
        ("created_date", TIMESTAMP),
        ("stage_name", STRING),
        ("amount", FLOAT),
        ("close_date", DATE),
        ("probability", FLOAT),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/opportunity_contact_role": _schema(
        ("id", STRING),
        ("opportunity_id", STRING),
        ("contact_id", STRING),
        ("role", STRING),
        ("is_primary", BOOL),
        ("created_date", TIMESTAMP),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/task": _schema(
        ("id", STRING),
        ("who_id", STRING),
        ("what_id", STRING),
        ("owner_id", STRING),
        ("type", STRING),
        ("subject", STRING),
        ("status", STRING),
        ("activity_date", DATE),
        ("created_date", TIMESTAMP),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/campaign": _schema(
        ("id", STRING),
        ("name", STRING),
        ("type", STRING),
        ("status", STRING),
        ("start_date", DATE),
        ("end_date", DATE),
        ("budgeted_cost", FLOAT),
        ("actual_cost", FLOAT),
        ("utm_campaign__c", STRING),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "salesforce/campaign_member": _schema(
        ("id", STRING),
        ("campaign_id", STRING),
        ("lead_id", STRING),
        ("contact_id", STRING),
        ("status", STRING),
        ("has_responded", BOOL),
        ("first_responded_date", DATE),
        ("created_date", TIMESTAMP),
        ("is_deleted", BOOL),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "google_ads/campaign_stats": _schema(
        ("date", DATE),
        ("customer_id", STRING),
        ("campaign_id", STRING),
        ("campaign_name", STRING),
        ("cost_micros", INT),
        ("currency_code", STRING),
        ("impressions", INT),
        ("clicks", INT),
        ("conversions", FLOAT),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "linkedin_ads/ad_analytics_by_campaign": _schema(
        ("day", DATE),
        ("campaign_id", STRING),
        ("campaign_name", STRING),
        ("cost_in_local_currency", FLOAT),
        ("currency_code", STRING),
        ("impressions", INT),
        ("clicks", INT),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "facebook_ads/basic_campaign": _schema(
        ("date", DATE),
        ("account_id", STRING),
        ("campaign_id", STRING),
        ("campaign_name", STRING),
        ("spend", FLOAT),
        ("account_currency", STRING),
        ("impressions", INT),
        ("clicks", INT),
        ("_fivetran_synced", TIMESTAMP),
    ),
    "finance/expenses": _schema(
        ("id", STRING),
        ("month", DATE),
        ("department", STRING),
        ("category", STRING),
        ("channel", STRING),
        ("amount", FLOAT),
        ("currency_code", STRING),
        ("_loaded_at", TIMESTAMP),
    ),
    "finance/fx_rates": _schema(
        ("date", DATE),
        ("currency_code", STRING),
        ("rate_to_usd", FLOAT),
    ),
    "billing/subscription": _schema(
        ("id", STRING),
        ("account_id", STRING),
        ("plan", STRING),
        ("mrr", FLOAT),
        ("currency_code", STRING),
        ("started_at", TIMESTAMP),
        ("ended_at", TIMESTAMP),
        ("status", STRING),
        ("_loaded_at", TIMESTAMP),
    ),
}
"""Every contract table, keyed `<source>/<table>`, in the order of the markdown contract."""


def empty_table(table: str) -> pa.Table:
    """Return a zero-row table with the contract's typed columns for `table`."""
    return CONTRACT[table].empty_table()


def build_table(
    table: str,
    columns: Mapping[str, list[object]],
    extra: Mapping[str, tuple[pa.DataType, list[object]]] | None = None,
) -> pa.Table:
    """Build `table` from Python lists: the contract columns in order, then any extras.

    `columns` must hold every contract column of `table` and nothing else (a missing or unknown
    name raises `KeyError`, naming it). `extra` adds columns after the contract ones, each with
    its own type; the contract allows extra columns and the project ignores them, so a loader
    uses them to keep the source's original values beside the mapped ones.
    """
    schema = CONTRACT[table]
    unknown = sorted(set(columns) - set(schema.names))
    if unknown:
        raise KeyError(f"{table}: columns not in the raw contract: {unknown}")
    missing = [name for name in schema.names if name not in columns]
    if missing:
        raise KeyError(f"{table}: contract columns not provided: {missing}")
    fields = list(schema)
    arrays = [pa.array(columns[field.name], type=field.type) for field in fields]
    for name, (dtype, values) in (extra or {}).items():
        if name in schema.names:
            raise KeyError(f"{table}: extra column {name!r} shadows a contract column")
        fields.append(pa.field(name, dtype, nullable=True))
        arrays.append(pa.array(values, type=dtype))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_table(data: pa.Table, out: Path, table: str) -> Path:
    """Write `data` to `<out>/<source>/<table>.parquet` and return the path.

    The Parquet file is deterministic: the same table gives the same bytes (no pandas metadata,
    no timestamps in the footer), so a re-run of a loader on the same input is a no-op diff.
    """
    path = out / f"{table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data, path, compression="zstd")
    return path
