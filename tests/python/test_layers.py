"""Data flows one way: the layer rules, checked over the dbt manifest (`dbt parse`, no warehouse).

The dbt-project-evaluator idea, written as the project's own check (the package hub is out of
reach). A model's layer is its folder:

    staging < intermediate/checks < intermediate/<area>, intermediate/flags < marts < reports
    audit (reads anything; nothing reads it)

A model reads only its own layer or earlier ones; nothing reads audit; a report never reads a
report; marts and reports never read staging. Only staging, the checks (quarantine), the flags
(warnings about raw records: soft-deleted parents, conflicting copies) and audit read raw sources.
Every model is described; every public model has a tested primary key and an enforced contract.
Exceptions must be listed with the reason: no edge is one; three public models have no contract
(NO_CONTRACT: the org's own passthrough columns).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from revenue_engine.dbt import dbt_executable
from revenue_engine.settings import PROJECT_DIR

LAYERS = {
    "staging": 0,
    "intermediate/checks": 1,
    "intermediate": 2,
    "intermediate/flags": 2,
    "marts": 3,
    "reports": 4,
    "audit": 5,
}
READS_SOURCES = {"staging", "intermediate/checks", "intermediate/flags", "audit"}
# (model, parent) -> why the rule does not apply. Empty: every edge follows the rules.
EXCEPTIONS: dict[tuple[str, str], str] = {}
# Public models without an enforced contract, and why.
NO_CONTRACT = {
    name: "its columns are the org's own (var passthrough_columns), varying with the configuration"
    for name in (
        "dim_accounts_custom_fields",
        "fct_leads_custom_fields",
        "fct_opportunities_custom_fields",
    )
}


def layer(node: dict) -> str:
    """The layer of a model, from its folder (`models/<layer>/...`)."""
    parts = Path(node["original_file_path"]).parts
    if parts[0] != "models" or parts[1] not in {p.split("/")[0] for p in LAYERS}:
        raise AssertionError(f"{node['name']} is in no layer folder: {node['original_file_path']}")
    if parts[1] == "intermediate" and parts[2] in ("checks", "flags"):
        return f"intermediate/{parts[2]}"
    return parts[1]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("manifest")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DUCKDB_PATH": str(target / "parse.duckdb"),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),
    }
    result = subprocess.run(
        [dbt_executable(), "parse", "--no-partial-parse"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return json.loads((target / "manifest.json").read_text())


def models(manifest: dict) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "revenue_engine"
    }


def edges(manifest: dict) -> list[tuple[dict, dict]]:
    """(model, parent model) for every ref between the project's models."""
    nodes = models(manifest)
    return [
        (node, nodes[parent])
        for node in nodes.values()
        for parent in node["depends_on"]["nodes"]
        if parent in nodes
    ]


def violations(manifest: dict) -> list[str]:
    found = []
    for node, parent in edges(manifest):
        child_layer, parent_layer = layer(node), layer(parent)
        edge = f"{node['name']} ({child_layer}) reads {parent['name']} ({parent_layer})"
        if (node["name"], parent["name"]) in EXCEPTIONS:
            continue
        if parent_layer == "audit":
            found.append(f"{edge}: nothing reads audit")
        elif LAYERS[parent_layer] > LAYERS[child_layer]:
            found.append(f"{edge}: a later layer")
        elif child_layer == parent_layer == "reports":
            found.append(f"{edge}: a report never reads a report")
        elif child_layer in ("marts", "reports") and parent_layer == "staging":
            found.append(f"{edge}: marts and reports read validated intermediate models")
    for node in models(manifest).values():
        reads_sources = [p for p in node["depends_on"]["nodes"] if p.startswith("source.")]
        if reads_sources and layer(node) not in READS_SOURCES:
            found.append(f"{node['name']} ({layer(node)}) reads raw sources {reads_sources}")
    return sorted(found)


def test_data_flows_one_way(manifest: dict) -> None:
    assert violations(manifest) == []


def test_the_rules_catch_a_loop(manifest: dict) -> None:
    """The check itself can fail: a report reading a report, a model reading audit or a later
    layer, a mart reading staging, each injected into a copy of the manifest."""
    nodes = models(manifest)
    by_name = {node["name"]: uid for uid, node in nodes.items()}
    injected = json.loads(json.dumps(manifest))
    for child, parent in [
        ("rpt_icp_performance", "rpt_churn"),
        ("int_leads_validated", "audit_quarantined_records"),
        ("int_account_months_retained", "fct_subscriptions"),
        ("dim_accounts", "stg_salesforce__accounts"),
    ]:
        injected["nodes"][by_name[child]]["depends_on"]["nodes"].append(by_name[parent])
    assert violations(injected) == [
        "dim_accounts (marts) reads stg_salesforce__accounts (staging): marts and reports read "
        "validated intermediate models",
        "int_account_months_retained (intermediate) reads fct_subscriptions (marts): a later layer",
        "int_leads_validated (intermediate) reads audit_quarantined_records (audit): nothing reads "
        "audit",
        "rpt_icp_performance (reports) reads rpt_churn (reports): a report never reads a report",
    ]


def test_every_model_is_described(manifest: dict) -> None:
    undescribed = [n["name"] for n in models(manifest).values() if not n["description"].strip()]
    assert undescribed == []


def test_public_models_have_a_contract_and_a_tested_key(manifest: dict) -> None:
    tested_keys: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        name = node["test_metadata"]["name"] if node.get("test_metadata") else ""
        tested_keys.setdefault(node["attached_node"], set()).add(name)
    problems = []
    for uid, node in models(manifest).items():
        if node["access"] != "public":
            continue
        if not node["config"]["contract"]["enforced"] and node["name"] not in NO_CONTRACT:
            problems.append(f"{node['name']}: no enforced contract")
        keys = tested_keys.get(uid, set())
        if not ({"unique", "not_null"} <= keys or "unique_combination_of_columns" in keys):
            problems.append(f"{node['name']}: no tested primary key")
    assert problems == []


def test_the_docs_site_opens_on_the_project_overview(manifest: dict) -> None:
    """`dbt docs` shows the project's own overview (not dbt's welcome page), and it names every
    published mart of schema `marts` that BI users start from."""
    overview = manifest["docs"]["doc.revenue_engine.__overview__"]["block_contents"]
    for name in (
        "fct_leads",
        "fct_opportunities",
        "dim_accounts",
        "rpt_churn",
        "rpt_stalled_deals",
    ):
        assert f"`{name}`" in overview, name
    assert "macros/metrics/" in overview  # where each formula is defined


def test_a_failing_data_test_names_its_column_and_the_raw_tables_behind_it(
    manifest: dict, tmp_path: Path
) -> None:
    """The FAILED line of a failing mart test says which column and which raw tables to look at
    (the lineage in dbt's manifest), not only the test's generated name."""
    from revenue_engine.failures import explain_dbt_output

    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    name = "non_negative_fct_pipeline_snapshots_amount_usd"
    output = [
        f"Failure in test {name} (models/marts/core/_core__models.yml)",
        "  Got 6 results, configured to fail if != 0",
    ]
    (line,) = explain_dbt_output(output, None, path)
    assert line.startswith(
        f"data test {name} (models/marts/core/_core__models.yml) found 6 bad row(s); "
        "column amount_usd of fct_pipeline_snapshots, built from raw "
    )
    raw = line.split("built from raw ")[1].split(":")[0].split(", ")
    assert {"salesforce.opportunity", "salesforce.opportunity_history", "finance.fx_rates"} <= set(
        raw
    )
    assert "google_ads.campaign_stats" not in raw
