"""The raw contract has one definition, the source YAML, and the repository stands on its own.

Fast: no dbt, no warehouse. `revenue_engine.contract` reads the YAML; these tests check what it
reads against hand-written expectations, that the page people read is the generated one, that a
contract missing what the project needs is refused by name, and that nothing tracked points
outside the repository.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from revenue_engine.contract import CONTRACT_DOC, load_contract, markdown
from revenue_engine.loaders.contract import CONTRACT
from revenue_engine.quality.marts import AD_SPEND
from revenue_engine.quality.raw import RAW_KEYS
from revenue_engine.settings import PROJECT_DIR


def test_seventeen_tables_with_their_keys() -> None:
    tables = load_contract()
    assert len(tables) == 17
    assert tables["salesforce/opportunity"].column_names[:3] == ["id", "account_id", "owner_id"]
    assert tables["google_ads/campaign_stats"].keys == ("campaign_id", "date")
    assert tables["linkedin_ads/ad_analytics_by_campaign"].keys == ("campaign_id", "day")
    assert tables["finance/fx_rates"].keys == ("currency_code", "date")
    assert tables["finance/fx_rates"].loaded_at is None
    assert tables["billing/subscription"].loaded_at == "_loaded_at"
    assert tables["salesforce/lead"].loaded_at == "_fivetran_synced"
    assert {key for t in tables.values() for key in t.keys} == {
        "id",
        "campaign_id",
        "date",
        "day",
        "currency_code",
    }


def test_arrow_types_follow_the_declared_types() -> None:
    opportunity = CONTRACT["salesforce/opportunity"]
    assert opportunity.field("amount").type == pa.float64()
    assert opportunity.field("close_date").type == pa.date32()
    assert opportunity.field("created_date").type == pa.timestamp("us")
    assert opportunity.field("is_won").type == pa.bool_()
    assert CONTRACT["google_ads/campaign_stats"].field("cost_micros").type == pa.int64()
    assert all(field.nullable for schema in CONTRACT.values() for field in schema)


def test_money_units_come_from_the_contract() -> None:
    google = load_contract()["google_ads/campaign_stats"]
    micros = google.column("cost_micros")
    assert (micros.currency, micros.divide_by) == ("currency_code", 1_000_000)
    # 2,500,000 micros are 2.50 in the account currency
    assert micros.amount_sql("2500000") == "try_cast(2500000 as double) / 1000000.0"
    assert AD_SPEND == {
        "google_ads/campaign_stats": ("try_cast(cost_micros as double) / 1000000.0", "date"),
        "linkedin_ads/ad_analytics_by_campaign": (
            "try_cast(cost_in_local_currency as double)",
            "day",
        ),
        "facebook_ads/basic_campaign": ("try_cast(spend as double)", "date"),
    }
    facebook = load_contract()["facebook_ads/basic_campaign"]
    assert [c.name for c in facebook.money_columns] == ["spend"]
    assert facebook.column("spend").currency == "account_currency"


def test_quality_suites_use_the_contract_keys() -> None:
    assert RAW_KEYS["salesforce/lead"] == ("id",)
    assert RAW_KEYS["facebook_ads/basic_campaign"] == ("campaign_id", "date")
    assert set(RAW_KEYS) == set(CONTRACT)


def test_the_contract_page_is_the_generated_one() -> None:
    page = (PROJECT_DIR / CONTRACT_DOC).read_text(encoding="utf-8")
    assert page == markdown(), f"{CONTRACT_DOC} is stale: run `revenue-engine contract --write`"
    assert (
        "| `google_ads/campaign_stats` | One row per campaign and day. | campaign_id, date |"
        in page
    )
    assert "divide by 1,000,000 for the currency amount" in page
    assert "personal data: published as rpt_stalled_deals.owner_name" in page
    assert "{{" not in page  # every doc() reference resolved


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for path in PROJECT_DIR.glob("models/staging/*/_*__sources.yml"):
        target = project / path.relative_to(PROJECT_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    shutil.copy(PROJECT_DIR / "models/_docs.md", project / "models/_docs.md")
    return project


def test_a_table_without_keys_is_refused_by_name(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    path = project / "models/staging/billing/_billing__sources.yml"
    path.write_text(path.read_text().replace("keys: [id]", "other: [id]"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"billing\.subscription: config\.meta\.keys is missing"):
        load_contract(project)


def test_a_key_that_is_not_a_column_is_refused_by_name(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    path = project / "models/staging/finance/_finance__sources.yml"
    text = path.read_text().replace("keys: [currency_code, date]", "keys: [currency, date]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"finance\.fx_rates: key 'currency' is not a column"):
        load_contract(project)


TEXT_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".toml", ".txt", ".cfg", ""}
NOT_TRACKED = {".git", ".venv", "warehouse", "data", "target", "logs", "dbt_packages"}


def test_nothing_points_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared|shared/(design|datasets|notes)/")
    offenders = []
    for path in PROJECT_DIR.rglob("*"):
        parts = path.relative_to(PROJECT_DIR).parts
        generated = "__pycache__" in parts or parts[0].endswith(".egg-info")
        if parts[0] in NOT_TRACKED or generated or not path.is_file():
            continue
        readable = path.suffix in TEXT_SUFFIXES and path.name != Path(__file__).name
        if readable and outside.search(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(str(path.relative_to(PROJECT_DIR)))
    assert offenders == []
