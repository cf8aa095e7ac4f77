"""The dbt project as Dagster sees it: the manifest, and how dbt nodes become assets and checks.

The manifest is read, not built, at import: `make run` and `make orchestration` parse the
project first. Under `dagster dev`, a `DbtProjectPreparer` (dagster-dbt's extension point for
`prepare_if_dev`) re-parses only when a dbt file changed since the manifest was
written, so **Reload definitions** picks up a new model while run and step processes, which import
the code location too, do not each pay for a parse.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtProject,
    DbtProjectPreparer,
)

from revenue_engine.dbt import run_dbt
from revenue_engine.settings import PROJECT_DIR, load_settings

# What the manifest is parsed from (tests/python holds pytest files, not dbt tests).
_DBT_FILES = ("dbt_project.yml", "selectors.yml", "profiles.yml")
_DBT_DIRS = ("models", "macros", "seeds", "tests", "analyses", "snapshots")
_DBT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


def newest_dbt_change(project_dir: Path) -> float:
    """Newest mtime of a dbt file or folder (a folder's changes when a file is added or removed)."""
    times = [(project_dir / n).stat().st_mtime for n in _DBT_FILES if (project_dir / n).is_file()]
    for folder in (project_dir / name for name in _DBT_DIRS):
        if folder.is_dir():
            times += [folder.stat().st_mtime] + [
                path.stat().st_mtime
                for path in folder.rglob("*")
                if path.is_dir() or path.suffix in _DBT_SUFFIXES
            ]
    return max(times, default=0.0)


class StaleManifestPreparer(DbtProjectPreparer):
    """Parse with the project's dbt (`revenue_engine.dbt.run_dbt`) when the manifest is missing or
    older than a dbt file; a file lock keeps two processes from writing target/ together."""

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev():
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        manifest = project.manifest_path

        def stale() -> bool:
            changed = newest_dbt_change(Path(project.project_dir))
            return not manifest.exists() or manifest.stat().st_mtime < changed

        if not stale():
            return
        manifest.parent.mkdir(parents=True, exist_ok=True)
        with (manifest.parent / ".dagster-parse.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stale():
                run_dbt(load_settings(), "parse", "--quiet", "--log-path", str(manifest.parent))


DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
StaleManifestPreparer().prepare_if_dev(DBT_PROJECT)  # DbtProject(preparer=) is not public in 0.29


class RevenueEngineTranslator(DagsterDbtTranslator):
    """dbt sources are the `raw/<source>/<table>` assets; groups follow the model folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(
                ["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]]
            )
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return "raw"
        if resource_type == "seed":
            return "seeds"
        fqn = dbt_resource_props["fqn"]  # [project, folder, ..., name]
        return fqn[1] if len(fqn) > 2 else "models"


TRANSLATOR = RevenueEngineTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,  # every dbt data test an asset check
        enable_source_tests_as_checks=True,  # tests on sources too, on the raw assets
        enable_code_references=True,
    )
)


def attach_multi_parent_tests(manifest: dict[str, Any]) -> dict[str, Any]:
    """Make every dbt data test an asset check, including singular tests that ref several models.

    dagster-dbt attaches a test to its one parent, or to `meta.dagster.ref` when it has several;
    without that meta such a test (a reconciliation across reports) would not be a check. Here it
    defaults to its most downstream model or seed parent (ties: by name); the others become the
    check's additional dependencies. A test's own `meta.dagster.ref` still wins.
    """
    nodes, parents = manifest["nodes"], manifest["parent_map"]
    depths: dict[str, int] = {}

    def depth(unique_id: str) -> int:
        if unique_id not in depths:
            depths[unique_id] = 1 + max((depth(p) for p in parents.get(unique_id, [])), default=0)
        return depths[unique_id]

    for node in nodes.values():
        if node["resource_type"] != "test" or node.get("attached_node"):
            continue
        meta = node.setdefault("config", {}).setdefault("meta", {}) or {}
        candidates = sorted(
            {
                uid
                for uid in node["depends_on"]["nodes"]
                if nodes.get(uid, {}).get("resource_type") in {"model", "seed", "snapshot"}
            }
        )
        if (
            len(set(node["depends_on"]["nodes"])) < 2
            or not candidates
            or "ref" in meta.get("dagster", {})
        ):
            continue
        chosen = max(candidates, key=lambda uid: (depth(uid), uid))
        node["config"]["meta"] = {
            **meta,
            "dagster": {**meta.get("dagster", {}), "ref": {"name": nodes[chosen]["name"]}},
        }
    return manifest


def load_manifest(path: Path = DBT_PROJECT.manifest_path) -> dict[str, Any]:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: parse the dbt project first (`make orchestration`, `make run` "
            "or `dbt parse`); `dagster dev` parses it itself"
        )
    return attach_multi_parent_tests(json.loads(path.read_text()))


MANIFEST: dict[str, Any] = load_manifest()


def own_sources() -> list[Mapping[str, Any]]:
    project = MANIFEST["metadata"]["project_name"]
    return sorted(
        (source for source in MANIFEST["sources"].values() if source["package_name"] == project),
        key=lambda source: source["unique_id"],
    )


def has_freshness(source: Mapping[str, Any]) -> bool:
    freshness = source.get("freshness") or {}
    return bool(source.get("loaded_at_field")) and any(
        (freshness.get(level) or {}).get("count") for level in ("warn_after", "error_after")
    )


PUBLIC_MART_KEYS = [
    TRANSLATOR.get_asset_key(node)
    for node in MANIFEST["nodes"].values()
    if node["resource_type"] == "model"
    and node.get("access") == "public"
    and node["package_name"] == MANIFEST["metadata"]["project_name"]
]
