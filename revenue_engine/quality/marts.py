"""Suites for the public marts and the audit models, read from the build database (read-only).

Per public model (schemas `marts` and `audit`):
- its primary key is unique and never null (critical);
- rates lie within 0..1 and money is non-negative (critical). Which columns are rates and money
  comes from the dbt manifest (columns tested `between_zero_and_one` / `non_negative`) plus the core
  money columns, so a new report is covered without an edit here. Names alone do not make a rate: a
  flow conversion (B events / A events in a period) named `conversion_rate` may exceed 1.

Across models:
- `audit.reconciliation`: every raw row is accounted for (raw = staged + superseded + soft-deleted +
  quarantined, critical); no table loses more than 5% of its rows to quarantine (warning);
- `marts.row_counts`: each fact/dimension has exactly the rows its raw table staged (critical);
- `marts.daily_spend`: no day on which the ad platforms report spend has zero or unknown USD spend
  in `fct_marketing_spend_daily` (critical);
- `marts.monthly_leads`: no month without leads between the first and the last (warning);
- `marts.stage_mapping`: at most 5% of deals in the stage 'unmapped' (warning).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from revenue_engine.contract import load_contract
from revenue_engine.quality.raw import raw_file, reader_sql
from revenue_engine.quality.suites import CRITICAL, WARNING, Finding, Suite, query_suite

PUBLIC_SCHEMAS = ("marts", "audit")
MONEY_NAMES = {"amount", "amount_usd", "spend", "spend_usd", "mrr", "mrr_usd", "annual_revenue_usd"}
# A mart and the raw tables whose staged rows it holds one-to-one.
UPSTREAM = {
    "fct_leads": ("salesforce.lead",),
    "fct_opportunities": ("salesforce.opportunity",),
    "dim_accounts": ("salesforce.account",),
    "fct_subscriptions": ("billing.subscription",),
    "fct_expenses": ("finance.expenses",),
    "fct_marketing_spend_daily": (
        "google_ads.campaign_stats",
        "linkedin_ads.ad_analytics_by_campaign",
        "facebook_ads.basic_campaign",
    ),
}
# raw ad table -> (spend in the platform currency, its day), from the contract's money and key meta
AD_SPEND = {
    table.path: (table.money_columns[0].amount_sql(), table.date_keys[0])
    for table in (
        load_contract()[name.replace(".", "/")] for name in UPSTREAM["fct_marketing_spend_daily"]
    )
}
MAX_QUARANTINED_SHARE = 0.05
MAX_UNMAPPED_STAGE_SHARE = 0.05


@dataclass
class Declared:
    """What the dbt manifest says about a public model: its key, its rates and its money.

    `rate` and `money` map a column to the `where` conditions of its tests (None: every row), so an
    expectation checks exactly the rows the dbt test checks (a flow conversion may exceed 1).
    """

    primary_key: set[str] = field(default_factory=set)
    rate: dict[str, list[str | None]] = field(default_factory=dict)
    money: dict[str, list[str | None]] = field(default_factory=dict)

    def conditions(self) -> list[str]:
        found = {
            where
            for kinds in (self.rate, self.money)
            for items in kinds.values()
            for where in items
        }
        return sorted(where for where in found if where)


def manifest_columns(manifest: Path | None) -> dict[tuple[str, str], Declared]:
    """(schema, table) -> Declared, for every public model of the dbt manifest."""
    if manifest is None or not manifest.exists():
        return {}
    nodes = json.loads(manifest.read_text())["nodes"]
    found: dict[tuple[str, str], Declared] = {}
    by_id: dict[str, tuple[str, str]] = {}
    for unique_id, node in nodes.items():
        if node["resource_type"] != "model" or node.get("access") != "public":
            continue
        key = (node["schema"], node["alias"])
        by_id[unique_id] = key
        declared = found.setdefault(key, Declared())
        for constraint in node.get("constraints", []):
            if constraint.get("type") == "primary_key":
                declared.primary_key |= set(constraint.get("columns") or [])
        for name, column in node.get("columns", {}).items():
            for constraint in column.get("constraints", []):
                if constraint.get("type") == "primary_key":
                    declared.primary_key.add(name)
    for node in nodes.values():
        if node["resource_type"] != "test" or node.get("attached_node") not in by_id:
            continue
        test = (node.get("test_metadata") or {}).get("name")
        column = node.get("column_name")
        if column and test in ("between_zero_and_one", "non_negative"):
            declared = found[by_id[node["attached_node"]]]
            kinds = declared.rate if test == "between_zero_and_one" else declared.money
            kinds.setdefault(column, []).append((node.get("config") or {}).get("where"))
    return found


def mart_suites(
    database: Path, raw_data_dir: Path | None, manifest: Path | None
) -> tuple[list[Suite], list[Finding]]:
    """The per-model suites and the cross-model suites."""
    suites: list[Suite] = []
    findings: list[Finding] = []
    declared = manifest_columns(manifest)
    connection = duckdb.connect(str(database), read_only=True)
    try:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            # views too: after a Spark build, its tables are views over their Parquet files
            f"where table_schema in {PUBLIC_SCHEMAS} and table_type in ('BASE TABLE', 'VIEW') "
            "order by table_schema, table_name"
        ).fetchall()
        present = {name for _, name in tables}
        for schema, name in tables:
            model = declared.get((schema, name), Declared())
            suites.append(_model_suite(connection, str(database), schema, name, model))
        builders = []
        if "audit_raw_row_reconciliation" in present:
            builders.append(("audit.reconciliation", lambda: _reconciliation_suite(connection)))
            builders.append(("marts.row_counts", lambda: _row_count_suite(connection, present)))
        else:
            findings.append(
                Finding(
                    suite="audit.reconciliation",
                    location=f"{database}",
                    severity=CRITICAL,
                    check="audit.audit_raw_row_reconciliation exists",
                    error="the table is missing",
                )
            )
        if "fct_marketing_spend_daily" in present and "dim_dates" in present:
            builders.append(
                ("marts.daily_spend", lambda: _daily_spend_suite(connection, raw_data_dir))
            )
        if "fct_leads" in present:
            builders.append(("marts.monthly_leads", lambda: _monthly_leads_suite(connection)))
        if "fct_opportunities" in present:
            builders.append(
                ("marts.stage_mapping", lambda: _stage_mapping_suite(connection, str(database)))
            )
        for name, build in builders:
            try:
                suites.append(build())
            except duckdb.Error as error:  # a mart without the expected columns: say so, fail
                findings.append(
                    Finding(
                        suite=name,
                        location=f"{database}",
                        severity=CRITICAL,
                        check="the suite's data can be read",
                        error=str(error).splitlines()[0],
                    )
                )
    finally:
        connection.close()
    return suites, findings


def _model_suite(
    connection: duckdb.DuckDBPyConnection,
    database: str,
    schema: str,
    name: str,
    declared: Declared,
) -> Suite:
    conditions = declared.conditions()
    flags = "".join(
        f", cast(coalesce({where}, false) as integer) as __where_{n}"
        for n, where in enumerate(conditions)
    )
    suite = query_suite(
        connection,
        f"{schema}.{name}",
        f"build database {schema}.{name}",
        f'select *{flags} from "{schema}"."{name}"',
        database,
    )
    columns = [column for column in suite.columns if not column.startswith("__where_")]
    primary_key = [column for column in columns if column in declared.primary_key]
    if len(primary_key) == 1:
        suite.expect(
            gxe.ExpectColumnValuesToNotBeNull, "primary key is never null", column=primary_key[0]
        )
        suite.expect(
            gxe.ExpectColumnValuesToBeUnique, "primary key is unique", column=primary_key[0]
        )
    elif primary_key:
        for column in primary_key:
            suite.expect(
                gxe.ExpectColumnValuesToNotBeNull, "primary key part is never null", column=column
            )
        suite.expect(
            gxe.ExpectCompoundColumnsToBeUnique, "primary key is unique", column_list=primary_key
        )
    for column in columns:
        if not suite.is_numeric(column):
            continue
        checks: list[tuple[str, str | None, float | None]] = []
        if column in declared.rate:
            checks += [("a rate lies within 0..1", where, 1) for where in declared.rate[column]]
        if column in declared.money:
            checks += [("is non-negative", where, None) for where in declared.money[column]]
        elif schema == "marts" and column in MONEY_NAMES:
            checks.append(("money is non-negative", None, None))
        for check, where, maximum in checks:
            condition: dict[str, Any] = {}
            if where:
                check = f"{check} where {where}"
                flag = Column(f"__where_{conditions.index(where)}")
                condition = {"row_condition": flag == 1}
            suite.expect(
                gxe.ExpectColumnValuesToBeBetween,
                check,
                column=column,
                min_value=0,
                max_value=maximum,
                **condition,
            )
    if not suite.expectations:
        suite.expect(gxe.ExpectTableRowCountToBeBetween, "the table can be read", min_value=0)
    return suite


def _reconciliation_suite(connection: duckdb.DuckDBPyConnection) -> Suite:
    frame = connection.execute(
        "select * from audit.audit_raw_row_reconciliation order by source_table"
    ).df()
    frame["unaccounted_rows"] = frame["raw_rows"] - (
        frame["staged_rows"]
        + frame["inactive_history_rows"]
        + frame["superseded_rows"]
        + frame["soft_deleted_rows"]
        + frame["quarantined_rows"]
    )
    frame["quarantined_share"] = (
        frame["quarantined_rows"] / frame["raw_rows"].where(frame["raw_rows"] > 0)
    ).fillna(0)
    suite = Suite(
        name="audit.reconciliation",
        location="build database audit.audit_raw_row_reconciliation",
        frame=frame,
    )
    suite.expect(
        gxe.ExpectColumnValuesToBeBetween,
        "every raw row is accounted for: raw (the landed file) = staged + inactive history "
        "versions + superseded + soft-deleted + quarantined",
        column="unaccounted_rows",
        min_value=0,
        max_value=0,
    )
    suite.expect(
        gxe.ExpectColumnValuesToBeBetween,
        f"at most {MAX_QUARANTINED_SHARE:.0%} of a table's rows are quarantined",
        WARNING,
        column="quarantined_share",
        min_value=0,
        max_value=MAX_QUARANTINED_SHARE,
    )
    return suite


def _row_count_suite(connection: duckdb.DuckDBPyConnection, present: set[str]) -> Suite:
    reconciliation = connection.execute(
        "select source_table, staged_rows from audit.audit_raw_row_reconciliation"
    ).df()
    staged = dict(zip(reconciliation["source_table"], reconciliation["staged_rows"], strict=True))
    rows = []
    for mart, upstream in UPSTREAM.items():
        if mart not in present:
            continue
        count = connection.execute(f'select count(*) from "marts"."{mart}"').fetchone()
        rows.append(
            {
                "mart": mart,
                "upstream": " + ".join(upstream),
                "mart_rows": int(count[0]) if count else 0,
                "staged_rows": int(sum(staged.get(table, 0) for table in upstream)),
            }
        )
    frame = pd.DataFrame(rows, columns=["mart", "upstream", "mart_rows", "staged_rows"])
    suite = Suite(
        name="marts.row_counts",
        location="build database marts.* vs audit reconciliation",
        frame=frame,
    )
    suite.expect(
        gxe.ExpectColumnPairValuesToBeEqual,
        "each mart holds exactly the rows its raw table staged (no fan-out, no loss)",
        column_A="mart_rows",
        column_B="staged_rows",
    )
    return suite


def _daily_spend_suite(connection: duckdb.DuckDBPyConnection, raw_data_dir: Path | None) -> Suite:
    as_of = connection.execute("select max(date_day) from marts.dim_dates").fetchone()
    as_of_date = as_of[0] if as_of else None
    marts_daily = connection.execute(
        "select spend_date, sum(spend_usd) as spend_usd "
        "from marts.fct_marketing_spend_daily group by spend_date"
    ).df()
    raw_parts = []
    if raw_data_dir is not None:
        for table, (spend, day) in AD_SPEND.items():
            path = raw_file(raw_data_dir, table)
            if path is not None:
                raw_parts.append(
                    f"select cast({day} as date) as spend_date, {spend} as spend "
                    f"from {reader_sql(path)}"
                )
    if raw_parts:
        raw_daily = connection.execute(
            "select spend_date, sum(spend) as raw_spend from ("
            + " union all ".join(raw_parts)
            + ") "
            "where spend > 0 and spend_date <= ? group by spend_date",
            [as_of_date],
        ).df()
    else:
        raw_daily = pd.DataFrame({"spend_date": pd.Series(dtype="datetime64[us]"), "raw_spend": []})
    frame = raw_daily.merge(marts_daily, on="spend_date", how="left").sort_values("spend_date")
    frame["spend_usd"] = frame["spend_usd"].astype(float).fillna(0.0)
    suite = Suite(
        name="marts.daily_spend",
        location="raw ad platform files vs marts.fct_marketing_spend_daily",
        frame=frame.reset_index(drop=True),
    )
    suite.expect(
        gxe.ExpectColumnValuesToBeBetween,
        "no day on which the ad platforms report spend has zero USD spend in the mart",
        column="spend_usd",
        min_value=0,
        strict_min=True,
    )
    return suite


def _monthly_leads_suite(connection: duckdb.DuckDBPyConnection) -> Suite:
    frame = connection.execute(
        """
        with months as (
            select cast(date_trunc('month', created_at) as date) as month, count(*) as leads
            from marts.fct_leads group by 1
        ),
        spine as (
            select cast(unnest(generate_series(min(month), max(month), interval 1 month)) as date)
                as month
            from months
        )
        select spine.month, coalesce(months.leads, 0) as leads
        from spine left join months on spine.month = months.month
        order by spine.month
        """
    ).df()
    suite = Suite(
        name="marts.monthly_leads", location="build database marts.fct_leads", frame=frame
    )
    suite.expect(
        gxe.ExpectColumnValuesToBeBetween,
        "no month without new leads between the first and the last",
        WARNING,
        column="leads",
        min_value=1,
    )
    return suite


def _stage_mapping_suite(connection: duckdb.DuckDBPyConnection, database: str) -> Suite:
    suite = query_suite(
        connection,
        "marts.stage_mapping",
        "build database marts.fct_opportunities",
        "select stage from marts.fct_opportunities",
        database,
    )
    suite.expect(
        gxe.ExpectColumnValuesToNotBeInSet,
        f"at least {1 - MAX_UNMAPPED_STAGE_SHARE:.0%} of deals are in a mapped stage",
        WARNING,
        column="stage",
        value_set=["unmapped"],
        mostly=1 - MAX_UNMAPPED_STAGE_SHARE,
    )
    return suite
