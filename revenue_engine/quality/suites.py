"""What a suite is, and the small vocabulary the raw and mart suites are written in.

A `Suite` is one Great Expectations suite with the data it validates and a `location` saying where
the rows came from, for the summary. The data is a SQL query that GX's SQL datasource runs in DuckDB
(every metric is computed by the engine: no table is read into Python), or, for the few cross-model
suites whose rows are a small aggregate computed here, a pandas DataFrame. Every expectation carries
`meta.check` (what is checked, in words) and a severity: `critical` fails the run, `warning` is
reported only. Warnings are used where the project already handles the problem (quarantined or
flagged by the dbt audit models), so the suite documents it without stopping a run that copes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import great_expectations.expectations as gxe
import pandas as pd

CRITICAL = "critical"
WARNING = "warning"


# DuckDB type names (as `describe` prints them, before any parenthesis) that hold numbers
NUMERIC_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT", "UHUGEINT", "DECIMAL", "FLOAT", "DOUBLE", "REAL",
}  # fmt: skip


# Up to this many rows a suite's data is validated as a DataFrame, above it in DuckDB
SMALL_TABLE_ROWS = 50_000


@dataclass
class Suite:
    """One expectation suite and what it validates: a small `frame`, or else `query` (SQL over
    `database`, a DuckDB file opened read-only, or None for an in-memory DuckDB reading files).
    `columns` maps each column of the data to its DuckDB type."""

    name: str
    location: str
    frame: pd.DataFrame | None = None
    query: str | None = None
    database: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    expectations: list[gxe.Expectation] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.frame is not None and not self.columns:
            self.columns = {str(name): str(dtype) for name, dtype in self.frame.dtypes.items()}

    def is_numeric(self, column: str) -> bool:
        """Whether `column` holds numbers (booleans are not numbers here)."""
        kind = self.columns.get(column, "")
        if kind.isupper():  # a DuckDB type name: INTEGER, DECIMAL(18,2), ...
            return kind.split("(")[0] in NUMERIC_TYPES
        dtype = self.frame[column].dtype  # type: ignore[index]
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)

    def expect(
        self,
        expectation_class: type[gxe.Expectation],
        check: str,
        severity: str = CRITICAL,
        **kwargs: Any,
    ) -> None:
        """Add `expectation_class(**kwargs)` with its description and severity."""
        self.expectations.append(
            expectation_class(severity=severity, meta={"check": check}, **kwargs)
        )


def query_suite(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    location: str,
    query: str,
    database: str | None,
) -> Suite:
    """A suite validating `query`; its columns' types from DuckDB (which also proves the query
    reads: a file that cannot be read raises duckdb.Error here). A result of at most
    SMALL_TABLE_ROWS rows is read into a DataFrame instead (GX's pandas engine answers a small table
    faster than one SQL round trip per metric); every row is validated either way."""
    columns = {row[0]: row[1] for row in connection.execute(f"describe {query}").fetchall()}
    rows = connection.execute(f"select count(*) from ({query})").fetchone()
    if rows is not None and rows[0] <= SMALL_TABLE_ROWS:
        frame = connection.execute(query).df()
        return Suite(name=name, location=location, frame=frame, query=query, columns=columns)
    return Suite(name=name, location=location, query=query, database=database, columns=columns)


@dataclass(frozen=True)
class Finding:
    """An expectation that did not pass (or a table that could not be read)."""

    suite: str
    location: str
    severity: str
    check: str
    column: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    sample: tuple[Any, ...] = ()
    observed: Any = None
    error: str | None = None

    def describe(self) -> str:
        """One line: what failed, where, how many rows, example values."""
        where = f"{self.suite}" + (f".{self.column}" if self.column else "")
        text = f"{where}: {self.check}"
        if self.error:
            return f"{text} -- could not be evaluated: {self.error}"
        if self.unexpected_count is not None:
            of = f" of {self.element_count:,}" if self.element_count is not None else ""
            text += f" -- {self.unexpected_count:,}{of} rows break it"
            if self.sample:
                shown = ", ".join(repr(_plain(value)) for value in self.sample[:5])
                text += f", e.g. {shown}"
        elif self.observed is not None:
            text += f" -- observed {_plain(self.observed)!r}"
        return text


def _plain(value: Any) -> Any:
    """Numpy/pandas scalars as plain Python values, for readable messages and JSON."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def plain(value: Any) -> Any:
    """Public form of `_plain` (JSON summaries)."""
    result = _plain(value)
    if isinstance(result, (str, int, float, bool)) or result is None:
        return result
    if isinstance(result, (list, dict)):
        return result
    return str(result)
