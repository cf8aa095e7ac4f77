"""Publish the public marts from the build database to the file BI tools read.

The published file is replaced atomically (written beside it, then renamed over it), so a reader
holding it open keeps its snapshot and a failed or killed publish leaves the last good file
as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

# DuckDB 1.x clients (many BI drivers, Evidence) cannot open files in the 2.0 storage format.
STORAGE_VERSION = "v1.4.0"


def publish(
    build_database: Path, published_database: Path, parquet_dir: Path, tables: list[tuple[str, str]]
) -> dict[str, int]:
    """Copy `tables` (schema, name) into a new file and swap it in; export each as Parquet.

    Returns the row count of every published table, keyed `schema.name`.
    """
    published_database.parent.mkdir(parents=True, exist_ok=True)
    staging_file = published_database.with_name(published_database.name + f".tmp-{os.getpid()}")
    staging_parquet = parquet_dir.with_name(parquet_dir.name + f".tmp-{os.getpid()}")
    for leftover in (staging_file, Path(str(staging_file) + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(staging_parquet, ignore_errors=True)
    staging_parquet.mkdir(parents=True)

    counts: dict[str, int] = {}
    connection = duckdb.connect()
    try:
        _copy_tables(connection, build_database, staging_file, staging_parquet, tables, counts)
    except BaseException:
        # the last good publish stays as it was; leave no half-written files behind
        connection.close()
        for leftover in (staging_file, Path(str(staging_file) + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(staging_parquet, ignore_errors=True)
        raise
    connection.close()

    os.replace(staging_file, published_database)
    previous = parquet_dir.with_name(parquet_dir.name + f".old-{os.getpid()}")
    if parquet_dir.exists():
        parquet_dir.rename(previous)
    staging_parquet.rename(parquet_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return counts


def _copy_tables(
    connection: duckdb.DuckDBPyConnection,
    build_database: Path,
    staging_file: Path,
    staging_parquet: Path,
    tables: list[tuple[str, str]],
    counts: dict[str, int],
) -> None:
    """Copy each table into the staging file and export it as Parquet, counting rows."""
    connection.execute(f"attach '{build_database}' as build (read_only)")
    connection.execute(
        f"attach '{staging_file}' as published (storage_version '{STORAGE_VERSION}')"
    )
    for schema, name in tables:
        connection.execute(f'create schema if not exists published."{schema}"')
        connection.execute(
            f'create table published."{schema}"."{name}" as select * from build."{schema}"."{name}"'
        )
        connection.execute(
            f'copy published."{schema}"."{name}" to '
            f"'{staging_parquet / (name + '.parquet')}' (format parquet)"
        )
        row = connection.execute(f'select count(*) from published."{schema}"."{name}"').fetchone()
        counts[f"{schema}.{name}"] = int(row[0]) if row else 0
    connection.execute("checkpoint published")
    connection.execute("detach published")
    connection.execute("detach build")
