"""Accounts, contacts, deals and subscriptions of one chunk.

Converted leads create an account (the first converted lead of a company) or attach to it; a
few accounts come from outbound lists instead of leads. Each won New Business deal starts a
subscription; customers get renewals every year and sometimes an expansion (an add-on
subscription when won); subscriptions churn, fit accounts less.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    NO_TIME,
    US_PER_DAY,
    US_PER_MINUTE,
    categories,
    join,
    take,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.crm_tables import (
    Subscriptions,
    account_table,
    clip_before,
    contact_table,
    role_table,
    subscription_table,
)
from revenue_engine.generate.finance import FxRates
from revenue_engine.generate.ids import record_numbers, salesforce_ids
from revenue_engine.generate.leads import Companies, Leads
from revenue_engine.generate.opportunities import (
    HISTORY_PREFIX,
    OPPORTUNITY_PREFIX,
    DealBatch,
    Deals,
    concat,
    history_table,
    opportunity_table,
    simulate_deals,
)
from revenue_engine.generate.people import Users, email_local_part, random_names

ACCOUNT_PREFIX = "001"
CONTACT_PREFIX = "003"
DAYS_PER_MONTH = 30.44


@dataclass
class Crm:
    """The chunk's CRM objects beyond leads, and the links other tables need."""

    tables: dict[str, pa.Table]
    lead_account: np.ndarray  # per lead: account row, -1
    lead_contact: np.ndarray  # per lead: contact row, -1
    lead_opportunity: np.ndarray  # per lead: deal row, -1
    account_ids: pa.Array
    contact_ids: pa.Array
    opportunity_ids: pa.Array
    deals: Deals
    role_deal: np.ndarray  # opportunity_contact_role rows: deal row
    role_contact: np.ndarray  # opportunity_contact_role rows: contact row


def _batch(size: int, **values: np.ndarray) -> DealBatch:
    defaults: dict[str, np.ndarray] = {
        "lead": np.full(size, -1),
        "source": np.full(size, -1),
        "campaign": np.full(size, -1),
        "base_usd": np.full(size, np.nan),
        "parent": np.full(size, -1),
        "forced_won": np.full(size, -1, np.int8),
        "forced_close": np.full(size, NO_TIME),
    }
    defaults.update(values)
    return DealBatch(**defaults)


