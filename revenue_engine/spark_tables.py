"""The tables a Spark build wrote, as a DuckDB database of views, for the audit and the publish.

A Spark run ends where a DuckDB run does: Great Expectations validates the build and the publish
copies the public marts into a new release, swapped in as one unit. Both read a DuckDB database,
so after a Spark build this module makes one whose views read Spark's Parquet tables in place
(`<SPARK_WAREHOUSE_DIR>/tables/<schema>.db/<table>/`, partition folders included): nothing is
collected into Python and nothing is copied before the publish itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

TABLES = "tables"
DATABASE = "spark_tables.duckdb"


def spark_tables_database(spark_dir: Path) -> Path:
    """A fresh DuckDB file under `spark_dir` with a view per Spark table; returns its path."""
    path = spark_dir / DATABASE
    path.unlink(missing_ok=True)
    root = spark_dir / TABLES
    with duckdb.connect(str(path)) as connection:
        for schema_dir in sorted(root.glob("*.db")):
            schema = schema_dir.name.removesuffix(".db")
            connection.execute(f'create schema if not exists "{schema}"')
            for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
                files = next(table_dir.rglob("*.parquet"), None)
                if files is None:
                    continue  # a raw CSV table or a table Spark never wrote: nothing to read
                connection.execute(
                    f'create view "{schema}"."{table_dir.name}" as select * from read_parquet('
                    f"'{table_dir}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
                )
    return path
