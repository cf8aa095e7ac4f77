"""Tests of the Maven CRM loader (`revenue_engine.loaders.maven_crm`).

The loader runs once per module into a temporary folder; every assertion reads the written
Parquet files and compares them with figures computed independently, with pandas, from the
original CSVs in `examples/maven_crm`. The table and column lists come from the contract's one
definition, the source YAML (`revenue_engine.contract`).
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_engine.contract import load_contract
from revenue_engine.loaders.contract import CONTRACT
from revenue_engine.loaders.maven_crm import (
    MavenExportError,
    account_id,
    load_maven_crm,
    main,
    user_id,
)

DATASET = Path(__file__).resolve().parents[2] / "examples/maven_crm"
LOADED_AT = datetime(2018, 1, 1)  # midnight after the export's latest date, 2017-12-31


CONTRACT_TABLES = {key: table.column_names for key, table in load_contract().items()}
EMPTY_TABLES = [
    "salesforce/lead",
    "salesforce/contact",
    "salesforce/task",
    "salesforce/campaign",
    "salesforce/campaign_member",
    "salesforce/opportunity_contact_role",
    "google_ads/campaign_stats",
    "linkedin_ads/ad_analytics_by_campaign",
    "facebook_ads/basic_campaign",
    "finance/expenses",
    "finance/fx_rates",
    "billing/subscription",
]


def read_source(file: str) -> pd.DataFrame:
    """An export file as pandas reads it by default (blank cells are NaN)."""
    return pd.read_csv(DATASET / file)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Run the loader once for the module; return the output folder and its counts."""
    out = tmp_path_factory.mktemp("maven_raw")
    return out, load_maven_crm(DATASET, out)


@pytest.fixture(scope="module")
def out(loaded: tuple[Path, dict[str, int]]) -> Path:
    """The loader's output folder (RAW_DATA_DIR)."""
    return loaded[0]


@pytest.fixture(scope="module")
def counts(loaded: tuple[Path, dict[str, int]]) -> dict[str, int]:
    """The rows the loader reported per table."""
    return loaded[1]


def read(out: Path, table: str) -> pd.DataFrame:
    """A written table as a DataFrame."""
    return pq.read_table(out / f"{table}.parquet").to_pandas()


@pytest.fixture(scope="module")
def pipeline() -> pd.DataFrame:
    """sales_pipeline.csv, read independently of the loader."""
    return read_source("sales_pipeline.csv")


@pytest.fixture(scope="module")
def opportunities(out: Path) -> pd.DataFrame:
    """The written salesforce/opportunity, indexed by id."""
    return read(out, "salesforce/opportunity").set_index("id", drop=False)


def copy_dataset(target: Path) -> Path:
    """A writable copy of the export, to inject dirt into."""
    shutil.copytree(DATASET, target)
    return target


# --- the contract ----------------------------------------------------------------------


def test_every_contract_table_written_with_contract_columns_in_order(
    out: Path, counts: dict[str, int]
) -> None:
    assert set(counts) == set(CONTRACT_TABLES)
    for table, columns in CONTRACT_TABLES.items():
        schema = pq.read_schema(out / f"{table}.parquet")
        assert schema.names[: len(columns)] == columns, table
        extras = schema.names[len(columns) :]
        assert all(name.startswith("maven_") for name in extras), (table, extras)
        for column in columns:
            assert schema.field(column).type == CONTRACT[table].field(column).type, (
                table,
                column,
            )
        assert pq.read_metadata(out / f"{table}.parquet").num_rows == counts[table], table


def test_arrow_types_follow_the_conventions(out: Path) -> None:
    for table in CONTRACT_TABLES:
        schema = pq.read_schema(out / f"{table}.parquet")
        for field in schema:
            name = field.name
            if name in ("_fivetran_synced", "_loaded_at", "created_date") or name.endswith("_at"):
                assert field.type == pa.timestamp("us"), (table, name)
            elif name.startswith(("is_", "has_")):
                assert field.type == pa.bool_(), (table, name)
            elif name == "id" or name.endswith("_id"):
                assert field.type == pa.string(), (table, name)
    opportunity = pq.read_schema(out / "salesforce/opportunity.parquet")
    assert opportunity.field("close_date").type == pa.date32()
    assert opportunity.field("amount").type == pa.float64()
    account = pq.read_schema(out / "salesforce/account.parquet")
    assert account.field("number_of_employees").type == pa.int64()


