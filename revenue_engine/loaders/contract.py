"""The raw data contract as typed Arrow schemas, for loaders that write raw tables.

The schemas come from the contract's one definition, the source YAML (`revenue_engine.contract`):
ids and free text are strings, timestamps `timestamp[us]` (naive, meaning UTC), calendar dates
`date32`, flags `bool`, counts `int64`, money, rates and scores `float64`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from revenue_engine.contract import arrow_schemas

CONTRACT: Mapping[str, pa.Schema] = arrow_schemas()
"""Every contract table keyed `<source>/<table>`, its Arrow schema read from the source YAML."""


def empty_table(table: str) -> pa.Table:
    """Return a zero-row table with the contract's typed columns for `table`."""
    return CONTRACT[table].empty_table()


def build_table(
    table: str,
    columns: Mapping[str, list[object]],
    extra: Mapping[str, tuple[pa.DataType, list[object]]] | None = None,
) -> pa.Table:
    """Build `table` from Python lists: the contract columns in order, then any extras.

    `columns` must hold every contract column of `table` and nothing else (a missing or unknown
    name raises `KeyError`, naming it). `extra` adds columns after the contract ones, each with
    its own type; the contract allows extra columns and the project ignores them, so a loader
    uses them to keep the source's original values beside the mapped ones.
    """
    schema = CONTRACT[table]
    unknown = sorted(set(columns) - set(schema.names))
    if unknown:
        raise KeyError(f"{table}: columns not in the raw contract: {unknown}")
    missing = [name for name in schema.names if name not in columns]
    if missing:
        raise KeyError(f"{table}: contract columns not provided: {missing}")
    fields = list(schema)
    arrays = [pa.array(columns[field.name], type=field.type) for field in fields]
    for name, (dtype, values) in (extra or {}).items():
        if name in schema.names:
            raise KeyError(f"{table}: extra column {name!r} shadows a contract column")
        fields.append(pa.field(name, dtype, nullable=True))
        arrays.append(pa.array(values, type=dtype))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_table(data: pa.Table, out: Path, table: str) -> Path:
    """Write `data` to `<out>/<source>/<table>.parquet` and return the path.

    The Parquet file is deterministic: the same table gives the same bytes (no pandas metadata,
    no timestamps in the footer), so a re-run of a loader on the same input is a no-op diff.
    """
    path = out / f"{table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data, path, compression="zstd")
    return path
