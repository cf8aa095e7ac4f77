"""Companies and leads of one chunk: who arrives, from where, and how far each gets.

Each lead's path is simulated in latent time (when it *would* become an MQL, get touched, reach
SQL, convert) and then censored at the last load: anything after it has not happened yet, which
is what makes the recent cohorts immature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    NO_TIME,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_MINUTE,
    categories,
    integers_as_text,
    join,
    nullable_bools,
    table,
    take,
    timestamps,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.ids import record_numbers, salesforce_ids
from revenue_engine.generate.marketing import (
    KIND_PAID,
    Campaigns,
    LeadIntensity,
)
from revenue_engine.generate.people import Users, email_local_part, random_names

LEAD_PREFIX = "00Q"
UTM_SOURCES = ("google", "linkedin", "facebook")
UTM_MEDIUMS = ("cpc", "paid_social", "organic")


@dataclass
class Companies:
    """The chunk's pool of companies; leads and accounts point into it."""

    industry: np.ndarray
    employees: np.ndarray
    revenue: np.ndarray
    country: np.ndarray
    matches: np.ndarray  # how many of the three ICP criteria the company meets
    tier: np.ndarray  # 0 fit, 1 partial, 2 poor
    name: pa.Array
    domain: pa.Array
    by_tier: list[np.ndarray]


def _pick(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """Row-wise categorical draws from cumulative probabilities (n x k)."""
    u = rng.random(cumulative.shape[0])
    return np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[1] - 1)


def make_companies(rng: np.random.Generator, count: int) -> Companies:
    """Companies with independent ICP criteria (each met about half the time)."""
    in_industry = rng.random(count) < 0.5
    industry = np.where(
        in_industry,
        rng.choice(vocab.FIT_INDUSTRY_COUNT, count, p=vocab.FIT_INDUSTRY_WEIGHTS),
        vocab.FIT_INDUSTRY_COUNT
        + rng.choice(len(vocab.OTHER_INDUSTRY_WEIGHTS), count, p=vocab.OTHER_INDUSTRY_WEIGHTS),
    )
    in_size = rng.random(count) < 0.5
    low, high = vocab.FIT_EMPLOYEES
    fit_size = np.exp(rng.uniform(np.log(low), np.log(high + 1), count))
    small = np.exp(rng.uniform(np.log(3), np.log(low), count))
    large = np.exp(rng.uniform(np.log(high + 1), np.log(120_000), count))
    employees = np.where(in_size, fit_size, np.where(rng.random(count) < 0.72, small, large))
    employees = np.clip(np.floor(employees), 1, None).astype(np.int64)
    employees = np.where(
        in_size,
        np.clip(employees, low, high),
        np.where(employees >= low, np.maximum(employees, high + 1), employees),
    )
    in_country = rng.random(count) < 0.5
    country = np.where(
        in_country,
        rng.choice(vocab.FIT_COUNTRY_COUNT, count, p=vocab.FIT_COUNTRY_WEIGHTS),
        vocab.FIT_COUNTRY_COUNT
        + rng.choice(len(vocab.OTHER_COUNTRY_WEIGHTS), count, p=vocab.OTHER_COUNTRY_WEIGHTS),
    )
    matches = in_industry.astype(np.int8) + in_size + in_country
    tier = np.where(matches == 3, 0, np.where(matches == 2, 1, 2)).astype(np.int8)
    revenue = np.round(
        employees * vocab.REVENUE_PER_EMPLOYEE[industry] * rng.lognormal(0, 0.35, count), -3
    )
    prefix = categories(vocab.COMPANY_PREFIXES, rng.integers(0, len(vocab.COMPANY_PREFIXES), count))
    core = categories(vocab.COMPANY_CORES, rng.integers(0, len(vocab.COMPANY_CORES), count))
    suffix = categories(vocab.COMPANY_SUFFIXES, rng.integers(0, len(vocab.COMPANY_SUFFIXES), count))
    tld = categories(
        vocab.EMAIL_TLDS, rng.choice(len(vocab.EMAIL_TLDS), count, p=[0.7, 0.14, 0.08, 0.08])
    )
    return Companies(
        industry=industry,
        employees=employees,
        revenue=revenue,
        country=country,
        matches=matches,
        tier=tier,
        name=join(join(prefix, core, separator=" "), suffix),
        domain=join(pc.utf8_lower(join(prefix, core)), tld),
        by_tier=[np.flatnonzero(tier == t) for t in range(3)],
    )


