"""Great Expectations suites (revenue_engine.quality): they can fail, they pass on the demo company,
their Data Docs are readable offline, and a failure stops the pipeline before publishing.

GX's SQL datasource returns empty results on DuckDB (every expectation "fails" with a hidden
exception). The suites read tables with duckdb into pandas instead; the must-fail tests below prove
that a broken value is really evaluated and reported (an unexpected count, the value itself), and a
control with the value fixed proves the same expectation passes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from revenue_engine import pipeline
from revenue_engine.loaders.contract import CONTRACT
from revenue_engine.quality import suites
from revenue_engine.quality.raw import Lookups, raw_suites
from revenue_engine.quality.runner import run_quality, validate
from revenue_engine.quality.suites import CRITICAL, WARNING
from revenue_engine.settings import load_settings

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

PROJECT_DIR = Path(__file__).resolve().parents[2]


def tiny_build(path: Path, amount_usd: float) -> Path:
    """A build database with one mart and a reconciliation that adds up."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create schema audit")
        connection.execute(
            "create table marts.fct_opportunities as "
            "select * from (values "
            f"('006A', 'closed_won', 10.0), ('006B', 'proposal', {amount_usd})"
            ") as t(opportunity_id, stage, amount_usd)"
        )
        connection.execute(
            "create table audit.audit_raw_row_reconciliation as select "
            "'salesforce.opportunity' as source_table, 3 as raw_rows, 2 as staged_rows, "
            "0 as inactive_history_rows, 1 as superseded_rows, 0 as soft_deleted_rows, "
            "0 as quarantined_rows"
        )
    return path


