"""Pipeline history on the demo company: movement recomputed by replaying every deal's states.

The movement report (rpt_pipeline_movement) is checked three ways, none of them its own SQL: a
replay in Python of each deal's state sequence through every week and month (the rules of
docs/metrics.md, "Pipeline movement"), the deals fct_opportunities says were won and lost, and the
snapshot of as_of_date that the run recorded from the deal records. The state sequence itself is
checked against the raw change history and deal records in test_incremental (a second day's run).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # reads the demo build: `make test-fast` skips it
PROJECT_DIR = Path(__file__).resolve().parents[2]

MEASURES = (
    "opening_pipeline",
    "created",
    "pulled_in",
    "pushed_out",
    "increased",
    "decreased",
    "won",
    "lost",
    "closing_pipeline",
)


def period_start(day: date, grain: str) -> date:
    return day - timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def next_start(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def replay(states: list[tuple], as_of: date) -> dict[tuple, dict[str, float]]:
    """{(grain, period start): {measure_usd/measure_count: total}} for every deal's states.

    A state is (opportunity_id, valid_from, is_open, is_won, close_date, amount_usd), ordered by
    deal and state number. A period's pipeline: open deals with a close date before its end."""
    by_deal: dict[str, list[tuple]] = defaultdict(list)
    for state in states:
        by_deal[state[0]].append(state)
    as_of_end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    first = min(state[1] for state in states).date()
    totals: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for grain in ("week", "month"):
        start = period_start(first, grain)
        while start <= as_of:
            end_day = next_start(start, grain)
            start_at = datetime.combine(start, datetime.min.time())
            end_at = min(datetime.combine(end_day, datetime.min.time()), as_of_end)
            row = totals[(grain, start)]

            def value(state, end_day=end_day) -> float | None:
                """The deal's amount if the state is in the period's pipeline, else None."""
                if state is None or not state[2] or state[4] is None or state[4] >= end_day:
                    return None
                return float(state[5] or 0)

            def add(measure: str, amount: float, row=row) -> None:
                row[f"{measure}_usd"] += amount
                row[f"{measure}_count"] += 1

            for deal_states in by_deal.values():
                created_here = start_at <= deal_states[0][1] < end_at
                before = [s for s in deal_states if s[1] < start_at]
                opening = value(before[-1] if before else None)
                if opening is not None:
                    add("opening_pipeline", opening)
                for index, state in enumerate(deal_states):
                    if not start_at <= state[1] < end_at:
                        continue
                    previous = deal_states[index - 1] if index else None
                    was, now = value(previous), value(state)
                    closing = not state[2] and (previous is None or previous[2])
                    amount = float(state[5] or 0)
                    if was is None and (now is not None or closing):
                        add("created" if created_here else "pulled_in", amount)
                    if was is not None and (now is not None or closing):
                        if amount > was:
                            add("increased", amount - was)
                        elif amount < was:
                            add("decreased", was - amount)
                    if was is not None and now is None and not closing:
                        add("pushed_out", was)
                    if closing:
                        add("won" if state[3] else "lost", amount)
                last = [s for s in deal_states if s[1] < end_at]
                closing_value = value(last[-1] if last else None)
                if closing_value is not None:
                    add("closing_pipeline", closing_value)
            start = end_day
    return totals


@pytest.fixture(scope="module")
def history(demo_warehouse):
    with duckdb.connect(str(demo_warehouse.build_database), read_only=True) as connection:
        states = connection.execute(
            "select opportunity_id, valid_from, is_open, is_won, close_date, amount_usd "
            "from intermediate.int_opportunity_states_sequenced "
            "order by opportunity_id, state_number"
        ).fetchall()
        as_of = connection.execute(
            "select max(snapshot_date) from intermediate.int_opportunity_snapshots_recorded"
        ).fetchone()[0]
        report = connection.execute(
            "select * from marts.rpt_pipeline_movement where segment_type = 'all'"
        ).df()
        segments = connection.execute("select * from marts.rpt_pipeline_movement").df()
        closed = connection.execute(
            "select is_won, count(*), sum(amount_usd) from marts.fct_opportunities "
            "where is_closed and close_date <= ? group by is_won",
            [as_of],
        ).fetchall()
        recorded = connection.execute(
            "select close_date, amount_usd from marts.fct_pipeline_snapshots "
            "where snapshot_date = ? and snapshot_source = 'recorded'",
            [as_of],
        ).fetchall()
    return states, as_of, report, segments, closed, recorded


