"""The dashboards: every page renders from the published demo warehouse, shows the marts' values,
reads exactly what its exposure declares, and opens in a real browser (Debian's Chromium).

The expected figures are computed here with plain SQL and pandas over the published marts (and, for
rpt_lead_volume_vs_conversion, over fct_leads and fct_marketing_spend_daily), never with the app's
own queries. A figure shown is parsed back into a number and must equal the expected value to the
precision shown.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from revenue_engine.dashboards import data
from revenue_engine.dashboards.pages import PAGES

PROJECT_DIR = Path(__file__).resolve().parents[2]
STAGES = {
    "lead_to_mql": "Lead → MQL",
    "mql_to_sql": "MQL → SQL",
    "sql_to_opportunity": "SQL → opportunity",
    "opportunity_to_won": "Opportunity → won",
}


def page_script(slug: str) -> None:
    """Runs one page as a Streamlit script (AppTest.from_function runs this on its own)."""
    from revenue_engine.dashboards.pages import PAGES

    next(page for page in PAGES if page.slug == slug).render()


# --- expected values, from the marts -------------------------------------------------------------


class Marts:
    def __init__(self, database: Path) -> None:
        self.database = database

    def df(self, sql: str, parameters: list | None = None) -> pd.DataFrame:
        with duckdb.connect(str(self.database.resolve()), read_only=True) as connection:
            return connection.execute(sql, parameters or []).df()

    def one(self, sql: str, parameters: list | None = None) -> pd.Series:
        frame = self.df(sql, parameters)
        assert len(frame) == 1, sql
        return frame.iloc[0]


def last_complete_months(as_of: date, count: int) -> list[date]:
    """Month starts of the `count` months before as_of's month: a month is complete once the first
    day of the next month is on or before as_of_date (docs: cost_is_complete_month)."""
    year, month = as_of.year, as_of.month
    months = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(date(year, month, 1))
    return sorted(months)


def expected_figures(marts: Marts, channel: str = "All channels") -> dict[str, dict[str, float]]:
    """Page slug -> metric label -> the value the page must show."""
    as_of = marts.one(
        "select as_of_date from audit.publish_history order by publish_id desc limit 1"
    ).as_of_date.date()
    trailing = last_complete_months(as_of, 3)
    earlier = last_complete_months(trailing[0], 3)
    velocity = marts.df(
        "select * from marts.rpt_pipeline_velocity where segment_type = 'all' "
        "order by month_start_date desc limit 2"
    )
    cac = marts.df(
        "select * from marts.rpt_customer_acquisition_cost where channel = 'all' "
        "and month_start_date + interval 1 month <= ? and trailing_blended_cac_usd is not null "
        "order by month_start_date desc limit 1",
        [as_of],
    ).iloc[0]
    churn = marts.df(
        "select * from marts.rpt_churn where icp_tier = 'all' and acquisition_channel = 'all' "
        "and month_start_date + interval 1 month <= ? and ltv_usd is not null "
        "order by month_start_date desc limit 1",
        [as_of],
    ).iloc[0]
    stalled = marts.df("select * from marts.rpt_stalled_deals")

    conversion = marts.df(
        "select * from marts.rpt_funnel_conversion where conversion_type = 'cohort'"
    )
    if channel != "All channels":
        conversion = conversion[conversion.channel == channel]
    month = pd.to_datetime(conversion.period_month).dt.date

    def cohort_rate(transition: str, months: list[date]) -> float:
        rows = conversion[
            (conversion.transition == transition) & month.between(months[0], months[-1])
        ]
        return rows.converted_count.sum() / rows.entered_count.sum()

    latest, previous = velocity.iloc[0], velocity.iloc[1]
    funnel = {f"{label}, last 3 months": cohort_rate(t, trailing) for t, label in STAGES.items()}
    funnel_deltas = {
        f"{label}, last 3 months": 100 * (cohort_rate(t, trailing) - cohort_rate(t, earlier))
        for t, label in STAGES.items()
    }
    speed = marts.df(
        "select * from marts.rpt_speed_to_lead where mql_month = ? "
        "and touched_within_1h_count is not null",
        [last_complete_months(as_of, 1)[0]],
    )
    funnel |= {
        "Pipeline velocity (USD/day)": latest.pipeline_velocity_usd_per_day,
        "Open qualified opportunities": latest.open_qualified_opportunities,
        "Win rate, trailing": latest.trailing_win_rate,
        "Average won deal, trailing": latest.trailing_average_won_deal_usd,
        "Mean sales cycle (days), trailing": latest.trailing_mean_sales_cycle_days,
        "Stalled deals": len(stalled),
        "Stalled pipeline": stalled.amount_usd.sum(),
        "Owners with a stalled deal": stalled.owner_id.nunique(),
        "Touched within 1 h, last complete month": speed.touched_within_1h_count.sum()
        / speed.mql_count.sum(),
        "Touched within 24 h, last complete month": speed.touched_within_24h_count.sum()
        / speed.mql_count.sum(),
    }
    # this week, from the snapshots and the deals (not from the movement report the page reads)
    week_start = as_of - timedelta(days=as_of.weekday())
    due_by, sunday_before = week_start + timedelta(days=7), week_start - timedelta(days=1)
    snapshots = marts.df(
        "select snapshot_date, opportunity_id, stage, amount_usd, close_date, is_stalled "
        "from marts.fct_pipeline_snapshots where snapshot_date in (?, ?)",
        [sunday_before, as_of],
    )
    day = pd.to_datetime(snapshots.snapshot_date).dt.date
    now, before = snapshots[day == as_of], snapshots[day == sunday_before]
    closed = marts.df(
        "select is_won, amount_usd from marts.fct_opportunities "
        "where is_closed and close_date between ? and ?",
        [week_start, as_of],
    )
    stalled_before = set(
        before[before.is_stalled][["opportunity_id", "stage"]].itertuples(index=False)
    )
    stalled_now = set(now[now.is_stalled][["opportunity_id", "stage"]].itertuples(index=False))
    funnel |= {
        "Pipeline due this week, now": now[
            pd.to_datetime(now.close_date).dt.date < due_by
        ].amount_usd.sum(),
        "Pipeline due this week, at its start": before[
            pd.to_datetime(before.close_date).dt.date < due_by
        ].amount_usd.sum(),
        "Won this week": closed[closed.is_won].amount_usd.sum(),
        "Lost this week": closed[~closed.is_won].amount_usd.sum(),
        "Newly stalled this week": len(stalled_now - stalled_before),
    }
    funnel_deltas["Open qualified opportunities"] = (
        latest.open_qualified_opportunities - previous.open_qualified_opportunities
    )

    tiers = marts.df("select * from marts.rpt_icp_performance").set_index("icp_tier")
    versions = marts.df("select * from marts.rpt_icp_calibration")
    mqls = marts.df(
        "select sum(mql_count) as mqls, sum(accepted_count) as accepted, "
        "sum(rejected_count) as rejected, sum(pending_count) as pending "
        "from marts.rpt_mql_acceptance where mql_month between ? and ?",
        [trailing[0], trailing[-1]],
    ).iloc[0]
    icp = {}
    for tier in ("A", "B", "C"):
        icp[f"Tier {tier}: lead → won"] = tiers.lead_to_won_rate[tier]
        icp[f"Tier {tier}: win rate"] = tiers.win_rate[tier]
        icp[f"Tier {tier}: LTV"] = tiers.ltv_usd[tier]
    for version, rows in versions.groupby("icp_version"):
        current = " (current)" if rows.is_current_version.all() else ""
        ranks = rows.ranks_in_order.iloc[0]
        icp[f"Version {version}{current}: tiers rank in order"] = (
            "not known" if pd.isna(ranks) else "yes" if ranks else "no"
        )
    icp |= {
        "MQLs accepted, last 3 complete months": mqls.accepted / mqls.mqls,
        "MQLs rejected, last 3 complete months": mqls.rejected / mqls.mqls,
        "MQLs pending, last 3 complete months": mqls.pending / mqls.mqls,
    }

    headline = {
        "Paid CAC, trailing": cac.trailing_paid_cac_usd,
        "Blended CAC, trailing": cac.trailing_blended_cac_usd,
        "LTV : CAC": churn.ltv_to_cac_ratio,
    }
    unit = headline | {
        "CAC payback (months), trailing": cac.trailing_cac_payback_months,
        "LTV": churn.ltv_usd,
    }
    overview = headline | {
        "Win rate, trailing, all deal types": latest.trailing_win_rate,
        "Pipeline velocity (USD/day)": latest.pipeline_velocity_usd_per_day,
        "Stalled deals": len(stalled),
    }
    paid = marts.df("select * from marts.rpt_lead_volume_vs_conversion")
    spend, won = paid.spend_usd.astype(float).sum(), paid.won_leads_today.sum()
    more = {
        "Paid CAC per won lead today, all paid channels": spend / won,
        "If lead volume doubles": spend / won,
        "If conversion doubles": spend / (2 * won),
    }
    return {
        "overview": overview,
        "weekly-funnel-review": funnel,
        "weekly-funnel-review deltas": funnel_deltas,
        "icp-calibration": icp,
        "unit-economics": unit,
        "more-leads-or-better-conversion": more,
    }


def shown_number(text: str) -> tuple[float, float]:
    """'$10,317' -> (10317, 0.5); '35.5%' -> (0.355, 0.0005); '+2.7 pp' -> (2.7, 0.05)."""
    match = re.search(r"[-+]?[\d,]*\.?\d+", text)
    assert match, f"no number in {text!r}"
    digits = match.group().replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value, tolerance = float(digits), 0.5 * 10**-decimals
    if "%" in text:
        value, tolerance = value / 100, tolerance / 100
    if "-$" in text:
        value = -abs(value)
    return value, tolerance


def assert_shown(shown: dict[str, str], expected: dict[str, float], page: str) -> None:
    assert set(expected) <= set(shown), f"{page}: missing {sorted(set(expected) - set(shown))}"
    for label, value in expected.items():
        text = shown[label]
        if isinstance(value, str):
            assert text == value, (page, label, text)
            continue
        number, tolerance = shown_number(text)
        assert abs(number - float(value)) <= tolerance * 1.0001, (page, label, text, value)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(demo_warehouse, monkeypatch_module) -> Path:
    monkeypatch_module.setenv("PUBLISHED_DATABASE", str(demo_warehouse.published_database))
    monkeypatch_module.setenv("WAREHOUSE_DIR", str(demo_warehouse.warehouse_dir))
    return demo_warehouse.published_database


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def expected(published: Path) -> dict[str, dict[str, float]]:
    return expected_figures(Marts(published))


def run_page(slug: str):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(page_script, args=(slug,), default_timeout=60)
    app.run()
    return app


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[page.slug for page in PAGES])
def test_every_page_shows_the_marts_values_without_an_error(page, published, expected) -> None:
    app = run_page(page.slug)
    assert [error.value for error in app.exception] == []
    assert [error.value for error in app.error] == []
    charts = list(app.get("vega_lite_chart"))
    assert len(charts) >= 2, f"{page.slug}: {len(charts)} charts"
    shown = {metric.label: metric.value for metric in app.metric}
    assert_shown(shown, expected[page.slug], page.slug)
    if page.slug == "weekly-funnel-review":
        deltas = {metric.label: metric.delta for metric in app.metric if metric.delta}
        assert_shown(deltas, expected["weekly-funnel-review deltas"], "deltas")


@pytest.mark.slow
def test_the_channel_filter_recomputes_conversion_for_that_channel(published) -> None:
    app = run_page("weekly-funnel-review")
    app.selectbox(key="channel").set_value("paid_search").run()
    assert [error.value for error in app.exception] == []
    paid_search = expected_figures(Marts(published), "paid_search")["weekly-funnel-review"]
    everyone = expected_figures(Marts(published))["weekly-funnel-review"]
    stages = {label: paid_search[label] for label in paid_search if "last 3 months" in label}
    assert any(abs(stages[label] - everyone[label]) > 0.01 for label in stages)  # it moved
    assert_shown({metric.label: metric.value for metric in app.metric}, stages, "paid_search")


@pytest.mark.slow
def test_each_page_reads_exactly_the_marts_its_exposure_declares(published) -> None:
    exposures = yaml.safe_load((PROJECT_DIR / "models/marts/_exposures.yml").read_text())
    dashboards = {
        exposure["url"].removeprefix("http://127.0.0.1:8501/"): exposure
        for exposure in exposures["exposures"]
        if exposure["type"] == "dashboard"
    }
    assert set(dashboards) == {"" if page is PAGES[0] else page.slug for page in PAGES}
    for page in PAGES:
        data.TABLES_READ.clear()
        run_page(page.slug)
        declared = {
            ref.removeprefix("ref('").removesuffix("')")
            for ref in dashboards["" if page is PAGES[0] else page.slug]["depends_on"]
        }
        assert set(data.TABLES_READ) == declared, page.slug


@pytest.mark.slow
def test_lead_volume_vs_conversion_equals_pandas_over_the_facts(published) -> None:
    """The report behind the "more leads or better conversion?" page, recomputed in pandas from
    the lead and spend facts and the channel_mapping seed."""
    marts = Marts(published)
    leads = marts.df("select channel, is_paid_channel, is_won, icp_tier from marts.fct_leads")
    spend = marts.df("select channel, spend_usd from marts.fct_marketing_spend_daily")
    mapping = pd.read_csv(PROJECT_DIR / "seeds/channel_mapping.csv")
    paid_channels = set(mapping[mapping.is_paid].channel)
    leads = leads[leads.is_paid_channel.fillna(False).astype(bool)]
    by_channel = leads.groupby("channel").agg(
        leads=("is_won", "size"),
        won=("is_won", "sum"),
        tier_a=("icp_tier", lambda tiers: (tiers == "A").sum()),
    )
    paid_spend = spend[spend.channel.isin(paid_channels)].groupby("channel").spend_usd.sum()
    report = marts.df("select * from marts.rpt_lead_volume_vs_conversion").set_index("channel")
    assert set(report.index) == set(by_channel.index) | set(paid_spend.index)
    assert len(report) >= 2
    for channel, row in report.iterrows():
        leads_n = by_channel.leads.get(channel, 0)
        won = by_channel.won.get(channel, 0)
        money = float(paid_spend.get(channel, 0))
        assert row.leads == leads_n and row.won_leads_today == won, channel
        assert row.tier_a_share == pytest.approx(by_channel.tier_a.get(channel, 0) / leads_n)
        assert float(row.spend_usd) == pytest.approx(money, abs=1e-6)
        assert row.cac_today_usd == pytest.approx(money / won)
        assert row.cac_if_double_volume_usd == pytest.approx(money / won)
        assert row.cac_if_double_conversion_usd == pytest.approx(money / won / 2)
        assert row.won_leads_if_double_conversion == 2 * won
        assert float(row.extra_spend_if_double_volume_usd) == pytest.approx(money, abs=1e-6)


@pytest.mark.slow
def test_every_page_opens_in_chromium_with_the_marts_values(published, expected) -> None:
    from revenue_engine.dashboards import browser

    with browser.running_app() as base, browser.chromium() as window:
        for page in PAGES:
            browser.open_page(window, base, page)
            assert browser.page_errors(window) == [], page.slug
            drawn = window.locator('[data-testid="stVegaLiteChart"]').filter(
                has=window.locator("canvas, svg")
            )
            assert drawn.count() >= 2, page.slug
            assert_shown(browser.metrics(window), expected[page.slug], f"chromium {page.slug}")
            assert window.get_by_text("Page not found").count() == 0, page.slug


@pytest.mark.slow
def test_dashboard_screenshots_write_a_png_of_every_page(published, tmp_path) -> None:
    from PIL import Image

    result = subprocess.run(
        [sys.executable, "-m", "revenue_engine", "dashboard-screenshots", "--out", str(tmp_path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{page.slug}.png" for page in PAGES
    )
    for page in PAGES:
        with Image.open(tmp_path / f"{page.slug}.png") as image:
            width, height = image.size
            colours = image.convert("RGB").resize((64, 64)).getcolors(64 * 64)
        assert width == 1440 and height > 1000, (page.slug, image.size)  # the whole page
        assert colours is None or len(colours) > 20, page.slug  # not a blank page


def test_the_app_says_clearly_when_nothing_is_published(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "revenue_engine", "dashboards"],
        cwd=PROJECT_DIR,
        env={**os.environ, "WAREHOUSE_DIR": str(tmp_path), "PUBLISHED_DATABASE": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"no published warehouse at {tmp_path / 'analytics.duckdb'}" in result.stderr
    assert "make run" in result.stderr


def test_make_help_lists_every_target() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text()
    targets = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split()
    result = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    listed = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("make ")}
    assert set(targets) - {"help"} <= listed, set(targets) - listed
