"""Run the raw-contract and mart suites with Great Expectations and build Data Docs offline.

Tables are validated where they are: each suite's query runs through GX's SQL datasource on DuckDB
(duckdb_engine), so every metric (null and unique counts, ranges, value sets, the unexpected
examples) is computed by DuckDB and only results reach Python. The build database is opened
read-only; raw files are read by an in-memory DuckDB. A few cross-model suites validate a small
aggregate through GX's pandas datasource. The context is ephemeral (no GX project folder to keep);
validation results are written as Data Docs HTML under `out`, which is then made readable offline
(see `revenue_engine.quality.docs`).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

# GX must not phone home (the machines are offline; runs must not hang on it).
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import sqlalchemy_execution_engine

from revenue_engine.quality import docs
from revenue_engine.quality.marts import mart_suites
from revenue_engine.quality.raw import Lookups, landing_from, raw_suites
from revenue_engine.quality.suites import CRITICAL, WARNING, Finding, Suite, plain

RUN_NAME = "quality"
SITE_NAME = "quality"


def _release_duckdb_types() -> None:
    """At exit: drop the module-level DuckDB type constants. With duckdb_engine and Great
    Expectations both imported, the modules holding them outlive DuckDB's own teardown, and its
    binding library (nanobind) then prints ~40 lines of "leaked instance" warnings on every exit
    although nothing leaked during the run."""
    for name, module in list(sys.modules.items()):
        if name.startswith(("duckdb", "_duckdb")):
            namespace = getattr(module, "__dict__", None) or {}
            for key, value in list(namespace.items()):
                if type(value).__name__ == "DuckDBPyType":
                    del namespace[key]
    gc.collect()


atexit.register(_release_duckdb_types)


class _DuckDBDialect(str):
    """ "duckdb", as GX names a dialect (a str with `.value`, like its GXSqlDialect members)."""

    value = "duckdb"


# GX runs a metric query in a `with connection:` block and reads its rows after the block; DuckDB
# discards a result when its connection goes back to the pool, so every metric came back empty
# (IndexError in resolve_metric_bundle). GX keeps one connection open for the dialects it lists
# here (SQLite, SQL Server, ...): DuckDB needs the same.
if "duckdb" not in sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS:
    sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS = (
        *sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS,
        _DuckDBDialect("duckdb"),
    )


@dataclass
class SuiteResult:
    """How one suite did."""

    name: str
    location: str
    evaluated: int
    failed_critical: int
    failed_warning: int
    page: str | None = None

    @property
    def status(self) -> str:
        if self.failed_critical:
            return "failed"
        return "warnings" if self.failed_warning else "passed"


@dataclass
class QualityReport:
    """The outcome of a quality run: what failed (critical), what warned, where the docs are."""

    suites: list[SuiteResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    docs_index: Path | None = None
    docs_root: Path | None = None

    @property
    def failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == CRITICAL]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == WARNING]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def expectations(self) -> int:
        return sum(suite.evaluated for suite in self.suites)

    def summary(self, max_warnings: int = 20) -> str:
        """The text `make run` prints: counts, every failure with where, then the warnings."""
        lines = [
            f"Quality: {len(self.suites)} suites, {self.expectations} expectations: "
            f"{len(self.failures)} failed, {len(self.warnings)} warnings."
        ]
        if self.failures:
            lines.append("FAILED (critical; nothing is published):")
            lines += [
                f"  - {finding.describe()}\n      in {finding.location}"
                for finding in self.failures
            ]
        if self.warnings:
            lines.append(
                "Warnings (handled by quarantine/flags or informational; the run continues):"
            )
            lines += [f"  - {finding.describe()}" for finding in self.warnings[:max_warnings]]
            if len(self.warnings) > max_warnings:
                lines.append(f"  ... and {len(self.warnings) - max_warnings} more (see Data Docs)")
        if self.docs_index is not None:
            lines.append(f"Data Docs: {self.docs_index}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "suites": [
                {
                    "name": suite.name,
                    "location": suite.location,
                    "status": suite.status,
                    "expectations": suite.evaluated,
                    "failed": suite.failed_critical,
                    "warnings": suite.failed_warning,
                    "page": suite.page,
                }
                for suite in self.suites
            ],
            "findings": [
                {
                    "suite": finding.suite,
                    "location": finding.location,
                    "severity": finding.severity,
                    "check": finding.check,
                    "column": finding.column,
                    "unexpected_count": finding.unexpected_count,
                    "element_count": finding.element_count,
                    "sample": plain(list(finding.sample)),
                    "observed": plain(finding.observed),
                    "error": finding.error,
                    "message": finding.describe(),
                }
                for finding in self.findings
            ],
        }


def lookups_from(database: Path, as_of_date: str | None) -> Lookups:
    """Mapping seeds and as_of_date (given, else the build's calendar end) from the build."""
    with duckdb.connect(str(database), read_only=True) as connection:

        def values(sql: str) -> tuple[str, ...]:
            try:
                return tuple(
                    str(row[0]) for row in connection.execute(sql).fetchall() if row[0] is not None
                )
            except duckdb.Error:
                return ()

        stage_names = values("select raw_stage_name from lookups.stage_mapping")
        lead_sources = values("select lead_source from lookups.channel_mapping")
        as_of: date | None = date.fromisoformat(as_of_date) if as_of_date else None
        if as_of is None:
            try:
                row = connection.execute("select max(date_day) from marts.dim_dates").fetchone()
                as_of = row[0] if row else None
            except duckdb.Error:
                as_of = None
    return Lookups(
        stage_names=stage_names,
        lead_sources=lead_sources,
        as_of_date=as_of,
        run_started_at=datetime.now(UTC).replace(tzinfo=None),
    )


def _context(out: Path) -> Any:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    for name in list(context.get_config().data_docs_sites or {}):
        context.delete_data_docs_site(name)
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(out),
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "show_cta_footer": False,
            },
        },
    )
    return context


