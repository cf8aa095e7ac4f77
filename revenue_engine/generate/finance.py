"""Daily FX rates and the monthly go-to-market expense ledger."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revenue_engine.generate import vocab
from revenue_engine.generate.arrow import (
    US_PER_DAY,
    US_PER_HOUR,
    categories,
    dates,
    table,
    timestamps,
)
from revenue_engine.generate.calendar import Window
from revenue_engine.generate.people import Users

# Rates exist a little past the window so expected close dates can be priced too.
FX_PAD_DAYS = 400


class FxRates:
    """Rates to USD for every currency and day (`rate[currency, day - first_day]`)."""

    def __init__(self, rng: np.random.Generator, window: Window) -> None:
        self.first_day = window.start_day
        self.window = window
        days = window.days + FX_PAD_DAYS
        steps = rng.normal(0.0, 0.0035, (len(vocab.CURRENCIES), days))
        steps[0] = 0.0
        walk = np.cumsum(steps, axis=1)
        walk -= walk[:, :1]
        self.rate = np.round(vocab.CURRENCY_START_RATE[:, None] * np.exp(walk), 6)

    def at(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        """USD value of one unit of `currency` (index) on `day` (days since the epoch)."""
        index = np.clip(np.asarray(day, np.int64) - self.first_day, 0, self.rate.shape[1] - 1)
        return self.rate[np.asarray(currency, np.int64), index]

    def to_table(self) -> pa.Table:
        """finance/fx_rates: every day of the window for every currency."""
        days = self.window.days
        currency = np.repeat(np.arange(len(vocab.CURRENCIES)), days)
        day = np.tile(np.arange(days), len(vocab.CURRENCIES))
        return table(
            "finance/fx_rates",
            {
                "date": dates(self.first_day + day),
                "currency_code": categories(vocab.CURRENCIES, currency),
                "rate_to_usd": pa.array(self.rate[currency, day]),
            },
        )


def make_expenses(
    rng: np.random.Generator,
    window: Window,
    users: Users,
    fx: FxRates,
    paid_usd_by_month: np.ndarray,
) -> pa.Table:
    """finance/expenses: monthly lines for marketing and sales (USD, the EU agency in EUR).

    Headcount follows the CRM team size, program and events lines the channel mix, and the agency
    fee a share of the month's paid media (`paid_usd_by_month`: [month, 0=search / 1=social]).
    """
    months = window.month_starts()
    department = users.department
    rows: list[tuple[int, str, str, str | None, float, str]] = []
    for m, month in enumerate(months):
        employed = (users.hired_day <= month + 27) & (users.left_day >= month)
        sales_heads = int(np.sum(employed & (department != vocab.DEPT_MARKETING)))
        marketing_heads = int(np.sum(employed & (department == vocab.DEPT_MARKETING)))
        noise = rng.lognormal(0.0, 0.04, 16)
        scale = max(1.0, (sales_heads + marketing_heads) / 20.0)
        lines = [
            ("sales", "headcount", None, sales_heads * 8_200.0 * noise[0]),
            ("marketing", "headcount", None, marketing_heads * 8_800.0 * noise[1]),
            ("sales", "tools", None, sales_heads * 310.0 * noise[2]),
            ("marketing", "tools", None, 2_400.0 * scale * noise[3]),
            ("marketing", "program", "organic", 3_500.0 * scale * noise[4]),
            ("marketing", "program", "referral", 1_200.0 * scale * noise[5]),
            ("marketing", "program", "partner", 1_600.0 * scale * noise[6]),
            ("sales", "program", "outbound", 1_900.0 * scale * noise[7]),
            ("marketing", "events", "events", 2_000.0 * scale * noise[8]),
            ("marketing", "agency", "paid_search", 0.08 * paid_usd_by_month[m, 0] * noise[9]),
            ("marketing", "agency", "paid_social", 0.10 * paid_usd_by_month[m, 1] * noise[10]),
        ]
        for dept, category, channel, amount in lines:
            rows.append((month, dept, category, channel, round(float(amount), 2), "USD"))
        # the European content agency bills in EUR
        eur = 2_800.0 * scale * noise[11] / float(fx.at(np.array([1]), np.array([month]))[0])
        rows.append((month, "marketing", "agency", "organic", round(eur, 2), "EUR"))
        if m % 3 == 1:  # quarterly trade-show booth
            rows.append(
                (
                    month,
                    "marketing",
                    "events",
                    "events",
                    round(18_000.0 * scale * noise[12], 2),
                    "USD",
                )
            )
    month_day = np.array([r[0] for r in rows], np.int64)
    next_month = np.array(
        [months[min(months.index(r[0]) + 1, len(months) - 1)] for r in rows], np.int64
    )
    loaded = (next_month + 4) * US_PER_DAY + 2 * US_PER_HOUR
    loaded = np.where(next_month == month_day, window.cutoff_us, loaded)
    loaded = np.minimum(loaded, window.cutoff_us)
    return table(
        "finance/expenses",
        {
            "id": pa.array([f"EXP-{i + 1:07d}" for i in range(len(rows))]),
            "month": dates(month_day),
            "department": pa.array([r[1] for r in rows]),
            "category": pa.array([r[2] for r in rows]),
            "channel": pa.array([r[3] for r in rows], pa.string()),
            "amount": pa.array([r[4] for r in rows], pa.float64()),
            "currency_code": pa.array([r[5] for r in rows]),
            "_loaded_at": timestamps(loaded),
        },
    )