def test_tables_without_data_are_empty_and_typed(out: Path, counts: dict[str, int]) -> None:
    for table in EMPTY_TABLES:
        written = pq.read_table(out / f"{table}.parquet")
        assert written.num_rows == 0 and counts[table] == 0, table
        assert written.schema.equals(CONTRACT[table]), table


# --- opportunities ---------------------------------------------------------------------


def test_every_deal_is_written_once(
    counts: dict[str, int], pipeline: pd.DataFrame, opportunities: pd.DataFrame
) -> None:
    assert len(pipeline) == 8_800
    assert counts["salesforce/opportunity"] == len(opportunities) == 8_800
    assert opportunities["id"].is_unique
    assert set(opportunities["id"]) == set(pipeline["opportunity_id"])


def test_stages_verbatim_and_flags(pipeline: pd.DataFrame, opportunities: pd.DataFrame) -> None:
    expected = pipeline["deal_stage"].value_counts().to_dict()
    assert opportunities["stage_name"].value_counts().to_dict() == expected
    stage = opportunities["stage_name"]
    assert (opportunities["is_closed"] == stage.isin(["Won", "Lost"])).all()
    assert (opportunities["is_won"] == (stage == "Won")).all()
    assert opportunities["is_won"].sum() == (pipeline["deal_stage"] == "Won").sum() == 4_238
    probability = opportunities.groupby("stage_name")["probability"].unique().to_dict()
    assert [float(p) for p in probability["Won"]] == [100.0]
    assert [float(p) for p in probability["Lost"]] == [0.0]
    assert set(opportunities["forecast_category"]) == {"Pipeline", "Closed", "Omitted"}


def test_amounts(pipeline: pd.DataFrame, opportunities: pd.DataFrame) -> None:
    won = pipeline[pipeline["deal_stage"] == "Won"]
    written_won = opportunities[opportunities["is_won"]]
    assert written_won["amount"].sum() == pytest.approx(won["close_value"].sum())
    assert written_won["amount"].sum() == pytest.approx(10_005_534)
    assert written_won["amount"].notna().all()
    # Open and lost deals carry their product's list price; a lost deal's close value (0) is
    # kept aside.
    prices = pd.read_csv(DATASET / "products.csv")
    price_by_key = dict(
        zip(prices["product"].str.replace(" ", "").str.lower(), prices["sales_price"], strict=True)
    )
    not_won = pipeline[pipeline["deal_stage"] != "Won"]
    expected = not_won["product"].str.replace(" ", "").str.lower().map(price_by_key)
    written = opportunities.loc[not_won["opportunity_id"], "amount"]
    assert written.to_numpy() == pytest.approx(expected.to_numpy(dtype=float), nan_ok=True)
    assert written.notna().all() and len(written) == 2_089 + 2_473
    lost = opportunities[opportunities["stage_name"] == "Lost"]
    assert (lost["maven_close_value"] == 0).all()
    assert (opportunities["currency_iso_code"] == "USD").all()


def test_open_deals_have_no_close(pipeline: pd.DataFrame, opportunities: pd.DataFrame) -> None:
    open_ids = pipeline.loc[
        pipeline["deal_stage"].isin(["Prospecting", "Engaging"]), "opportunity_id"
    ]
    open_deals = opportunities.loc[open_ids]
    assert len(open_deals) == 2_089
    assert open_deals["close_date"].isna().all()
    assert not open_deals["is_closed"].any()


def test_hand_picked_deal(opportunities: pd.DataFrame) -> None:
    deal = opportunities.loc["1C1I7A6R"]
    assert deal["stage_name"] == "Won"
    assert deal["amount"] == 1054
    assert deal["close_date"] == date(2017, 3, 1)
    assert deal["created_date"] == pd.Timestamp("2016-10-20")
    assert deal["name"] == "GTX Plus Basic - Cancity"
    assert deal["account_id"] == account_id("Cancity")
    assert deal["owner_id"] == user_id("Moses Frase")
    assert deal["type"] == "New Business"
    assert bool(deal["is_closed"]) and bool(deal["is_won"]) and not bool(deal["is_deleted"])


def test_products_normalised_original_kept(
    pipeline: pd.DataFrame, opportunities: pd.DataFrame
) -> None:
    products = set(read_source("products.csv")["product"])
    assert "GTXPro" in set(pipeline["product"]) and "GTXPro" not in products
    assert set(opportunities["maven_product_name"]) == products
    deal = opportunities.loc["Z063OYW0"]
    assert deal["name"] == "GTX Pro - Isdom"
    assert deal["maven_product"] == "GTXPro"
    assert (opportunities["maven_product"] == pipeline.set_index("opportunity_id")["product"]).all()


