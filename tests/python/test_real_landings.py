"""Real landings publish on their first night, with no configuration, and every row is counted.

A corpus of landings in the shapes real loaders produce, each with expectations computed here from
the files (pandas), never from the models:

- the Fivetran connector's own published Salesforce sample (tests/fixtures/fivetran_salesforce: six
  tables synced months apart, `_fivetran_active` null on three of them, inactive history versions on
  three others, soft deletes): it builds and publishes; every live lead and opportunity reaches the
  marts and the reconciliation counts every row of every file;
- the demo company as another loader lands it: Salesforce API names (`StageName`, `IsWon`,
  `MQL_Date__c`, `OpportunityHistory.parquet`) and Airbyte's columns (`_airbyte_extracted_at`,
  `_airbyte_raw_id`, no `_fivetran_synced`): every public mart equals the demo build's;
- the demo company with its slowly changing tables synced weeks before the rest, `_fivetran_active`
  present and null on lead, contact and task, and header-only optional tables: it publishes, its
  leads mart equal to the demo build's;
- a landing whose load times are later than the moment the run started fails, naming the table;
- a table landed twice (Parquet and CSV) is refused, naming both files;
- an unnamed filter between the file and the marts fails the reconciliation (the test re-runs the
  reconciliation's own compiled SQL after dropping staged rows without a reason).
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from processes import passed, pipeline, warehouse_env

from tests.python.conftest import DemoWarehouse

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "fivetran_salesforce"
SAMPLE_TABLES = ["account", "user", "lead", "contact", "opportunity", "task"]
API_TABLE_NAMES = {
    "opportunity_history": "OpportunityHistory",
    "opportunity_contact_role": "OpportunityContactRole",
    "campaign_member": "CampaignMember",
}


def published_marts(database: Path) -> dict[str, pd.DataFrame]:
    """Every public mart of a published file, rows in a stable order."""
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by table_name"
            ).fetchall()
        ]
        marts = {}
        for name in names:
            frame = connection.execute(f'select * from marts."{name}"').df()
            marts[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return marts


def sample_frame(table: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{table}.csv", dtype=str, keep_default_na=False)


def is_true(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower() == "true"


def live_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a reader of the connector keeps: active (null is active) and not deleted."""
    active = ~(frame["_fivetran_active"].str.strip().str.lower() == "false")
    deleted_column = "is_deleted" if "is_deleted" in frame else "_fivetran_deleted"
    return frame[active & ~is_true(frame[deleted_column])]


# --- the connector's own sample ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("fivetran_sample")
    (root / "raw" / "salesforce").mkdir(parents=True)
    for table in SAMPLE_TABLES:
        shutil.copy(SAMPLE / f"{table}.csv", root / "raw" / "salesforce" / f"{table}.csv")
    env = warehouse_env(root / "warehouse", root / "raw", target=root / "target")
    output = passed(pipeline(env))
    return root / "warehouse", output


def test_the_connector_sample_publishes_with_no_configuration(sample_build: tuple[Path, str]):
    warehouse, output = sample_build
    assert (warehouse / "analytics.duckdb").exists()
    assert "Published" in output


def test_every_row_of_the_sample_files_is_counted(sample_build: tuple[Path, str]):
    warehouse, _ = sample_build
    with duckdb.connect(str(warehouse / "build" / "revenue_engine.duckdb"), read_only=True) as db:
        reconciliation = db.execute(
            "select source_table, raw_rows, inactive_history_rows, is_reconciled "
            "from audit.audit_raw_row_reconciliation"
        ).df()
    counted = reconciliation.set_index("source_table")
    for table in SAMPLE_TABLES:
        frame = sample_frame(table)
        inactive = (frame["_fivetran_active"].str.strip().str.lower() == "false").sum()
        row = counted.loc[f"salesforce.{table}"]
        assert row["raw_rows"] == len(frame), table  # every row of the file, before any filter
        assert row["inactive_history_rows"] == inactive, table
        assert bool(row["is_reconciled"]), table
    # the tables whose _fivetran_active is null hold every row: nothing was lost to the filter
    assert counted.loc["salesforce.contact", "raw_rows"] == 4
    assert counted.loc["salesforce.task", "raw_rows"] == 10


