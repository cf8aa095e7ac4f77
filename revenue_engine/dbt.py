"""Run dbt as a subprocess with the project's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from revenue_engine.settings import Settings


class DbtError(RuntimeError):
    """dbt exited non-zero."""


def dbt_executable() -> str:
    """The dbt next to the running interpreter (the project's venv)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_vars(settings: Settings) -> list[str]:
    if settings.as_of_date:
        return ["--vars", json.dumps({"as_of_date": settings.as_of_date})]
    return []


def run_dbt(settings: Settings, *args: str, check: bool = True) -> int:
    """Run `dbt <args>` in the project directory; raise DbtError on failure when check."""
    env = {**os.environ, **settings.dbt_env()}
    command = [dbt_executable(), *args, *dbt_vars(settings)]
    completed = subprocess.run(command, cwd=settings.project_dir, env=env, check=False)
    if check and completed.returncode != 0:
        raise DbtError(f"`dbt {' '.join(args)}` failed with exit code {completed.returncode}")
    return completed.returncode


def public_models(project_dir: Path) -> list[tuple[str, str]]:
    """(schema, table) of every public model in the compiled manifest, sorted."""
    manifest = json.loads((project_dir / "target" / "manifest.json").read_text())
    found = [
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node.get("access") == "public"
        and node["package_name"] == "revenue_engine"
    ]
    return sorted(found)