def test_missing_engage_date_and_account_stay_null(
    pipeline: pd.DataFrame, opportunities: pd.DataFrame
) -> None:
    by_id = pipeline.set_index("opportunity_id").loc[opportunities.index]
    no_engage = by_id["engage_date"].isna()
    assert no_engage.sum() == 500
    assert (opportunities["created_date"].isna() == no_engage).all()
    engaged = ~no_engage
    assert (
        opportunities.loc[engaged, "created_date"]
        == pd.to_datetime(by_id.loc[engaged, "engage_date"])
    ).all()
    no_account = by_id["account"].isna()
    assert no_account.sum() == 1_425
    assert (opportunities["account_id"].isna() == no_account).all()
    assert (
        opportunities.loc[no_account, "name"] == opportunities.loc[no_account, "maven_product_name"]
    ).all()


def test_references_resolve(out: Path, pipeline: pd.DataFrame, opportunities: pd.DataFrame) -> None:
    users = read(out, "salesforce/user")
    accounts = read(out, "salesforce/account")
    assert set(opportunities["owner_id"]) <= set(users["id"])
    assert opportunities["owner_id"].notna().all()
    for agent in pipeline["sales_agent"].unique():
        assert user_id(agent) in set(users["id"]), agent
    assert set(opportunities["account_id"].dropna()) <= set(accounts["id"])


def test_single_deterministic_load_time(out: Path) -> None:
    for table in CONTRACT_TABLES:
        written = pq.read_table(out / f"{table}.parquet")
        for column in ("_fivetran_synced", "_loaded_at"):
            if column in written.column_names and written.num_rows:
                assert set(written.column(column).to_pylist()) == {LOADED_AT}, table


# --- opportunity history ---------------------------------------------------------------


def test_history_one_row_per_known_stage_event(out: Path, pipeline: pd.DataFrame) -> None:
    history = read(out, "salesforce/opportunity_history")
    engaged = pipeline[
        pipeline["deal_stage"].isin(["Engaging", "Won", "Lost"]) & pipeline["engage_date"].notna()
    ]
    closed = pipeline[pipeline["deal_stage"].isin(["Won", "Lost"]) & pipeline["close_date"].notna()]
    assert len(history) == len(engaged) + len(closed) == 15_011
    assert history["id"].is_unique
    assert (history["stage_name"] == "Engaging").sum() == len(engaged)
    assert history["stage_name"].value_counts()[["Won", "Lost"]].sum() == len(closed)
    prospecting = set(pipeline.loc[pipeline["deal_stage"] == "Prospecting", "opportunity_id"])
    assert not prospecting & set(history["opportunity_id"])
    won_events = history[history["stage_name"] == "Won"].set_index("opportunity_id")
    event = won_events.loc["1C1I7A6R"]
    assert event["created_date"] == pd.Timestamp("2017-03-01")
    assert event["amount"] == 1054 and event["close_date"] == date(2017, 3, 1)
    assert won_events["amount"].sum() == pytest.approx(10_005_534)


# --- accounts and users ----------------------------------------------------------------


def test_accounts(out: Path, counts: dict[str, int], pipeline: pd.DataFrame) -> None:
    source = read_source("accounts.csv")
    accounts = read(out, "salesforce/account").set_index("name", drop=False)
    assert len(source) == 85
    assert counts["salesforce/account"] == len(accounts) == 85  # every deal's account is known
    assert accounts["id"].is_unique
    assert (
        accounts.loc[source["account"], "id"] == [account_id(n) for n in source["account"]]
    ).all()
    acme = accounts.loc["Acme Corporation"]
    assert acme["industry"] == "Technology" and acme["maven_sector"] == "technolgy"
    assert acme["annual_revenue"] == 1_100_040_000.0
    assert acme["number_of_employees"] == 2822
    assert accounts.loc["Bioholding", "billing_country"] == "PH"  # 'Philipines'
    assert accounts.loc["Hottechi", "billing_country"] == "KR"
    assert accounts.loc[source["account"], "annual_revenue"].to_numpy() == pytest.approx(
        (source["revenue"] * 1_000_000).to_numpy()
    )
    expected_industries = {
        "Technology" if sector == "technolgy" else sector.title() for sector in source["sector"]
    }
    assert set(accounts["industry"]) == expected_industries
    with_won = set(pipeline.loc[pipeline["deal_stage"] == "Won", "account"].dropna())
    expected_type = ["Customer" if name in with_won else "Prospect" for name in accounts["name"]]
    assert accounts["type"].tolist() == expected_type
    assert accounts["created_date"].isna().all() and not accounts["is_deleted"].any()
    assert accounts.loc["Bluth Company", "maven_parent_account_id"] == account_id(
        "Acme Corporation"
    )