def _sql_datasource(
    context: Any, database: str | None, number: int, temp_directory: Path | None
) -> Any:
    """GX's SQL datasource on a DuckDB file (read-only) or, for None, an in-memory DuckDB; with the
    build's memory limit (DUCKDB_MEMORY_LIMIT) and spill folder, and every core."""
    config = {
        "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "4GB"),
        "preserve_insertion_order": False,
    }
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    connect_args: dict[str, Any] = {"config": config}
    if database is not None:
        connect_args["read_only"] = True
    return context.data_sources.add_sql(
        f"duckdb_{number}",
        connection_string=f"duckdb:///{database or ':memory:'}",
        kwargs={"connect_args": connect_args},
    )


def _close(datasource: Any) -> None:
    """Close every connection the datasource holds, so DuckDB releases the database file: the one
    its execution engine kept open (see _PERSISTED_CONNECTION_DIALECTS above; GX's own close()
    only disposes the pool) and the pool of the engine it tests connections with."""
    engine = datasource.get_execution_engine()
    if getattr(engine, "_connection", None) is not None:
        engine._connection.close()
        engine._connection = None
    engine.close()
    datasource.get_engine().dispose()


def _column_of(config: Any) -> str | None:
    kwargs = config.kwargs
    if "column" in kwargs:
        return str(kwargs["column"])
    for key in ("column_list", "column_set"):
        if key in kwargs and len(kwargs[key]) <= 4:
            return ", ".join(map(str, kwargs[key]))
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def _finding(suite: Suite, result: Any) -> Finding:
    config = result.expectation_config
    severity = str(getattr(config.severity, "value", config.severity) or CRITICAL).lower()
    outcome = result.result or {}
    info = result.exception_info or {}
    error = None
    if info.get("raised_exception"):
        error = (info.get("exception_message") or "an exception was raised").splitlines()[0]
        severity = CRITICAL  # a check that cannot be evaluated is never a mere warning
    observed = outcome.get("observed_value")
    if config.type == "expect_table_columns_to_match_set" and "details" in outcome:
        mismatched = outcome["details"].get("mismatched", {})
        observed = {"missing": mismatched.get("missing")} if mismatched.get("missing") else observed
    return Finding(
        suite=suite.name,
        location=suite.location,
        severity=severity,
        check=(config.meta or {}).get("check", config.type),
        column=_column_of(config),
        unexpected_count=outcome.get("unexpected_count"),
        element_count=outcome.get("element_count"),
        sample=tuple(outcome.get("partial_unexpected_list") or ()),
        observed=observed,
        error=error,
    )