def test_every_period_equals_a_replay_of_the_deals_states(history) -> None:
    states, as_of, report, _, _, _ = history
    expected = replay(states, as_of)
    compared = 0
    for row in report.itertuples():
        totals = expected.pop((row.period_grain, row.period_start_date.date()), {})
        for measure in MEASURES:
            for unit in ("usd", "count"):
                got = float(getattr(row, f"{measure}_{unit}"))
                assert got == pytest.approx(totals.get(f"{measure}_{unit}", 0.0), abs=0.01), (
                    row.period_grain,
                    row.period_start_date,
                    measure,
                    unit,
                )
                compared += 1
    # periods the report leaves out had nothing in them
    assert all(not any(totals.values()) for totals in expected.values())
    assert compared > 100 * 18  # two years of weeks and months


def test_won_and_lost_add_up_to_the_closed_deals(history) -> None:
    """Every deal closed by as_of_date is won or lost once, in one week and one month."""
    _, _, report, _, closed, _ = history
    outcome = {is_won: (count, float(amount or 0)) for is_won, count, amount in closed}
    for grain in ("week", "month"):
        rows = report[report.period_grain == grain]
        assert rows.won_count.sum() == outcome[True][0]
        assert float(rows.won_usd.sum()) == pytest.approx(outcome[True][1], abs=0.01)
        assert rows.lost_count.sum() == outcome[False][0]
        assert float(rows.lost_usd.sum()) == pytest.approx(outcome[False][1], abs=0.01)


def test_this_weeks_closing_pipeline_is_the_recorded_snapshot(history) -> None:
    """The run recorded the open deal records of as_of_date; the movement (from the change history)
    must close this week and this month on the same deals and dollars."""
    _, as_of, report, _, _, recorded = history
    for grain in ("week", "month"):
        start = period_start(as_of, grain)
        due = [amount for close, amount in recorded if close < next_start(start, grain)]
        row = report[(report.period_grain == grain) & (report.period_start_date.dt.date == start)]
        assert len(row) == 1 and bool(row.is_current_period.iloc[0])
        assert int(row.closing_pipeline_count.iloc[0]) == len(due) > 0
        assert float(row.closing_pipeline_usd.iloc[0]) == pytest.approx(
            float(sum(amount or 0 for amount in due)), abs=0.01
        )


def test_each_segment_type_adds_up_to_the_company(history) -> None:
    _, _, _, segments, _, _ = history
    columns = [f"{measure}_{unit}" for measure in MEASURES for unit in ("usd", "count")]
    key = ["period_grain", "period_start_date"]
    company = segments[segments.segment_type == "all"].set_index(key)[columns].astype(float)
    for segment_type in ("owner", "channel", "icp_tier"):
        summed = (
            segments[segments.segment_type == segment_type]
            .groupby(key)[columns]
            .sum()
            .astype(float)
        )
        assert summed.reindex(company.index).fillna(0).round(2).equals(company.round(2)), (
            segment_type
        )


