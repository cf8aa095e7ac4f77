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


def print_audit_summary(database: Path) -> None:
    """Print the quarantined and flagged rows by raw table and reason (the audit models)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        present = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'audit'"
            ).fetchall()
        }
        for table, title in (
            ("audit_quarantined_records", "Quarantined (held out of the marts)"),
            ("audit_flagged_records", "Flagged (kept in the marts, with a warning)"),
        ):
            if table not in present:
                continue
            rows = connection.execute(
                f"select source_table, reason, count(distinct record_id) from audit.{table} "
                "group by source_table, reason order by source_table, reason"
            ).fetchall()
            total = connection.execute(
                f"select count(*) from (select distinct source_table, record_id from audit.{table})"
            ).fetchone()
            print(f"\n{title}: {total[0] if total else 0:,} records (audit.{table})")
            for source_table, reason, count in rows:
                print(f"  {source_table:<38} {reason:<28} {count:>8,}")
        if "audit_unmapped_values" in present:
            unmapped = connection.execute(
                "select count(*), coalesce(sum(record_count), 0) from audit.audit_unmapped_values"
            ).fetchone()
            if unmapped and unmapped[0]:
                print(
                    f"\nUnmapped values: {unmapped[0]:,} lead sources / stage names on "
                    f"{unmapped[1]:,} records (audit.audit_unmapped_values: add them to the seeds)"
                )
