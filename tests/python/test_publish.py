"""Write-audit-publish: the published warehouse changes only by a complete, validated build.

Each test runs the real pipeline (`python -m revenue_engine run`) in a subprocess against its own
WAREHOUSE_DIR and a small generated demo company, the way cron or CI would.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from revenue_engine.generate import generate
from revenue_engine.publish import publish

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

PROJECT_DIR = Path(__file__).resolve().parents[2]
LEADS = 1500


def pipeline_env(raw: Path, warehouse: Path) -> dict[str, str]:
    env = {**os.environ, "RAW_DATA_DIR": str(raw), "WAREHOUSE_DIR": str(warehouse)}
    env["PYTHONUNBUFFERED"] = "1"  # the pipeline and dbt write their progress as it happens
    env.pop("DUCKDB_PATH", None)
    return env


def start_pipeline(
    raw: Path, warehouse: Path, log: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start the pipeline in the background, output to `log` (a full pipe would block it)."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "revenue_engine", "run"],
            cwd=PROJECT_DIR,
            env={**pipeline_env(raw, warehouse), **(extra_env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a test can kill dbt with it
        )


def run_pipeline(raw: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "revenue_engine", "run"],
        cwd=PROJECT_DIR,
        env=pipeline_env(raw, warehouse),
        capture_output=True,
        text=True,
        check=False,
    )


def fingerprint(warehouse: Path) -> dict[str, str]:
    """sha256 of the published file and of every Parquet export."""
    files = [warehouse / "analytics.duckdb", *sorted((warehouse / "parquet").glob("*"))]
    return {
        str(f.relative_to(warehouse)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files
    }


def mart_counts(database: Path) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{name}": connection.execute(
                f'select count(*) from "{schema}"."{name}"'
            ).fetchone()[0]
            for schema, name in tables
        }


@pytest.fixture(scope="module")
def raw_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two demo companies (different seeds) so a second publish visibly changes the data."""
    root = tmp_path_factory.mktemp("raw")
    first, second = root / "seed1", root / "seed2"
    generate(out_dir=first, leads=LEADS, seed=1)
    generate(out_dir=second, leads=LEADS, seed=2)
    return {"first": first, "second": second}