def test_every_live_lead_and_opportunity_reaches_the_marts(sample_build: tuple[Path, str]):
    warehouse, _ = sample_build
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as published:
        leads = {
            row[0] for row in published.execute("select lead_id from marts.fct_leads").fetchall()
        }
        deals = {
            row[0]
            for row in published.execute(
                "select opportunity_id from marts.fct_opportunities"
            ).fetchall()
        }
        accounts = {
            row[0]
            for row in published.execute("select account_id from marts.dim_accounts").fetchall()
        }
    assert leads == set(live_rows(sample_frame("lead"))["id"])
    assert len(leads) == 1  # the lead whose _fivetran_active is null
    assert deals == set(live_rows(sample_frame("opportunity"))["id"])  # every one is soft-deleted
    assert accounts == set(live_rows(sample_frame("account"))["id"])


def test_tables_synced_months_apart_only_warn(sample_build: tuple[Path, str]):
    """An export from 2019: each table against the freshest one's load, warnings only."""
    _, output = sample_build
    quality = output[output.index("Quality:") : output.index("Data Docs:")]
    assert "FAILED" not in quality
    assert (
        "raw.salesforce.opportunity._fivetran_synced: latest _fivetran_synced within 3 days of "
        "the freshest table's load (2019-11-26 20:18; an export: warnings only)" in quality
    )
    assert "raw.salesforce.user._fivetran_synced" not in quality  # the freshest table itself


def test_a_filter_that_drops_rows_without_naming_them_fails_reconciliation(
    sample_build: tuple[Path, str], tmp_path: Path
):
    """The bug this replaces: a landing filter dropped every lead before anything counted them, and
    the reconciliation, counting after the filter, said all was well. Here the lead is dropped
    between the file and the marts without a reason; the reconciliation's SQL and test say so."""
    warehouse, _ = sample_build
    copy = tmp_path / "revenue_engine.duckdb"  # the catalog name the compiled SQL uses
    shutil.copy(warehouse / "build" / "revenue_engine.duckdb", copy)
    compiled = warehouse.parent / "target" / "compiled" / "revenue_engine"
    reconciliation_sql = (compiled / "models/audit/audit_raw_row_reconciliation.sql").read_text()
    test_sql = (compiled / "tests/audit/assert_raw_rows_reconcile.sql").read_text()
    with duckdb.connect(str(copy)) as db:
        assert db.execute(test_sql).fetchall() == []  # as built: every row counted
        db.execute("delete from intermediate.int_leads_validated")  # an unnamed filter
        db.execute(
            f"create or replace table audit.audit_raw_row_reconciliation as {reconciliation_sql}"
        )
        reconciled = db.execute(
            "select raw_rows, staged_rows, is_reconciled from audit.audit_raw_row_reconciliation "
            "where source_table = 'salesforce.lead'"
        ).fetchone()
        failing = [row[0] for row in db.execute(test_sql).fetchall()]
    assert reconciled == (1, 0, False)
    assert failing == ["salesforce.lead"]


# --- another loader's naming ---------------------------------------------------------------------


def api_name(column: str) -> str:
    """The Salesforce API spelling of a contract column: `stage_name` -> `StageName`,
    `mql_date__c` -> `Mql_Date__c` (a custom field keeps its underscores), `id` -> `Id`."""
    if column.endswith("__c"):
        return "_".join(part.capitalize() for part in column[:-3].split("_")) + "__c"
    return "".join(part.capitalize() for part in column.split("_"))


def airbyte_shape(table: pa.Table) -> pa.Table:
    """Salesforce API names, Airbyte's load time (timestamptz) and bookkeeping columns."""
    frame = table.to_pandas()
    extracted = pd.to_datetime(frame.pop("_fivetran_synced")).dt.tz_localize("UTC")
    frame.columns = [api_name(name) for name in frame.columns]
    frame["_airbyte_raw_id"] = [str(uuid.uuid4()) for _ in range(len(frame))]
    frame["_airbyte_extracted_at"] = extracted
    frame["_airbyte_meta"] = '{"changes": []}'
    return pa.Table.from_pandas(frame, preserve_index=False)