@pytest.fixture(params=["in DuckDB", "as a DataFrame"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a suite is validated: its query in DuckDB through GX's SQL datasource (tables
    above SMALL_TABLE_ROWS rows), or read into a DataFrame (small ones)."""
    monkeypatch.setattr(suites, "SMALL_TABLE_ROWS", -1 if request.param == "in DuckDB" else 10**9)
    return request.param


def test_an_expectation_that_must_fail_does_fail(tmp_path: Path, engine: str) -> None:
    database = tiny_build(tmp_path / "bad.duckdb", amount_usd=-5.0)

    report = run_quality(database, None, tmp_path / "quality")

    assert not report.passed
    [failure] = report.failures
    assert failure.suite == "marts.fct_opportunities"
    assert failure.column == "amount_usd"
    assert failure.error is None  # evaluated, not an exception taken for a failure
    assert (failure.unexpected_count, failure.element_count) == (1, 2)
    assert list(failure.sample) == [-5.0]
    assert "marts.fct_opportunities.amount_usd" in report.summary()
    assert "-5.0" in report.summary()


def test_the_same_expectation_passes_on_good_data(tmp_path: Path, engine: str) -> None:
    database = tiny_build(tmp_path / "good.duckdb", amount_usd=5.0)

    report = run_quality(database, None, tmp_path / "quality")

    assert report.passed, report.summary()
    assert report.expectations >= 3  # money, reconciliation, row counts: evaluated, not skipped


def test_the_cli_exits_non_zero_on_a_failure(tmp_path: Path) -> None:
    from revenue_engine.quality.__main__ import main

    bad = tiny_build(tmp_path / "bad.duckdb", amount_usd=-5.0)
    good = tiny_build(tmp_path / "good.duckdb", amount_usd=5.0)

    assert main(["--database", str(bad), "--out", str(tmp_path / "q1")]) == 1
    assert main(["--database", str(good), "--out", str(tmp_path / "q2")]) == 0


def test_raw_contract_suite_names_table_column_and_value(
    tmp_path: Path, demo_warehouse, engine: str
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(demo_warehouse.raw_data_dir, raw, ignore=shutil.ignore_patterns("*.json"))
    # a non-numeric amount in the opportunity table, written as CSV (Parquet removed)
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (case when row_number() over () = 1 then 'l0OO' "
            f"else cast(amount as varchar) end as amount) "
            f"from read_parquet('{raw}/salesforce/opportunity.parquet')) "
            f"to '{raw}/salesforce/opportunity.csv' (header)"
        )
    (raw / "salesforce/opportunity.parquet").unlink()
    lookups = Lookups(stage_names=(), lead_sources=(), as_of_date=None)
    suites, problems = raw_suites(raw, lookups)
    opportunity = [suite for suite in suites if suite.name == "raw.salesforce.opportunity"]
    assert (opportunity[0].frame is None) == (engine == "in DuckDB")

    report = validate(opportunity, tmp_path / "quality", problems)

    assert not report.passed
    [failure] = report.failures
    assert failure.column == "amount__not_a_double"
    assert list(failure.sample) == ["l0OO"]
    assert str(raw / "salesforce/opportunity.csv") == failure.location


def test_unreadable_raw_file_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "salesforce").mkdir(parents=True)
    (raw / "salesforce/account.parquet").write_bytes(b"PAR1 truncated")
    suites, problems = raw_suites(raw, Lookups((), (), None))
    by_suite = {problem.suite: problem for problem in problems}
    assert "magic bytes" in (by_suite["raw.salesforce.account"].error or "")
    assert by_suite["raw.salesforce.account"].check.startswith("the file is readable")
    # a required table that did not land fails; an optional one is a warning naming what it costs
    assert by_suite["raw.salesforce.opportunity"].check.startswith("the table's file exists")
    assert by_suite["raw.salesforce.opportunity"].severity == CRITICAL
    assert by_suite["raw.salesforce.lead"].check.startswith("the table landed (optional")
    assert by_suite["raw.salesforce.lead"].severity == WARNING
    assert "the lead funnel" in (by_suite["raw.salesforce.lead"].error or "")
    assert suites == []


def test_suites_pass_on_the_demo_company(demo_warehouse) -> None:
    quality = demo_warehouse.warehouse_dir / "quality"
    summary = json.loads((quality / "summary.json").read_text())
    assert summary["passed"], [
        f["message"] for f in summary["findings"] if f["severity"] == "critical"
    ]
    names = {suite["name"] for suite in summary["suites"]}
    assert {"raw." + table.replace("/", ".") for table in CONTRACT} <= names
    assert {"marts.fct_opportunities", "audit.reconciliation", "marts.row_counts"} <= names
    assert {"marts.daily_spend", "audit.audit_quarantined_records"} <= names


def test_data_docs_are_html_readable_offline(demo_warehouse) -> None:
    quality = demo_warehouse.warehouse_dir / "quality"
    index = quality / "index.html"
    assert index.exists()
    pages = list(quality.rglob("*.html"))
    assert len(pages) > 2 * len(CONTRACT)  # a validation and a suite page per suite, and the index
    remote = re.compile(r"<(script|link)\b[^>]*(src|href)=\"https?://", re.IGNORECASE)
    for page in pages:
        assert not remote.search(page.read_text(encoding="utf-8")), page
    text = index.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+\.html)"', text)
    assert any(link.startswith("validations/raw/salesforce/opportunity/") for link in links)
    for link in links:
        assert (quality / link).exists(), link
    # every status icon the pages use (a web font, which cannot load offline) is drawn as text
    stylesheet = (quality / "static" / "styles" / "offline.css").read_text()
    icons = {
        icon
        for page in pages
        for classes in re.findall(r'class="(fas [^"]*)"', page.read_text(encoding="utf-8"))
        for icon in classes.split()
        if icon.startswith("fa-")
    }
    assert "fa-check-circle" in icons
    for icon in icons:
        assert re.search(rf"\.{icon}::before \{{ content: \"[^\"]+\"", stylesheet), icon


def test_a_quality_failure_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    settings = load_settings({"RAW_DATA_DIR": str(raw), "WAREHOUSE_DIR": str(tmp_path / "wh")})
    settings.warehouse_dir.mkdir(parents=True)
    settings.published_database.write_bytes(b"last good publish")
    monkeypatch.setattr(pipeline, "run_dbt", lambda *args, **kwargs: 0)
    monkeypatch.setattr(pipeline, "archive_run_results", lambda *args, **kwargs: None)
    monkeypatch.setattr(
        pipeline, "check_quality", lambda settings, database=None, blocking=None: False
    )

    def must_not_publish(*args: object, **kwargs: object) -> None:
        raise AssertionError("published after a failed quality check")

    monkeypatch.setattr(pipeline, "publish", must_not_publish)

    assert pipeline.run(settings) == 1
    assert settings.published_database.read_bytes() == b"last good publish"


@pytest.mark.parametrize(("cohort_rate", "passes"), [(0.5, True), (1.5, False)])
def test_rates_are_checked_on_the_rows_the_dbt_test_checks(
    tmp_path: Path, cohort_rate: float, passes: bool
) -> None:
    # a flow conversion (events / events) may exceed 1; the dbt test limits 0..1 to cohort rows
    database = tiny_build(tmp_path / "build.duckdb", amount_usd=5.0)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table marts.rpt_conversion as select * from (values "
            f"('cohort', {cohort_rate}), ('flow', 2.0)) as t(conversion_type, conversion_rate)"
        )
    manifest = tmp_path / "manifest.json"
    model = {
        "resource_type": "model",
        "access": "public",
        "schema": "marts",
        "alias": "rpt_conversion",
        "constraints": [],
        "columns": {},
    }
    test = {
        "resource_type": "test",
        "attached_node": "model.x.rpt_conversion",
        "test_metadata": {"name": "between_zero_and_one"},
        "column_name": "conversion_rate",
        "config": {"where": "conversion_type = 'cohort'"},
    }
    manifest.write_text(json.dumps({"nodes": {"model.x.rpt_conversion": model, "test.x.t": test}}))

    report = run_quality(database, None, tmp_path / "quality", manifest=manifest)

    assert report.passed is passes, report.summary()
    if not passes:
        [failure] = report.failures
        assert (failure.column, list(failure.sample)) == ("conversion_rate", [1.5])