def test_users(out: Path, counts: dict[str, int]) -> None:
    teams = read_source("sales_teams.csv")
    users = read(out, "salesforce/user").set_index("name", drop=False)
    managers = set(teams["manager"])
    assert counts["salesforce/user"] == len(users) == len(teams) + len(managers) == 41
    assert users["id"].is_unique and users["is_active"].all()
    for row in teams.itertuples():
        agent = users.loc[row.sales_agent]
        assert agent["department"] == "Account Executive"
        assert agent["title"] == f"Sales Agent - {row.regional_office}"
        assert agent["manager_id"] == user_id(row.manager)
    for manager in managers:
        assert users.loc[manager, "department"] == "Sales Management"
        assert pd.isna(users.loc[manager, "manager_id"])
    assert set(users["manager_id"].dropna()) <= set(users["id"])


# --- determinism, overrides and dirt ---------------------------------------------------


def test_two_runs_write_identical_bytes(out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    load_maven_crm(DATASET, again)
    for table in CONTRACT_TABLES:
        path = f"{table}.parquet"
        assert (out / path).read_bytes() == (again / path).read_bytes(), table


def test_cli_writes_tables_and_overrides_load_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cli"
    code = main(
        ["--source", str(DATASET), "--out", str(target), "--loaded-at", "2018-02-01T06:30:00Z"]
    )
    assert code == 0
    assert "salesforce/opportunity" in capsys.readouterr().out
    synced = pq.read_table(target / "salesforce/user.parquet").column("_fivetran_synced")
    assert set(synced.to_pylist()) == {datetime(2018, 2, 1, 6, 30)}


def test_unknown_country_raises_naming_the_value(tmp_path: Path) -> None:
    source = copy_dataset(tmp_path / "export")
    accounts = (source / "accounts.csv").read_text(encoding="utf-8")
    (source / "accounts.csv").write_text(accounts.replace("Kenya", "Atlantis"), encoding="utf-8")
    with pytest.raises(
        MavenExportError, match=r"line 4 \(Betatech\): unknown office_location 'Atlantis'"
    ):
        load_maven_crm(source, tmp_path / "out")


def test_cli_reports_errors_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy_dataset(tmp_path / "export")
    pipeline = (source / "sales_pipeline.csv").read_text(encoding="utf-8")
    (source / "sales_pipeline.csv").write_text(
        pipeline.replace("close_value", "value", 1), encoding="utf-8"
    )
    assert main(["--source", str(source), "--out", str(tmp_path / "out")]) == 2
    assert "missing column(s) ['close_value']" in capsys.readouterr().err


def test_unknown_account_agent_and_product_are_kept(tmp_path: Path) -> None:
    source = copy_dataset(tmp_path / "export")
    with (source / "sales_pipeline.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "ZZTEST01,Jane Newhire,mg  advanced,Newco Ltd,Won,2017-11-01,2017-12-01,3100\n"
        )
    counts = load_maven_crm(source, tmp_path / "out")
    assert counts["salesforce/opportunity"] == 8_801
    assert counts["salesforce/account"] == 86
    assert counts["salesforce/user"] == 42
    deal = read(tmp_path / "out", "salesforce/opportunity").set_index("id").loc["ZZTEST01"]
    assert deal["name"] == "MG Advanced - Newco Ltd"
    assert deal["maven_product"] == "mg  advanced"
    accounts = read(tmp_path / "out", "salesforce/account").set_index("id")
    added = accounts.loc[deal["account_id"]]
    assert added["name"] == "Newco Ltd" and added["maven_origin"] == "sales_pipeline.csv"
    assert added["type"] == "Customer" and pd.isna(added["billing_country"])
    users = read(tmp_path / "out", "salesforce/user").set_index("id")
    newhire = users.loc[deal["owner_id"]]
    assert newhire["name"] == "Jane Newhire" and newhire["department"] == "Account Executive"
    assert newhire["maven_origin"] == "sales_pipeline.csv"
