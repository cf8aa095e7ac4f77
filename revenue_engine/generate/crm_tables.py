"""Table builders for accounts, contacts, contact roles and subscriptions (see `crm`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    NO_TIME,
    US_PER_MINUTE,
    categories,
    floats,
    table,
    take,
    timestamps,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.ids import prefixed_ids, record_numbers, salesforce_ids
from revenue_engine.generate.leads import Companies
from revenue_engine.generate.opportunities import Deals
from revenue_engine.generate.people import Users

ROLE_PREFIX = "00K"
SUBSCRIPTION_PREFIX = "sub_"


@dataclass
class Subscriptions:
    """Subscription lines: one per won New Business deal, one per won expansion (add-on)."""

    account: np.ndarray
    deal: np.ndarray
    start: np.ndarray  # µs, midnight of the close date
    churn: np.ndarray  # µs, latent (may be after the last load)
    tier: np.ndarray
    addon: np.ndarray


def clip_before(times: np.ndarray, floor: np.ndarray, cutoff: int) -> np.ndarray:
    """Times no later than one second before the cutoff, and never before `floor`."""
    return np.maximum(floor, np.minimum(times, cutoff - 1_000_000))


def load_times(
    rng: np.random.Generator, last_change: np.ndarray, cutoff: int, edited_share: float
) -> np.ndarray:
    """`_fivetran_synced`: minutes to hours after the last change, some rows edited later."""
    count = last_change.size
    synced = last_change + rng.integers(10, 8 * 60, count) * US_PER_MINUTE
    edited = rng.random(count) < edited_share
    synced[edited] += (
        np.maximum(cutoff - synced[edited], 0) * rng.random(int(edited.sum()))
    ).astype(np.int64)
    synced = np.minimum(synced, cutoff)
    if count:
        synced[np.argmax(synced)] = cutoff
    return synced


def account_table(
    rng: np.random.Generator,
    window: Window,
    ids: pa.Array,
    company: np.ndarray,
    created: np.ndarray,
    owner: np.ndarray,
    companies: Companies,
    users: Users,
    deals: Deals,
    subs: Subscriptions,
) -> pa.Table:
    """salesforce/account: type from the subscriptions (Customer, Former Customer, Prospect)."""
    cutoff = window.cutoff_us
    count = company.size
    active = np.zeros(count, bool)
    customer_ever = np.zeros(count, bool)
    started = subs.start < cutoff
    np.logical_or.at(customer_ever, subs.account[started], True)
    np.logical_or.at(active, subs.account[started & (subs.churn >= cutoff)], True)
    account_type = np.where(active, 1, np.where(customer_ever, 2, 0))
    last_change = created.copy()
    deal_change = np.where(deals.closed, deals.close_time, deals.created)
    np.maximum.at(last_change, deals.account, deal_change)
    ended = subs.churn < cutoff
    np.maximum.at(last_change, subs.account[ended], subs.churn[ended])
    return table(
        "salesforce/account",
        {
            "id": ids,
            "name": take(companies.name, company),
            "industry": categories(vocab.INDUSTRIES, companies.industry[company]),
            "number_of_employees": pa.array(companies.employees[company]),
            "annual_revenue": floats(companies.revenue[company]),
            "billing_country": categories(vocab.COUNTRIES, companies.country[company]),
            "type": categories(("Prospect", "Customer", "Former Customer"), account_type),
            "owner_id": take(users.ids, owner),
            "created_date": timestamps(created),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(load_times(rng, last_change, cutoff, 0.3)),
        },
    )


def contact_table(
    rng: np.random.Generator,
    window: Window,
    ids: pa.Array,
    account_ids: pa.Array,
    first_name: pa.Array,
    last_name: pa.Array,
    email: pa.Array,
    title: np.ndarray,
    source: np.ndarray,
    created: np.ndarray,
) -> pa.Table:
    """salesforce/contact."""
    count = created.size
    return table(
        "salesforce/contact",
        {
            "id": ids,
            "account_id": account_ids,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "title": categories(vocab.LEAD_TITLES, title),
            "lead_source": categories(vocab.LEAD_SOURCES, source),
            "created_date": timestamps(created),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(load_times(rng, created, window.cutoff_us, 0.2)),
        },
    )


def role_table(
    rng: np.random.Generator,
    window: Window,
    slot: int,
    deals: Deals,
    opportunity_ids: pa.Array,
    contact_ids: pa.Array,
    deal: np.ndarray,
    contact: np.ndarray,
    contact_created: np.ndarray,
) -> pa.Table:
    """salesforce/opportunity_contact_role: the first row of each deal is primary."""
    count = deal.size
    primary = np.ones(count, bool)
    primary[1:] = deal[1:] != deal[:-1]
    role = np.where(
        primary, rng.integers(0, 2, count), rng.integers(2, len(vocab.CONTACT_ROLES), count)
    )
    floor = np.maximum(deals.created[deal], contact_created[contact])
    created = clip_before(
        floor + rng.integers(0, 36 * 60, count) * US_PER_MINUTE, floor, window.cutoff_us
    )
    return table(
        "salesforce/opportunity_contact_role",
        {
            "id": salesforce_ids(ROLE_PREFIX, record_numbers(slot, count)),
            "opportunity_id": take(opportunity_ids, deal),
            "contact_id": take(contact_ids, contact),
            "role": categories(vocab.CONTACT_ROLES, role),
            "is_primary": pa.array(primary),
            "created_date": timestamps(created),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(load_times(rng, created, window.cutoff_us, 0.1)),
        },
    )


def subscription_table(
    rng: np.random.Generator,
    window: Window,
    slot: int,
    subs: Subscriptions,
    deals: Deals,
    account_ids: pa.Array,
) -> pa.Table:
    """billing/subscription: plan from the USD MRR, ended_at once churned."""
    cutoff = window.cutoff_us
    count = subs.start.size
    mrr = np.round(deals.amount_final[subs.deal] / 12.0, 2)
    mrr_usd = deals.amount_usd[subs.deal] / 12.0
    plan = np.searchsorted(vocab.PLAN_MRR_USD_THRESHOLDS, mrr_usd)
    plan = np.where(subs.addon, vocab.PLANS.index("Add-on"), plan)
    ended = subs.churn < cutoff
    last_change = np.where(ended, subs.churn, subs.start)
    loaded = np.minimum(last_change + rng.integers(60, 26 * 60, count) * US_PER_MINUTE, cutoff)
    if count:
        loaded[np.argmax(loaded)] = cutoff
    return table(
        "billing/subscription",
        {
            "id": prefixed_ids(SUBSCRIPTION_PREFIX, record_numbers(slot, count)),
            "account_id": take(account_ids, subs.account),
            "plan": categories(vocab.PLANS, plan),
            "mrr": pa.array(mrr),
            "currency_code": categories(vocab.CURRENCIES, deals.currency[subs.deal]),
            "started_at": timestamps(subs.start),
            "ended_at": timestamps(np.where(ended, subs.churn, NO_TIME)),
            "status": pa.array(np.where(ended, "canceled", "active").tolist(), pa.string()),
            "_loaded_at": timestamps(loaded),
        },
    )
