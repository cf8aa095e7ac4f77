"""Data quality with Great Expectations: suites as code for the raw contract and the public marts.

`python -m revenue_engine.quality --database ... --raw-data-dir ... --out ...` (and `make run`,
between dbt build and publish) validates every raw contract table and every public mart, writes Data
Docs HTML readable offline to `--out`, prints a summary of what failed and where, and exits non-zero
when a critical expectation fails. Tables are validated in DuckDB through GX's SQL datasource (no
table is read into Python; see `runner`).

Importing this package is cheap; Great Expectations is imported by `run_quality` on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_engine.quality.runner import QualityReport


def run_quality(
    database: Path,
    raw_data_dir: Path | None,
    out: Path,
    manifest: Path | None = None,
    as_of_date: str | None = None,
    temp_directory: Path | None = None,
) -> QualityReport:
    """Validate, write Data Docs to `out`, return the report (see `runner.run_quality`)."""
    from revenue_engine.quality.runner import run_quality as run

    return run(
        database,
        raw_data_dir,
        out,
        manifest=manifest,
        as_of_date=as_of_date,
        temp_directory=temp_directory,
    )
