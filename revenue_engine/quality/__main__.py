"""`python -m revenue_engine.quality --database ... --raw-data-dir ... --out ...`

Exit codes: 0 every critical expectation passed (warnings may remain), 1 at least one failed, 2 bad
arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from revenue_engine.quality import run_quality


def main(argv: list[str] | None = None, prog: str = "python -m revenue_engine.quality") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Validate the raw contract and the public marts with Great Expectations; "
        "write Data Docs (HTML, readable offline).",
    )
    parser.add_argument(
        "--database", type=Path, required=True, help="the dbt build database (DuckDB)"
    )
    parser.add_argument(
        "--raw-data-dir", type=Path, help="RAW_DATA_DIR the build read (raw suites)"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="Data Docs folder ($WAREHOUSE_DIR/quality)"
    )
    parser.add_argument(
        "--manifest", type=Path, help="dbt manifest.json (rates, money, keys per model)"
    )
    parser.add_argument("--as-of-date", help="as_of_date (default: the build's calendar end)")
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"--database {args.database} does not exist")
    if args.raw_data_dir is not None and not args.raw_data_dir.is_dir():
        parser.error(f"--raw-data-dir {args.raw_data_dir} is not a directory")
    report = run_quality(
        args.database,
        args.raw_data_dir,
        args.out,
        manifest=args.manifest,
        as_of_date=args.as_of_date,
    )
    print(report.summary())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
