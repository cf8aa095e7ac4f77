"""Whether a build may be incremental, and why not when it may not.

The large raw tables' staging models read only the loads since the last build
(macros/staging/incremental_loads.sql). That equals a full refresh only when every raw row the last
build read is still there, unchanged, and the code and settings are the same. So after each passed
build this module records, next to the build database, a fingerprint of every raw table an
incremental model reads (its latest load time, its row count and the sum of its rows' hashes) and a
digest of the inputs (RAW_DATA_DIR, REVENUE_ENGINE_VARS, the project's models, macros, seeds and
dbt_project.yml). Before the next build it checks the raw rows up to each recorded load time
against the fingerprint: a row rewritten, removed or landed late with an old load time, or any
change of code or settings, makes the build a full refresh, and the run says why. FULL_REFRESH=1
forces one. A failed build removes the record, so the run after it is a full refresh.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb

from revenue_engine.settings import Settings

STATE_FILE = "incremental_state.json"
FULL_REFRESH_ENV = "FULL_REFRESH"
CODE_PATHS = ("models", "macros", "seeds", "dbt_project.yml")


def state_path(settings: Settings) -> Path:
    return settings.build_database.parent / STATE_FILE


def forget(settings: Settings) -> None:
    """Before a build: until it passes, the next run must not trust the last record."""
    state_path(settings).unlink(missing_ok=True)


def inputs_digest(settings: Settings) -> str:
    """What, besides the raw rows, decides the staged rows: raw location, REVENUE_ENGINE_VARS and
    code."""
    digest = hashlib.sha256()
    digest.update(str(settings.raw_data_dir).encode())
    # AS_OF_DATE is left out: a scheduler sets it every night, and no staging model reads it
    digest.update((settings.extra_vars or "").encode())
    for name in CODE_PATHS:
        root = settings.project_dir / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(settings.project_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def incremental_sources(manifest_path: Path) -> dict[str, str]:
    """{'<schema>.<table>': load-time column} of every raw table an incremental model reads."""
    manifest = json.loads(manifest_path.read_text())
    sources: dict[str, str] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("materialized") != "incremental":
            continue
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("source."):
                source = manifest["sources"][parent]
                relation = f"{source['schema']}.{source['identifier']}"
                sources[relation] = source.get("loaded_at_field") or "_fivetran_synced"
    return sources


def _fingerprint(
    connection: duckdb.DuckDBPyConnection, relation: str, loaded_at: str, cutoff: str | None
) -> dict[str, str | int | None]:
    """Rows (all, or those loaded at or before `cutoff` and those without a load time): their count,
    the sum of their hashes and their latest load time."""
    load_time = f'try_cast(raw."{loaded_at}" as timestamp)'
    where = (
        f"where {load_time} <= cast('{cutoff}' as timestamp) or {load_time} is null"
        if cutoff
        else ""
    )
    rows, hashes, latest = connection.execute(
        f"select count(*), cast(coalesce(sum(hash(raw)), 0) as varchar), "
        f"cast(max({load_time}) as varchar) from {relation} as raw {where}"
    ).fetchone()
    return {"rows": rows, "hash": hashes, "cutoff": latest}


def full_refresh_reason(settings: Settings) -> str | None:
    """None when the next build may be incremental; otherwise why it must be a full refresh."""
    if os.environ.get(FULL_REFRESH_ENV, "").strip() not in ("", "0"):
        return f"{FULL_REFRESH_ENV}={os.environ[FULL_REFRESH_ENV]}"
    path = state_path(settings)
    if not settings.build_database.exists() or not path.exists():
        return "no earlier passed build in this warehouse"
    state = json.loads(path.read_text())
    if state.get("inputs") != inputs_digest(settings):
        return "the code, dbt vars or RAW_DATA_DIR changed since the last build"
    try:
        with duckdb.connect(str(settings.build_database), read_only=True) as connection:
            for relation, recorded in state["sources"].items():
                now = _fingerprint(
                    connection, relation, recorded["loaded_at"], recorded["cutoff"] or None
                )
                if (now["rows"], now["hash"]) != (recorded["rows"], recorded["hash"]):
                    return (
                        f"raw table {relation} changed at or before its last build's latest load "
                        f"({recorded['cutoff']}): {recorded['rows']:,} rows then, "
                        f"{now['rows']:,} now, or rows rewritten"
                    )
    except duckdb.Error as error:
        return f"could not compare the raw tables with the last build ({error})"
    return None


def record(settings: Settings, target_dir: Path | None = None) -> None:
    """After a passed build: fingerprint every raw table an incremental model read (the build's
    manifest is in `target_dir`, by default the settings' dbt target directory)."""
    manifest = (target_dir or settings.target_dir) / "manifest.json"
    if not manifest.exists() or not settings.build_database.exists():
        return  # nothing to fingerprint: the next build is a full refresh
    sources = incremental_sources(manifest)
    state: dict[str, object] = {"inputs": inputs_digest(settings), "sources": {}}
    with duckdb.connect(str(settings.build_database), read_only=True) as connection:
        for relation, loaded_at in sorted(sources.items()):
            state["sources"][relation] = {  # type: ignore[index]
                "loaded_at": loaded_at,
                **_fingerprint(connection, relation, loaded_at, None),
            }
    state_path(settings).write_text(json.dumps(state, indent=2))
