"""Personal data: every personal column of the raw contract is tagged in the source YAML
(`config.meta.personal_data`), and none of it reaches a published table, except where the source
YAML says so (`published_as`: the owner's and their manager's names in the stalled-deal review,
whom to ask).

The proof is on the data: every personal value of the demo company's raw files (read from the
columns the manifest tags) is looked for in every text column of the published warehouse.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import duckdb
import pytest

from revenue_engine.loaders.contract import CONTRACT

pytestmark = pytest.mark.slow  # builds warehouses: `make test-fast` skips it

PROJECT_DIR = Path(__file__).resolve().parents[2]
# What the raw contract holds about people: these must be tagged (a new one must be added here).
EXPECTED_PERSONAL = {
    "salesforce.user.name",
    "salesforce.user.email",
    "salesforce.lead.first_name",
    "salesforce.lead.last_name",
    "salesforce.lead.email",
    "salesforce.lead.phone",
    "salesforce.contact.first_name",
    "salesforce.contact.last_name",
    "salesforce.contact.email",
    "salesforce.task.subject",
}


def tagged_columns() -> dict[str, list[str]]:
    """`source.table.column` -> where it may be published (published_as), from the manifest."""
    manifest = json.loads((PROJECT_DIR / "target" / "manifest.json").read_text())
    found = {}
    for source in manifest["sources"].values():
        if source["package_name"] != "revenue_engine":
            continue
        for name, column in source["columns"].items():
            meta = column.get("meta") or column.get("config", {}).get("meta", {})
            if meta.get("personal_data"):
                key = f"{source['source_name']}.{source['name']}.{name}"
                found[key] = list(meta.get("published_as", []))
    return found


def test_every_personal_column_of_the_contract_is_tagged() -> None:
    assert set(tagged_columns()) == EXPECTED_PERSONAL
    for key in EXPECTED_PERSONAL:  # and each is a column of the contract
        source, table, column = key.split(".")
        assert column in CONTRACT[f"{source}/{table}"].names, key


def test_no_personal_value_reaches_a_published_table(demo_warehouse: object) -> None:
    raw: Path = demo_warehouse.raw_data_dir  # type: ignore[attr-defined]
    published: Path = demo_warehouse.published_database  # type: ignore[attr-defined]
    tagged = tagged_columns()
    with duckdb.connect() as connection:
        values: dict[str, set[str]] = {}
        for key in tagged:
            source, table, column = key.split(".")
            if column == "last_name":
                continue  # searched with the first name: a surname alone ("Price") is a common word
            expression = f"cast({column} as varchar)"
            if column == "first_name":
                expression = "first_name || ' ' || last_name"
            rows = connection.execute(
                f"select distinct {expression} from "
                f"read_parquet('{raw / source / (table + '.parquet')}') "
                f"where {expression} is not null and length(trim({expression})) > 3"
            ).fetchall()
            values[key] = {value for (value,) in rows}
        assert all(values.values()), "the demo company should hold personal data to look for"
        connection.execute(f"attach '{published}' as published (read_only)")
        text_columns = connection.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where database_name = 'published' and data_type = 'VARCHAR'"
        ).fetchall()
        leaks, allowed_hits = [], []
        for schema, table, column in text_columns:
            cells = {
                value
                for (value,) in connection.execute(
                    f'select distinct "{column}" from published."{schema}"."{table}"'
                ).fetchall()
            }
            for key, personal in values.items():
                allowed = f"{table}.{column}" in tagged[key]
                if cells & personal:
                    (allowed_hits if allowed else leaks).append(f"{schema}.{table}.{column}")
    assert not leaks, leaks
    # the documented exception holds owner names: the search finds personal values where they are
    assert sorted(allowed_hits) == [
        "marts.rpt_stalled_deals.owner_manager_name",
        "marts.rpt_stalled_deals.owner_name",
    ]


def test_the_build_database_is_not_world_readable(demo_warehouse: object) -> None:
    build: Path = demo_warehouse.build_database  # type: ignore[attr-defined]
    mode = stat.S_IMODE(build.parent.stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0, oct(mode)


@pytest.mark.parametrize("model", ["stg_salesforce__leads", "stg_salesforce__contacts"])
def test_staging_keeps_no_personal_column(model: str) -> None:
    manifest = json.loads((PROJECT_DIR / "target" / "manifest.json").read_text())
    node = manifest["nodes"][f"model.revenue_engine.{model}"]
    sql = node["raw_code"]
    for column in ("first_name", "last_name", "email", "phone"):
        assert f" as {column}," not in sql and f" as {column}\n" not in sql, (model, column)
