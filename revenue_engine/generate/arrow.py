"""numpy -> Arrow helpers: every column is built from numpy arrays, never row by row.

Conventions for the intermediate numpy arrays:
- timestamps are int64 microseconds since the epoch (UTC), `NO_TIME` meaning null;
- dates are int64 days since the epoch, `NO_DATE` meaning null;
- categorical text is an integer index into a vocabulary, -1 meaning null;
- nullable booleans are int8 (1, 0, -1 = null);
- floats use NaN for null.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revenue_engine.loaders.contract import CONTRACT

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 3600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
NO_TIME = np.iinfo(np.int64).max
NO_DATE = np.iinfo(np.int64).max


def timestamps(values: np.ndarray) -> pa.Array:
    """int64 microseconds (NO_TIME = null) -> timestamp[us]."""
    values = np.asarray(values, np.int64)
    mask = values == NO_TIME
    return pa.array(np.where(mask, 0, values), type=pa.int64(), mask=mask).cast(pa.timestamp("us"))


def dates(values: np.ndarray) -> pa.Array:
    """int days since the epoch (NO_DATE = null) -> date32."""
    values = np.asarray(values, np.int64)
    mask = values == NO_DATE
    return pa.array(np.where(mask, 0, values).astype(np.int32), type=pa.int32(), mask=mask).cast(
        pa.date32()
    )


def to_date(micros: np.ndarray) -> np.ndarray:
    """Timestamps (µs) -> days, keeping nulls."""
    micros = np.asarray(micros, np.int64)
    return np.where(micros == NO_TIME, NO_DATE, micros // US_PER_DAY)


def categories(vocabulary: Sequence[str] | pa.Array, index: np.ndarray) -> pa.Array:
    """Integer codes into `vocabulary` (-1 = null) -> string."""
    values = (
        vocabulary if isinstance(vocabulary, pa.Array) else pa.array(list(vocabulary), pa.string())
    )
    index = np.asarray(index, np.int64)
    mask = index < 0
    indices = pa.array(np.where(mask, 0, index), type=pa.int64(), mask=mask)
    return pc.take(values, indices)


def take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """Alias of `categories` for id arrays: `values[index]`, -1 = null."""
    return categories(values, index)


def nullable_bools(values: np.ndarray) -> pa.Array:
    """int8 (1, 0, -1 = null) -> bool."""
    values = np.asarray(values)
    return pa.array(values == 1, type=pa.bool_(), mask=values < 0)


def floats(values: np.ndarray) -> pa.Array:
    """float64 with NaN = null."""
    values = np.asarray(values, np.float64)
    return pa.array(values, type=pa.float64(), mask=np.isnan(values))


def join(*parts: pa.Array | str, separator: str = "") -> pa.Array:
    """Element-wise string concatenation (scalars are broadcast)."""
    return pc.binary_join_element_wise(*parts, separator)


def integers_as_text(values: np.ndarray, width: int = 0) -> pa.Array:
    """Non-negative integers -> decimal text, zero-padded to `width`."""
    text = pa.array(np.asarray(values, np.int64)).cast(pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def table(name: str, columns: dict[str, pa.Array | np.ndarray]) -> pa.Table:
    """Assemble contract table `name` from `columns` (exactly the contract's columns, in order)."""
    schema = CONTRACT[name]
    missing = [field.name for field in schema if field.name not in columns]
    unknown = sorted(set(columns) - set(schema.names))
    if missing or unknown:
        raise KeyError(f"{name}: missing columns {missing}, unknown columns {unknown}")
    arrays = []
    for field in schema:
        value = columns[field.name]
        array = value if isinstance(value, pa.Array | pa.ChunkedArray) else pa.array(value)
        if array.type != field.type:
            array = array.cast(field.type)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)