def build_crm(
    rng: np.random.Generator,
    slot: int,
    leads: Leads,
    companies: Companies,
    users: Users,
    campaign_ids: pa.Array,
    window: Window,
    fx: FxRates,
) -> Crm:
    """Accounts, contacts, opportunities (+ history, contact roles) and subscriptions."""
    cutoff = window.cutoff_us
    converted = np.flatnonzero(leads.converted != NO_TIME)
    converted = converted[np.lexsort((leads.converted[converted], leads.company[converted]))]
    company_of = leads.company[converted]
    first = np.ones(converted.size, bool)
    first[1:] = company_of[1:] != company_of[:-1]
    account_of = np.cumsum(first) - 1
    lead_accounts = int(first.sum())

    # accounts: from leads, then outbound-list accounts
    outbound = max(1, round(0.15 * lead_accounts))
    outbound_company = rng.integers(0, companies.tier.size, outbound)
    span = cutoff - window.start_us - US_PER_DAY
    outbound_created = window.start_us + (rng.random(outbound) * span).astype(np.int64)
    account_company = np.concatenate([company_of[first], outbound_company])
    account_created = np.concatenate([leads.converted[converted[first]], outbound_created])
    account_count = account_company.size
    account_owner = users.assign(rng, vocab.DEPT_AE, account_created // US_PER_DAY)
    account_tier = companies.tier[account_company].astype(np.int64)
    account_currency = vocab.COUNTRY_CURRENCY[companies.country[account_company]]

    # contacts: one per converted lead, one per outbound account, then extra people
    extras = rng.choice(4, account_count, p=[0.2, 0.35, 0.3, 0.15])
    base = converted.size + outbound
    extra_offset = base + np.cumsum(extras) - extras
    contact_count = base + int(extras.sum())
    contact_account = np.concatenate(
        [
            account_of,
            lead_accounts + np.arange(outbound),
            np.repeat(np.arange(account_count), extras),
        ]
    )
    account_primary = np.concatenate([np.flatnonzero(first), converted.size + np.arange(outbound)])
    new_people = contact_count - converted.size
    first_idx, last_idx = random_names(rng, new_people)
    new_first = categories(vocab.FIRST_NAMES, first_idx)
    new_last = categories(vocab.LAST_NAMES, last_idx)
    new_domain = take(companies.domain, account_company[contact_account[converted.size :]])
    contact_first = pa.concat_arrays([take(leads.first_name, converted), new_first])
    contact_last = pa.concat_arrays([take(leads.last_name, converted), new_last])
    contact_email = pa.concat_arrays(
        [
            take(leads.email, converted),
            join(email_local_part(new_first, new_last), new_domain, separator="@"),
        ]
    )
    contact_title = np.concatenate(
        [leads.title[converted], rng.integers(0, len(vocab.LEAD_TITLES), new_people)]
    )
    contact_source = np.concatenate(
        [
            leads.source[converted],
            np.full(outbound, vocab.SRC_OUTBOUND),
            np.full(int(extras.sum()), -1),
        ]
    )
    extra_created = (
        account_created[contact_account[base:]]
        + rng.integers(0, 72 * 60, int(extras.sum())) * US_PER_MINUTE
    )
    contact_created = np.concatenate(
        [
            leads.converted[converted],
            outbound_created,
            clip_before(extra_created, account_created[contact_account[base:]], cutoff),
        ]
    )

    def account_batch(account: np.ndarray, created: np.ndarray, **values: np.ndarray) -> DealBatch:
        values.setdefault("contact", account_primary[account])
        values.setdefault("owner", account_owner[account])
        return _batch(
            account.size,
            account=account,
            created=created,
            tier=account_tier[account],
            employees=companies.employees[account_company[account]],
            currency=account_currency[account],
            **values,
        )

    # phase 1: first deal of each lead account, and outbound accounts' deals
    lead_first = converted[first]
    with_deal = np.flatnonzero(rng.random(outbound) < 0.35)
    deal_created = (
        outbound_created[with_deal] + rng.integers(60, 30 * 24 * 60, with_deal.size) * US_PER_MINUTE
    )
    keep = deal_created < cutoff
    with_deal, deal_created = with_deal[keep], deal_created[keep]
    phase1 = simulate_deals(
        rng,
        _concat_batches(
            account_batch(
                np.arange(lead_accounts),
                leads.converted[lead_first],
                kind=np.full(lead_accounts, vocab.KIND_NEW),
                lead=lead_first,
                source=leads.source[lead_first],
                campaign=leads.campaign[lead_first],
                contact=np.flatnonzero(first),
            ),
            account_batch(
                lead_accounts + with_deal,
                deal_created,
                kind=np.full(with_deal.size, vocab.KIND_NEW),
                source=np.full(with_deal.size, vocab.SRC_OUTBOUND),
            ),
        ),
        window,
        fx,
    )
    # phase 2: later converted leads of a company attach to its account
    attached = np.flatnonzero(~first)
    attached_account = account_of[attached]
    attached_created = leads.converted[converted[attached]]
    expansion = phase1.won[attached_account] & (
        phase1.close_time[attached_account] < attached_created
    )
    phase2 = simulate_deals(
        rng,
        account_batch(
            attached_account,
            attached_created,
            kind=np.where(expansion, vocab.KIND_EXPANSION, vocab.KIND_NEW),
            lead=converted[attached],
            source=leads.source[converted[attached]],
            campaign=leads.campaign[converted[attached]],
            contact=attached,
            base_usd=np.where(expansion, phase1.amount_usd[attached_account], np.nan),
        ),
        window,
        fx,
    )
    deals = concat([phase1, phase2])
    new_won = np.flatnonzero(deals.won & (deals.kind == vocab.KIND_NEW))
    subs = _new_subscriptions(rng, deals, new_won)
    # a phase-2 expansion belongs to the subscription of its account's first (won) deal
    sub_of_deal = np.full(deals.size, -1)
    sub_of_deal[new_won] = np.arange(new_won.size)
    phase2_offset = phase1.size
    phase2_exp = np.flatnonzero(phase2.kind == vocab.KIND_EXPANSION)
    deals.parent[phase2_offset + phase2_exp] = sub_of_deal[phase2.account[phase2_exp]]

    # phase 3: renewals and expansions of customers
    later = _customer_deals(rng, subs, deals, account_batch, window)
    if later is not None:
        deals = concat([deals, simulate_deals(rng, later, window, fx)])
    subs = _add_ons(subs, deals)

    # ids
    account_ids = salesforce_ids(ACCOUNT_PREFIX, record_numbers(slot, account_count))
    contact_ids = salesforce_ids(CONTACT_PREFIX, record_numbers(slot, contact_count))
    opportunity_ids = salesforce_ids(OPPORTUNITY_PREFIX, record_numbers(slot, deals.size))
    lead_account = np.full(leads.count, -1)
    lead_account[converted] = account_of
    lead_contact = np.full(leads.count, -1)
    lead_contact[converted] = np.arange(converted.size)
    lead_opportunity = np.full(leads.count, -1)
    lead_opportunity[lead_first] = np.arange(lead_accounts)
    lead_opportunity[converted[attached]] = phase2_offset + np.arange(attached.size)

    # contact roles: the primary contact, then up to three more people of the account
    more = np.minimum(rng.integers(0, 4, deals.size), extras[deals.account])
    role_deal = [np.arange(deals.size)]
    role_contact = [deals.contact]
    for j in range(3):
        has = np.flatnonzero(more > j)
        role_deal.append(has)
        role_contact.append(extra_offset[deals.account[has]] + j)
    role_deal_all = np.concatenate(role_deal)
    role_contact_all = np.concatenate(role_contact)
    order = np.argsort(role_deal_all, kind="stable")
    role_deal_all, role_contact_all = role_deal_all[order], role_contact_all[order]

    account_ids_names = take(companies.name, account_company)
    tables = {
        "salesforce/account": account_table(
            rng,
            window,
            account_ids,
            account_company,
            account_created,
            account_owner,
            companies,
            users,
            deals,
            subs,
        ),
        "salesforce/contact": contact_table(
            rng,
            window,
            contact_ids,
            take(account_ids, contact_account),
            contact_first,
            contact_last,
            contact_email,
            contact_title,
            contact_source,
            contact_created,
        ),
        "salesforce/opportunity": opportunity_table(
            rng,
            deals,
            opportunity_ids,
            account_ids,
            account_ids_names,
            users.ids,
            campaign_ids,
            window,
        ),
        "salesforce/opportunity_history": history_table(
            rng,
            deals,
            opportunity_ids,
            lambda count: salesforce_ids(HISTORY_PREFIX, record_numbers(slot, count)),
            window,
        ),
        "salesforce/opportunity_contact_role": role_table(
            rng,
            window,
            slot,
            deals,
            opportunity_ids,
            contact_ids,
            role_deal_all,
            role_contact_all,
            contact_created,
        ),
        "billing/subscription": subscription_table(rng, window, slot, subs, deals, account_ids),
    }
    return Crm(
        tables=tables,
        lead_account=lead_account,
        lead_contact=lead_contact,
        lead_opportunity=lead_opportunity,
        account_ids=account_ids,
        contact_ids=contact_ids,
        opportunity_ids=opportunity_ids,
        deals=deals,
        role_deal=role_deal_all,
        role_contact=role_contact_all,
    )


def _concat_batches(*batches: DealBatch) -> DealBatch:
    names = DealBatch.__dataclass_fields__
    return DealBatch(
        **{name: np.concatenate([getattr(b, name) for b in batches]) for name in names}
    )


def _new_subscriptions(rng: np.random.Generator, deals: Deals, won: np.ndarray) -> Subscriptions:
    tier = deals.tier[won].astype(np.int64)
    start = (deals.close_time[won] // US_PER_DAY) * US_PER_DAY
    months = rng.exponential(1.0 / vocab.MONTHLY_CHURN[tier])
    churn = start + ((months * DAYS_PER_MONTH + 30) * US_PER_DAY).astype(np.int64)
    churn = (churn // US_PER_DAY) * US_PER_DAY
    return Subscriptions(deals.account[won], won, start, churn, tier, np.zeros(won.size, bool))


def _customer_deals(
    rng: np.random.Generator,
    subs: Subscriptions,
    deals: Deals,
    account_batch: Callable[..., DealBatch],
    window: Window,
) -> DealBatch | None:
    """Renewal deals ahead of each anniversary, and an expansion for some customers."""
    cutoff = window.cutoff_us
    batches = []
    count = subs.start.size
    base_usd = deals.amount_usd[subs.deal]
    for k in range(1, window.days // 365 + 2):
        anniversary = subs.start + k * 365 * US_PER_DAY
        created = (
            anniversary
            - rng.integers(45, 75, count) * US_PER_DAY
            + rng.integers(8 * 60, 18 * 60, count) * US_PER_MINUTE
        )
        valid = np.flatnonzero((created < cutoff) & (created < subs.churn))
        if valid.size == 0:
            continue
        renewed = subs.churn[valid] > anniversary[valid]
        won_close = anniversary[valid] - rng.integers(0, 20, valid.size) * US_PER_DAY
        lost_close = subs.churn[valid]
        close = np.where(renewed, won_close, lost_close)
        close = np.maximum(close, created[valid] + US_PER_DAY)
        batches.append(
            account_batch(
                subs.account[valid],
                created[valid],
                kind=np.full(valid.size, vocab.KIND_RENEWAL),
                base_usd=base_usd[valid],
                parent=valid,
                forced_won=renewed.astype(np.int8),
                forced_close=close,
            )
        )
    expand = rng.random(count) < vocab.EXPANSION_PROB[subs.tier]
    created = (
        subs.start
        + rng.integers(60, 400, count) * US_PER_DAY
        + rng.integers(8 * 60, 18 * 60, count) * US_PER_MINUTE
    )
    valid = np.flatnonzero(expand & (created < cutoff) & (created < subs.churn))
    if valid.size:
        batches.append(
            account_batch(
                subs.account[valid],
                created[valid],
                kind=np.full(valid.size, vocab.KIND_EXPANSION),
                base_usd=base_usd[valid],
                parent=valid,
            )
        )
    if not batches:
        return None
    return _concat_batches(*batches)


def _add_ons(subs: Subscriptions, deals: Deals) -> Subscriptions:
    """A won expansion adds a subscription line until its parent subscription ends."""
    won = np.flatnonzero(deals.won & (deals.kind == vocab.KIND_EXPANSION) & (deals.parent >= 0))
    parent = deals.parent[won]
    start = (deals.close_time[won] // US_PER_DAY) * US_PER_DAY
    keep = start < subs.churn[parent]
    won, parent, start = won[keep], parent[keep], start[keep]
    return Subscriptions(
        account=np.concatenate([subs.account, deals.account[won]]),
        deal=np.concatenate([subs.deal, won]),
        start=np.concatenate([subs.start, start]),
        churn=np.concatenate([subs.churn, subs.churn[parent]]),
        tier=np.concatenate([subs.tier, subs.tier[parent]]),
        addon=np.concatenate([subs.addon, np.ones(won.size, bool)]),
    )
