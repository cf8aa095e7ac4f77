"""Campaigns, where leads come from (daily lead intensity) and the ad platforms' daily spend.

Lead volume is a days x cells intensity matrix: one cell per non-paid lead source and one per
ad campaign. Leads are drawn from it chunk by chunk; spend is priced on the *expected* leads of
each campaign-day (times a cost per lead), so spend scales with the number of leads and CAC
stays plausible at any scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revenue_engine.contract import load_contract
from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    NO_DATE,
    US_PER_DAY,
    US_PER_HOUR,
    dates,
    floats,
    table,
    timestamps,
)
from revenue_engine.generate.calendar import EPOCH, Window, add_months
from revenue_engine.generate.finance import FxRates
from revenue_engine.generate.ids import record_numbers, salesforce_ids

# Google reports spend in micros: the unit the contract declares (divide_by) for cost_micros.
MICROS = load_contract()["google_ads/campaign_stats"].column("cost_micros").divide_by

CAMPAIGN_PREFIX = "701"
KIND_PAID, KIND_WEBINAR, KIND_TRADESHOW, KIND_REFERRAL, KIND_PARTNER = range(5)
NONPAID_CELLS = tuple(vocab.NONPAID_SOURCE_WEIGHT)
LAST_DAY_SHARE = 0.25  # the window ends at the 06:00 load on end_date


@dataclass
class Campaigns:
    """CRM campaigns: arrays indexed by campaign row (ad campaigns first, in AD_CAMPAIGNS order)."""

    ids: pa.StringArray
    kind: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    utm: list[str]
    names: list[str]
    webinars: np.ndarray  # campaign rows of webinars, by date
    tradeshows: np.ndarray  # campaign rows of trade shows, by date
    referral: int
    partner: int


@dataclass
class LeadIntensity:
    """Where and when leads appear: P(day, cell) over the window."""

    probs: np.ndarray  # flattened (days x cells), sums to 1
    cells: int
    cell_source: np.ndarray  # lead source of each cell
    cell_campaign: np.ndarray  # ad campaign row of each cell, -1 for non-paid cells

    def expected(self, leads: int) -> np.ndarray:
        """Expected leads per (day, cell) for a total of `leads`."""
        return leads * self.probs.reshape(-1, self.cells)


def _third_thursday(month_start: int) -> int:
    weekday = (month_start + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    return month_start + (3 - weekday) % 7 + 14


def make_campaigns(window: Window) -> Campaigns:
    """The campaign calendar: ad campaigns, a monthly webinar, quarterly trade shows, programs."""
    kinds: list[int] = []
    start: list[int] = []
    end: list[int] = []
    utm: list[str] = []
    names: list[str] = []
    for spec in vocab.AD_CAMPAIGNS:
        first = window.start_day + int(spec.start * window.days)
        last = window.start_day + int(spec.end * window.days) - 1
        kinds.append(KIND_PAID)
        start.append(first)
        end.append(min(last, window.end_day))
        utm.append(spec.utm)
        names.append(spec.name)
    months = window.month_starts()
    after = (add_months(EPOCH.fromordinal(EPOCH.toordinal() + months[-1]), 1) - EPOCH).days
    for m, month in enumerate([*months, after]):
        day = _third_thursday(month)
        if day < window.start_day:
            continue
        topic = vocab.WEBINAR_TOPICS[m % len(vocab.WEBINAR_TOPICS)]
        label = EPOCH.fromordinal(EPOCH.toordinal() + day)
        kinds.append(KIND_WEBINAR)
        start.append(day)
        end.append(day)
        utm.append(f"webinar_{label:%Y_%m}")
        names.append(f"Webinar - {topic} ({label:%b %Y})")
    for m, month in enumerate(months):
        if m % 3 != 1 and not (len(months) < 2 and m == 0):
            continue
        day = max(month + 9, window.start_day)
        if day > window.end_day - 3:
            continue
        show = vocab.TRADE_SHOWS[(m // 3) % len(vocab.TRADE_SHOWS)]
        label = EPOCH.fromordinal(EPOCH.toordinal() + day)
        slug = show.lower().replace("/", "").replace(" ", "_")
        kinds.append(KIND_TRADESHOW)
        start.append(day)
        end.append(day + 2)
        utm.append(f"tradeshow_{slug}_{label:%Y}")
        names.append(f"Trade Show - {show} {label:%Y}")
    for kind, name, code in (
        (KIND_REFERRAL, "Customer Referral Program", "referral_program"),
        (KIND_PARTNER, "Partner Program", "partner_program"),
    ):
        kinds.append(kind)
        start.append(window.start_day - 200)
        end.append(NO_DATE)
        utm.append(code)
        names.append(name)
    kind = np.array(kinds, np.int8)
    return Campaigns(
        ids=salesforce_ids(CAMPAIGN_PREFIX, record_numbers(0, kind.size)),
        kind=kind,
        start_day=np.array(start, np.int64),
        end_day=np.array(end, np.int64),
        utm=utm,
        names=names,
        webinars=np.flatnonzero(kind == KIND_WEBINAR),
        tradeshows=np.flatnonzero(kind == KIND_TRADESHOW),
        referral=int(np.flatnonzero(kind == KIND_REFERRAL)[0]),
        partner=int(np.flatnonzero(kind == KIND_PARTNER)[0]),
    )


def make_intensity(rng: np.random.Generator, window: Window, campaigns: Campaigns) -> LeadIntensity:
    """Daily lead intensity per cell: growth over time, weekly rhythm, noise, show spikes."""
    days = window.days
    day = np.arange(days)
    progress = day / max(days - 1, 1)
    weekday = (window.start_day + day + 3) % 7
    rhythm = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.35, 0.3))
    rhythm[-1] *= LAST_DAY_SHARE
    columns = []
    cell_source = []
    cell_campaign = []
    for source in NONPAID_CELLS:
        weight = vocab.NONPAID_SOURCE_WEIGHT[source]
        growth = vocab.NONPAID_GROWTH[source]
        column = weight * (1.0 + (growth - 1.0) * progress)
        if source == vocab.SRC_TRADESHOW:
            spikes = np.zeros(days)
            for row in campaigns.tradeshows:
                first = int(campaigns.end_day[row]) - window.start_day
                for offset in range(7):
                    if 0 <= first + offset < days:
                        spikes[first + offset] += 0.8**offset
            column = column * spikes * days / max(spikes.sum(), 1.0)
        columns.append(column)
        cell_source.append(source)
        cell_campaign.append(-1)
    for row, spec in enumerate(vocab.AD_CAMPAIGNS):
        active = (day + window.start_day >= campaigns.start_day[row]) & (
            day + window.start_day <= campaigns.end_day[row]
        )
        columns.append(spec.weight * (1.0 + (spec.growth - 1.0) * progress) * active)
        cell_source.append(vocab.PLATFORM_SOURCE[spec.platform])
        cell_campaign.append(row)
    matrix = np.stack(columns, axis=1) * rhythm[:, None]
    matrix *= rng.lognormal(0.0, 0.12, matrix.shape)
    probs = (matrix / matrix.sum()).ravel()
    return LeadIntensity(
        probs=probs,
        cells=matrix.shape[1],
        cell_source=np.array(cell_source, np.int64),
        cell_campaign=np.array(cell_campaign, np.int64),
    )


@dataclass
class Spend:
    """Ad platform tables plus what other tables need from them."""

    tables: dict[str, pa.Table]
    usd_by_campaign: np.ndarray  # total USD per ad campaign
    usd_by_month: np.ndarray  # [month of window.month_starts(), 0 = search / 1 = social]


def make_spend(
    rng: np.random.Generator,
    window: Window,
    intensity: LeadIntensity,
    leads: int,
    fx: FxRates,
) -> Spend:
    """One row per campaign per day while it runs, for each of the three ad platforms."""
    expected = intensity.expected(leads)
    months = np.array(window.month_starts(), np.int64)
    usd_by_month = np.zeros((months.size, 2))
    usd_by_campaign = np.zeros(len(vocab.AD_CAMPAIGNS))
    parts: dict[str, list[dict[str, np.ndarray]]] = {p: [] for p in vocab.PLATFORMS}
    for row, spec in enumerate(vocab.AD_CAMPAIGNS):
        cell = int(np.flatnonzero(intensity.cell_campaign == row)[0])
        day_index = np.flatnonzero(expected[:, cell] > 0)
        leads_expected = expected[day_index, cell]
        day = window.start_day + day_index
        usd = leads_expected * spec.cost_per_lead * rng.lognormal(0.0, 0.12, day.size)
        account_id, currency = vocab.AD_ACCOUNTS[spec.account]
        currency_index = vocab.CURRENCIES.index(currency)
        local = np.round(usd / fx.at(np.full(day.size, currency_index), day), 2)
        usd_exact = local * fx.at(np.full(day.size, currency_index), day)
        cpm, ctr, conversions_per_lead = vocab.PLATFORM_DELIVERY[spec.platform]
        impressions = np.maximum(1, np.round(usd / cpm * 1000 * rng.lognormal(0, 0.1, day.size)))
        clicks = rng.binomial(
            impressions.astype(np.int64), np.clip(ctr * rng.lognormal(0, 0.15, day.size), 0, 1)
        )
        conversions = np.round(
            leads_expected * conversions_per_lead * rng.lognormal(0, 0.3, day.size), 2
        )
        synced = np.minimum(
            (day + 1) * US_PER_DAY + rng.integers(2, 5, day.size) * US_PER_HOUR, window.cutoff_us
        )
        usd_by_campaign[row] = usd_exact.sum()
        month_index = np.searchsorted(months, day, side="right") - 1
        np.add.at(
            usd_by_month[:, 0 if spec.platform == "google_ads" else 1], month_index, usd_exact
        )
        parts[spec.platform].append(
            {
                "day": day,
                "account": np.full(day.size, account_id, dtype=object),
                "campaign_id": np.full(
                    day.size, _platform_campaign_id(spec.platform, row), dtype=object
                ),
                "name": np.full(day.size, spec.utm, dtype=object),
                "local": local,
                "currency": np.full(day.size, currency, dtype=object),
                "impressions": impressions.astype(np.int64),
                "clicks": clicks.astype(np.int64),
                "conversions": conversions,
                "synced": synced,
            }
        )
    tables = {}
    for platform, chunks in parts.items():
        cols = {key: np.concatenate([c[key] for c in chunks]) for key in chunks[0]}
        text = {
            key: pa.array(cols[key].tolist(), pa.string())
            for key in ("account", "campaign_id", "name", "currency")
        }
        if platform == "google_ads":
            tables["google_ads/campaign_stats"] = table(
                "google_ads/campaign_stats",
                {
                    "date": dates(cols["day"]),
                    "customer_id": text["account"],
                    "campaign_id": text["campaign_id"],
                    "campaign_name": text["name"],
                    "cost_micros": pa.array(np.round(cols["local"] * MICROS).astype(np.int64)),
                    "currency_code": text["currency"],
                    "impressions": pa.array(cols["impressions"]),
                    "clicks": pa.array(cols["clicks"]),
                    "conversions": pa.array(cols["conversions"]),
                    "_fivetran_synced": timestamps(cols["synced"]),
                },
            )
        elif platform == "linkedin_ads":
            tables["linkedin_ads/ad_analytics_by_campaign"] = table(
                "linkedin_ads/ad_analytics_by_campaign",
                {
                    "day": dates(cols["day"]),
                    "campaign_id": text["campaign_id"],
                    "campaign_name": text["name"],
                    "cost_in_local_currency": pa.array(cols["local"]),
                    "currency_code": text["currency"],
                    "impressions": pa.array(cols["impressions"]),
                    "clicks": pa.array(cols["clicks"]),
                    "_fivetran_synced": timestamps(cols["synced"]),
                },
            )
        else:
            tables["facebook_ads/basic_campaign"] = table(
                "facebook_ads/basic_campaign",
                {
                    "date": dates(cols["day"]),
                    "account_id": text["account"],
                    "campaign_id": text["campaign_id"],
                    "campaign_name": text["name"],
                    "spend": pa.array(cols["local"]),
                    "account_currency": text["currency"],
                    "impressions": pa.array(cols["impressions"]),
                    "clicks": pa.array(cols["clicks"]),
                    "_fivetran_synced": timestamps(cols["synced"]),
                },
            )
    return Spend(tables, usd_by_campaign, usd_by_month)


def _platform_campaign_id(platform: str, row: int) -> str:
    base = {
        "google_ads": 20_518_734_100,
        "linkedin_ads": 187_220_400,
        "facebook_ads": 23_851_097_745_120,
    }
    return str(base[platform] + 7_919 * (row + 1))


def campaign_table(
    rng: np.random.Generator, window: Window, campaigns: Campaigns, spend: Spend
) -> pa.Table:
    """salesforce/campaign, with the ad campaigns' actual cost from their spend (USD)."""
    count = campaigns.kind.size
    ad_count = len(vocab.AD_CAMPAIGNS)
    actual = np.zeros(count)
    budget = np.zeros(count)
    actual[:ad_count] = np.round(spend.usd_by_campaign, 2)
    budget[:ad_count] = np.round(spend.usd_by_campaign * rng.uniform(0.9, 1.25, ad_count), -3)
    kind = campaigns.kind
    finished = (campaigns.end_day != NO_DATE) & (campaigns.end_day < window.end_day)
    planned = campaigns.start_day > window.end_day
    event_budget = np.where(
        kind == KIND_WEBINAR, rng.uniform(3_000, 9_000, count), rng.uniform(20_000, 70_000, count)
    )
    events = (kind == KIND_WEBINAR) | (kind == KIND_TRADESHOW)
    budget[events] = np.round(event_budget[events], -2)
    actual[events] = np.where(
        planned[events],
        0.0,
        np.round(budget[events] * rng.uniform(0.8, 1.08, int(events.sum())), 2),
    )
    programs = (kind == KIND_REFERRAL) | (kind == KIND_PARTNER)
    budget[programs] = np.nan
    actual[programs] = np.nan
    type_names = ("Paid", "Webinar", "Trade Show", "Referral Program", "Partner")
    type_index = kind.astype(np.int64).copy()
    paid_type = np.array(
        ["Paid Search" if s.platform == "google_ads" else "Paid Social" for s in vocab.AD_CAMPAIGNS]
    )
    type_text = np.array([type_names[k] for k in type_index], dtype=object)
    type_text[:ad_count] = paid_type
    status = np.where(planned, "Planned", np.where(finished, "Completed", "In Progress"))
    end_us = np.where(campaigns.end_day == NO_DATE, window.end_day, campaigns.end_day) * US_PER_DAY
    synced = np.where(
        finished,
        end_us + rng.integers(24, 96, count) * US_PER_HOUR,
        window.cutoff_us - rng.integers(0, 20, count) * US_PER_HOUR,
    )
    synced = np.where(
        planned, window.cutoff_us - rng.integers(24, 400, count) * US_PER_HOUR, synced
    )
    synced[0] = window.cutoff_us
    synced = np.minimum(synced, window.cutoff_us)
    end_day = np.where(finished | planned | events, campaigns.end_day, NO_DATE)
    return table(
        "salesforce/campaign",
        {
            "id": campaigns.ids,
            "name": pa.array(campaigns.names, pa.string()),
            "type": pa.array(type_text.tolist(), pa.string()),
            "status": pa.array(status.tolist(), pa.string()),
            "start_date": dates(campaigns.start_day),
            "end_date": dates(end_day),
            "budgeted_cost": floats(budget),
            "actual_cost": floats(actual),
            "utm_campaign__c": pa.array(campaigns.utm, pa.string()),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(synced),
        },
    )