def stalled_on(states: list[tuple], thresholds: dict[str, int], day: date) -> dict[str, str]:
    """{deal: stage} of the deals open and stalled at the end of `day`, from their states
    (opportunity_id, valid_from, is_open, stage, stage_entered_at), ordered by deal and state."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time())
    current: dict[str, tuple] = {}
    for state in states:
        if state[1] < end:
            current[state[0]] = state
    return {
        deal: state[3]
        for deal, state in current.items()
        if state[2] and (day - state[4].date()).days > thresholds.get(state[3], 10**9)
    }


def test_stalled_deals_each_week_match_the_deals_states(demo_warehouse) -> None:
    """Stalled, newly stalled, unstalled and closed while stalled, week by week, recomputed from
    the deals' states and the stages' thresholds; the current week's equal today's flags."""
    with duckdb.connect(str(demo_warehouse.build_database), read_only=True) as connection:
        states = connection.execute(
            "select opportunity_id, valid_from, is_open, stage, stage_entered_at "
            "from intermediate.int_opportunity_states_sequenced "
            "order by opportunity_id, state_number"
        ).fetchall()
        thresholds = dict(
            connection.execute(
                "select stage, stalled_after_days from intermediate.int_stage_stall_thresholds"
            ).fetchall()
        )
        as_of = connection.execute(
            "select max(snapshot_date) from intermediate.int_opportunity_snapshots_recorded"
        ).fetchone()[0]
        report = connection.execute(
            "select week_start_date, stalled_deals, stalled_at_start_deals, newly_stalled_deals, "
            "unstalled_deals, closed_while_stalled_deals from marts.rpt_pipeline_stalls "
            "where segment_type = 'all' order by week_start_date"
        ).fetchall()
        today = dict(
            connection.execute(
                "select opportunity_id, stage from marts.fct_opportunities where is_stalled"
            ).fetchall()
        )
    open_deals_by_day: dict[date, set[str]] = {}

    def open_on(day: date) -> set[str]:
        if day not in open_deals_by_day:
            end = datetime.combine(day + timedelta(days=1), datetime.min.time())
            current = {s[0]: s for s in states if s[1] < end}
            open_deals_by_day[day] = {deal for deal, s in current.items() if s[2]}
        return open_deals_by_day[day]

    assert stalled_on(states, thresholds, as_of) == today and len(today) > 5
    checked = 0
    for week_start, stalled, at_start, newly, unstalled, closed in report:
        end_day = min(week_start + timedelta(days=6), as_of)
        now = stalled_on(states, thresholds, end_day)
        before = stalled_on(states, thresholds, week_start - timedelta(days=1))
        continuing = {deal for deal, stage in now.items() if before.get(deal) == stage}
        left = set(before) - continuing
        assert (stalled, at_start, newly) == (len(now), len(before), len(now) - len(continuing)), (
            week_start
        )
        assert unstalled == len(left & open_on(end_day)), week_start
        assert closed == len(left - open_on(end_day)), week_start
        checked += 1
    assert checked > 50


def test_forecast_accuracy_each_month_matches_the_states_deals_and_targets(demo_warehouse) -> None:
    """Each month's opening pipeline by forecast category (the deals' states as the month
    opened), the commit won in the month (fct_opportunities), and the quota of seeds/targets.csv."""
    with duckdb.connect(str(demo_warehouse.build_database), read_only=True) as connection:
        states = connection.execute(
            "select opportunity_id, valid_from, is_open, close_date, amount_usd, "
            "forecast_category from intermediate.int_opportunity_states_sequenced "
            "order by opportunity_id, state_number"
        ).fetchall()
        won = connection.execute(
            "select opportunity_id, date_trunc('month', close_date), amount_usd "
            "from marts.fct_opportunities where is_won"
        ).fetchall()
        report = connection.execute(
            "select month_start_date, opening_pipeline_usd, opening_commit_usd, "
            "opening_best_case_usd, won_usd, won_from_commit_usd, quota_usd, pipeline_coverage "
            "from marts.rpt_forecast_accuracy where segment_type = 'all' order by 1"
        ).fetchall()
    targets = pd.read_csv(PROJECT_DIR / "seeds" / "targets.csv", parse_dates=["month_start_date"])
    quota = {
        row.month_start_date.date(): row.quota_usd
        for row in targets[targets.segment_type == "all"].itertuples()
    }
    won_in = {(deal, month.date()): float(amount or 0) for deal, month, amount in won}
    checked = 0
    for month, opening, commit, best_case, won_usd, won_commit, quota_usd, coverage in report:
        start = datetime.combine(month, datetime.min.time())
        due_by = next_start(month, "month")
        current: dict[str, tuple] = {}
        for state in states:
            if state[1] < start:
                current[state[0]] = state
        due = [s for s in current.values() if s[2] and s[3] is not None and s[3] < due_by]
        by_category: dict[str, float] = defaultdict(float)
        for state in due:
            by_category[state[5]] += float(state[4] or 0)
        assert float(opening) == pytest.approx(sum(by_category.values()), abs=0.01), month
        assert float(commit) == pytest.approx(by_category["Commit"], abs=0.01), month
        assert float(best_case) == pytest.approx(by_category["Best Case"], abs=0.01), month
        expected_won = sum(v for (deal, m), v in won_in.items() if m == month)
        assert float(won_usd) == pytest.approx(expected_won, abs=0.01), month
        commit_won = sum(won_in.get((s[0], month), 0.0) for s in due if s[5] == "Commit")
        assert float(won_commit) == pytest.approx(commit_won, abs=0.01), month
        if month in quota:
            assert float(quota_usd) == quota[month]
            assert coverage == pytest.approx(float(opening) / quota[month], rel=1e-9)
        else:
            assert quota_usd is None and coverage is None
        checked += 1
    assert checked >= 20 and sum(1 for row in report if row[6] is not None) >= 18


def test_mrr_movements_equal_a_replay_of_the_subscriptions(demo_warehouse) -> None:
    """Each customer's MRR at every month's start and end from fct_subscriptions, classified in
    pandas; and the churn equals rpt_churn's."""
    with duckdb.connect(str(demo_warehouse.build_database), read_only=True) as connection:
        subscriptions = connection.execute(
            "select coalesce(account_id, subscription_id) as customer, started_at, ended_at, "
            "coalesce(mrr_usd, 0) as mrr from marts.fct_subscriptions where started_at is not null"
        ).df()
        as_of = connection.execute("select max(date_day) from marts.dim_dates").fetchone()[0]
        report = connection.execute(
            "select * from marts.rpt_mrr_movements where segment_type = 'all' "
            "order by month_start_date"
        ).df()
        churn = connection.execute(
            "select month_start_date, customers_churned, churned_mrr_usd from marts.rpt_churn "
            "where icp_tier = 'all' and acquisition_channel = 'all'"
        ).df()
    as_of_at = pd.Timestamp(as_of)
    ended = subscriptions.ended_at.where(subscriptions.ended_at <= as_of_at)
    first = subscriptions.groupby("customer").started_at.min()

    def mrr_at(moment: pd.Timestamp) -> pd.Series:
        live = (subscriptions.started_at <= moment) & (ended.isna() | (moment < ended))
        return subscriptions[live].groupby("customer").mrr.sum().astype(float)

    checked = 0
    for row in report.itertuples():
        start = pd.Timestamp(row.month_start_date)
        end = min(start + pd.DateOffset(months=1), as_of_at)
        before, after = mrr_at(start), mrr_at(end)
        both = before.index.intersection(after.index)
        entered = after.index.difference(before.index)
        new = entered[first[entered] >= start]
        expected = {
            "opening_mrr_usd": before.sum(),
            "new_mrr_usd": after[new].sum(),
            "reactivation_mrr_usd": after[entered.difference(new)].sum(),
            "expansion_mrr_usd": (after[both] - before[both]).clip(lower=0).sum(),
            "contraction_mrr_usd": (before[both] - after[both]).clip(lower=0).sum(),
            "churned_mrr_usd": before[before.index.difference(after.index)].sum(),
            "closing_mrr_usd": after.sum(),
            "customers_at_start": len(before),
            "new_customers": len(new),
            "churned_customers": len(before.index.difference(after.index)),
            "customers_at_end": len(after),
        }
        for column, value in expected.items():
            assert float(getattr(row, column)) == pytest.approx(value, abs=0.01), (start, column)
        checked += 1
    assert checked >= 20 and report.new_customers.sum() > 50
    merged = report.merge(churn, on="month_start_date")
    assert (merged.churned_customers == merged.customers_churned).all()
    assert (
        merged.churned_mrr_usd_x.astype(float) - merged.churned_mrr_usd_y.astype(float)
    ).abs().max() < 0.01


