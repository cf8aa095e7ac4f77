"""Unit tests (no dbt, no warehouse): the publish guard's rules and the FAILED lines.

Hand-worked cases: each input is written out and the expected outcome reasoned from the rule in
revenue_engine/publish_checks.py and revenue_engine/failures.py, not read back from the code.
"""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_engine.failures import explain_dbt_output, explain_exception
from revenue_engine.publish_checks import (
    Measures,
    PublishBlockedError,
    PublishPolicy,
    check_before_publish,
    circuit_breaker,
    compare,
)

POLICY = PublishPolicy(max_row_drop=0.5, max_metric_factor=2.0, max_quarantined_share=0.1)


def measures(rows: dict[str, int], metrics: dict[str, float | None]) -> Measures:
    return Measures(rows=rows, metrics=metrics)


def test_the_first_publish_has_nothing_to_compare_with() -> None:
    assert compare(None, measures({"raw salesforce.opportunity": 0}, {}), POLICY) == []


@pytest.mark.parametrize(
    ("before", "after", "blocked"),
    [
        (100, 51, False),  # fell 49%: within 50%
        (100, 50, False),  # exactly half: allowed
        (100, 49, True),  # fell 51%
        (3, 0, True),  # to zero
        (0, 0, False),  # nothing to lose
        (100, 1000, False),  # growth is not a loss
    ],
)
def test_row_counts_may_not_collapse(before: int, after: int, blocked: bool) -> None:
    problems = compare(
        measures({"raw salesforce.opportunity": before}, {}),
        measures({"raw salesforce.opportunity": after}, {}),
        POLICY,
    )
    assert bool(problems) is blocked
    if blocked:
        assert problems == [
            f"raw salesforce.opportunity rows fell from {before:,} to {after:,} "
            "(more than PUBLISH_MAX_ROW_DROP=50%)"
        ]


@pytest.mark.parametrize(
    ("before", "after", "blocked"),
    [
        (2997.0, 5900.0, False),  # x1.97
        (2997.0, 6000.0, True),  # x2.002
        (2997.0, 1_032_751.0, True),  # the FX unit error of issue 9
        (0.418, 0.2, True),  # halved and a bit more
        (0.418, 0.21, False),
        (0.0, 0.0, False),
        (0.0, 0.05, True),  # from nothing to something: no ratio, a move
        (0.3, None, True),  # disappeared
        (None, 0.3, False),  # appeared: nothing was published to contradict
    ],
)
def test_headline_metrics_may_not_jump_or_vanish(
    before: float | None, after: float | None, blocked: bool
) -> None:
    problems = compare(
        measures({}, {"trailing_paid_cac_usd": before}),
        measures({}, {"trailing_paid_cac_usd": after}),
        POLICY,
    )
    assert bool(problems) is blocked, problems


def test_the_circuit_breaker_counts_the_quarantined_share() -> None:
    current = Measures(
        rows={"raw salesforce.lead": 100, "raw salesforce.task": 100},
        quarantined={"salesforce.lead": 10, "salesforce.task": 11},
    )
    assert circuit_breaker(current, POLICY) == [
        "salesforce.task: 11 of 100 rows (11%) are quarantined (more than "
        "QUARANTINE_MAX_SHARE=10%); see audit.audit_quarantined_records for the reasons"
    ]


def test_policy_from_the_environment() -> None:
    policy = PublishPolicy.from_env(
        {
            "PUBLISH_MAX_ROW_DROP": "0.2",
            "PUBLISH_MAX_METRIC_FACTOR": "3",
            "QUARANTINE_MAX_SHARE": "0.01",
            "REVENUE_ENGINE_ACCEPT_CHANGES": "1",
        }
    )
    assert policy == PublishPolicy(0.2, 3.0, 0.01, True)
    assert PublishPolicy.from_env({}) == PublishPolicy(0.5, 2.0, 0.1, False)


def test_an_accepted_change_still_stops_at_the_circuit_breaker(tmp_path: Path) -> None:
    build = duckdb.connect()
    build.execute("create schema audit")
    build.execute(
        "create table audit.audit_raw_row_reconciliation as "
        "select 'salesforce.lead' as source_table, 10 as raw_rows, 5 as quarantined_rows"
    )
    tables = [("audit", "audit_raw_row_reconciliation")]
    accepting = PublishPolicy(accept_changes=True)
    with pytest.raises(PublishBlockedError) as blocked:
        check_before_publish(build, tmp_path / "none.duckdb", tables, accepting)
    assert not blocked.value.overridable
    assert "5 of 10 rows (50%)" in blocked.value.problems[0]


DBT_CONTRACT_FAILURE = """\
02:42:52  Running with dbt=1.11.16
02:42:53  Encountered an error:
Compilation Error in operation revenue_engine-on-run-start-1 (./dbt_project.yml)
  Raw contract violated:
    - salesforce.lead is missing column lead_source
    - salesforce.opportunity column amount has value '12O0' that is not a double
"""

DBT_RUNTIME_AND_TEST_FAILURES = """\
02:43:10  Runtime Error in model stg_salesforce__tasks (models/staging/salesforce/stg_salesforce__tasks.sql)
  Conversion Error: Could not convert string 'x' to INT64
02:43:11  Failure in test unique_dim_accounts_account_id (models/marts/core/_core__models.yml)
02:43:11    Got 3 results, configured to fail if != 0
"""  # noqa: E501


def test_dbt_output_becomes_one_line_per_problem() -> None:
    assert explain_dbt_output(DBT_CONTRACT_FAILURE.splitlines(), None) == [
        "salesforce.lead is missing column lead_source",
        "salesforce.opportunity column amount has value '12O0' that is not a double",
    ]
    assert explain_dbt_output(DBT_RUNTIME_AND_TEST_FAILURES.splitlines(), None) == [
        "model stg_salesforce__tasks (models/staging/salesforce/stg_salesforce__tasks.sql): "
        "Conversion Error: Could not convert string 'x' to INT64",
        "data test unique_dim_accounts_account_id (models/marts/core/_core__models.yml) found 3 "
        "bad row(s): run `dbt test --select unique_dim_accounts_account_id --store-failures` to "
        "see them",
    ]


def test_an_unnamed_read_error_is_traced_to_the_damaged_file(tmp_path: Path) -> None:
    (tmp_path / "salesforce").mkdir()
    good = tmp_path / "salesforce" / "lead.parquet"
    pq.write_table(pa.table({"id": ["a", "b"]}), good)
    bad = tmp_path / "salesforce" / "task.parquet"
    bad.write_bytes(good.read_bytes()[:40])
    output = ["02:42:53  Encountered an error:", "Runtime Error", "  Out of buffer"]

    lines = explain_dbt_output(output, tmp_path)

    assert lines[0] == "Runtime Error: Out of buffer"
    assert len(lines) == 2 and lines[1].startswith(f"raw file {bad} is corrupt or truncated")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk is full (/w/analytics.duckdb); free space and run again"),
        (errno.EACCES, "permission denied (/w/analytics.duckdb); fix the folder's permissions"),
    ],
)
def test_os_errors_name_the_path_and_what_to_do(code: int, words: str) -> None:
    error = OSError(code, "os message", "/w/analytics.duckdb")
    assert explain_exception("run", error) == f"run: {words}"


def test_a_lock_held_by_another_process_says_so() -> None:
    error = duckdb.IOException('Could not set lock on file "/w/build/revenue_engine.duckdb"')
    assert "another process holds the build database" in explain_exception("run", error)