@pytest.fixture(scope="module")
def published(raw_data: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("warehouse")
    result = run_pipeline(raw_data["first"], warehouse)
    assert result.returncode == 0, result.stdout + result.stderr
    return warehouse


def public_models() -> set[str]:
    manifest = json.loads((PROJECT_DIR / "target" / "manifest.json").read_text())
    return {
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("access") == "public"
    }


def test_publishes_exactly_the_public_marts_in_a_duckdb_1_0_file(published: Path) -> None:
    database = published / "analytics.duckdb"
    counts = mart_counts(database)
    assert set(counts) == public_models() | {"audit.publish_history"}
    assert counts["marts.fct_leads"] > 0
    with duckdb.connect() as connection:
        connection.execute(f"attach '{database}' as published (read_only)")
        tags = connection.execute(
            "select tags from duckdb_databases() where database_name = 'published'"
        ).fetchone()[0]
    assert tags["storage_version"].startswith("v1.0.0")
    # the Parquet export holds the same rows as the published tables
    for table, count in counts.items():
        parquet = published / "parquet" / f"{table.split('.')[1]}.parquet"
        assert parquet.resolve().parent.parent == database.resolve().parent  # one release
        assert len(pd.read_parquet(parquet)) == count, table
    # the build database holds more than BI sees (staging, intermediate): not what is published
    assert len(mart_counts(published / "build" / "revenue_engine.duckdb")) > len(counts)


OLDEST_CLIENT = "1.0.0"  # the oldest DuckDB the README says opens the published file
CLIENT_CHECK = """
import json, sys
import duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "leads": connection.execute("select count(*), sum(icp_score) from marts.fct_leads").fetchall(),
    "money": str(connection.execute("select sum(amount_usd) from marts.fct_opportunities")
                 .fetchall()[0][0]),
    "comment": connection.execute(
        "select comment from duckdb_columns() "
        "where table_name = 'fct_leads' and column_name = 'lead_id'"
    ).fetchall(),
}))
"""


def old_client() -> Path:
    """A Python environment with DuckDB OLDEST_CLIENT (a BI driver's DuckDB), made once."""
    folder = PROJECT_DIR / ".cache" / f"duckdb-{OLDEST_CLIENT}"
    python = folder / "bin" / "python"
    if not (folder / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={OLDEST_CLIENT}"],
            check=True,
        )
        (folder / ".installed").touch()
    return python


def test_the_oldest_claimed_duckdb_client_reads_the_published_file(published: Path) -> None:
    database = published / "analytics.duckdb"
    result = subprocess.run(
        [str(old_client()), "-c", CLIENT_CHECK, str(database)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    assert seen["version"] == OLDEST_CLIENT
    with duckdb.connect(str(database), read_only=True) as connection:
        leads = connection.execute(
            "select count(*), sum(icp_score) from marts.fct_leads"
        ).fetchall()
        money = connection.execute("select sum(amount_usd) from marts.fct_opportunities").fetchall()
    assert [tuple(row) for row in seen["leads"]] == leads
    assert seen["money"] == str(money[0][0])
    assert seen["comment"] == [[yaml_descriptions()["fct_leads"][1]["lead_id"]]]


def yaml_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """Model and column descriptions as written in the models' YAML (those without Jinja)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for path in (PROJECT_DIR / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            columns = {
                column["name"]: column["description"].strip()
                for column in model.get("columns", [])
                if "{{" not in column.get("description", "{{")
            }
            found[model["name"]] = (model.get("description", "").strip(), columns)
    return found


def test_descriptions_reach_bi_tools(published: Path) -> None:
    """The YAML's descriptions are table and column comments in the published file (what DBeaver,
    DataGrip or a BI catalog shows) and key-value metadata in each Parquet file."""
    written = yaml_descriptions()
    database = published / "analytics.duckdb"
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = dict(
            connection.execute(
                "select table_name, comment from duckdb_tables() where schema_name <> 'main'"
            ).fetchall()
        )
        columns = {
            (table, column): comment
            for table, column, comment in connection.execute(
                "select table_name, column_name, comment from duckdb_columns()"
            ).fetchall()
        }
    compared = 0
    for table in tables:
        if table == "publish_history":
            continue
        description, column_descriptions = written[table]
        if "{{" in description:  # a doc block: rendered by dbt, so only its absence is checked
            assert tables[table] and "{{" not in tables[table], table
        else:
            assert tables[table] == description, table
        for column, text in column_descriptions.items():
            assert columns[(table, column)] == text, f"{table}.{column}"
            compared += 1
    assert compared > 300  # nearly every column of every public mart is described
    assert all(tables.values())  # publish_history too
    metadata = dict(
        duckdb.sql(
            "select decode(key), decode(value) from parquet_kv_metadata("
            f"'{published / 'parquet' / 'fct_leads.parquet'}')"
        ).fetchall()
    )
    assert metadata["description"] == written["fct_leads"][0]
    assert json.loads(metadata["columns"])["lead_id"] == written["fct_leads"][1]["lead_id"]


def test_a_failed_build_leaves_the_last_publish_untouched(
    published: Path, raw_data: dict[str, Path], tmp_path: Path
) -> None:
    before = fingerprint(published)
    broken = tmp_path / "broken"
    generate(out_dir=broken, leads=LEADS, seed=3)
    deals = pd.read_parquet(broken / "salesforce" / "opportunity.parquet")
    deals.drop(columns=["stage_name"]).to_parquet(
        broken / "salesforce" / "opportunity.parquet", index=False
    )

    result = run_pipeline(broken, published)

    assert result.returncode != 0
    assert "salesforce.opportunity is missing required column stage_name" in (
        result.stdout + result.stderr
    )
    assert fingerprint(published) == before
    assert not list(published.glob("*.tmp-*"))


def test_a_killed_build_leaves_the_last_publish_untouched(
    published: Path, raw_data: dict[str, Path]
) -> None:
    before = fingerprint(published)
    build_database = published / "build" / "revenue_engine.duckdb"
    log = published / "killed.log"
    process = start_pipeline(raw_data["second"], published, log)
    deadline = time.monotonic() + 180
    # kill it once dbt is building models, well before validation and publishing
    while "START sql" not in log.read_text(errors="replace") and time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-4000:]
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 60

    assert process.returncode == -signal.SIGKILL
    assert fingerprint(published) == before
    # the killed dbt lets go of the build database, so the next scheduled run can start
    while time.monotonic() < deadline:
        try:
            duckdb.connect(str(build_database)).close()
            break
        except duckdb.IOException:
            time.sleep(0.1)
    else:
        pytest.fail("the build database is still locked after the kill")


def test_a_failure_while_publishing_leaves_the_last_publish_untouched(published: Path) -> None:
    before = fingerprint(published)
    tables = [("marts", "fct_leads"), ("marts", "no_such_mart")]
    with pytest.raises(duckdb.CatalogException):
        publish(
            published / "build" / "revenue_engine.duckdb",
            published / "analytics.duckdb",
            published / "parquet",
            tables,
        )
    assert fingerprint(published) == before
    assert [path.name for path in (published / "releases").iterdir()] == [
        (published / "current").resolve().name
    ]


def test_the_next_publish_removes_what_a_killed_publish_left(published: Path) -> None:
    live = (published / "current").resolve()
    leftover = published / "releases" / "999999"  # a publish killed half-way through
    (leftover / "parquet").mkdir(parents=True)
    (leftover / "analytics.duckdb").write_bytes(b"half a file")
    (published / "current.next").symlink_to("releases/999999")

    counts = publish(
        published / "build" / "revenue_engine.duckdb",
        published / "analytics.duckdb",
        published / "parquet",
        sorted((schema, name) for schema, name in (m.split(".", 1) for m in public_models())),
    )

    assert counts
    assert not leftover.exists() and not (published / "current.next").exists()
    assert not live.exists()  # the release it replaced is gone too
    assert (published / "current").resolve().parent == published / "releases"
    with duckdb.connect(str(published / "analytics.duckdb"), read_only=True) as connection:
        ids = connection.execute(
            "select distinct publish_id from audit.publish_history order by 1"
        ).fetchall()
    assert len(ids) >= 2  # the history carried over, one more publish recorded


def test_a_reader_is_never_blocked_and_never_sees_partial_data(
    published: Path, raw_data: dict[str, Path]
) -> None:
    database = published / "analytics.duckdb"
    reader = duckdb.connect(str(database), read_only=True)
    snapshot = reader.execute("select count(*), sum(icp_score) from marts.fct_leads").fetchone()

    log = published / "reader.log"
    # another company entirely: an intended change the publish guard would otherwise block
    process = start_pipeline(
        raw_data["second"], published, log, {"REVENUE_ENGINE_ACCEPT_CHANGES": "1"}
    )
    reads = 0
    while process.poll() is None:
        # the reader keeps answering from its snapshot while the new build runs and publishes
        assert (
            reader.execute("select count(*), sum(icp_score) from marts.fct_leads").fetchone()
            == snapshot
        )
        reads += 1
        time.sleep(0.05)
    assert process.returncode == 0, log.read_text()[-4000:]
    assert reads > 10
    assert (
        reader.execute("select count(*), sum(icp_score) from marts.fct_leads").fetchone()
        == snapshot
    )

    # a new connection sees the new publish, complete, even in a process whose old connection is
    # still open (a BI tool's pool): each release is its own file, so DuckDB opens a new instance
    with duckdb.connect(str(database), read_only=True) as fresh:
        assert (
            fresh.execute("select count(*), sum(icp_score) from marts.fct_leads").fetchone()
            != snapshot
        )
    reader.close()
    assert set(mart_counts(database)) == public_models() | {"audit.publish_history"}