@pytest.fixture(scope="module")
def airbyte_build(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("airbyte")
    raw = root / "raw"
    shutil.copytree(demo_warehouse.raw_data_dir, raw)
    for path in sorted((raw / "salesforce").glob("*.parquet")):
        table = pq.read_table(path)
        path.unlink()
        name = API_TABLE_NAMES.get(path.stem, path.stem.capitalize())
        pq.write_table(airbyte_shape(table), raw / "salesforce" / f"{name}.parquet")
    env = warehouse_env(root / "warehouse", raw)
    output = passed(pipeline(env))
    assert "Published" in output
    return root / "warehouse"


def test_an_api_named_airbyte_landing_publishes_every_mart_equal(
    airbyte_build: Path, demo_warehouse: DemoWarehouse
):
    built = published_marts(airbyte_build / "analytics.duckdb")
    demo = published_marts(demo_warehouse.published_database)
    assert set(built) == set(demo)
    for name, frame in demo.items():
        pd.testing.assert_frame_equal(built[name], frame, check_dtype=False, obj=name)


def test_the_landing_plan_names_the_loader(airbyte_build: Path):
    with duckdb.connect(
        str(airbyte_build / "build" / "revenue_engine.duckdb"), read_only=True
    ) as db:
        loaders = dict(
            db.execute(
                "select distinct source_table, loader from audit.audit_raw_landing "
                "where source_table like 'salesforce.%'"
            ).fetchall()
        )
        stage = db.execute(
            "select status, landed_as from audit.audit_raw_landing "
            "where source_table = 'salesforce.opportunity' and column_name = 'stage_name'"
        ).fetchone()
        files = db.execute(
            "select distinct landed_file from audit.audit_raw_landing "
            "where source_table = 'salesforce.opportunity_history'"
        ).fetchone()
    assert set(loaders.values()) == {"airbyte + Salesforce API names"}
    assert stage == ("mapped", '"stagename"')
    assert files[0].endswith("salesforce/OpportunityHistory.parquet")


# --- a connector's schedule: tables synced weeks apart, null history columns ---------------------


@pytest.fixture(scope="module")
def weeks_apart_build(
    demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = tmp_path_factory.mktemp("weeks_apart")
    raw = root / "raw"
    shutil.copytree(demo_warehouse.raw_data_dir, raw)
    for name, weeks in (("account", 3), ("user", 5), ("campaign", 4)):
        path = raw / "salesforce" / f"{name}.parquet"
        frame = pq.read_table(path).to_pandas()
        latest = frame["_fivetran_synced"].max()
        frame["_fivetran_synced"] = frame["_fivetran_synced"].clip(
            upper=latest - timedelta(weeks=weeks)
        )
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    for name in ("lead", "contact", "task"):
        path = raw / "salesforce" / f"{name}.parquet"
        table = pq.read_table(path)
        pq.write_table(
            table.append_column("_fivetran_active", pa.nulls(len(table), pa.bool_())), path
        )
    for name in ("opportunity_contact_role", "campaign_member"):  # optional tables, header only
        path = raw / "salesforce" / f"{name}.parquet"
        columns = pq.read_schema(path).names
        path.unlink()
        (raw / "salesforce" / f"{name}.csv").write_text(",".join(columns) + "\n")
    output = passed(pipeline(warehouse_env(root / "warehouse", raw)))
    assert "Published" in output
    return root / "warehouse"


def test_tables_synced_weeks_apart_publish_every_lead(
    weeks_apart_build: Path, demo_warehouse: DemoWarehouse
):
    built = published_marts(weeks_apart_build / "analytics.duckdb")
    demo = published_marts(demo_warehouse.published_database)
    pd.testing.assert_frame_equal(built["fct_leads"], demo["fct_leads"], check_dtype=False)
    lead = pq.read_table(demo_warehouse.raw_data_dir / "salesforce" / "lead.parquet").to_pandas()
    live = lead[~lead["is_deleted"].fillna(False).astype(bool)]
    with duckdb.connect(
        str(weeks_apart_build / "build" / "revenue_engine.duckdb"), read_only=True
    ) as db:
        raw_rows, inactive = db.execute(
            "select raw_rows, inactive_history_rows from audit.audit_raw_row_reconciliation "
            "where source_table = 'salesforce.lead'"
        ).fetchone()
    assert raw_rows == len(lead) and inactive == 0
    assert len(built["fct_leads"]) <= live["id"].nunique()


# --- bad landings, named -------------------------------------------------------------------------


def small_landing(root: Path, synced: datetime) -> Path:
    raw = root / "raw" / "salesforce"
    raw.mkdir(parents=True)
    stamp = f"{synced:%Y-%m-%d %H:%M:%S}"
    (raw / "account.csv").write_text(
        f"id,name,_fivetran_synced\nA1,Acme,2024-01-01 00:00:00\nA2,Beta,{stamp}\n"
    )
    (raw / "opportunity.csv").write_text(
        "id,account_id,amount,stage_name,is_closed,is_won,created_date,close_date,_fivetran_synced\n"
        "O1,A1,1000,Closed Won,true,true,2024-01-02 00:00:00,2024-02-01,2024-02-02 00:00:00\n"
    )
    return root / "raw"


def test_a_load_later_than_the_run_start_fails_naming_the_table(tmp_path: Path):
    future = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=400)
    raw = small_landing(tmp_path, future)
    result = pipeline(warehouse_env(tmp_path / "warehouse", raw))
    assert result.returncode == 1
    assert (
        f"salesforce.account: latest load {future:%Y-%m-%d %H:%M:%S} is later than the moment "
        "this run started" in result.stderr
    )
    assert not (tmp_path / "warehouse" / "analytics.duckdb").exists()


def test_a_table_landed_twice_is_refused_naming_both_files(tmp_path: Path):
    raw = small_landing(tmp_path, datetime(2024, 2, 2))
    frame = pd.read_csv(raw / "salesforce" / "account.csv")
    frame.to_parquet(raw / "salesforce" / "Account.parquet")
    result = pipeline(warehouse_env(tmp_path / "warehouse", raw))
    assert result.returncode == 1
    assert "table salesforce.account landed as more than one file" in result.stderr
    assert "Account.parquet" in result.stderr and "account.csv" in result.stderr


@pytest.mark.parametrize(
    ("column", "value", "data_type"),
    [
        ("number_of_employees", "1.5", "bigint"),  # would be read as 2
        ("number_of_employees", "1_0", "bigint"),  # would be read as 10
        ("annual_revenue", '"1,000"', "double"),  # a thousands separator
    ],
)
def test_a_value_its_type_cannot_hold_exactly_fails_naming_it(
    tmp_path: Path, column: str, value: str, data_type: str
):
    raw = small_landing(tmp_path, datetime(2024, 2, 2))
    (raw / "salesforce" / "account.csv").write_text(
        f"id,name,{column},_fivetran_synced\nA1,Acme,{value},2024-01-01 00:00:00\n"
        f"A2,Beta,3328,2024-01-01 00:00:00\n"
    )
    result = pipeline(warehouse_env(tmp_path / "warehouse", raw))
    assert result.returncode == 1
    shown = value.strip('"')
    assert (
        f"salesforce.account column {column} has value '{shown}' that is not a {data_type}"
        in result.stderr
    ), result.stderr[-2000:]


def test_stage_names_the_seed_lacks_are_placed_by_the_records_own_flags(tmp_path: Path):
    """Anonymised stage names with only the record's flags: won and lost from is_closed/is_won,
    open stages ranked by probability (no mapped open stage to sit beside), qualified from the
    seed's first qualified order (2) on unless the forecast category is Omitted. Worked by hand."""
    raw = small_landing(tmp_path, datetime(2024, 2, 2))
    header = (
        "id,account_id,amount,stage_name,is_closed,is_won,probability,forecast_category,"
        "created_date,close_date,_fivetran_synced\n"
    )
    deals = [
        ("O1", "XqZ1", "true", "true", 100, "Closed"),
        ("O2", "XqZ1", "true", "true", 100, "Closed"),
        ("O3", "Lp9", "true", "false", 0, "Omitted"),
        ("O4", "Aa1", "false", "false", 10, "Pipeline"),
        ("O5", "Bb2", "false", "false", 60, "Best Case"),
        ("O6", "Cc3", "false", "false", 90, "Commit"),
        ("O7", "Om4", "false", "false", 40, "Omitted"),
    ]
    (raw / "salesforce" / "opportunity.csv").write_text(
        header
        + "".join(
            f"{deal},A1,1000,{stage},{closed},{won},{probability},{category},"
            "2024-01-02 00:00:00,2024-02-01,2024-02-02 00:00:00\n"
            for deal, stage, closed, won, probability, category in deals
        )
    )
    passed(pipeline(warehouse_env(tmp_path / "warehouse", raw)))
    with duckdb.connect(str(tmp_path / "warehouse" / "analytics.duckdb"), read_only=True) as db:
        placed = db.execute(
            "select opportunity_id, stage, is_won, is_lost, is_qualified_pipeline "
            "from marts.fct_opportunities order by opportunity_id"
        ).fetchall()
    with duckdb.connect(
        str(tmp_path / "warehouse/build/revenue_engine.duckdb"), read_only=True
    ) as db:
        orders = db.execute(
            "select stage, stage_order from intermediate.int_stage_names_resolved "
            "where resolved_by = 'record_flags' and not is_closed order by stage_order"
        ).fetchall()
    assert placed == [
        ("O1", "closed_won", True, False, False),
        ("O2", "closed_won", True, False, False),
        ("O3", "closed_lost", False, True, False),
        ("O4", "Aa1", False, False, False),  # the lowest probability: the first stage
        ("O5", "Bb2", False, False, True),
        ("O6", "Cc3", False, False, True),
        ("O7", "Om4", False, False, False),  # forecast category Omitted
    ]
    assert orders == [("Aa1", 1), ("Om4", 2), ("Bb2", 3), ("Cc3", 4)]


# --- opportunity in history mode ------------------------------------------------------------------

STATE = ("stage_name", "amount", "close_date")


def same_state(change: dict, deal: dict) -> bool:
    return all((pd.isna(change[c]) and pd.isna(deal[c])) or change[c] == deal[c] for c in STATE)


def latest_rows(path: Path) -> pd.DataFrame:
    frame = pq.read_table(path).to_pandas()
    return frame.sort_values("_fivetran_synced").drop_duplicates("id", keep="last")


def complete_history(raw: Path, as_of_start: datetime) -> None:
    """opportunity_history as a history-mode connector would have it: every live deal's current
    record is its last change. A deal whose record is not in its last change's stage, amount and
    close date gets a change at the moment the rebuild from opportunity_history starts the record's
    own state (its last load, at most as_of_date's start, not before the last change); a deal with
    no history gets one at its creation; a last change in the record's state takes its
    probability. Each change is then exactly one version of the deal."""
    path = raw / "salesforce" / "opportunity_history.parquet"
    changes = latest_rows(path)  # the latest load of each change; soft-deleted changes are gone
    changes = changes[changes["created_date"].notna() & ~changes["is_deleted"].fillna(False)]
    changes = changes.sort_values(["created_date", "id"])
    deals = latest_rows(raw / "salesforce" / "opportunity.parquet")
    last = changes.groupby("opportunity_id").tail(1).set_index("opportunity_id")
    added = []
    for deal in deals[~deals["is_deleted"]].to_dict("records"):
        if deal["id"] in last.index:
            change = last.loc[deal["id"]].to_dict()
            if same_state(change, deal):
                changes.loc[changes["id"] == change["id"], "probability"] = deal["probability"]
                continue
            start = max(change["created_date"], min(deal["_fivetran_synced"], as_of_start))
            if start == change["created_date"]:  # the record took the change's place at once
                changes = changes[changes["id"] != change["id"]]
        else:
            start = (
                deal["created_date"] if pd.notna(deal["created_date"]) else deal["_fivetran_synced"]
            )
        added.append(
            {
                "id": f"017DONE{len(added)}",
                "opportunity_id": deal["id"],
                "created_date": start,
                "stage_name": deal["stage_name"],
                "amount": deal["amount"],
                "close_date": deal["close_date"],
                "probability": deal["probability"],
                "is_deleted": False,
                "_fivetran_synced": deal["_fivetran_synced"],
            }
        )
    frame = pd.concat([changes, pd.DataFrame(added)], ignore_index=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def history_mode_opportunities(raw: Path) -> int:
    """The deals landed in history mode from a complete opportunity_history: each change is a
    version of its deal (the deal's other fields as its record has them; closed/won flags and
    forecast category from the stage mapping seed where it knows the stage, as the connector would
    hold them), the last one the current record itself, active; opportunity_history does not land.
    Returns the number of versions."""
    seed = pd.read_csv(Path(__file__).resolve().parents[2] / "seeds" / "stage_mapping.csv")
    flags = seed.set_index("raw_stage_name")[["is_closed", "is_won", "forecast_category"]]
    deals = latest_rows(raw / "salesforce" / "opportunity.parquet")
    changes = latest_rows(raw / "salesforce" / "opportunity_history.parquet")
    changes = changes.sort_values(["created_date", "id"])
    by_deal = dict(list(changes.groupby("opportunity_id")))
    versions = []
    for deal in deals.to_dict("records"):
        history = by_deal.get(deal["id"])
        if history is None:  # a soft-deleted deal: its record alone
            versions.append({**deal, "_fivetran_start": deal["_fivetran_synced"]})
            continue
        records = history.to_dict("records")
        for change in records[:-1]:
            version = {**deal, **{c: change[c] for c in (*STATE, "probability")}}
            known = change["stage_name"] in flags.index
            for column in ("is_closed", "is_won", "forecast_category"):
                version[column] = flags.loc[change["stage_name"], column] if known else None
            versions.append({**version, "_fivetran_start": change["created_date"]})
        assert deal["is_deleted"] or same_state(records[-1], deal)
        versions.append({**deal, "_fivetran_start": records[-1]["created_date"]})
    frame = pd.DataFrame(versions).sort_values(["id", "_fivetran_start"]).reset_index(drop=True)
    following = frame.groupby("id")["_fivetran_start"].shift(-1)
    frame["_fivetran_end"] = following.fillna(pd.Timestamp("9999-12-31 23:59:59"))
    frame["_fivetran_active"] = following.isna()
    frame["is_closed"] = frame["is_closed"].astype("boolean")
    frame["is_won"] = frame["is_won"].astype("boolean")
    (raw / "salesforce" / "opportunity_history.parquet").unlink()
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False),
        raw / "salesforce" / "opportunity.parquet",
    )
    return len(frame)