def test_the_weekly_funnel_adds_up_to_the_leads_deals_and_monthly_flows(demo_warehouse) -> None:
    """Leads created and deals won or lost per week from fct_leads and fct_opportunities; every
    stage's weekly events add up to rpt_funnel_conversion's monthly flow entries; open qualified
    pipeline at the current week's end is today's (fct_opportunities.is_qualified_pipeline)."""
    with duckdb.connect(str(demo_warehouse.build_database), read_only=True) as connection:
        weekly = connection.execute(
            "select * from marts.rpt_funnel_weekly where channel = 'all' order by week_start_date"
        ).df()
        leads = connection.execute("select created_at from marts.fct_leads").df()
        deals = connection.execute(
            "select close_date, is_won, amount_usd, is_qualified_pipeline "
            "from marts.fct_opportunities"
        ).df()
        flows = dict(
            connection.execute(
                "select transition, sum(entered_count) from marts.rpt_funnel_conversion "
                "where conversion_type = 'flow' group by transition"
            ).fetchall()
        )
        as_of = connection.execute("select max(date_day) from marts.dim_dates").fetchone()[0]
    week = lambda values: values.dt.to_period("W-SUN").dt.start_time.dt.date  # noqa: E731
    created = leads.groupby(week(pd.to_datetime(leads.created_at))).size()
    closed = deals[deals.close_date.notna()]
    closed = closed[pd.to_datetime(closed.close_date).dt.date <= as_of]
    won = closed[closed.is_won.astype(bool)]
    lost = closed[~closed.is_won.astype(bool)]
    by_week = weekly.set_index(pd.to_datetime(weekly.week_start_date).dt.date)
    assert by_week.leads_created.to_dict() == {
        day: count for day, count in created.items() if count
    } | {day: 0 for day in by_week.index if day not in created.index}
    won_weeks = won.groupby(week(pd.to_datetime(won.close_date))).size()
    lost_weeks = lost.groupby(week(pd.to_datetime(lost.close_date))).size()
    for day, row in by_week.iterrows():
        assert row.deals_won == won_weeks.get(day, 0) and row.deals_lost == lost_weeks.get(day, 0)
    assert float(by_week.won_amount_usd.sum()) == pytest.approx(float(won.amount_usd.sum()))
    assert (
        by_week.mqls.sum() == flows["mql_to_sql"]
        and by_week.sqls.sum() == flows["sql_to_opportunity"]
    )
    current = by_week[by_week.is_current_week].iloc[0]
    assert current.open_qualified_opportunities == int(deals.is_qualified_pipeline.sum())
