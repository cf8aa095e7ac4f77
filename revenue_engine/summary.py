"""The short summary `make run` ends with."""

from __future__ import annotations

from pathlib import Path

import duckdb

from revenue_engine.publish_checks import latest_row_sql


def print_summary(database: Path) -> None:
    """Print the row counts of the core marts and how many reports were built."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        print("\nMarts (rows):")
        for name in tables:
            if name.startswith(("dim_", "fct_")):
                count = connection.execute(f'select count(*) from marts."{name}"').fetchone()
                print(f"  marts.{name:<34} {count[0] if count else 0:>10,}")
        reports = [name for name in tables if name.startswith("rpt_")]
        print(f"  + {len(reports)} reports (marts.rpt_*)")


def print_audit_summary(database: Path) -> None:
    """Print the quarantined and flagged rows by raw table and reason (the audit models)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        present = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'audit'"
            ).fetchall()
        }
        for table, title in (
            ("audit_quarantined_records", "Quarantined (held out of the marts)"),
            ("audit_flagged_records", "Flagged (kept in the marts, with a warning)"),
        ):
            if table not in present:
                continue
            rows = connection.execute(
                f"select source_table, reason, count(distinct record_id) from audit.{table} "
                "group by source_table, reason order by source_table, reason"
            ).fetchall()
            total = connection.execute(
                f"select count(*) from (select distinct source_table, record_id from audit.{table})"
            ).fetchone()
            print(f"\n{title}: {total[0] if total else 0:,} records (audit.{table})")
            for source_table, reason, count in rows:
                print(f"  {source_table:<38} {reason:<28} {count:>8,}")
        if "audit_raw_landing" in present:
            print_not_landed(connection)
        if "audit_unmapped_values" in present:
            unmapped = connection.execute(
                "select count(*), coalesce(sum(record_count), 0) from audit.audit_unmapped_values"
            ).fetchone()
            if unmapped and unmapped[0]:
                print(
                    f"\nUnmapped values: {unmapped[0]:,} lead sources / stage names on "
                    f"{unmapped[1]:,} records (audit.audit_unmapped_values: add them to the seeds)"
                )


