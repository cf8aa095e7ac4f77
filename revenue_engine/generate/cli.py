"""Command line: `python -m revenue_engine.generate --out data/raw --leads 5000 --seed 42`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from revenue_engine.generate.core import (
    CHUNK_LEADS,
    DEFAULT_DIRT_RATE,
    DEFAULT_END_DATE,
    DEFAULT_LEADS,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    check_arguments,
    generate,
)


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Generate the demo company's raw data (every raw-contract table, as Parquet).",
    )
    parser.add_argument("--out", default="data/raw", help="output directory (default: data/raw)")
    parser.add_argument("--leads", type=int, default=DEFAULT_LEADS, help="number of leads")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (>= 0)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULT_END_DATE,
        help=f"last day of the window, the day of the latest load (default: {DEFAULT_END_DATE})",
    )
    parser.add_argument(
        "--dirt-rate",
        type=float,
        default=DEFAULT_DIRT_RATE,
        help="share of rows made dirty (duplicates, soft deletes, ...); 0 = perfectly clean",
    )
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, help="length of the window")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="background processes building chunks of leads (default: 0, build in this one)",
    )
    parser.add_argument(
        "--next-day",
        action="store_true",
        help="append the day after the latest load to the company already in --out (new leads, "
        "updates, soft deletes, tasks, deal revisions, ad spend), as a connector's next sync",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m revenue_engine.generate") -> int:
    """Run the generator from the command line; prints the row count of every table."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    try:
        check_arguments(
            args.leads, args.seed, args.dirt_rate, args.months, CHUNK_LEADS, args.workers
        )
    except ValueError as error:
        parser.error(str(error))
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    started = time.perf_counter()
    if args.next_day:
        from revenue_engine.generate.next_day import append_next_day

        added = append_next_day(args.out, seed=args.seed)
        for name, rows in added.items():
            print(f"{name:<40}  {rows:>8,} rows appended")
        print(f"Next day's load appended to {args.out} in {time.perf_counter() - started:.1f}s")
        return 0
    counts = generate(
        out_dir=args.out,
        leads=args.leads,
        seed=args.seed,
        end_date=args.end_date,
        dirt_rate=args.dirt_rate,
        months=args.months,
        progress=progress,
        workers=args.workers,
    )
    width = max(len(name) for name in counts)
    for name, rows in counts.items():
        print(f"{name:<{width}}  {rows:>12,}")
    print(f"{len(counts)} tables written to {args.out} in {time.perf_counter() - started:.1f}s")
    return 0
