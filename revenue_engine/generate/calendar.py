"""The generation window and deterministic random streams."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date

import numpy as np

from revenue_engine.generate.arrow import US_PER_DAY, US_PER_HOUR

EPOCH = date(1970, 1, 1)
LOAD_HOUR = 6  # the nightly load runs at 06:00 UTC; the last one is on end_date

# Stream keys: every consumer of randomness has its own stream, so adding dirt (or changing
# one table) never shifts the random numbers of another.
STREAM_GLOBAL, STREAM_FX, STREAM_SPEND, STREAM_EXPENSES = 1, 2, 3, 4
STREAM_LEADS, STREAM_DEALS, STREAM_ACTIVITIES, STREAM_DIRT = 11, 12, 13, 14


def stream(seed: int, *keys: int) -> np.random.Generator:
    """A numpy Generator for (seed, keys...): independent of every other key tuple."""
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Window:
    """`months` months ending on `end_date`; events happen before the last load (`cutoff_us`)."""

    start_day: int  # days since the epoch, first day of the window
    end_day: int  # days since the epoch, end_date

    @classmethod
    def ending(cls, end_date: date, months: int) -> Window:
        """The window of `months` months whose last day is `end_date`."""
        if months < 1:
            raise ValueError("months must be >= 1")
        start = add_months(date.fromordinal(end_date.toordinal() + 1), -months)
        return cls((start - EPOCH).days, (end_date - EPOCH).days)

    @property
    def days(self) -> int:
        """Number of calendar days in the window."""
        return self.end_day - self.start_day + 1

    @property
    def start_us(self) -> int:
        """First instant of the window (µs since the epoch)."""
        return self.start_day * US_PER_DAY

    @property
    def cutoff_us(self) -> int:
        """The latest load, end_date 06:00 UTC: every event is before it."""
        return self.end_day * US_PER_DAY + LOAD_HOUR * US_PER_HOUR

    def month_starts(self) -> list[int]:
        """First day (days since the epoch) of every calendar month touching the window."""
        first = EPOCH.toordinal() + self.start_day
        day = date.fromordinal(first).replace(day=1)
        out = []
        while (day - EPOCH).days <= self.end_day:
            out.append((day - EPOCH).days)
            day = add_months(day, 1)
        return out