@dataclass
class Leads:
    """One chunk of leads, sorted by creation time (arrays indexed by lead row)."""

    count: int
    created: np.ndarray
    source: np.ndarray
    campaign: np.ndarray  # CRM campaign row, -1 = none
    company: np.ndarray
    tier: np.ndarray
    score: np.ndarray
    owner: np.ndarray
    first_name: pa.Array
    last_name: pa.Array
    email: pa.Array
    title: np.ndarray
    phone: pa.Array
    utm_source: np.ndarray
    utm_medium: np.ndarray
    mql: np.ndarray  # observed times (NO_TIME = not reached by the last load)
    touch: np.ndarray  # first sales touch
    touch_owner: np.ndarray
    sql: np.ndarray
    converted: np.ndarray
    skipped: np.ndarray  # converted without the MQL (and maybe SQL) stage
    status: np.ndarray
    reason: np.ndarray
    bant: np.ndarray  # (n x 4) int8: 1, 0, -1 = null
    synced: np.ndarray


def _lognormal_hours(
    rng: np.random.Generator, median: float, sigma: float, count: int
) -> np.ndarray:
    return rng.lognormal(np.log(median), sigma, count)


def simulate_leads(
    rng: np.random.Generator,
    count: int,
    window: Window,
    intensity: LeadIntensity,
    campaigns: Campaigns,
    companies: Companies,
    users: Users,
) -> Leads:
    """Draw `count` leads and simulate their funnel up to the last load."""
    cutoff = window.cutoff_us
    cell = rng.choice(intensity.probs.size, count, p=intensity.probs)
    day_index, cell_index = np.divmod(cell, intensity.cells)
    busy = np.clip(rng.normal(14.5, 3.2, count), 0, 23.99)
    time_of_day = np.where(rng.random(count) < 0.75, busy, rng.uniform(0, 24, count)) * US_PER_HOUR
    time_of_day = time_of_day.astype(np.int64)
    last_day = day_index == window.days - 1
    time_of_day[last_day] %= (cutoff - (window.end_day * US_PER_DAY)) - US_PER_MINUTE
    created = (window.start_day + day_index) * US_PER_DAY + time_of_day
    order = np.argsort(created, kind="stable")
    created, cell_index = created[order], cell_index[order]
    day = created // US_PER_DAY
    source = intensity.cell_source[cell_index]
    campaign = _lead_campaigns(rng, intensity.cell_campaign[cell_index], source, day, campaigns)

    tier = _pick(rng, vocab.SOURCE_TIER_PROBS.cumsum(axis=1)[source]).astype(np.int8)
    company = np.empty(count, np.int64)
    for t in range(3):
        chosen = np.flatnonzero(tier == t)
        pool = companies.by_tier[t]
        company[chosen] = pool[rng.integers(0, pool.size, chosen.size)]
    matches = companies.matches[company]
    noise = rng.normal(0, vocab.SCORE_NOISE, count)
    score = np.clip(
        np.round(
            vocab.SCORE_BASE
            + vocab.SCORE_PER_MATCH * matches
            + vocab.SOURCE_SCORE_BONUS[source]
            + noise
        ),
        0,
        100,
    )

    # latent funnel
    skip = rng.random(count) < vocab.SKIP_STAGE_PROB_BY_SOURCE[source]
    p_mql = 1.0 / (1.0 + np.exp(-(score - vocab.MQL_SCORE_CENTER) / vocab.MQL_SCORE_SCALE))
    is_mql = (rng.random(count) < p_mql) & ~skip
    mql = created + (
        np.minimum(_lognormal_hours(rng, 20, 1.6, count), 90 * 24) * US_PER_HOUR
    ).astype(np.int64)
    touched = is_mql & (rng.random(count) < vocab.TOUCH_PROB)
    response = np.clip(
        _lognormal_hours(rng, vocab.RESPONSE_MEDIAN_HOURS, vocab.RESPONSE_SIGMA, count),
        1 / 30,
        30 * 24,
    )
    touch = mql + (response * US_PER_HOUR).astype(np.int64)
    p_sql = vocab.SQL_PROB[tier] * (1.0 + response) ** -vocab.SQL_SPEED_DECAY
    is_sql = touched & (rng.random(count) < p_sql)
    sql = touch + (np.minimum(_lognormal_hours(rng, 60, 0.9, count), 45 * 24) * US_PER_HOUR).astype(
        np.int64
    )
    is_opp = is_sql & (rng.random(count) < vocab.OPP_PROB[tier])
    converted = sql + (
        np.minimum(_lognormal_hours(rng, 72, 0.8, count), 40 * 24) * US_PER_HOUR
    ).astype(np.int64)
    # skipped stages: straight to an opportunity (outbound, referrals); some keep an SQL date
    skip_conv = created + (_lognormal_hours(rng, 5 * 24, 0.7, count) * US_PER_HOUR).astype(np.int64)
    skip_sql = skip & (rng.random(count) < 0.4)
    converted = np.where(skip, skip_conv, converted)
    sql = np.where(
        skip, np.maximum(created, skip_conv - rng.integers(1, 48, count) * US_PER_HOUR), sql
    )
    is_sql = is_sql | skip_sql
    is_opp = is_opp | skip
    skip_touch = created + rng.integers(10, 24 * 60, count) * US_PER_MINUTE
    touch = np.where(skip, np.minimum(skip_touch, converted), touch)
    touched = touched | skip

    # what the last load has seen
    mql_seen = is_mql & (mql < cutoff)
    touch_seen = touched & (touch < cutoff)
    sql_seen = is_sql & (sql < cutoff)
    conv_seen = is_opp & (converted < cutoff)
    owner = users.assign(rng, vocab.DEPT_SDR, day)
    by_ae = rng.random(count) < 0.12
    touch_owner = owner.copy()
    touch_owner[by_ae] = users.assign(rng, vocab.DEPT_AE, touch[by_ae] // US_PER_DAY)

    status, reason = _statuses(
        rng,
        window,
        created,
        tier,
        is_mql,
        mql_seen,
        touch_seen,
        is_sql,
        sql_seen,
        sql,
        is_opp,
        conv_seen,
        touch,
    )
    bant = _bant(rng, tier, touch_seen, sql_seen | conv_seen)

    first_idx, last_idx = random_names(rng, count)
    first_name = categories(vocab.FIRST_NAMES, first_idx)
    last_name = categories(vocab.LAST_NAMES, last_idx)
    email = join(
        email_local_part(first_name, last_name),
        pc.take(companies.domain, pa.array(company)),
        separator="@",
    )
    country = companies.country[company]
    phone = join(
        categories(vocab.PHONE_PREFIX, country),
        integers_as_text(rng.integers(2_000_000_000, 9_999_999_999, count)),
        separator=" ",
    )
    title_probs = np.full((3, len(vocab.LEAD_TITLES)), 1.0)
    student = vocab.LEAD_TITLES.index("Student")
    title_probs[:, student] = [0.2, 0.4, 2.0]
    title_probs /= title_probs.sum(axis=1, keepdims=True)
    title = _pick(rng, title_probs.cumsum(axis=1)[tier])

    paid = campaign >= 0
    paid &= campaigns.kind[np.maximum(campaign, 0)] == KIND_PAID
    platform = np.array([vocab.PLATFORMS.index(s.platform) for s in vocab.AD_CAMPAIGNS])
    utm_source = np.where(paid, platform[np.clip(campaign, 0, platform.size - 1)], -1)
    utm_medium = np.where(paid, np.where(utm_source == 0, 0, 1), -1)
    organic_utm = (source == vocab.SRC_ORGANIC) & (rng.random(count) < 0.15)
    utm_source[organic_utm] = 0
    utm_medium[organic_utm] = 2

    seen = [
        created,
        np.where(mql_seen, mql, 0),
        np.where(touch_seen, touch, 0),
        np.where(sql_seen, sql, 0),
        np.where(conv_seen, converted, 0),
    ]
    last_change = np.maximum.reduce(seen)
    synced = last_change + rng.integers(10, 6 * 60, count) * US_PER_MINUTE
    later = rng.random(count) < 0.25
    synced[later] += ((cutoff - synced[later]) * rng.random(int(later.sum()))).astype(np.int64)
    synced = np.minimum(synced, cutoff)
    if count:
        synced[np.argmax(synced)] = cutoff

    return Leads(
        count=count,
        created=created,
        source=source,
        campaign=campaign,
        company=company,
        tier=tier,
        score=score,
        owner=owner,
        first_name=first_name,
        last_name=last_name,
        email=email,
        title=title,
        phone=phone,
        utm_source=utm_source,
        utm_medium=utm_medium,
        mql=np.where(mql_seen, mql, NO_TIME),
        touch=np.where(touch_seen, touch, NO_TIME),
        touch_owner=touch_owner,
        sql=np.where(sql_seen, sql, NO_TIME),
        converted=np.where(conv_seen, converted, NO_TIME),
        skipped=skip,
        status=status,
        reason=reason,
        bant=bant,
        synced=synced,
    )


def _lead_campaigns(
    rng: np.random.Generator,
    ad_campaign: np.ndarray,
    source: np.ndarray,
    day: np.ndarray,
    campaigns: Campaigns,
) -> np.ndarray:
    """CRM campaign of each lead: its ad campaign, the next webinar, the last show, programs."""
    campaign = ad_campaign.copy()
    webinar = source == vocab.SRC_WEBINAR
    if campaigns.webinars.size:
        days = campaigns.start_day[campaigns.webinars]
        slot = np.minimum(np.searchsorted(days, day[webinar], side="left"), days.size - 1)
        campaign[webinar] = campaigns.webinars[slot]
    show = source == vocab.SRC_TRADESHOW
    if campaigns.tradeshows.size:
        days = campaigns.end_day[campaigns.tradeshows]
        slot = np.clip(np.searchsorted(days, day[show], side="right") - 1, 0, days.size - 1)
        campaign[show] = campaigns.tradeshows[slot]
    referral = (source == vocab.SRC_REFERRAL) & (rng.random(source.size) < 0.7)
    campaign[referral] = campaigns.referral
    partner = (source == vocab.SRC_PARTNER) & (rng.random(source.size) < 0.8)
    campaign[partner] = campaigns.partner
    return campaign


def _statuses(
    rng: np.random.Generator,
    window: Window,
    created: np.ndarray,
    tier: np.ndarray,
    is_mql: np.ndarray,
    mql_seen: np.ndarray,
    touch_seen: np.ndarray,
    is_sql: np.ndarray,
    sql_seen: np.ndarray,
    sql: np.ndarray,
    is_opp: np.ndarray,
    conv_seen: np.ndarray,
    touch: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Lead status at the last load, and the disqualification reason where disqualified."""
    count = created.size
    cutoff = window.cutoff_us
    age_days = (cutoff - created) / US_PER_DAY
    u = rng.random(count)
    status = np.full(count, vocab.ST_NURTURING, np.int8)
    # never (yet) an MQL
    status[(age_days < 14) | (is_mql & ~mql_seen & (age_days < 45))] = vocab.ST_OPEN
    junk = ~is_mql & (age_days >= 14) & (u < 0.22)
    status[junk] = vocab.ST_DISQUALIFIED
    # MQL waiting for sales
    status[mql_seen & ~touch_seen] = vocab.ST_OPEN
    # worked by sales
    worked = touch_seen & ~sql_seen
    recent = (cutoff - touch) < 10 * US_PER_DAY
    status[worked & (is_sql | recent)] = vocab.ST_WORKING
    rejected = worked & ~is_sql & ~recent
    status[rejected] = np.where(u[rejected] < 0.68, vocab.ST_DISQUALIFIED, vocab.ST_NURTURING)
    qualified = sql_seen & ~conv_seen
    stale = (cutoff - sql) > 30 * US_PER_DAY
    status[qualified] = np.where(
        ~is_opp[qualified] & stale[qualified], vocab.ST_DISQUALIFIED, vocab.ST_QUALIFIED
    )
    status[conv_seen] = vocab.ST_CONVERTED
    reason = _pick(rng, vocab.DISQUALIFIED_REASON_PROBS.cumsum(axis=1)[tier]).astype(np.int64)
    junk_reason = np.where(
        tier == 2, np.where(u < 0.11, 5, 2), 4
    )  # student / bad fit / no response
    reason = np.where(junk, junk_reason, reason)
    reason[status != vocab.ST_DISQUALIFIED] = -1
    return status, reason


def _bant(
    rng: np.random.Generator, tier: np.ndarray, worked: np.ndarray, qualified: np.ndarray
) -> np.ndarray:
    """BANT flags (budget, authority, need, timeline): filled once sales has worked the lead."""
    count = tier.size
    p_qualified = np.array([0.85, 0.8, 0.92, 0.75])
    p_worked = np.array([0.3, 0.4, 0.45, 0.25])[None, :] + 0.15 * (tier == 0)[:, None]
    p = np.where(qualified[:, None], p_qualified[None, :], p_worked)
    bant = (rng.random((count, 4)) < p).astype(np.int8)
    bant[~worked] = -1
    return bant


def lead_ids(slot: int, count: int) -> pa.StringArray:
    """Ids of the chunk's leads."""
    return salesforce_ids(LEAD_PREFIX, record_numbers(slot, count))


def lead_table(
    leads: Leads,
    ids: pa.Array,
    companies: Companies,
    user_ids: pa.Array,
    campaign_utm: pa.Array,
    converted_account: pa.Array,
    converted_contact: pa.Array,
    converted_opportunity: pa.Array,
) -> pa.Table:
    """salesforce/lead, one row per lead."""
    company = leads.company
    converted = leads.converted != NO_TIME
    return table(
        "salesforce/lead",
        {
            "id": ids,
            "first_name": leads.first_name,
            "last_name": leads.last_name,
            "email": leads.email,
            "phone": leads.phone,
            "company": pc.take(companies.name, pa.array(company)),
            "title": categories(vocab.LEAD_TITLES, leads.title),
            "industry": categories(vocab.INDUSTRIES, companies.industry[company]),
            "number_of_employees": pa.array(companies.employees[company]),
            "annual_revenue": pa.array(companies.revenue[company]),
            "country": categories(vocab.COUNTRIES, companies.country[company]),
            "lead_source": categories(vocab.LEAD_SOURCES, leads.source),
            "status": categories(vocab.LEAD_STATUSES, leads.status),
            "owner_id": take(user_ids, leads.owner),
            "created_date": timestamps(leads.created),
            "mql_date__c": timestamps(leads.mql),
            "sql_date__c": timestamps(leads.sql),
            "lead_score__c": pa.array(leads.score),
            "bant_budget__c": nullable_bools(leads.bant[:, 0]),
            "bant_authority__c": nullable_bools(leads.bant[:, 1]),
            "bant_need__c": nullable_bools(leads.bant[:, 2]),
            "bant_timeline__c": nullable_bools(leads.bant[:, 3]),
            "disqualified_reason__c": categories(vocab.DISQUALIFIED_REASONS, leads.reason),
            "utm_source__c": categories(UTM_SOURCES, leads.utm_source),
            "utm_medium__c": categories(UTM_MEDIUMS, leads.utm_medium),
            "utm_campaign__c": take(
                campaign_utm, np.where(leads.utm_source >= 0, leads.campaign, -1)
            ),
            "is_converted": pa.array(converted),
            "converted_date": timestamps(leads.converted),
            "converted_account_id": converted_account,
            "converted_contact_id": converted_contact,
            "converted_opportunity_id": converted_opportunity,
            "is_deleted": pa.array(np.zeros(leads.count, bool)),
            "_fivetran_synced": timestamps(leads.synced),
        },
    )