@pytest.fixture(scope="module")
def history_mode_builds(
    demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, int]:
    """The demo with a complete opportunity_history, and the same deals in history mode."""
    root = tmp_path_factory.mktemp("history_mode")
    with duckdb.connect(str(demo_warehouse.published_database), read_only=True) as db:
        as_of = db.execute("select max(date_day) from marts.dim_dates").fetchone()[0]
    recorded, versioned = root / "recorded" / "raw", root / "versioned" / "raw"
    shutil.copytree(demo_warehouse.raw_data_dir, recorded)
    complete_history(recorded, datetime.combine(as_of, datetime.min.time()))
    shutil.copytree(recorded, versioned)
    versions = history_mode_opportunities(versioned)
    for raw in (recorded, versioned):
        output = passed(pipeline(warehouse_env(raw.parent / "warehouse", raw)))
        assert "Published" in output
    return recorded.parent / "warehouse", versioned.parent / "warehouse", versions


@pytest.mark.parametrize(
    "mart",
    [
        "fct_pipeline_snapshots",
        "rpt_pipeline_movement",
        "rpt_pipeline_stalls",
        "fct_opportunity_stage_history",
        "rpt_stage_durations",
        "fct_opportunities",
    ],
)
def test_an_opportunity_table_in_history_mode_gives_the_same_pipeline_history(
    history_mode_builds: tuple[Path, Path, int], mart: str
):
    recorded, versioned, _ = history_mode_builds
    built = published_marts(versioned / "analytics.duckdb")[mart]
    expected = published_marts(recorded / "analytics.duckdb")[mart]
    assert len(expected) > 0
    pd.testing.assert_frame_equal(built, expected, check_dtype=False, obj=mart)