def run_quality(
    database: Path,
    raw_data_dir: Path | None,
    out: Path,
    manifest: Path | None = None,
    as_of_date: str | None = None,
    temp_directory: Path | None = None,
) -> QualityReport:
    """Validate the raw files and the build database; write Data Docs to `out`; report.
    DuckDB spills to `temp_directory` (its default beside the database otherwise)."""
    lookups = lookups_from(database, as_of_date)
    suites: list[Suite] = []
    findings: list[Finding] = []
    # the raw files, read once each into a scratch DuckDB file the raw suites query
    scratch = (temp_directory or out.parent) / "quality_raw.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        if raw_data_dir is not None:
            found, problems = raw_suites(raw_data_dir, lookups, landing_from(database), scratch)
            suites += found
            findings += problems
        found, problems = mart_suites(database, raw_data_dir, manifest)
        return validate(suites + found, out, findings + problems, temp_directory)
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)


def validate(
    suites: list[Suite],
    out: Path,
    findings: list[Finding] | None = None,
    temp_directory: Path | None = None,
) -> QualityReport:
    """Run `suites` through GX's pandas datasource, write offline Data Docs to `out`, report.

    `findings` are problems found before validation (a raw file that cannot be read, say).
    """
    report = QualityReport(findings=list(findings or []))
    docs.clear(out)
    context = _context(out)
    frames = context.data_sources.add_pandas("revenue_engine")
    databases: dict[str | None, Any] = {}
    for suite in suites:
        if suite.frame is not None:
            asset = frames.add_dataframe_asset(suite.name)
            batch = asset.add_batch_definition_whole_dataframe("whole table")
            parameters = {"dataframe": suite.frame}
        else:
            if suite.database not in databases:
                databases[suite.database] = _sql_datasource(
                    context, suite.database, len(databases), temp_directory
                )
            asset = databases[suite.database].add_query_asset(suite.name, query=suite.query)
            batch = asset.add_batch_definition_whole_table("whole table")
            parameters = {}
        expectation_suite = context.suites.add(
            gx.ExpectationSuite(name=suite.name, expectations=suite.expectations)
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                actions=[],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10},
            )
        )
        outcome = checkpoint.run(
            batch_parameters=parameters, run_id=RunIdentifier(run_name=RUN_NAME)
        )
        failed = {CRITICAL: 0, WARNING: 0}
        evaluated = 0
        for validation in outcome.run_results.values():
            for result in validation.results:
                evaluated += 1
                if result.success:
                    continue
                finding = _finding(suite, result)
                failed[finding.severity if finding.severity in failed else CRITICAL] += 1
                report.findings.append(finding)
        report.suites.append(
            SuiteResult(
                name=suite.name,
                location=suite.location,
                evaluated=evaluated,
                failed_critical=failed[CRITICAL],
                failed_warning=failed[WARNING],
            )
        )
    for finding in report.findings:
        if not any(result.name == finding.suite for result in report.suites):
            report.suites.append(
                SuiteResult(
                    name=finding.suite,
                    location=finding.location,
                    evaluated=1,
                    failed_critical=int(finding.severity == CRITICAL),
                    failed_warning=int(finding.severity == WARNING),
                )
            )
    for datasource in databases.values():  # release the build database before publishing
        _close(datasource)
    context.build_data_docs(site_names=[SITE_NAME])
    report.docs_index = docs.make_offline(out, report)
    (out / "summary.json").write_text(json.dumps(report.to_json(), indent=2, default=str))
    return report
