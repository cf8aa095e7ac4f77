"""Publish the public marts from the build database to the files BI tools read.

Every publish is a release: a new folder `WAREHOUSE_DIR/releases/<publish id>/` holding the DuckDB
file and the Parquet export of the same build. One symlink, `WAREHOUSE_DIR/current`, names the
live release and is swapped atomically (rename over it); `analytics.duckdb` and `parquet/` are
fixed symlinks through `current`. So the database and its Parquet always change together: a
reader never sees a new database beside old or missing Parquet, a reader holding the old file
open keeps its snapshot, and a failed or killed publish leaves the live release as it was (its
half-written folder is removed by the next publish).

Before anything is written, the build is compared with the last publish (publish_checks): a
collapse in rows or a jump in a headline metric blocks it. Each publish appends its measures to
`audit.publish_history` in the new file (also the BI tools' freshness signal).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from revenue_engine.dbt import Descriptions
from revenue_engine.publish_checks import (
    Measures,
    PublishPolicy,
    check_before_publish,
    history_rows,
)

# DuckDB 1.0's storage format (DuckDB 2.0 still writes it): DuckDB 1.0 and later clients open the
# file (BI drivers ship older DuckDB versions than ours); 1.4's format opens in 1.4 and later only.
STORAGE_VERSION = "v1.0.0"
RELEASES = "releases"
PUBLISH_HISTORY_COMMENTS = {
    "publish_history": "One row per publish and measure: each table's rows and each headline "
    "metric at every publish (the publish guard compares with the latest; BI tools read it as "
    "the data's freshness).",
    "publish_history.publish_id": "Publish number, increasing; the release folder's name.",
    "publish_history.published_at": "When the publish was written (UTC).",
    "publish_history.as_of_date": "The build's as_of_date: the day the data describes.",
    "publish_history.measure_type": "'rows' (a table's row count) or 'metric' (a headline metric).",
    "publish_history.measure_name": "The table (schema.name) or the headline metric's name.",
    "publish_history.measure_value": "The row count or the metric's value (null: not available).",
}
CURRENT = "current"


def publish(
    build_database: Path,
    published_database: Path,
    parquet_dir: Path,
    tables: list[tuple[str, str]],
    policy: PublishPolicy | None = None,
    descriptions: Descriptions | None = None,
) -> dict[str, int]:
    """Copy `tables` (schema, name) into a new release and make it the live one. `descriptions`
    (the dbt YAML's, per table and column) become table and column comments in the DuckDB file and
    key-value metadata in each Parquet file, where BI tools show them.

    Raises publish_checks.PublishBlockedError (nothing written) when the build may not replace the
    last publish. Returns the row count of every published table, keyed `schema.name`.
    """
    policy = PublishPolicy.from_env() if policy is None else policy
    root = published_database.parent
    root.mkdir(parents=True, exist_ok=True)
    remove_leftovers(root)
    with duckdb.connect(str(build_database), read_only=True) as build:
        current = check_before_publish(build, published_database, tables, policy)

    history = previous_history(published_database)
    publish_id = 1 + max((row[0] for row in history), default=0)
    release = root / RELEASES / f"{publish_id:06d}"
    shutil.rmtree(release, ignore_errors=True)
    (release / "parquet").mkdir(parents=True)
    counts: dict[str, int] = {}
    try:
        _write_release(
            build_database, release, tables, counts, history, publish_id, current, descriptions
        )
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)  # the live release stays as it was
        raise
    _swap(root, release, published_database, parquet_dir)
    remove_leftovers(root)
    return counts


def previous_history(published_database: Path) -> list[tuple]:
    """Every row of audit.publish_history in the live published file (empty: none yet)."""
    if not published_database.exists():
        return []
    with duckdb.connect(str(published_database), read_only=True) as connection:
        present = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'publish_history'"
        ).fetchone()
        if not present or not present[0]:
            return []
        return connection.execute(
            "select publish_id, cast(published_at as varchar), cast(as_of_date as varchar), "
            "measure_type, measure_name, measure_value from audit.publish_history "
            "order by publish_id, measure_type, measure_name"
        ).fetchall()


def remove_leftovers(root: Path) -> None:
    """Remove releases that are not live (a killed publish's, or ones replaced since)."""
    live = (root / CURRENT).resolve() if (root / CURRENT).is_symlink() else None
    (root / (CURRENT + ".next")).unlink(missing_ok=True)
    releases = root / RELEASES
    if releases.is_dir():
        for folder in releases.iterdir():
            if folder.resolve() != live:
                shutil.rmtree(folder, ignore_errors=True)
    # the single-file layout of earlier versions
    for leftover in root.glob("analytics.duckdb.tmp-*"):
        leftover.unlink(missing_ok=True)
    for leftover in root.glob("parquet.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _swap(root: Path, release: Path, published_database: Path, parquet_dir: Path) -> None:
    """Point `current` at `release` in one rename; make the fixed symlinks on first use."""
    pointer = root / (CURRENT + ".next")
    pointer.unlink(missing_ok=True)
    pointer.symlink_to(Path(RELEASES) / release.name)
    os.replace(pointer, root / CURRENT)
    for link, target in (
        (published_database, Path(CURRENT) / "analytics.duckdb"),
        (parquet_dir, Path(CURRENT) / "parquet"),
    ):
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        staged = link.with_name(link.name + ".link")
        staged.unlink(missing_ok=True)
        staged.symlink_to(target)
        if link.is_dir() and not link.is_symlink():  # an earlier version's Parquet folder
            old = link.with_name(link.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            link.rename(old)
            os.replace(staged, link)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staged, link)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _struct(values: dict[str, str]) -> str:
    return "{" + ", ".join(f"{key}: {_literal(value)}" for key, value in values.items()) + "}"


def _write_release(
    build_database: Path,
    release: Path,
    tables: list[tuple[str, str]],
    counts: dict[str, int],
    history: list[tuple],
    publish_id: int,
    current: Measures,
    descriptions: Descriptions | None = None,
) -> None:
    """Copy each table into the release's file and Parquet, counting rows; add the history."""
    database = release / "analytics.duckdb"
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{build_database}' as build (read_only)")
        connection.execute(
            f"attach '{database}' as published (storage_version '{STORAGE_VERSION}')"
        )
        for schema, name in tables:
            connection.execute(f'create schema if not exists published."{schema}"')
            connection.execute(
                f'create table published."{schema}"."{name}" as '
                f'select * from build."{schema}"."{name}"'
            )
            table_description, columns = (descriptions or {}).get((schema, name), ("", {}))
            relation = f'published."{schema}"."{name}"'
            if table_description:
                connection.execute(f"comment on table {relation} is {_literal(table_description)}")
            for column, text in columns.items():
                connection.execute(f'comment on column {relation}."{column}" is {_literal(text)}')
            metadata = {"description": table_description, "columns": json.dumps(columns)}
            connection.execute(
                f"copy {relation} to '{release / 'parquet' / (name + '.parquet')}' "
                f"(format parquet, kv_metadata {_struct(metadata)})"
            )
            row = connection.execute(
                f'select count(*) from published."{schema}"."{name}"'
            ).fetchone()
            counts[f"{schema}.{name}"] = int(row[0]) if row else 0
        published_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        connection.execute("create schema if not exists published.audit")
        connection.execute(
            "create table published.audit.publish_history ("
            "publish_id integer not null, published_at timestamp not null, as_of_date date, "
            "measure_type varchar not null, measure_name varchar not null, measure_value double)"
        )
        for target, text in PUBLISH_HISTORY_COMMENTS.items():
            kind = "column" if "." in target else "table"
            connection.execute(f"comment on {kind} published.audit.{target} is {_literal(text)}")
        rows = [*history, *history_rows(publish_id, published_at, current)]
        if rows:
            connection.executemany(
                "insert into published.audit.publish_history values (?, ?, ?, ?, ?, ?)", rows
            )
        connection.execute(
            "copy published.audit.publish_history to "
            f"'{release / 'parquet' / 'publish_history.parquet'}' (format parquet)"
        )
        connection.execute("checkpoint published")
        connection.execute("detach published")
        connection.execute("detach build")
    finally:
        connection.close()
