"""The short summary `make run` ends with."""

from __future__ import annotations

from pathlib import Path

import duckdb


def print_summary(database: Path) -> None:
    """Print the row counts of the public marts and the headline numbers."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
        print("\nMarts (rows):")
        for schema, name in tables:
            count = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            print(f"  {schema}.{name:<40} {count[0] if count else 0:>10,}")
