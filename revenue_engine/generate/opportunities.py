"""Deals: outcome, cycle, amount and stage path, then the opportunity and history tables.

A deal's outcome and close time are drawn first (latent); its path through the open stages
splits the cycle into random segments (some stages skipped, stalled deals sitting long in their
last stage). Everything after the last load is censored, so open deals show where they stand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    NO_TIME,
    US_PER_DAY,
    US_PER_MINUTE,
    categories,
    dates,
    floats,
    table,
    take,
    timestamps,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.finance import FxRates

OPPORTUNITY_PREFIX = "006"
HISTORY_PREFIX = "008"


@dataclass
class DealBatch:
    """Deals to simulate (arrays indexed by deal)."""

    account: np.ndarray
    created: np.ndarray  # µs
    tier: np.ndarray
    kind: np.ndarray  # KIND_NEW / KIND_EXPANSION / KIND_RENEWAL
    owner: np.ndarray  # user row
    lead: np.ndarray  # converting lead row, -1 = none
    source: np.ndarray  # lead source index, -1 = none
    campaign: np.ndarray  # campaign row, -1 = none
    contact: np.ndarray  # primary contact row
    employees: np.ndarray
    currency: np.ndarray
    base_usd: np.ndarray  # the deal an expansion or renewal builds on (NaN for new business)
    parent: np.ndarray  # subscription row an expansion or renewal belongs to, -1 = none
    forced_won: np.ndarray  # 1 / 0 = outcome decided elsewhere (renewals), -1 = simulate
    forced_close: np.ndarray  # µs, NO_TIME = simulate


@dataclass
class Deals(DealBatch):
    """Simulated deals, as seen by the last load."""

    won: np.ndarray  # closed and won
    closed: np.ndarray
    close_time: np.ndarray  # latent close time (µs), also for deals still open
    close_day: np.ndarray  # close_date: actual when closed, expected otherwise
    planned_day: np.ndarray  # the first expected close date
    amount_final: np.ndarray  # local currency, NaN = null
    amount_estimate: np.ndarray  # local currency before the proposal, NaN = null
    amount_usd: np.ndarray  # final amount in USD at creation-day rates
    stage: np.ndarray  # current stage index
    reached_proposal: np.ndarray
    loss_reason: np.ndarray  # -1 = none
    entries: np.ndarray  # (n x 6) observed stage entry times, NO_TIME = not (yet) entered

    @property
    def size(self) -> int:
        """Number of deals."""
        return int(self.created.size)


def concat(items: list[Deals]) -> Deals:
    """Stack several simulated batches into one."""
    return Deals(
        **{f.name: np.concatenate([getattr(d, f.name) for d in items]) for f in fields(Deals)}
    )


def simulate_deals(
    rng: np.random.Generator, batch: DealBatch, window: Window, fx: FxRates
) -> Deals:
    """Draw outcome, cycle, amounts and stage path for every deal in `batch`."""
    n = batch.created.size
    cutoff = window.cutoff_us
    tier = batch.tier.astype(np.int64)
    kind = batch.kind
    new = kind == vocab.KIND_NEW
    median = np.where(
        new, vocab.CYCLE_MEDIAN_DAYS[tier], np.where(kind == vocab.KIND_EXPANSION, 32.0, 40.0)
    )
    cycle = median * rng.lognormal(0.0, vocab.CYCLE_SIGMA, n)
    p_win = np.where(new, vocab.WIN_PROB[tier], 0.62 - 0.08 * tier)
    won = rng.random(n) < p_win
    won = np.where(batch.forced_won >= 0, batch.forced_won == 1, won)
    stall = ~won & (rng.random(n) < np.array([0.15, 0.22, 0.30])[tier])
    cycle = np.where(won, cycle, cycle * rng.uniform(0.45, 1.0, n))
    cycle = np.where(stall, cycle * rng.uniform(2.5, 4.0, n), cycle)
    cycle = np.clip(cycle, 4.0, 500.0)
    close = batch.created + (cycle * US_PER_DAY).astype(np.int64)
    close = np.where(batch.forced_close != NO_TIME, batch.forced_close, close)
    close = np.maximum(close, batch.created + 30 * US_PER_MINUTE)
    closed = close < cutoff

    # stage path
    stages = np.arange(vocab.OPEN_STAGE_COUNT)[None, :]
    entry = np.where(new, np.where(rng.random(n) < 0.8, 0, 1), np.where(rng.random(n) < 0.5, 1, 2))
    depth = rng.random(n) ** np.array([0.8, 1.0, 1.4])[tier]
    last = np.where(
        won, vocab.OPEN_STAGE_COUNT - 1, entry + np.floor(depth * (vocab.OPEN_STAGE_COUNT - entry))
    )
    last = last.astype(np.int64)
    visited = (stages >= entry[:, None]) & (stages <= last[:, None])
    skippable = (stages > entry[:, None]) & ((stages < last[:, None]) | won[:, None])
    visited &= ~(skippable & (rng.random((n, vocab.OPEN_STAGE_COUNT)) < 0.08))
    weights = rng.exponential(1.0, (n, vocab.OPEN_STAGE_COUNT)) * visited
    last_visited = vocab.OPEN_STAGE_COUNT - 1 - np.argmax(visited[:, ::-1], axis=1)
    weights[np.flatnonzero(stall), last_visited[stall]] *= 8.0
    offsets = (np.cumsum(weights, axis=1) - weights) / weights.sum(axis=1, keepdims=True)
    entries = batch.created[:, None] + (offsets * (close - batch.created)[:, None]).astype(np.int64)
    seen = visited & (entries < cutoff)
    entries = np.where(seen, entries, NO_TIME)
    current = vocab.OPEN_STAGE_COUNT - 1 - np.argmax(seen[:, ::-1], axis=1)
    stage = np.where(closed, np.where(won, vocab.STAGE_WON, vocab.STAGE_LOST), current)
    reached_proposal = seen[:, vocab.STAGE_PROPOSAL :].any(axis=1) | (closed & won)

    # amounts (local currency, rounded like a quote), at the rate of the creation day
    employee_factor = (np.maximum(batch.employees, 1) / 1000.0) ** 0.12
    usd = np.where(
        new,
        vocab.AMOUNT_MEDIAN_USD[tier] * employee_factor * rng.lognormal(0.0, vocab.AMOUNT_SIGMA, n),
        np.where(
            kind == vocab.KIND_EXPANSION,
            batch.base_usd * rng.lognormal(np.log(0.3), 0.35, n),
            batch.base_usd * (1.0 + rng.normal(0.04, 0.05, n)),
        ),
    )
    rate = fx.at(batch.currency, batch.created // US_PER_DAY)
    final = np.maximum(np.round(usd / rate, -2), 500.0)
    estimate = np.maximum(np.round(final * rng.lognormal(0.05, 0.2, n), -2), 500.0)
    no_amount = ~closed & (current <= 1) & (rng.random(n) < 0.3)
    final[no_amount] = np.nan
    estimate[no_amount] = np.nan

    # close dates
    created_day = batch.created // US_PER_DAY
    planned = created_day + np.round(median * rng.lognormal(0.0, 0.3, n)).astype(np.int64)
    planned = np.maximum(planned, created_day + 1)
    slipped = planned < window.end_day
    pushed = slipped & (rng.random(n) < 0.5)
    expected = np.where(pushed, window.end_day + rng.integers(7, 75, n), planned)
    close_day = np.where(closed, close // US_PER_DAY, expected)

    reason = vocab.LOSS_REASON_PROBS.cumsum(axis=1)[tier]
    loss_reason = np.minimum(
        (rng.random(n)[:, None] > reason).sum(axis=1), len(vocab.LOSS_REASONS) - 1
    )
    loss_reason = np.where(stall, vocab.LOSS_REASONS.index("No Decision"), loss_reason)
    loss_reason = np.where(closed & ~won, loss_reason, -1)

    return Deals(
        **{f.name: getattr(batch, f.name) for f in fields(DealBatch)},
        won=closed & won,
        closed=closed,
        close_time=close,
        close_day=close_day,
        planned_day=planned,
        amount_final=final,
        amount_estimate=estimate,
        amount_usd=final * rate,
        stage=stage.astype(np.int64),
        reached_proposal=reached_proposal,
        loss_reason=loss_reason,
        entries=entries,
    )


def opportunity_table(
    rng: np.random.Generator,
    deals: Deals,
    ids: pa.Array,
    account_ids: pa.Array,
    account_names: pa.Array,
    user_ids: pa.Array,
    campaign_ids: pa.Array,
    window: Window,
) -> pa.Table:
    """salesforce/opportunity, one row per deal."""
    n = deals.size
    amount = np.where(deals.reached_proposal, deals.amount_final, deals.amount_estimate)
    last_event = np.where(
        deals.closed,
        deals.close_time,
        np.max(np.where(deals.entries == NO_TIME, 0, deals.entries), axis=1),
    )
    synced = last_event + rng.integers(10, 8 * 60, n) * US_PER_MINUTE
    edited = ~deals.closed & (rng.random(n) < 0.4)
    synced[edited] += ((window.cutoff_us - synced[edited]) * rng.random(int(edited.sum()))).astype(
        np.int64
    )
    synced = np.minimum(synced, window.cutoff_us)
    if n:
        synced[np.argmax(synced)] = window.cutoff_us
    type_text = categories(vocab.OPP_TYPES, deals.kind)
    name = pc.binary_join_element_wise(take(account_names, deals.account), type_text, " - ")
    return table(
        "salesforce/opportunity",
        {
            "id": ids,
            "account_id": take(account_ids, deals.account),
            "owner_id": take(user_ids, deals.owner),
            "name": name,
            "type": type_text,
            "lead_source": categories(vocab.LEAD_SOURCES, deals.source),
            "campaign_id": take(campaign_ids, deals.campaign),
            "amount": floats(amount),
            "currency_iso_code": categories(vocab.CURRENCIES, deals.currency),
            "stage_name": categories(vocab.STAGES, deals.stage),
            "probability": pa.array(vocab.STAGE_PROBABILITY[deals.stage]),
            "forecast_category": categories(
                vocab.FORECAST_CATEGORIES, vocab.STAGE_FORECAST[deals.stage]
            ),
            "is_closed": pa.array(deals.closed),
            "is_won": pa.array(deals.won),
            "created_date": timestamps(deals.created),
            "close_date": dates(deals.close_day),
            "loss_reason__c": categories(vocab.LOSS_REASONS, deals.loss_reason),
            "is_deleted": pa.array(np.zeros(n, bool)),
            "_fivetran_synced": timestamps(synced),
        },
    )


# close-date pushes before the proposal (more for poorer fit: tier A, B, C), days each
PUSH_PROBABILITY = np.array([0.2, 0.35, 0.5])
PUSH_DAYS = (10, 45)


@dataclass
class Pushes:
    """Close-date pushes while a deal is before the proposal stage, ordered by deal and time."""

    deal: np.ndarray  # deal row
    time: np.ndarray  # µs
    pushed: np.ndarray  # days the planned close date has moved by then (this push included)


def close_date_pushes(deals: Deals, window: Window) -> Pushes:
    """Up to two pushes per deal, on their own generator seeded by the deals, so every other table
    (and the dirt) stays the same draw for draw."""
    rng = np.random.default_rng([int(np.sum(deals.created % 1_000_003)), deals.size])
    n = deals.size
    chance = PUSH_PROBABILITY[np.clip(deals.tier.astype(np.int64), 0, 2)]
    count = (rng.random(n) < chance).astype(np.int64) + (rng.random(n) < chance / 2)
    late = deals.entries[:, vocab.STAGE_PROPOSAL :].min(axis=1)
    end = np.minimum(np.minimum(late, deals.close_time), window.cutoff_us)
    deal = np.repeat(np.arange(n), count)
    span = np.maximum(end[deal] - deals.created[deal], 0)
    time = deals.created[deal] + (rng.random(deal.size) * span).astype(np.int64)
    days = rng.integers(PUSH_DAYS[0], PUSH_DAYS[1], deal.size)
    keep = (span > 0) & (time < end[deal])
    deal, time, days = deal[keep], time[keep], days[keep]
    order = np.lexsort((time, deal))
    deal, time, days = deal[order], time[order], days[order]
    # at most two per deal: the second adds the first's days
    second = np.r_[False, deal[1:] == deal[:-1]] if deal.size else np.zeros(0, bool)
    pushed = days + np.where(second, np.r_[0, days[:-1]], 0)
    return Pushes(deal, time, pushed)


def _pushed_days(pushes: Pushes, deal: np.ndarray, at: np.ndarray, n: int) -> np.ndarray:
    """Days the planned close date of each (deal, time) had been pushed by then."""
    first_time = np.full(n, NO_TIME)
    first_days = np.zeros(n, np.int64)
    second_time = np.full(n, NO_TIME)
    second_days = np.zeros(n, np.int64)
    second = np.r_[False, pushes.deal[1:] == pushes.deal[:-1]] if pushes.deal.size else []
    second = np.asarray(second, bool)
    first_time[pushes.deal[~second]] = pushes.time[~second]
    first_days[pushes.deal[~second]] = pushes.pushed[~second]
    second_time[pushes.deal[second]] = pushes.time[second]
    second_days[pushes.deal[second]] = pushes.pushed[second]
    return np.where(
        at >= second_time[deal],
        second_days[deal],
        np.where(at >= first_time[deal], first_days[deal], 0),
    )


def history_row_count(deals: Deals) -> int:
    """Rows of history_table (a stage entered, or the close)."""
    return int(np.count_nonzero(deals.entries != NO_TIME) + np.count_nonzero(deals.closed))


def history_table(
    rng: np.random.Generator,
    deals: Deals,
    opportunity_ids: pa.Array,
    history_ids_for: Callable[[int], pa.Array],
    window: Window,
) -> pa.Table:
    """salesforce/opportunity_history: a row per stage entered, then one for the close. A row before
    the proposal carries the planned close date as pushed by then (push_table adds the pushes)."""
    close_row = np.where(deals.closed, deals.close_time, NO_TIME)
    times = np.concatenate([deals.entries, close_row[:, None]], axis=1)
    deal, column = np.nonzero(times != NO_TIME)
    count = deal.size
    stage = np.where(
        column < vocab.OPEN_STAGE_COUNT,
        column,
        np.where(deals.won[deal], vocab.STAGE_WON, vocab.STAGE_LOST),
    )
    at_close = column == vocab.OPEN_STAGE_COUNT
    late = (column >= vocab.STAGE_PROPOSAL) & ~at_close
    final_amount = deals.amount_final[deal]
    estimate = deals.amount_estimate[deal]
    amount = np.where(late | (at_close & deals.reached_proposal[deal]), final_amount, estimate)
    created = times[deal, column]
    pushed = _pushed_days(close_date_pushes(deals, window), deal, created, deals.size)
    close_day = np.where(late | at_close, deals.close_day[deal], deals.planned_day[deal] + pushed)
    synced = np.minimum(created + rng.integers(10, 8 * 60, count) * US_PER_MINUTE, window.cutoff_us)
    if count:
        synced[np.argmax(synced)] = window.cutoff_us
    return table(
        "salesforce/opportunity_history",
        {
            "id": history_ids_for(count),
            "opportunity_id": take(opportunity_ids, deal),
            "created_date": timestamps(created),
            "stage_name": categories(vocab.STAGES, stage),
            "amount": floats(amount),
            "close_date": dates(close_day),
            "probability": pa.array(vocab.STAGE_PROBABILITY[stage]),
            "is_deleted": pa.array(np.zeros(count, bool)),
            "_fivetran_synced": timestamps(synced),
        },
    )


def push_table(
    deals: Deals,
    opportunity_ids: pa.Array,
    ids_for: Callable[[int], pa.Array],
    window: Window,
) -> pa.Table:
    """salesforce/opportunity_history rows the stage entries do not make: each close-date push (the
    stage the deal was in, its estimate, the planned date pushed), then, for an open deal before
    the proposal whose record expects another close date (a slip past the window's end), the change
    to the record's date, so the history ends where the record is. Added after the dirt: its draws
    stay the same."""
    pushes = close_date_pushes(deals, window)
    n = deals.size
    seen = deals.entries[pushes.deal] <= pushes.time[:, None]
    push_stage = np.where(
        seen.any(axis=1), vocab.OPEN_STAGE_COUNT - 1 - np.argmax(seen[:, ::-1], axis=1), 0
    )
    last_entry = np.max(np.where(deals.entries == NO_TIME, 0, deals.entries), axis=1)
    last_push = np.zeros(n, np.int64)
    np.maximum.at(last_push, pushes.deal, pushes.time)
    pushed = _pushed_days(pushes, np.arange(n), np.full(n, window.cutoff_us), n)
    early = ~deals.closed & (deals.stage < vocab.STAGE_PROPOSAL)
    slip = np.flatnonzero(early & (deals.close_day != deals.planned_day + pushed))
    slip_time = np.minimum(
        np.maximum(last_entry[slip], last_push[slip]) + 5 * US_PER_MINUTE, window.cutoff_us
    )
    deal = np.r_[pushes.deal, slip]
    time = np.r_[pushes.time, slip_time]
    stage = np.r_[push_stage, deals.stage[slip]]
    close_day = np.r_[deals.planned_day[pushes.deal] + pushes.pushed, deals.close_day[slip]]
    lag = (np.arange(deal.size) * 7919 % 470 + 10) * US_PER_MINUTE
    return table(
        "salesforce/opportunity_history",
        {
            "id": ids_for(deal.size),
            "opportunity_id": take(opportunity_ids, deal),
            "created_date": timestamps(time),
            "stage_name": categories(vocab.STAGES, stage),
            "amount": floats(deals.amount_estimate[deal]),
            "close_date": dates(close_day),
            "probability": pa.array(vocab.STAGE_PROBABILITY[stage]),
            "is_deleted": pa.array(np.zeros(deal.size, bool)),
            "_fivetran_synced": timestamps(np.minimum(time + lag, window.cutoff_us)),
        },
    )
