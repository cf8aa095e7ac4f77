"""The audit step before a publish: compare the build with the last good publish.

A build can pass every test and still be wrong in a way no single row shows: an extract that
arrived with only its header row, an FX feed in the wrong unit, a table whose rows mostly went to
quarantine. So before the published file is replaced, the build is measured (rows of every raw
table and public mart, the headline metrics) and compared with what the last successful publish
recorded in `audit.publish_history`:

- a raw table or public mart (not the audit lists) whose row count falls by more than
  `PUBLISH_MAX_ROW_DROP` (default 0.5, i.e. 50%) or to zero blocks the publish;
- a headline metric that moves by more than a factor of `PUBLISH_MAX_METRIC_FACTOR` (default 2)
  either way, or that disappears (had a value, now has none), blocks the publish;
- a raw table whose quarantined share exceeds `QUARANTINE_MAX_SHARE` (default 0.1) blocks the
  run (the circuit breaker: row-level problems are quarantined, but a table that is mostly
  quarantined is a broken extract, not a few bad rows).

An intended change (a new company, a cleaned-up CRM) is accepted with
`REVENUE_ENGINE_ACCEPT_CHANGES=1` for that one run; the circuit breaker has no such switch, only
its threshold.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Where the headline numbers live: the latest row of a governed report for the whole company (the
# summary `make run` prints reads the same rows). Nothing is recomputed here. CAC, churn and LTV
# come from the last complete month, as the per-tier figures do: a month a day old has almost no
# new customers or churn yet, so its trailing figures would move (or vanish) on the 1st.
HEADLINE_ROWS: dict[str, tuple[str, str]] = {
    "velocity": ("marts.rpt_pipeline_velocity", "segment_type = 'all'"),
    "cac": (
        "marts.rpt_customer_acquisition_cost",
        "channel = 'all' and is_complete_month and trailing_blended_cac_usd is not null",
    ),
    "churn": (
        "marts.rpt_churn",
        "icp_tier = 'all' and acquisition_channel = 'all' and is_complete_month "
        "and ltv_usd is not null",
    ),
}


def latest_row_sql(row: str, columns: str) -> str:
    """SQL for `columns` of the latest month of headline row `row` (HEADLINE_ROWS)."""
    report, condition = HEADLINE_ROWS[row]
    return (
        f"select {columns} from {report} where {condition} order by month_start_date desc limit 1"
    )


# The headline metrics the publish guards: name -> (headline row, column).
HEADLINE_METRICS: dict[str, tuple[str, str]] = {
    "trailing_win_rate": ("velocity", "trailing_win_rate"),
    "pipeline_velocity_usd_per_day": ("velocity", "pipeline_velocity_usd_per_day"),
    "open_qualified_opportunities": ("velocity", "open_qualified_opportunities"),
    "trailing_paid_cac_usd": ("cac", "trailing_paid_cac_usd"),
    "trailing_blended_cac_usd": ("cac", "trailing_blended_cac_usd"),
    "trailing_logo_churn_rate": ("churn", "trailing_logo_churn_rate"),
    "ltv_to_cac_ratio": ("churn", "ltv_to_cac_ratio"),
}

ACCEPT_CHANGES = "REVENUE_ENGINE_ACCEPT_CHANGES"


@dataclass(frozen=True)
class PublishPolicy:
    """Thresholds of the audit step, from the environment (README, Configuration)."""

    max_row_drop: float = 0.5
    max_metric_factor: float = 2.0
    max_quarantined_share: float = 0.1
    accept_changes: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PublishPolicy:
        env = os.environ if environ is None else environ
        return cls(
            max_row_drop=float(env.get("PUBLISH_MAX_ROW_DROP", cls.max_row_drop)),
            max_metric_factor=float(env.get("PUBLISH_MAX_METRIC_FACTOR", cls.max_metric_factor)),
            max_quarantined_share=float(env.get("QUARANTINE_MAX_SHARE", cls.max_quarantined_share)),
            accept_changes=env.get(ACCEPT_CHANGES, "").lower() in ("1", "true", "yes"),
        )


@dataclass
class Measures:
    """What a build holds: rows per raw table and public mart, the headline metrics."""

    rows: dict[str, int] = field(default_factory=dict)  # "raw salesforce.lead" / "mart marts.x"
    metrics: dict[str, float | None] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)  # raw table -> quarantined rows
    as_of_date: str | None = None


class PublishBlockedError(RuntimeError):
    """The build differs from the last publish beyond the policy: nothing is published."""

    def __init__(self, problems: list[str], overridable: bool) -> None:
        self.problems = problems
        self.overridable = overridable
        super().__init__("; ".join(problems))


def measure(connection: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> Measures:
    """Measure a build opened on `connection` (its public `tables` as (schema, name))."""
    found = Measures()
    names = {(schema, name) for schema, name in tables}
    for schema, name in sorted(names):
        if schema == "audit":  # fewer quarantined or flagged records is good news, not a loss
            continue
        row = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
        found.rows[f"mart {schema}.{name}"] = int(row[0]) if row else 0
    if ("audit", "audit_raw_row_reconciliation") in names:
        for source_table, raw_rows, quarantined in connection.execute(
            "select source_table, raw_rows, quarantined_rows "
            "from audit.audit_raw_row_reconciliation order by source_table"
        ).fetchall():
            found.rows[f"raw {source_table}"] = int(raw_rows)
            found.quarantined[source_table] = int(quarantined)
    for metric, (headline_row, column) in HEADLINE_METRICS.items():
        try:
            row = connection.execute(latest_row_sql(headline_row, column)).fetchone()
        except duckdb.CatalogException:  # a report this build does not have
            row = None
        value = row[0] if row else None
        found.metrics[metric] = None if value is None else float(value)
    if ("marts", "dim_dates") in names:
        row = connection.execute("select cast(max(date_day) as varchar) from marts.dim_dates")
        fetched = row.fetchone()
        found.as_of_date = fetched[0] if fetched else None
    return found


def read_last_publish(published_database: Path) -> Measures | None:
    """The measures the last successful publish recorded, or None (no publish, or no history)."""
    if not published_database.exists():
        return None
    with duckdb.connect(str(published_database), read_only=True) as connection:
        present = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'publish_history'"
        ).fetchone()
        if not present or not present[0]:
            return None
        rows = connection.execute(
            "select measure_type, measure_name, measure_value from audit.publish_history "
            "where publish_id = (select max(publish_id) from audit.publish_history)"
        ).fetchall()
    last = Measures()
    for measure_type, name, value in rows:
        if measure_type == "rows":
            last.rows[name] = int(value)
        elif measure_type == "metric":
            last.metrics[name] = None if value is None else float(value)
    return last


def _number(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def compare(previous: Measures | None, current: Measures, policy: PublishPolicy) -> list[str]:
    """Why `current` may not replace `previous` under `policy` (empty: it may)."""
    if previous is None:
        return []
    problems = []
    for name, before in sorted(previous.rows.items()):
        after = current.rows.get(name)
        if after is None or before <= 0:
            continue
        if after == 0 or after < before * (1 - policy.max_row_drop):
            problems.append(
                f"{name} rows fell from {before:,} to {after:,} "
                f"(more than PUBLISH_MAX_ROW_DROP={policy.max_row_drop:.0%})"
            )
    for name, before in sorted(previous.metrics.items()):
        if name not in current.metrics or before is None:
            continue
        after = current.metrics[name]
        if after is None:
            problems.append(f"headline {name} was {_number(before)} and is now not available")
            continue
        if before == 0 or after == 0:
            moved = before != after and max(abs(before), abs(after)) > 0
            ratio = math.inf if moved else 1.0
        else:
            ratio = max(after / before, before / after) if after * before > 0 else math.inf
        if ratio > policy.max_metric_factor:
            problems.append(
                f"headline {name} moved from {_number(before)} to {_number(after)} "
                f"(more than PUBLISH_MAX_METRIC_FACTOR={policy.max_metric_factor:g}x)"
            )
    return problems


def circuit_breaker(current: Measures, policy: PublishPolicy) -> list[str]:
    """Raw tables whose quarantined share is beyond the policy's threshold."""
    problems = []
    for source_table, quarantined in sorted(current.quarantined.items()):
        raw = current.rows.get(f"raw {source_table}", 0)
        if raw and quarantined / raw > policy.max_quarantined_share:
            problems.append(
                f"{source_table}: {quarantined:,} of {raw:,} rows ({quarantined / raw:.0%}) are "
                f"quarantined (more than QUARANTINE_MAX_SHARE={policy.max_quarantined_share:.0%}); "
                "see audit.audit_quarantined_records for the reasons"
            )
    return problems


def check_before_publish(
    build: duckdb.DuckDBPyConnection,
    published_database: Path,
    tables: list[tuple[str, str]],
    policy: PublishPolicy,
) -> Measures:
    """Measure the build and raise PublishBlockedError when it may not be published."""
    current = measure(build, tables)
    broken = circuit_breaker(current, policy)
    changed = compare(read_last_publish(published_database), current, policy)
    if policy.accept_changes:
        changed = []
    if broken or changed:
        raise PublishBlockedError(broken + changed, overridable=not broken)
    return current


def history_rows(publish_id: int, published_at: str, current: Measures) -> list[tuple]:
    """The rows one publish adds to audit.publish_history."""
    rows: list[tuple] = []
    for name, value in sorted(current.rows.items()):
        rows.append((publish_id, published_at, current.as_of_date, "rows", name, float(value)))
    for name, metric in sorted(current.metrics.items()):
        rows.append((publish_id, published_at, current.as_of_date, "metric", name, metric))
    return rows
