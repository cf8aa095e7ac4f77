"""Where things live, from environment variables with the defaults the README documents."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DEMO_LEADS = 5000
DEFAULT_DEMO_SEED = 42


@dataclass(frozen=True)
class Settings:
    """Run configuration. Every field has an environment variable (see README, Configuration)."""

    project_dir: Path
    raw_data_dir: Path
    generate_demo: bool
    warehouse_dir: Path
    demo_leads: int
    demo_seed: int
    as_of_date: str | None
    extra_vars: str | None = None  # REVENUE_ENGINE_VARS: dbt vars as a YAML/JSON mapping

    @property
    def build_database(self) -> Path:
        """The database dbt writes; never read by BI tools."""
        return self.warehouse_dir / "build" / "revenue_engine.duckdb"

    @property
    def published_database(self) -> Path:
        """The database BI tools read (public marts only)."""
        return self.warehouse_dir / "analytics.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    @property
    def quality_dir(self) -> Path:
        return self.warehouse_dir / "quality"

    @property
    def target_dir(self) -> Path:
        """dbt's target folder (DBT_TARGET_PATH, relative to the project, else target/)."""
        return self.project_dir / os.environ.get("DBT_TARGET_PATH", "target")

    @property
    def runs_dir(self) -> Path:
        return self.warehouse_dir / "runs"

    @property
    def target(self) -> str:
        """The dbt target (DBT_TARGET): duckdb (the default) or spark."""
        return os.environ.get("DBT_TARGET", "duckdb")

    @property
    def spark_dir(self) -> Path:
        """Spark's metastore and tables for this warehouse (SPARK_WAREHOUSE_DIR)."""
        return Path(os.environ.get("SPARK_WAREHOUSE_DIR") or self.warehouse_dir / "spark")

    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt: the profile reads these."""
        env = {
            "SPARK_WAREHOUSE_DIR": str(self.spark_dir),
            "DBT_PROFILES_DIR": str(self.project_dir),
            "RAW_DATA_DIR": str(self.raw_data_dir),
            "DUCKDB_PATH": str(self.build_database),
            "DUCKDB_TEMP_DIRECTORY": str(self.warehouse_dir / "tmp"),
            # logs/dbt.log at info, not debug: writing every debug event costs ~6% of a build;
            # DBT_LOG_LEVEL_FILE=debug brings them back
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
        }
        return env


def _absolute(value: str, base: Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (base / path).resolve()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or a given mapping)."""
    env = dict(os.environ if environ is None else environ)
    project = _absolute(env.get("REVENUE_ENGINE_PROJECT_DIR", str(PROJECT_DIR)), PROJECT_DIR)
    raw = env.get("RAW_DATA_DIR", "")
    return Settings(
        project_dir=project,
        raw_data_dir=_absolute(raw or env.get("DEMO_DATA_DIR", "data/raw"), project),
        generate_demo=not raw,
        warehouse_dir=_absolute(env.get("WAREHOUSE_DIR", "warehouse"), project),
        demo_leads=int(env.get("DEMO_LEADS", DEFAULT_DEMO_LEADS)),
        demo_seed=int(env.get("DEMO_SEED", DEFAULT_DEMO_SEED)),
        as_of_date=env.get("AS_OF_DATE") or None,
        extra_vars=env.get("REVENUE_ENGINE_VARS") or None,
    )