def not_landed_lines(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """What did not land and what it makes unavailable (audit.audit_raw_landing), one per line."""
    rows = connection.execute(
        """
        select
            source_table,
            case when status = 'not_landed' then '(table)' else string_agg(column_name, ', '
                order by column_name) end as columns,
            status,
            coalesce(
                needed_for,
                case when status = 'default' then 'filled with ' || any_value(landed_as) end,
                'no mart'
            ) as consequence
        from audit.audit_raw_landing
        where status in ('not_landed', 'absent', 'default')
        group by source_table, status, needed_for
        order by source_table, status, consequence
        """
    ).fetchall()
    lines = []
    for source_table, columns, status, consequence in rows:
        what = source_table if status == "not_landed" else f"{source_table}: {columns}"
        verb = consequence if status == "default" else f"{consequence}: not available"
        lines.append(f"{what} -> {verb}")
    return lines


def print_not_landed(connection: duckdb.DuckDBPyConnection) -> None:
    lines = not_landed_lines(connection)
    if lines:
        print(f"\nNot landed ({len(lines)}; read as empty or null: audit.audit_raw_landing):")
        for line in lines:
            print(f"  {line}")


def _money(value: object) -> str:
    return "n/a" if value is None else f"${float(value):,.0f}"  # type: ignore[arg-type]


def _rate(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]


def _number(value: object, digits: int = 1) -> str:
    return "n/a" if value is None else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def print_this_week(one) -> None:
    """This week's pipeline movement and stalls (the current week of rpt_pipeline_movement and
    rpt_pipeline_stalls, to as_of_date)."""
    movement = one(
        "select period_start_date, period_end_date, opening_pipeline_usd, created_usd, "
        "pulled_in_usd, pushed_out_usd, increased_usd - decreased_usd, won_usd, lost_usd, "
        "closing_pipeline_usd, pushed_out_count "
        "from marts.rpt_pipeline_movement where period_grain = 'week' and segment_type = 'all' "
        "and is_current_period"
    )
    if movement:
        start, end, opening, created, pulled, pushed, changed, won, lost, closing, count = movement
        print(
            f"  This week ({start} to {end}), pipeline due by Sunday: opened {_money(opening)}, "
            f"created {_money(created)}, pulled in {_money(pulled)}, pushed out {_money(pushed)} "
            f"({count} deals), amounts {'+' if float(changed) >= 0 else '-'}"
            f"{_money(abs(float(changed)))}, won {_money(won)}, lost {_money(lost)}, "
            f"now {_money(closing)}"
        )
    stalls = one(
        "select newly_stalled_deals, newly_stalled_usd, unstalled_deals, "
        "closed_while_stalled_deals from marts.rpt_pipeline_stalls "
        "where segment_type = 'all' and is_current_week"
    )
    if stalls:
        print(
            f"  Newly stalled this week: {stalls[0]} ({_money(stalls[1])}); unstalled {stalls[2]}, "
            f"closed while stalled {stalls[3]}"
        )


def print_headline_numbers(database: Path) -> None:
    """The company's headline numbers, read from the governed reports (never recomputed here)."""
    with duckdb.connect(str(database), read_only=True) as connection:

        def one(sql: str) -> tuple | None:
            return connection.execute(sql).fetchone()

        as_of = one("select max(date_day) from marts.dim_dates")
        print(f"\nHeadline numbers as of {as_of[0] if as_of else 'n/a'}:")
        velocity = one(
            latest_row_sql(
                "velocity",
                "trailing_win_rate, trailing_average_won_deal_usd, "
                "trailing_median_sales_cycle_days, open_qualified_opportunities, "
                "pipeline_velocity_usd_per_day, trailing_window_start_date",
            )
        )
        if velocity:
            print(
                f"  Win rate {_rate(velocity[0])}, average won deal {_money(velocity[1])}, "
                f"median cycle {_number(velocity[2], 0)} days (deals of every type closed "
                f"{velocity[5]} to {as_of[0] if as_of else 'n/a'})"
            )
            print(
                f"  Pipeline velocity {_money(velocity[4])}/day "
                f"on {velocity[3]} open qualified deals"
            )
        cac = one(
            latest_row_sql(
                "cac",
                "trailing_paid_cac_usd, trailing_blended_cac_usd, trailing_cac_payback_months, "
                "strftime(month_start_date, '%B %Y')",
            )
        )
        if cac:
            print(
                f"  Paid CAC {_money(cac[0])}, blended CAC {_money(cac[1])}, "
                f"payback {_number(cac[2])} months (trailing window to {cac[3]}, "
                "the last complete month)"
            )
        churn = one(
            latest_row_sql(
                "churn",
                "trailing_logo_churn_rate, ltv_usd, ltv_to_cac_ratio, "
                "strftime(month_start_date, '%B %Y')",
            )
        )
        if churn:
            print(
                f"  Monthly logo churn {_rate(churn[0])}, LTV {_money(churn[1])}, "
                f"LTV:CAC {_number(churn[2])} (trailing window to {churn[3]})"
            )
        stalled = one("select count(*), sum(amount_usd) from marts.rpt_stalled_deals")
        if stalled:
            print(f"  Stalled deals for the weekly review: {stalled[0]} ({_money(stalled[1])})")
        print_this_week(one)
        tiers = connection.execute(
            "select icp_tier, leads, lead_to_won_rate, win_rate, average_won_deal_usd, "
            "median_sales_cycle_days, paid_cac_usd, trailing_logo_churn_rate "
            "from marts.rpt_icp_performance where icp_tier in ('A', 'B', 'C') order by icp_tier"
        ).fetchall()
        if tiers:
            print(
                "  By ICP tier (leads and New Business deals of all history; churn over the "
                "trailing window to the last complete month):"
            )
            print(
                "                leads  lead->won  win rate  won deal   cycle  paid CAC  churn/mo"
            )
            for tier, leads, to_won, win, deal, cycle, tier_cac, tier_churn in tiers:
                print(
                    f"    {tier:<10} {leads:>6,}  {_rate(to_won):>8}  {_rate(win):>8}  "
                    f"{_money(deal):>8}  {_number(cycle, 0):>5}d  {_money(tier_cac):>8}  "
                    f"{_rate(tier_churn):>8}"
                )
