"""Run dbt as a subprocess with the project's environment.

dbt's output is streamed as it comes and kept (the tail) so a failure can be explained in plain
lines. The dbt child never outlives the run: SIGINT and SIGTERM are passed on to it, and on Linux
it is told to stop when its parent dies (even by SIGKILL).
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import yaml

from revenue_engine.contract import landed_files
from revenue_engine.settings import Settings

KEEP_OUTPUT_LINES = 400


class DbtError(RuntimeError):
    """dbt exited non-zero; `output` holds the tail of what it printed."""

    def __init__(self, message: str, output: list[str] | None = None) -> None:
        super().__init__(message)
        self.output = output or []


def _stop_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: SIGTERM this process when its parent dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def dbt_executable() -> str:
    """The dbt next to the running interpreter (the project's venv)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_vars(settings: Settings) -> list[str]:
    """`--vars` for dbt: REVENUE_ENGINE_VARS (a YAML or JSON mapping: raw_column_map,
    default_currency, any project var) and AS_OF_DATE."""
    values: dict[str, object] = {}
    if settings.extra_vars:
        parsed = yaml.safe_load(settings.extra_vars)
        if not isinstance(parsed, dict):
            raise ValueError(f"REVENUE_ENGINE_VARS must be a mapping of dbt vars, got {parsed!r}")
        values.update(parsed)
    if settings.as_of_date:
        values["as_of_date"] = settings.as_of_date
    if settings.target == "spark" and "raw_files" not in values:
        values["raw_files"] = raw_files(settings.raw_data_dir)
    return ["--vars", json.dumps(values)] if values else []


def raw_files(raw_data_dir: Path) -> dict[str, str]:
    """{"<source>/<table>": file} of RAW_DATA_DIR, found as on DuckDB (contract.landed_files): Spark
    SQL cannot list a folder, so the Spark target is told which files landed (var raw_files)."""
    return {key: str(path.resolve()) for key, path in landed_files(raw_data_dir).items()}


def run_dbt(settings: Settings, *args: str, check: bool = True) -> int:
    """Run `dbt <args>` in the project directory; raise DbtError on failure when check."""
    env = {**os.environ, **settings.dbt_env()}
    command = [dbt_executable(), *args, *dbt_vars(settings)]
    tail: collections.deque[str] = collections.deque(maxlen=KEEP_OUTPUT_LINES)
    process = subprocess.Popen(
        command,
        cwd=settings.project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        preexec_fn=_stop_with_parent if sys.platform.startswith("linux") else None,
    )

    def forward(signum: int, _frame: object) -> None:
        process.send_signal(signum)
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    previous = {}
    if threading.current_thread() is threading.main_thread():  # signal handlers: main thread only
        previous = {
            signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)
        }
    try:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            tail.append(line)
        returncode = process.wait()
    except BaseException:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    sys.stdout.flush()
    if check and returncode != 0:
        raise DbtError(f"`dbt {' '.join(args)}` failed with exit code {returncode}", list(tail))
    return returncode


# (schema, table) -> (the model's description, {column: description}), from the dbt YAML
Descriptions = dict[tuple[str, str], tuple[str, dict[str, str]]]


def public_model_descriptions(target_dir: Path) -> Descriptions:
    """The descriptions of every public model and its columns, from the compiled manifest (doc
    blocks already rendered): what publish writes as comments for BI tools."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    return {
        (node["schema"], node["alias"]): (
            (node.get("description") or "").strip(),
            {
                name: (column.get("description") or "").strip()
                for name, column in node.get("columns", {}).items()
                if (column.get("description") or "").strip()
            },
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node.get("access") == "public"
        and node["package_name"] == "revenue_engine"
    }


def public_models(target_dir: Path) -> list[tuple[str, str]]:
    """(schema, table) of every public model in the compiled manifest of `target_dir`, sorted."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    found = [
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node.get("access") == "public"
        and node["package_name"] == "revenue_engine"
    ]
    return sorted(found)
