"""Realistic dirt, added on top of a clean chunk with its own random stream.

Because dirt draws from a separate stream and only edits or appends rows, a run with
`dirt_rate=0` produces exactly the clean part of a dirty run (same ids, same values): tests
regenerate with 0 to check integrity, and with the default rate to check that the project
copes with:

- re-synced duplicates: an id appears again with an *earlier* `_fivetran_synced` and a stale
  value (the latest load is the truth);
- soft deletes: `is_deleted = true` in every Salesforce table that has the column;
- null optional lead fields (phone, title, annual revenue, industry);
- unmapped free text: legacy lead sources, the legacy stage 'Discovery (old)';
- orphan foreign keys that look exactly like real ids (numbers from the reserved range).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import US_PER_DAY, US_PER_HOUR
from revenue_engine.generate.ids import orphan_numbers, salesforce_ids

# stale values a re-synced older copy carries, per table: column -> value
STALE_VALUES: dict[str, dict[str, object]] = {
    "salesforce/account": {"type": "Prospect"},
    "salesforce/user": {"title": "Account Executive"},
    "salesforce/lead": {"status": "Open"},
    "salesforce/contact": {"title": "Consultant"},
    "salesforce/opportunity": {},  # the amount is discounted instead, see below
    "salesforce/opportunity_history": {},
    "salesforce/opportunity_contact_role": {"role": "Influencer"},
    "salesforce/task": {"status": "Not Started"},
    "salesforce/campaign": {"status": "Planned"},
    "salesforce/campaign_member": {"status": "Sent"},
}
LEAD_OPTIONAL = ("phone", "title", "annual_revenue", "industry")


def _pick(rng: np.random.Generator, count: int, share: float) -> np.ndarray:
    """Sorted row numbers: `share` of `count` rows, at least one when share > 0."""
    if count == 0 or share <= 0:
        return np.zeros(0, np.int64)
    k = min(count, max(1, round(share * count)))
    return np.sort(rng.choice(count, k, replace=False))


def _mask(count: int, rows: np.ndarray) -> pa.Array:
    mask = np.zeros(count, bool)
    mask[rows] = True
    return pa.array(mask)


def _replace(data: pa.Table, column: str, rows: np.ndarray, values: pa.Array) -> pa.Table:
    if rows.size == 0:
        return data
    index = data.schema.get_field_index(column)
    current = data.column(index).combine_chunks()
    updated = pc.replace_with_mask(current, _mask(data.num_rows, rows), values.cast(current.type))
    return data.set_column(index, data.schema.field(index), updated)


def _nulls(data: pa.Table, column: str, rows: np.ndarray) -> pa.Table:
    return _replace(data, column, rows, pa.nulls(rows.size, data.schema.field(column).type))


def _micros(data: pa.Table, column: str) -> np.ndarray:
    values = data.column(column).combine_chunks().cast(pa.int64())
    return values.fill_null(0).to_numpy(zero_copy_only=False).copy()


def dirty_fields(
    rng: np.random.Generator, tables: dict[str, pa.Table], rate: float, slot: int
) -> None:
    """Nulls, unmapped values and orphan keys (in place in `tables`)."""
    if "salesforce/lead" in tables:
        lead = tables["salesforce/lead"]
        for column in LEAD_OPTIONAL:
            lead = _nulls(lead, column, _pick(rng, lead.num_rows, rate))
        rows = _pick(rng, lead.num_rows, rate / 2)
        legacy = rng.integers(0, len(vocab.UNMAPPED_LEAD_SOURCES), rows.size)
        lead = _replace(
            lead, "lead_source", rows, pa.array([vocab.UNMAPPED_LEAD_SOURCES[i] for i in legacy])
        )
        tables["salesforce/lead"] = lead
    legacy_stage = vocab.STAGES[vocab.STAGE_LEGACY]
    for name, share in (
        ("salesforce/opportunity_history", rate),
        ("salesforce/opportunity", rate / 2),
    ):
        if name not in tables:
            continue
        data = tables[name]
        stage = data.column("stage_name").to_numpy(zero_copy_only=False)
        candidates = np.flatnonzero(stage == "Qualification")
        rows = candidates[_pick(rng, candidates.size, share)]
        tables[name] = _replace(data, "stage_name", rows, pa.array([legacy_stage] * rows.size))
    orphans = (
        ("salesforce/task", "who_id", "00Q"),
        ("salesforce/campaign_member", "campaign_id", "701"),
        ("salesforce/opportunity", "account_id", "001"),
    )
    for name, column, prefix in orphans:
        if name not in tables:
            continue
        data = tables[name]
        rows = _pick(rng, data.num_rows, rate / 4)
        tables[name] = _replace(
            data, column, rows, salesforce_ids(prefix, orphan_numbers(slot, rows.size))
        )


def soft_deletes_and_resyncs(
    rng: np.random.Generator, tables: dict[str, pa.Table], rate: float, cutoff: int
) -> None:
    """Soft-delete some rows, then append stale older copies of others (in place)."""
    for name, data in list(tables.items()):
        if name not in STALE_VALUES:
            continue
        synced = _micros(data, "_fivetran_synced")
        if "is_deleted" in data.schema.names:
            rows = _pick(rng, data.num_rows, rate / 2)
            data = _replace(data, "is_deleted", rows, pa.array(np.ones(rows.size, bool)))
            later = np.minimum(synced[rows] + rng.integers(1, 240, rows.size) * US_PER_HOUR, cutoff)
            data = _replace(
                data, "_fivetran_synced", rows, pa.array(later).cast(pa.timestamp("us"))
            )
            synced[rows] = later
        rows = _pick(rng, data.num_rows, rate)
        if "created_date" in data.schema.names:
            gap = synced[rows] - _micros(data, "created_date")[rows]
        else:
            gap = np.full(rows.size, 60 * US_PER_DAY)
        back = np.minimum(rng.integers(1, 20 * 24, rows.size) * US_PER_HOUR, gap // 2)
        rows, back = rows[back > 0], back[back > 0]
        stale = data.take(pa.array(rows))
        every = np.arange(rows.size)
        stale = _replace(
            stale, "_fivetran_synced", every, pa.array(synced[rows] - back).cast(pa.timestamp("us"))
        )
        if name == "salesforce/lead":
            status = stale.column("status").to_numpy(zero_copy_only=False)
            stale_status = np.where(status == "Open", "Working", "Open")
            stale = _replace(stale, "status", every, pa.array(stale_status.tolist()))
        elif name == "salesforce/opportunity":
            amount = stale.column("amount").to_numpy(zero_copy_only=False).astype(np.float64)
            stale = _replace(
                stale, "amount", every, pa.array(np.round(amount * 0.9, -2), mask=np.isnan(amount))
            )
            stale = _replace(stale, "is_deleted", every, pa.array(np.zeros(rows.size, bool)))
        for column, value in STALE_VALUES[name].items():
            stale = _replace(stale, column, every, pa.array([value] * rows.size))
        if "is_deleted" in stale.schema.names:
            stale = _replace(stale, "is_deleted", every, pa.array(np.zeros(rows.size, bool)))
        tables[name] = pa.concat_tables([data, stale])
