"""The `revenue-engine` command: thin, over the library functions.

    revenue-engine run [--no-publish]  raw data -> dbt build -> quality -> audit -> publish
    revenue-engine summary             the headline numbers of the built warehouse
    revenue-engine generate ...        the demo company's raw data (revenue_engine.generate)
    revenue-engine load maven ...      map the Maven Analytics CRM export into the raw contract
    revenue-engine quality ...         the Great Expectations suites on a build, with Data Docs
    revenue-engine contract ...        the raw contract from the source YAML (--write: the doc)
    revenue-engine dashboards          serve the dashboards on http://127.0.0.1:8501 (read-only)
    revenue-engine dashboard-screenshots  a PNG of every dashboard page (headless Chromium)

Configuration comes from environment variables (README, Configuration). `python -m revenue_engine`
is the same command.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

PROG = "revenue-engine"


def _run(argv: Sequence[str]) -> int:
    from revenue_engine import failures, pipeline
    from revenue_engine.settings import load_settings

    parser = argparse.ArgumentParser(
        prog=f"{PROG} run", description="Generate (demo) or read raw data, build, test, publish."
    )
    parser.add_argument("--no-publish", action="store_true", help="build and test only")
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        return pipeline.run(settings, publish_results=not args.no_publish)
    except KeyboardInterrupt:
        return pipeline.fail(settings, ["stopped (interrupted); dbt was stopped with it"])
    except SystemExit:
        raise
    except Exception as error:  # one plain line, not a traceback
        if os.environ.get("REVENUE_ENGINE_DEBUG"):
            traceback.print_exc()
        return pipeline.fail(settings, [failures.explain_exception("run", error)])


def _summary(argv: Sequence[str]) -> int:
    from revenue_engine import summary
    from revenue_engine.settings import load_settings

    argparse.ArgumentParser(
        prog=f"{PROG} summary", description="Print the headline numbers of the built warehouse."
    ).parse_args(argv)
    database = load_settings().build_database
    summary.print_summary(database)
    summary.print_headline_numbers(database)
    summary.print_audit_summary(database)
    return 0


def _generate(argv: Sequence[str]) -> int:
    from revenue_engine.generate.cli import main

    return main(list(argv), prog=f"{PROG} generate")


def _load(argv: Sequence[str]) -> int:
    loaders = {"maven": "revenue_engine.loaders.maven_crm"}
    if not argv or argv[0] not in loaders:
        print(f"usage: {PROG} load {{{','.join(loaders)}}} ...", file=sys.stderr)
        return 2
    from revenue_engine.loaders.maven_crm import main

    return main(list(argv[1:]), prog=f"{PROG} load maven")


def _quality(argv: Sequence[str]) -> int:
    from revenue_engine.quality.__main__ import main

    return main(list(argv), prog=f"{PROG} quality")


def _contract(argv: Sequence[str]) -> int:
    from revenue_engine.contract import main

    return main(list(argv), prog=f"{PROG} contract")


def _dashboards(argv: Sequence[str]) -> int:
    from revenue_engine.dashboards import browser

    parser = argparse.ArgumentParser(
        prog=f"{PROG} dashboards",
        description="Serve the dashboards on 127.0.0.1 from the published warehouse (read-only).",
    )
    parser.add_argument("--port", type=int, default=browser.DEFAULT_PORT)
    args = parser.parse_args(argv)
    try:
        return browser.serve(args.port)
    except FileNotFoundError as error:
        print(f"{PROG} dashboards: {error}", file=sys.stderr)
        return 1


def _dashboard_screenshots(argv: Sequence[str]) -> int:
    from pathlib import Path

    from revenue_engine.dashboards import browser
    from revenue_engine.settings import load_settings

    default = load_settings().warehouse_dir / "dashboards"
    parser = argparse.ArgumentParser(
        prog=f"{PROG} dashboard-screenshots",
        description="Render every dashboard page in headless Chromium and write a PNG per page.",
    )
    parser.add_argument("--out", type=Path, default=default, help=f"default: {default}")
    args = parser.parse_args(argv)
    try:
        written = browser.screenshots(args.out)
    except (FileNotFoundError, RuntimeError, TimeoutError) as error:
        print(f"{PROG} dashboard-screenshots: {error}", file=sys.stderr)
        return 1
    print(f"{len(written)} pages written to {args.out}")
    return 0


COMMANDS: dict[str, tuple[Callable[[Sequence[str]], int], str]] = {
    "run": (_run, "generate (demo) or read raw data, build, test and publish"),
    "summary": (_summary, "print the headline numbers of the built warehouse"),
    "generate": (_generate, "write the demo company's raw data"),
    "load": (_load, "map an export into the raw contract (load maven --source DIR --out DIR)"),
    "quality": (_quality, "run the Great Expectations suites on a build"),
    "contract": (_contract, "show the raw contract; --write regenerates docs/raw-contract.md"),
    "dashboards": (
        _dashboards,
        "serve the dashboards on 127.0.0.1 (published warehouse, read-only)",
    ),
    "dashboard-screenshots": (_dashboard_screenshots, "write a PNG of every dashboard page"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        width = max(len(name) for name in COMMANDS)
        lines = [f"usage: {PROG} <command> [options]", "", "commands:"]
        lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
        known = not args or args[0] in ("-h", "--help")
        print("\n".join(lines), file=sys.stdout if known else sys.stderr)
        if not known:
            print(f"\n{PROG}: unknown command {args[0]!r}", file=sys.stderr)
        return 0 if known else 2
    command, _ = COMMANDS[args[0]]
    return command(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
