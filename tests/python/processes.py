"""The pipeline and dbt in processes of their own, as a user runs them: one way to start them and to
point them at a warehouse, for every test module that builds one of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

# inherited settings that would point a run at another warehouse or day than the test's
_NOT_INHERITED = ("RAW_DATA_DIR", "DUCKDB_PATH", "FULL_REFRESH", "AS_OF_DATE", "DBT_TARGET_PATH")


def warehouse_env(
    warehouse: Path, raw: Path | None = None, target: Path | None = None, **variables: str
) -> dict[str, str]:
    """The environment of a run into `warehouse` (WAREHOUSE_DIR) reading `raw` (RAW_DATA_DIR; None:
    the demo company), with dbt's target folder `target` (None: the project's) and `variables`."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "WAREHOUSE_DIR": str(warehouse)}
    for name in _NOT_INHERITED:
        env.pop(name, None)
    if raw is not None:
        env["RAW_DATA_DIR"] = str(raw)
    if target is not None:
        env["DBT_TARGET_PATH"] = str(target)
    return {**env, **variables}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )


def pipeline(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`revenue-engine run` (what `make run` runs) in `env`."""
    return _run([sys.executable, "-m", "revenue_engine", "run"], env)


def dbt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` with the project's dbt, in `env`."""
    return _run([str(Path(sys.executable).parent / "dbt"), *args], env)


def python(env: dict[str, str], script: str) -> subprocess.CompletedProcess[str]:
    """`python -c <script>` with the project's interpreter, in `env`."""
    return _run([sys.executable, "-c", script], env)


def passed(result: subprocess.CompletedProcess[str], tail: int = 6000) -> str:
    """The output of a process that must have succeeded; else the test fails with its tails."""
    assert result.returncode == 0, result.stdout[-tail:] + result.stderr[-tail:]
    return result.stdout
