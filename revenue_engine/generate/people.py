"""CRM users (the go-to-market team) and random person names."""

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
    categories,
    join,
    table,
    take,
    timestamps,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.ids import record_numbers, salesforce_ids

USER_PREFIX = "005"
EMAIL_DOMAIN = "lumenfold.com"  # the demo company
NEVER = np.iinfo(np.int32).max


@dataclass
class Users:
    """The team: arrays indexed by user row."""

    ids: pa.StringArray
    department: np.ndarray
    hired_day: np.ndarray
    left_day: np.ndarray  # last working day; NEVER while active
    start_day: int  # the window's first day: core reps are employed from before it
    table: pa.Table

    def members(self, department: int) -> np.ndarray:
        """Row indices of every user (active or not) in `department`."""
        return np.flatnonzero(self.department == department)

    def assign(self, rng: np.random.Generator, department: int, days: np.ndarray) -> np.ndarray:
        """Pick an owner in `department` for each event day, employed on that day."""
        pool = self.members(department)
        owners = pool[rng.integers(0, pool.size, days.size)]
        bad = (self.hired_day[owners] > days) | (self.left_day[owners] < days)
        if bad.any():
            core = pool[(self.left_day[pool] == NEVER) & (self.hired_day[pool] <= self.start_day)]
            owners[bad] = core[rng.integers(0, core.size, int(bad.sum()))]
        return owners


def random_names(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices into FIRST_NAMES and LAST_NAMES."""
    first = rng.integers(0, len(vocab.FIRST_NAMES), count)
    last = rng.integers(0, len(vocab.LAST_NAMES), count)
    return first, last


def email_local_part(first: pa.Array, last: pa.Array) -> pa.Array:
    """`first.last` in lower case, spaces and apostrophes removed."""
    local = pc.utf8_lower(join(first, last, separator="."))
    return pc.replace_substring(pc.replace_substring(local, " ", ""), "'", "")


def make_users(rng: np.random.Generator, leads: int, window: Window) -> Users:
    """About one user per 250 leads (at least 12), with managers and a few leavers."""
    count = max(12, round(leads / 250))
    management = max(2, round(count * 0.08))
    marketing = max(2, round(count * 0.15))
    sdr = max(2, round(count * 0.38))
    ae = count - management - marketing - sdr
    department = np.concatenate(
        [
            np.full(management, vocab.DEPT_MANAGEMENT),
            np.full(marketing, vocab.DEPT_MARKETING),
            np.full(sdr, vocab.DEPT_SDR),
            np.full(ae, vocab.DEPT_AE),
        ]
    ).astype(np.int8)
    title = np.array([vocab.USER_TITLES[int(d)] for d in range(4)], dtype=object)[department]
    title[0] = "VP Sales"
    title[management] = "VP Marketing"
    senior = (department == vocab.DEPT_AE) & (rng.random(count) < 0.3)
    title[senior] = "Senior Account Executive"
    # managers: the VPs report to nobody, sales managers to the VP Sales, reps to a sales manager
    manager = np.full(count, -1)
    sales_managers = np.arange(1, management) if management > 1 else np.array([0])
    manager[1:management] = 0
    reps = np.flatnonzero((department == vocab.DEPT_SDR) | (department == vocab.DEPT_AE))
    manager[reps] = sales_managers[np.arange(reps.size) % sales_managers.size]
    manager[management + 1 : management + marketing] = management
    # hiring and leaving: the first member of each team has been there all along
    hired = window.start_day - rng.integers(30, 900, count)
    hired_late = (rng.random(count) < 0.25) & (department != vocab.DEPT_MANAGEMENT)
    hired[hired_late] = window.start_day + rng.integers(
        0, int(window.days * 0.7), int(hired_late.sum())
    )
    left = np.full(count, NEVER, np.int64)
    leaver = np.isin(np.arange(count), reps) & (rng.random(count) < 0.09)
    left[leaver] = np.minimum(
        hired[leaver] + rng.integers(120, 600, int(leaver.sum())), window.end_day - 5
    )
    left[leaver] = np.maximum(left[leaver], hired[leaver] + 30)
    for team in (vocab.DEPT_SDR, vocab.DEPT_AE, vocab.DEPT_MARKETING):
        first = int(np.flatnonzero(department == team)[0])
        hired[first] = window.start_day - 400
        left[first] = NEVER
    first_idx, last_idx = random_names(rng, count)
    first_names = categories(vocab.FIRST_NAMES, first_idx)
    last_names = categories(vocab.LAST_NAMES, last_idx)
    ids = salesforce_ids(USER_PREFIX, record_numbers(0, count))
    active = left == NEVER
    created = hired * US_PER_DAY + rng.integers(8, 18, count) * US_PER_HOUR
    synced = np.where(
        active,
        window.cutoff_us - rng.integers(0, 72, count) * US_PER_HOUR,
        (left + 1) * US_PER_DAY + rng.integers(0, 48, count) * US_PER_HOUR,
    )
    synced[0] = window.cutoff_us
    synced = np.minimum(np.maximum(synced, created), window.cutoff_us)
    data = table(
        "salesforce/user",
        {
            "id": ids,
            "name": join(first_names, last_names, separator=" "),
            "email": join(email_local_part(first_names, last_names), EMAIL_DOMAIN, separator="@"),
            "department": categories(vocab.USER_DEPARTMENTS, department),
            "title": pa.array(title.tolist(), pa.string()),
            "manager_id": take(ids, manager),
            "is_active": pa.array(active),
            "created_date": timestamps(np.where(created > 0, created, NO_TIME)),
            "_fivetran_synced": timestamps(synced),
        },
    )
    return Users(ids, department, hired, left, window.start_day, data)
