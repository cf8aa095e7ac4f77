"""Read-only access to the published warehouse, and the number formats the pages show."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import duckdb
import pandas as pd

from revenue_engine.settings import load_settings


def published_database() -> Path:
    """PUBLISHED_DATABASE, else the published file of WAREHOUSE_DIR (the one BI tools read)."""
    configured = os.environ.get("PUBLISHED_DATABASE")
    return Path(configured) if configured else load_settings().published_database


# Every governed table a query has read (a set: bounded in a long-running server; the tests clear it
# and compare a page's reads with its exposure).
TABLES_READ: set[str] = set()


def query(sql: str, parameters: list | None = None, database: Path | None = None) -> pd.DataFrame:
    """Run `sql` on the published file, read-only, on a connection of its own.

    The file is opened by its resolved path (the publish swaps a link to a new release) and closed
    after the query, so the next query after a publish reads the new release, never a cached one.
    """
    TABLES_READ.update(re.findall(r"\bmarts\.(\w+)", sql))
    path = (database or published_database()).resolve()
    if not path.exists():
        raise FileNotFoundError(
            f"no published warehouse at {path}: run `make run` first (or set PUBLISHED_DATABASE)"
        )
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).df()


def scalar(sql: str, parameters: list | None = None, database: Path | None = None):
    frame = query(sql, parameters, database)
    return None if frame.empty else frame.iat[0, 0]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def usd(value) -> str:
    """$12,345 (whole dollars); 'n/a' when not available."""
    return "n/a" if _missing(value) else f"${float(value):,.0f}"


def pct(value, digits: int = 1) -> str:
    """41.8% from 0.418; 'n/a' when not available."""
    return "n/a" if _missing(value) else f"{100 * float(value):.{digits}f}%"


def number(value, digits: int = 0) -> str:
    return "n/a" if _missing(value) else f"{float(value):,.{digits}f}"


def ratio(numerator, denominator):
    """numerator / denominator, None when the denominator is 0 or missing (as safe_divide)."""
    if _missing(numerator) or _missing(denominator) or float(denominator) == 0:
        return None
    return float(numerator) / float(denominator)
