"""The four pages. Each reads governed marts from the published file and says, beside every
number, its window and its population. Nothing is recomputed but sums of additive counts across
segments (the rate is then the ratio of the sums, as the semantic layer's ratio metrics do)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from revenue_engine.dashboards.data import number, pct, query, ratio, scalar, usd
from revenue_engine.publish_checks import latest_row_sql

TRANSITIONS = {
    "lead_to_mql": "Lead → MQL",
    "mql_to_sql": "MQL → SQL",
    "sql_to_opportunity": "SQL → opportunity",
    "opportunity_to_won": "Opportunity → won",
}
ALL = "All channels"


@dataclass(frozen=True)
class Page:
    slug: str  # the URL path and the screenshot's name
    title: str
    render: Callable[[], None]
    summary: str = ""


def _as_of() -> date:
    """The as_of_date of the latest publish (every mart was built for it)."""
    latest = "select as_of_date from audit.publish_history order by publish_id desc limit 1"
    return pd.Timestamp(scalar(latest)).date()


def _complete_months(as_of: date, count: int) -> list[date]:
    """The last `count` complete months before as_of's own month, oldest first: a month is complete
    once the first day of the next is on or before as_of_date (is_complete_month of the marts)."""
    first = pd.Timestamp(as_of).to_period("M")
    return [(first - n).start_time.date() for n in range(count, 0, -1)]


class Row(dict):
    """One mart row; a column it lacks (or a row that does not exist) reads as None."""

    def __getattr__(self, name: str):
        value = self.get(name)
        return None if value is None or pd.isna(value) else value


def _latest(row: str) -> Row:
    """The headline row `row` (publish_checks.HEADLINE_ROWS), empty when the data has none."""
    frame = query(latest_row_sql(row, "*"))
    return Row(frame.iloc[0].to_dict()) if len(frame) else Row()


def _day(value) -> str:
    return "n/a" if value is None else f"{pd.Timestamp(value):%Y-%m-%d}"


def _month(value) -> str:
    return "n/a" if value is None else f"{pd.Timestamp(value):%B %Y}"


def _not_available(what: str, needs: str) -> None:
    st.warning(
        f"{what}: not available in this warehouse. It needs {needs}; "
        "audit.audit_raw_row_reconciliation and audit.audit_raw_landing show what landed."
    )


def _header(title: str, as_of: date, text: str) -> None:
    st.title(title)
    st.caption(f"Published warehouse, as of **{as_of:%Y-%m-%d}**. {text}")


# --- Overview --------------------------------------------------------------------------------

# slug -> the app's st.Page, set by app.py so the overview can link to each page
LINKS: dict[str, object] = {}


def overview() -> None:
    as_of = _as_of()
    _header(
        "Revenue engine",
        as_of,
        "One governed number for each question, from the published marts: the same figures every "
        "BI tool and the run summary read.",
    )
    velocity, cac, churn = _latest("velocity"), _latest("cac"), _latest("churn")
    stalled = query("select count(*) as deals, sum(amount_usd) as usd from marts.rpt_stalled_deals")
    st.caption(
        f"Win rate, deal size, cycle and velocity: deals of every type closed from "
        f"{_day(velocity.trailing_window_start_date)} to {_day(velocity.month_end_date)} "
        f"(the trailing window), the whole company. CAC, churn and LTV: the "
        f"{number(cac.months_in_window)} months to the end of {_month(cac.month_start_date)}, the "
        "last complete month. The ICP calibration page shows New Business deals of all history "
        "per tier, so its win rates differ from this one by window and deal type."
    )
    tiles = [
        ("Win rate, trailing, all deal types", pct(velocity.trailing_win_rate)),
        ("Pipeline velocity (USD/day)", usd(velocity.pipeline_velocity_usd_per_day)),
        ("Paid CAC, trailing", usd(cac.trailing_paid_cac_usd)),
        ("Blended CAC, trailing", usd(cac.trailing_blended_cac_usd)),
        ("LTV : CAC", number(churn.ltv_to_cac_ratio, 2)),
        ("Stalled deals", number(stalled.deals.iloc[0])),
    ]
    for row in (tiles[:3], tiles[3:]):
        for column, (label, value) in zip(st.columns(3), row, strict=True):
            column.metric(label, value, border=True)
    since = _complete_months(as_of, 18)[0]
    trend = query(
        """
        select month_start_date as month, pipeline_velocity_usd_per_day
        from marts.rpt_pipeline_velocity
        where segment_type = 'all' and month_start_date >= ?
        order by month
        """,
        [since],
    )
    cost = query(
        """
        select month_start_date as month, trailing_paid_cac_usd, trailing_blended_cac_usd
        from marts.rpt_customer_acquisition_cost
        where channel = 'all' and is_complete_month and month_start_date >= ?
        order by month
        """,
        [since],
    )
    left, middle, right = st.columns(3)
    left.markdown("**Pipeline velocity, USD per day** (month end)")
    left.area_chart(trend, x="month", y="pipeline_velocity_usd_per_day", height=220)
    middle.markdown("**Paid CAC, trailing, USD** (complete months)")
    middle.line_chart(cost, x="month", y="trailing_paid_cac_usd", height=220)
    right.markdown("**Blended CAC, trailing, USD** (complete months)")
    right.line_chart(cost, x="month", y="trailing_blended_cac_usd", height=220)
    st.header("Pages")
    for page in PAGES[1:]:
        if page.slug in LINKS:
            st.page_link(LINKS[page.slug], label=page.title)
        else:
            st.markdown(f"**{page.title}**")
        st.caption(page.summary)


# --- Weekly funnel review --------------------------------------------------------------------


def weekly_funnel_review() -> None:
    as_of = _as_of()
    _header(
        "Weekly funnel review",
        as_of,
        "Stage conversion, pipeline velocity, stalled deals and speed-to-lead. Conversion is by "
        "month (the marts' grain); the current month is to date, its cohorts still open.",
    )
    channels = query(
        "select distinct channel from marts.rpt_funnel_conversion order by channel"
    ).channel.tolist()
    channel = st.selectbox("Channel", [ALL, *channels], key="channel")
    _funnel_conversion(as_of, channel)
    _pipeline_velocity(as_of)
    _stalled_deals(as_of)
    _speed_to_lead(as_of)
    _what_changed_this_week()


MOVES = {
    "created_usd": "created",
    "pulled_in_usd": "pulled in",
    "increased_usd": "increased",
    "pushed_out_usd": "pushed out",
    "decreased_usd": "decreased",
    "won_usd": "won",
    "lost_usd": "lost",
}
OUTFLOWS = ("pushed_out_usd", "decreased_usd", "won_usd", "lost_usd")


def _what_changed_this_week() -> None:
    st.header("What changed this week")
    weeks = query(
        """
        select *
        from marts.rpt_pipeline_movement
        where period_grain = 'week' and segment_type = 'all'
        order by period_start_date desc
        limit 9
        """
    )
    if weeks.empty:
        _not_available(
            "Pipeline movement",
            "deals with a close date (salesforce.opportunity) and, for the past, their change "
            "history (salesforce.opportunity_history)",
        )
        return
    week = Row(weeks.iloc[0].to_dict())
    st.caption(
        f"The pipeline due by the week's end: open deals expected to close by Sunday, overdue ones "
        f"included (rpt_pipeline_movement), week of {_day(week.period_start_date)} to "
        f"{_day(week.period_end_date)}. At its start + created + pulled in - pushed out ± amount "
        "changes - won - lost = now."
    )
    stalls = query(
        """
        select *
        from marts.rpt_pipeline_stalls
        where segment_type = 'all'
        order by week_start_date desc
        limit 12
        """
    )
    this_week = Row(stalls.iloc[0].to_dict()) if len(stalls) else Row()
    row_one = st.columns(3)
    row_one[0].metric(
        "Pipeline due this week, at its start", usd(week.opening_pipeline_usd), border=True
    )
    row_one[1].metric("Pipeline due this week, now", usd(week.closing_pipeline_usd), border=True)
    row_one[2].metric(
        "Pushed out this week",
        usd(week.pushed_out_usd),
        help=f"{number(week.pushed_out_count)} deals whose close date moved past Sunday",
        border=True,
    )
    row_two = st.columns(3)
    row_two[0].metric("Won this week", usd(week.won_usd), border=True)
    row_two[1].metric("Lost this week", usd(week.lost_usd), border=True)
    row_two[2].metric(
        "Newly stalled this week",
        number(this_week.newly_stalled_deals),
        help=f"{usd(this_week.newly_stalled_usd)}; unstalled {number(this_week.unstalled_deals)}, "
        f"closed while stalled {number(this_week.closed_while_stalled_deals)}",
        border=True,
    )
    moves = weeks.melt(
        id_vars=["period_start_date"], value_vars=list(MOVES), var_name="move", value_name="usd"
    )
    moves["usd"] = moves.usd.astype(float).where(
        ~moves.move.isin(OUTFLOWS), -moves.usd.astype(float)
    )
    moves["move"] = moves.move.map(MOVES)
    moves["week"] = pd.to_datetime(moves.period_start_date).dt.strftime("%Y-%m-%d")
    st.markdown("**What moved the pipeline due each week (USD; out is negative)**")
    st.bar_chart(moves, x="week", y="usd", color="move", height=300)
    st.markdown("**Stalled deals at each week's end, and how many stalled that week**")
    trend = stalls.assign(week=pd.to_datetime(stalls.week_start_date).dt.strftime("%Y-%m-%d"))
    st.line_chart(trend, x="week", y=["stalled_deals", "newly_stalled_deals"], height=240)


def funnel_cohorts(channel: str, months: list[date]) -> pd.DataFrame:
    """Cohort conversion per transition over the cohorts of `months`, all segments summed."""
    frame = query(
        """
        select
            transition,
            sum(entered_count) as entered,
            sum(converted_count) as converted,
            sum(still_open_count) as still_open
        from marts.rpt_funnel_conversion
        where conversion_type = 'cohort'
            and period_month between ? and ?
            and (? = 'All channels' or channel = ?)
        group by transition
        """,
        [min(months), max(months), channel, channel],
    )
    frame = frame.set_index("transition").reindex(list(TRANSITIONS)).fillna(0)
    frame["conversion"] = [ratio(c, e) for c, e in zip(frame.converted, frame.entered, strict=True)]
    return frame


def _funnel_conversion(as_of: date, channel: str) -> None:
    st.header("Conversion at every stage")
    if not scalar("select count(*) from marts.rpt_funnel_conversion"):
        _not_available("Lead funnel conversion", "leads (salesforce.lead)")
        return
    trailing = _complete_months(as_of, 3)
    earlier = _complete_months(trailing[0], 3)
    this_month = pd.Timestamp(as_of).to_period("M").start_time.date()
    current, before, to_date = (
        funnel_cohorts(channel, trailing),
        funnel_cohorts(channel, earlier),
        funnel_cohorts(channel, [this_month]),
    )
    st.caption(
        f"Cohort conversion: of the records that entered a stage in "
        f"{trailing[0]:%b %Y}-{trailing[-1]:%b %Y} (the last three complete months), the share "
        f"that reached the next stage by {as_of:%Y-%m-%d}; {channel.lower()}. The change is "
        f"against the cohorts of {earlier[0]:%b %Y}-{earlier[-1]:%b %Y}, which have had longer "
        "to convert."
    )
    for column, (transition, label) in zip(st.columns(4), TRANSITIONS.items(), strict=True):
        rate, earlier_rate = current.conversion[transition], before.conversion[transition]
        delta = None if rate is None or earlier_rate is None else 100 * (rate - earlier_rate)
        column.metric(
            f"{label}, last 3 months",
            pct(rate),
            None if delta is None else f"{delta:+.1f} pp",
            border=True,
        )
    table = pd.DataFrame(
        {
            "Stage": list(TRANSITIONS.values()),
            f"Entered {this_month:%b %Y} (to date)": to_date.entered.astype(int).values,
            "Converted": to_date.converted.astype(int).values,
            "Still open": to_date.still_open.astype(int).values,
            "Entered, last 3 complete months": current.entered.astype(int).values,
            "Converted ": current.converted.astype(int).values,
            "Still open ": current.still_open.astype(int).values,
            "Conversion, last 3 complete months": [pct(v) for v in current.conversion],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    history = query(
        """
        select period_month as month, transition,
            sum(converted_count) / nullif(sum(entered_count), 0) as conversion,
            sum(still_open_count) / nullif(sum(entered_count), 0) as still_open_share
        from marts.rpt_funnel_conversion
        where conversion_type = 'cohort'
            and transition in (
                'lead_to_mql', 'mql_to_sql', 'sql_to_opportunity', 'opportunity_to_won'
            )
            and period_month >= ?
            and (? = 'All channels' or channel = ?)
        group by all
        order by month
        """,
        [_complete_months(as_of, 12)[0], channel, channel],
    )
    history["stage"] = history.transition.map(TRANSITIONS)
    left, right = st.columns(2)
    left.markdown("**Cohort conversion by month entered** (12 months)")
    left.line_chart(history, x="month", y="conversion", color="stage", height=260)
    right.markdown("**Share of each cohort still open** (not yet converted or closed)")
    right.line_chart(history, x="month", y="still_open_share", color="stage", height=260)


def _pipeline_velocity(as_of: date) -> None:
    st.header("Pipeline velocity")
    frame = query(
        """
        select month_start_date as month, is_current_month, pipeline_velocity_usd_per_day,
            open_qualified_opportunities, trailing_win_rate, trailing_average_won_deal_usd,
            trailing_mean_sales_cycle_days, trailing_window_start_date
        from marts.rpt_pipeline_velocity
        where segment_type = 'all'
        order by month
        """
    )
    if frame.empty:
        _not_available("Pipeline velocity", "opportunities")
        return
    latest, previous = frame.iloc[-1], frame.iloc[-2] if len(frame) > 1 else None
    st.caption(
        f"The whole company at the end of {_month(latest.month)}"
        f"{' (to date)' if latest.is_current_month else ''}: open qualified opportunities x win "
        "rate x average won deal / mean sales cycle, the last three from deals closed from "
        f"{_day(latest.trailing_window_start_date)} (the trailing window), all deal types."
        + (
            f" Changes are against the end of {_month(previous.month)}."
            if previous is not None
            else ""
        )
    )
    tiles = [
        ("Pipeline velocity (USD/day)", "pipeline_velocity_usd_per_day", usd),
        ("Open qualified opportunities", "open_qualified_opportunities", number),
        ("Win rate, trailing", "trailing_win_rate", pct),
        ("Average won deal, trailing", "trailing_average_won_deal_usd", usd),
        ("Mean sales cycle (days), trailing", "trailing_mean_sales_cycle_days", number),
    ]
    for column, (label, name, fmt) in zip(st.columns(len(tiles)), tiles, strict=True):
        delta = None
        if previous is not None and pd.notna(latest[name]) and pd.notna(previous[name]):
            change = float(latest[name]) - float(previous[name])
            delta = f"{100 * change:+.1f} pp" if fmt is pct else f"{change:+,.0f}"
            delta = delta.replace("+", "+$").replace("-", "-$") if fmt is usd else delta
        column.metric(label, fmt(latest[name]), delta, border=True)
    recent = frame[frame.month >= pd.Timestamp(_complete_months(as_of, 18)[0])]
    chart = recent.set_index("month")
    st.markdown("**Pipeline velocity, USD per day** (month end, 18 months)")
    st.area_chart(chart, y="pipeline_velocity_usd_per_day", height=220)
    columns = st.columns(4)
    for column, (label, name, _) in zip(columns, tiles[1:], strict=True):
        column.markdown(f"**{label}**")
        column.line_chart(chart, y=name, height=160)
    stability = query(
        """
        select month_start_date as month, qualified_pipeline_created_usd,
            pipeline_created_usd_trailing_coefficient_of_variation as variation
        from marts.rpt_pipeline_stability
        where month_start_date >= ? and not is_current_month
        order by month
        """,
        [_complete_months(as_of, 18)[0]],
    )
    left, right = st.columns(2)
    left.markdown("**Qualified pipeline created, USD** (complete months)")
    left.bar_chart(stability, x="month", y="qualified_pipeline_created_usd", height=200)
    right.markdown(
        "**How unstable: coefficient of variation of pipeline created** (trailing months; "
        "lower is steadier)"
    )
    right.line_chart(stability, x="month", y="variation", height=200)


def _stalled_deals(as_of: date) -> None:
    st.header("Stalled deals to discuss")
    deals = query(
        """
        select owner_name, stage, account_name, opportunity_name, days_in_current_stage,
            stalled_after_days, days_over_threshold, amount_usd, icp_tier, channel
        from marts.rpt_stalled_deals
        order by days_over_threshold desc, amount_usd desc nulls last
        """
    )
    st.caption(
        f"Open deals whose days in their current stage exceed that stage's threshold on "
        f"{as_of:%Y-%m-%d} (rpt_stage_durations: the p90 of won deals, or your setting)."
    )
    left, middle, right = st.columns(3)
    left.metric("Stalled deals", number(len(deals)), border=True)
    middle.metric("Stalled pipeline", usd(deals.amount_usd.sum(min_count=1)), border=True)
    right.metric("Owners with a stalled deal", number(deals.owner_name.nunique()), border=True)
    if deals.empty:
        st.success("No deal is stalled.")
        return
    by_owner = deals.groupby("owner_name", as_index=False).agg(amount_usd=("amount_usd", "sum"))
    by_stage = deals.groupby("stage", as_index=False).agg(deals=("stage", "size"))
    chart_left, chart_right = st.columns(2)
    chart_left.markdown("**Stalled pipeline by owner (USD)**")
    chart_left.bar_chart(by_owner, x="owner_name", y="amount_usd", horizontal=True, height=240)
    chart_right.markdown("**Stalled deals by stage**")
    chart_right.bar_chart(by_stage, x="stage", y="deals", height=240)
    st.dataframe(
        deals,
        hide_index=True,
        width="stretch",
        column_config={"amount_usd": st.column_config.NumberColumn("amount_usd", format="dollar")},
    )
    thresholds = query(
        """
        select stage, stalled_after_days, threshold_source, median_days_in_stage,
            p90_days_in_stage, stage_visits
        from marts.rpt_stage_durations
        where outcome = 'won'
        order by stage_order
        """
    )
    st.markdown("**Stall thresholds by stage** (days in stage of won deals, all history)")
    st.dataframe(thresholds, hide_index=True, width="stretch")


def _speed_to_lead(as_of: date) -> None:
    st.header("Speed-to-lead")
    month = _complete_months(as_of, 1)[0]
    frame = query(
        """
        select mql_month as month,
            sum(touched_within_1h_count) / nullif(sum(mql_count), 0) as within_1h,
            sum(touched_within_24h_count) / nullif(sum(mql_count), 0) as within_24h,
            sum(mql_count) as mqls
        from marts.rpt_speed_to_lead
        where mql_month >= ? and touched_within_1h_count is not null
        group by all
        order by month
        """,
        [_complete_months(as_of, 12)[0]],
    )
    if frame.empty:
        _not_available("Speed-to-lead", "MQLs and the sales tasks on them (salesforce.task)")
        return
    latest = frame[frame.month == pd.Timestamp(month)]
    st.caption(
        f"MQLs of {month:%B %Y} (the last complete month), every channel: the share a sales rep "
        "touched within 1 hour and within 24 hours of becoming an MQL (a lead never touched counts "
        "as not in time)."
    )
    left, right, chart = st.columns([1, 1, 3])
    left.metric(
        "Touched within 1 h, last complete month",
        pct(latest.within_1h.iloc[0] if len(latest) else None),
        border=True,
    )
    right.metric(
        "Touched within 24 h, last complete month",
        pct(latest.within_24h.iloc[0] if len(latest) else None),
        border=True,
    )
    chart.line_chart(frame, x="month", y=["within_1h", "within_24h"], height=200)
    bands = query(
        """
        select response_band, sum(sql_count) / nullif(sum(mql_count), 0) as mql_to_sql_rate,
            sum(mql_count) as mqls
        from marts.rpt_speed_to_lead_conversion
        where mql_month between ? and ?
        group by response_band
        """,
        [_complete_months(as_of, 6)[0], month],
    )
    order = ["<1h", "1-24h", "24-48h", ">48h", "never"]
    bands["response_band"] = pd.Categorical(bands.response_band, categories=order, ordered=True)
    st.markdown(
        "**MQL → SQL by response time**: MQLs of the last six complete months, by how fast "
        "they were first touched"
    )
    st.bar_chart(bands.sort_values("response_band"), x="response_band", y="mql_to_sql_rate")


# --- Monthly ICP calibration -----------------------------------------------------------------


def icp_calibration() -> None:
    as_of = _as_of()
    _header(
        "Monthly ICP calibration",
        as_of,
        "Does the shared ICP still sort leads by outcome? Each tier side by side, whether the "
        "tiers rank in order under every ICP version, and what sales does with marketing's MQLs.",
    )
    tiers = query(
        """
        select icp_tier, leads, lead_to_won_rate, win_rate, median_sales_cycle_days,
            average_won_deal_usd, paid_cac_usd, trailing_logo_churn_rate, ltv_usd,
            sales_tasks_per_new_customer
        from marts.rpt_icp_performance
        order by case icp_tier when 'all' then 'z' else icp_tier end
        """
    )
    st.header("Each tier side by side")
    st.caption(
        f"All history to {as_of:%Y-%m-%d}, each lead and deal under the ICP version in effect: "
        "lead → won is cohort conversion of every lead; win rate, cycle and deal size are New "
        "Business deals; paid CAC is paid media allocated by each tier's share of a channel's "
        "leads; churn and LTV are the last complete month's trailing figures. The company row "
        "('all') uses the same definitions."
    )
    columns = st.columns(3)
    for column, tier in zip(columns, ["A", "B", "C"], strict=True):
        row = tiers[tiers.icp_tier == tier]
        if row.empty:
            continue
        row = row.iloc[0]
        column.metric(f"Tier {tier}: lead → won", pct(row.lead_to_won_rate, 2), border=True)
        column.metric(f"Tier {tier}: win rate", pct(row.win_rate), border=True)
        column.metric(f"Tier {tier}: LTV", usd(row.ltv_usd), border=True)
    shown = pd.DataFrame(
        {
            "Tier": tiers.icp_tier,
            "Leads": tiers.leads.map(number),
            "Lead → won": tiers.lead_to_won_rate.map(lambda v: pct(v, 2)),
            "Win rate (New Business)": tiers.win_rate.map(pct),
            "Median cycle (days)": tiers.median_sales_cycle_days.map(number),
            "Average won deal": tiers.average_won_deal_usd.map(usd),
            "Paid CAC": tiers.paid_cac_usd.map(usd),
            "Logo churn (monthly, trailing)": tiers.trailing_logo_churn_rate.map(
                lambda v: pct(v, 2)
            ),
            "LTV": tiers.ltv_usd.map(usd),
            "Sales tasks per new customer": tiers.sales_tasks_per_new_customer.map(number),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    by_tier = tiers[tiers.icp_tier.isin(["A", "B", "C"])]
    left, right = st.columns(2)
    left.markdown("**Lead → won by tier**")
    left.bar_chart(by_tier, x="icp_tier", y="lead_to_won_rate", height=220)
    right.markdown("**LTV by tier (USD)**")
    right.bar_chart(by_tier, x="icp_tier", y="ltv_usd", height=220)

    st.header("Do the tiers still rank in order?")
    versions = query(
        """
        select icp_version, icp_tier, effective_from, is_current_version, leads, lead_to_won_rate,
            win_rate, logo_churn_rate, ranks_in_order_on_conversion, ranks_in_order_on_win_rate,
            ranks_in_order_on_retention, ranks_in_order
        from marts.rpt_icp_calibration
        order by icp_version, icp_tier
        """
    )
    st.caption(
        "Every lead and account scored under every ICP version (rpt_icp_calibration), pooled "
        "over all history: a version ranks in order when A converts, wins and retains at least "
        "as well as B, and B as C."
    )
    summary = versions.groupby("icp_version", as_index=False).first()
    for column, (_, version) in zip(st.columns(len(summary)), summary.iterrows(), strict=False):
        label = f"Version {version.icp_version}" + (
            " (current)" if version.is_current_version else ""
        )
        column.metric(
            f"{label}: tiers rank in order",
            "not known"
            if pd.isna(version.ranks_in_order)
            else "yes"
            if version.ranks_in_order
            else "no",
            f"from {version.effective_from:%Y-%m-%d}",
            delta_color="off",
            border=True,
        )
    st.dataframe(versions, hide_index=True, width="stretch")
    chart = versions.assign(version=versions.icp_version.map(lambda v: f"v{v}"))
    st.markdown("**Lead → won by tier, per ICP version**")
    st.bar_chart(
        chart, x="icp_tier", y="lead_to_won_rate", color="version", stack=False, height=240
    )

    _mql_acceptance(as_of)
    _revenue_by_tier(as_of)


def _revenue_by_tier(as_of: date) -> None:
    st.header("Recurring revenue won and lost, by tier")
    months = _complete_months(as_of, 12)
    tiers = query(
        """
        select segment_value as icp_tier, sum(new_mrr_usd) as new_mrr_usd,
            sum(expansion_mrr_usd) as expansion_mrr_usd,
            sum(contraction_mrr_usd) as contraction_mrr_usd,
            sum(churned_mrr_usd) as churned_mrr_usd, sum(new_customers) as new_customers,
            sum(churned_customers) as churned_customers
        from marts.rpt_mrr_movements
        where segment_type = 'icp_tier' and month_start_date between ? and ?
        group by segment_value
        order by segment_value
        """,
        [months[0], months[-1]],
    )
    if tiers.empty:
        _not_available("MRR movements", "subscriptions (billing.subscription)")
        return
    st.caption(
        f"MRR in USD, {_month(months[0])} to {_month(months[-1])} (the last 12 complete months, "
        "rpt_mrr_movements): what each tier's customers added and took away. Bad-fit customers "
        "churn: compare churned with new MRR."
    )
    chart = tiers.melt(
        id_vars=["icp_tier"],
        value_vars=["new_mrr_usd", "expansion_mrr_usd", "contraction_mrr_usd", "churned_mrr_usd"],
        var_name="movement",
        value_name="usd",
    )
    st.bar_chart(chart, x="icp_tier", y="usd", color="movement", stack=False, height=260)
    st.dataframe(tiers, hide_index=True, width="stretch")


def _mql_acceptance(as_of: date) -> None:
    st.header("MQL acceptance and rejection reasons")
    if not scalar("select count(*) from marts.rpt_mql_acceptance"):
        _not_available("MQL acceptance", "leads with MQL dates (salesforce.lead)")
        return
    months = _complete_months(as_of, 3)
    accepted = query(
        """
        select mql_month as month,
            sum(accepted_count) / nullif(sum(mql_count), 0) as acceptance_rate,
            sum(rejected_count) / nullif(sum(mql_count), 0) as rejection_rate
        from marts.rpt_mql_acceptance
        where mql_month >= ?
        group by all
        order by month
        """,
        [_complete_months(as_of, 12)[0]],
    )
    totals = query(
        """
        select sum(mql_count) as mqls, sum(accepted_count) as accepted,
            sum(rejected_count) as rejected, sum(pending_count) as pending
        from marts.rpt_mql_acceptance
        where mql_month between ? and ?
        """,
        [months[0], months[-1]],
    ).iloc[0]
    st.caption(
        f"MQLs of {months[0]:%b %Y}-{months[-1]:%b %Y} (the last three complete months), every "
        "score band: accepted (sales made it an SQL), rejected (disqualified, with a reason) or "
        f"still pending on {as_of:%Y-%m-%d}."
    )
    left, middle, right = st.columns(3)
    left.metric(
        "MQLs accepted, last 3 complete months",
        pct(ratio(totals.accepted, totals.mqls)),
        border=True,
    )
    middle.metric(
        "MQLs rejected, last 3 complete months",
        pct(ratio(totals.rejected, totals.mqls)),
        border=True,
    )
    right.metric(
        "MQLs pending, last 3 complete months", pct(ratio(totals.pending, totals.mqls)), border=True
    )
    reasons = query(
        """
        select disqualified_reason, sum(rejected_count) as rejected
        from marts.rpt_mql_rejection_reasons
        where mql_month between ? and ?
        group by all
        order by rejected desc
        """,
        [months[0], months[-1]],
    )
    chart_left, chart_right = st.columns(2)
    chart_left.markdown("**Acceptance and rejection by MQL month** (12 months)")
    chart_left.line_chart(accepted, x="month", y=["acceptance_rate", "rejection_rate"], height=240)
    chart_right.markdown("**Why sales rejected MQLs** (last 3 complete months)")
    chart_right.bar_chart(
        reasons,
        x="disqualified_reason",
        y="rejected",
        horizontal=True,
        sort="-rejected",
        height=240,
    )


# --- Unit economics --------------------------------------------------------------------------


def unit_economics() -> None:
    as_of = _as_of()
    _header(
        "Unit economics",
        as_of,
        "What a new customer costs, by channel, and what one is worth. Customers and costs that "
        "cannot be attributed stay visible as 'unattributed' and 'unmapped'.",
    )
    cac, churn = _latest("cac"), _latest("churn")
    if not cac:
        _not_available("CAC", "a complete month with new customers and ad spend or GTM expenses")
    if not churn:
        _not_available("Churn and LTV", "subscriptions (billing) with a complete month")
    window = (
        f"the {number(cac.months_in_window)} months to the end of "
        f"{_month(cac.month_start_date)} (the last complete month)"
    )
    st.caption(
        f"Headline figures over {window}, the whole company: the same rows the run summary "
        "and the publish check read."
    )
    tiles = [
        ("Paid CAC, trailing", usd(cac.trailing_paid_cac_usd)),
        ("Blended CAC, trailing", usd(cac.trailing_blended_cac_usd)),
        ("CAC payback (months), trailing", number(cac.trailing_cac_payback_months, 1)),
        ("LTV", usd(churn.ltv_usd)),
        ("LTV : CAC", number(churn.ltv_to_cac_ratio, 2)),
    ]
    for column, (label, value) in zip(st.columns(len(tiles)), tiles, strict=True):
        column.metric(label, value, border=True)

    st.header("CAC by channel")
    by_channel = query(
        """
        select channel, is_paid_channel, trailing_new_customers, trailing_paid_media_spend_usd,
            trailing_paid_cac_usd, new_customers, paid_media_spend_usd, paid_cac_usd
        from marts.rpt_customer_acquisition_cost
        where month_start_date = ? and channel != 'all'
        order by trailing_new_customers desc, channel
        """,
        [cac.month_start_date or date(1900, 1, 1)],
    )
    st.caption(
        f"Per channel over {window}: new customers credited to the deal's channel and paid media "
        "spend. Paid CAC exists on paid channels only; the other channels' costs (events, "
        "partners, headcount) are in the blended CAC of the whole company."
    )
    st.dataframe(
        by_channel,
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.NumberColumn(name, format="dollar")
            for name in (
                "trailing_paid_media_spend_usd",
                "trailing_paid_cac_usd",
                "paid_media_spend_usd",
                "paid_cac_usd",
            )
        },
    )
    history = query(
        """
        select month_start_date as month, channel, trailing_paid_cac_usd, new_customers
        from marts.rpt_customer_acquisition_cost
        where is_complete_month and month_start_date >= ?
        order by month
        """,
        [_complete_months(as_of, 18)[0]],
    )
    left, right = st.columns(2)
    left.markdown("**Paid CAC, trailing, by paid channel and company (USD)**")
    left.line_chart(
        history[history.trailing_paid_cac_usd.notna()],
        x="month",
        y="trailing_paid_cac_usd",
        color="channel",
        height=260,
    )
    right.markdown("**New customers by channel and month** (unattributed included)")
    right.bar_chart(
        history[history.channel != "all"], x="month", y="new_customers", color="channel", height=260
    )

    st.header("Churn and LTV")
    company = query(
        """
        select month_start_date as month, trailing_logo_churn_rate, ltv_usd, ltv_to_cac_ratio
        from marts.rpt_churn
        where icp_tier = 'all' and acquisition_channel = 'all' and is_complete_month
            and month_start_date >= ?
        order by month
        """,
        [_complete_months(as_of, 18)[0]],
    )
    st.caption(
        "The whole company by complete month: trailing monthly logo churn, LTV (ARPA / churn) "
        "and LTV : blended CAC."
    )
    left, right = st.columns(2)
    left.markdown("**Logo churn, monthly, trailing**")
    left.line_chart(company, x="month", y="trailing_logo_churn_rate", height=220)
    right.markdown("**LTV : CAC**")
    right.line_chart(company, x="month", y="ltv_to_cac_ratio", height=220)


# --- More leads or better conversion? --------------------------------------------------------


def more_leads_or_better_conversion() -> None:
    as_of = _as_of()
    _header(
        "More leads or better conversion?",
        as_of,
        '"It is far more profitable to double your conversion rate than to double your lead '
        'volume", on your own data: each paid channel over all history, today and in both '
        "scenarios (rpt_lead_volume_vs_conversion).",
    )
    channels = query(
        "select * from marts.rpt_lead_volume_vs_conversion order by spend_usd desc, channel"
    )
    if channels.empty:
        st.warning("No paid channel has leads or spend in the published warehouse.")
        return
    spend = channels.spend_usd.astype(float).sum()
    won = channels.won_leads_today.sum()
    st.caption(
        f"Paid channels, all history to {as_of:%Y-%m-%d}: paid media spend per won lead. "
        "Doubling volume doubles spend at the same cost per lead and at best doubles won leads; "
        "doubling conversion doubles won leads at today's spend."
    )
    left, middle, right = st.columns(3)
    left.metric(
        "Paid CAC per won lead today, all paid channels", usd(ratio(spend, won)), border=True
    )
    middle.metric(
        "If lead volume doubles",
        usd(ratio(2 * spend, 2 * won)),
        f"+{usd(spend)} spend for {number(won)} more won leads (at best)",
        delta_color="off",
        border=True,
    )
    right.metric(
        "If conversion doubles",
        usd(ratio(spend, 2 * won)),
        f"{number(won)} more won leads at no extra spend",
        delta_color="off",
        border=True,
    )
    for _, row in channels.iterrows():
        st.markdown(
            f"- **{row.channel}**: {number(row.leads)} leads, {pct(row.lead_to_won_rate, 2)} won, "
            f"{pct(row.tier_a_share)} of them tier A. Doubling volume costs "
            f"{usd(row.extra_spend_if_double_volume_usd)} more for a CAC of "
            f"{usd(row.cac_if_double_volume_usd)} (at best); doubling conversion brings CAC to "
            f"{usd(row.cac_if_double_conversion_usd)} with no extra spend."
        )
    scenarios = channels.melt(
        id_vars="channel",
        value_vars=["cac_today_usd", "cac_if_double_volume_usd", "cac_if_double_conversion_usd"],
        var_name="scenario",
        value_name="cac_usd",
    )
    scenarios["scenario"] = scenarios.scenario.map(
        {
            "cac_today_usd": "1 today",
            "cac_if_double_volume_usd": "2 double volume",
            "cac_if_double_conversion_usd": "3 double conversion",
        }
    )
    scenarios["cac_usd"] = scenarios.cac_usd.astype(float)
    st.markdown("**CAC per won lead by scenario (USD)**")
    st.bar_chart(scenarios, x="channel", y="cac_usd", color="scenario", stack=False, height=280)
    tiers = query(
        """
        select icp_tier, lead_to_won_rate from marts.rpt_icp_performance
        where icp_tier in ('A', 'B', 'C') order by icp_tier
        """
    )
    st.markdown(
        "**Where better conversion comes from: fit.** Lead → won by ICP tier, all channels, all "
        "history (rpt_icp_performance): more leads like tier A, not more leads."
    )
    st.bar_chart(tiers, x="icp_tier", y="lead_to_won_rate", height=200)


PAGES: list[Page] = [
    Page("overview", "Overview", overview),
    Page(
        "weekly-funnel-review",
        "Weekly funnel review",
        weekly_funnel_review,
        "Conversion at every stage with the cohorts still open, pipeline velocity and its four "
        "factors, the stalled deals to discuss, speed-to-lead.",
    ),
    Page(
        "icp-calibration",
        "Monthly ICP calibration",
        icp_calibration,
        "Each ICP tier's conversion, win rate, cycle, deal size, CAC, churn and LTV side by side; "
        "whether every ICP version's tiers rank in order; MQL acceptance and rejection reasons.",
    ),
    Page(
        "unit-economics",
        "Unit economics",
        unit_economics,
        "Paid and blended CAC by channel (unattributed shown), payback, churn, LTV and LTV : CAC.",
    ),
    Page(
        "more-leads-or-better-conversion",
        "More leads or better conversion?",
        more_leads_or_better_conversion,
        "The project's headline claim on your own data: what doubling lead volume and doubling "
        "conversion would each do to every paid channel's CAC.",
    ),
]