def test_every_version_is_counted(history_mode_builds: tuple[Path, Path, int]):
    _, versioned, versions = history_mode_builds
    with duckdb.connect(str(versioned / "build" / "revenue_engine.duckdb"), read_only=True) as db:
        row = db.execute(
            "select raw_rows, inactive_history_rows, is_reconciled "
            "from audit.audit_raw_row_reconciliation where source_table = 'salesforce.opportunity'"
        ).fetchone()
        deals = db.execute("select count(*) from salesforce.opportunity").fetchone()[0]
        sources = db.execute(
            "select distinct change_source from intermediate.int_opportunity_changes_validated"
        ).fetchall()
    assert row == (versions, versions - deals, True)
    assert sources == [("opportunity_versions",)]


def test_the_orgs_own_stage_definitions_place_stage_names_when_they_land(tmp_path: Path):
    """opportunity_stage (Salesforce's OpportunityStage metadata, here as the Salesforce API names
    it): its sort order orders the open stages even against their probabilities, and its flags
    decide a stage's deals carry no flags for. Worked by hand: S1 (sort 1) then S2 (sort 2), though
    S2's probability is lower; Z9 is closed won by its definition."""
    raw = small_landing(tmp_path, datetime(2024, 2, 2))
    (raw / "salesforce" / "opportunity.csv").write_text(
        "id,account_id,amount,stage_name,is_closed,is_won,probability,created_date,close_date,"
        "_fivetran_synced\n"
        "O1,A1,1000,S1,false,false,50,2024-01-02 00:00:00,2024-03-01,2024-02-02 00:00:00\n"
        "O2,A1,1000,S2,false,false,20,2024-01-02 00:00:00,2024-03-01,2024-02-02 00:00:00\n"
        "O3,A1,1000,Z9,,,100,2024-01-02 00:00:00,2024-02-01,2024-02-02 00:00:00\n"
    )
    (raw / "salesforce" / "OpportunityStage.csv").write_text(
        "Id,MasterLabel,ApiName,SortOrder,DefaultProbability,IsClosed,IsWon,ForecastCategory,"
        "IsActive,SystemModstamp\n"
        "ST1,S1,S1,1,50,false,false,Pipeline,true,2024-01-01 00:00:00\n"
        "ST2,S2,S2,2,20,false,false,Pipeline,true,2024-01-01 00:00:00\n"
        "ST9,Z9,Z9,9,100,true,true,Closed,true,2024-01-01 00:00:00\n"
    )
    passed(pipeline(warehouse_env(tmp_path / "warehouse", raw)))
    build = tmp_path / "warehouse/build/revenue_engine.duckdb"
    with duckdb.connect(str(build), read_only=True) as db:
        resolved = db.execute(
            "select raw_stage_name, stage, stage_order, is_closed, is_won, resolved_by "
            "from intermediate.int_stage_names_resolved where resolved_by != 'stage_mapping' "
            "order by raw_stage_name"
        ).fetchall()
        loader = db.execute(
            "select distinct loader from audit.audit_raw_landing "
            "where source_table = 'salesforce.opportunity_stage'"
        ).fetchall()
    assert resolved == [
        ("S1", "S1", 1, False, False, "opportunity_stage"),
        ("S2", "S2", 2, False, False, "opportunity_stage"),
        ("Z9", "closed_won", 7, True, True, "opportunity_stage"),
    ]
    assert loader == [("salesforce api (SystemModstamp) + Salesforce API names",)]
    with duckdb.connect(str(tmp_path / "warehouse/analytics.duckdb"), read_only=True) as db:
        won = db.execute(
            "select opportunity_id, stage, is_won, close_date from marts.fct_opportunities "
            "where is_won"
        ).fetchall()
    assert won == [("O3", "closed_won", True, date(2024, 2, 1))]  # no flags of its own
