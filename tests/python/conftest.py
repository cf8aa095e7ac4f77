"""Shared fixtures.

`demo_warehouse` is the demo company built by the real pipeline. `make test` builds it first (in
WAREHOUSE_DIR=warehouse/test) and the fixture reuses that build; run on its own, pytest builds it
into a temporary folder.

`make test` runs the slow tier on two workers (pytest-xdist, `--dist loadgroup`). Each module is one
group, so its module fixtures (a warehouse of its own) are built once, on one worker; the modules
that read the demo build database share a group, because MetricFlow opens it read-write and DuckDB
lets no other process open a file another holds for writing. Each worker's dbt runs write their own
target folder, so two runs never overwrite each other's manifest and run results.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from revenue_engine.settings import load_settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
READ_THE_DEMO_BUILD = {
    "test_headline_metrics",
    "test_personal_data",
    "test_quality_suites",
    "test_semantic_layer",
}


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # relative to the project; the repository's target/ stays the `make test` build's
        os.environ["DBT_TARGET_PATH"] = f"target/pytest-{worker}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else item.nodeid
        group = "demo_build" if module in READ_THE_DEMO_BUILD else module
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def _keep_the_main_module() -> Iterator[None]:
    """Streamlit's AppTest leaves its temporary script as `__main__`; a process the generator then
    spawns re-runs that script and dies, and its pool waits forever. Every test gets it back."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@dataclass(frozen=True)
class DemoWarehouse:
    raw_data_dir: Path
    warehouse_dir: Path

    @property
    def build_database(self) -> Path:
        return self.warehouse_dir / "build" / "revenue_engine.duckdb"

    @property
    def published_database(self) -> Path:
        return self.warehouse_dir / "analytics.duckdb"

    def env(self) -> dict[str, str]:
        """Environment that points dbt, mf and the pipeline at this warehouse."""
        return {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "RAW_DATA_DIR": str(self.raw_data_dir),
            "WAREHOUSE_DIR": str(self.warehouse_dir),
            "DUCKDB_PATH": str(self.build_database),
            "DUCKDB_TEMP_DIRECTORY": str(self.warehouse_dir / "tmp"),
        }


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    settings = load_settings()
    if "WAREHOUSE_DIR" in os.environ and settings.published_database.exists():
        return DemoWarehouse(settings.raw_data_dir, settings.warehouse_dir)
    root = tmp_path_factory.mktemp("demo")
    warehouse = DemoWarehouse(root / "raw", root / "warehouse")
    env = warehouse.env()
    env.pop("RAW_DATA_DIR")  # unset: the pipeline generates the demo company (into DEMO_DATA_DIR)
    env.pop("DUCKDB_PATH")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from revenue_engine.cli import main; sys.exit(main(['run']))",
        ],
        cwd=PROJECT_DIR,
        env={**env, "DEMO_DATA_DIR": str(warehouse.raw_data_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return warehouse
