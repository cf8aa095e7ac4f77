"""Resources: where the pipeline reads and writes, and the dbt CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource
from pydantic import Field

from revenue_engine.dbt import dbt_executable
from revenue_engine.orchestration.project import DBT_PROJECT
from revenue_engine.settings import Settings, load_settings


class RevenueEngine(dg.ConfigurableResource):
    """Where the pipeline reads and writes. Unset fields come from the environment, as in
    `revenue-engine run` (revenue_engine.settings: WAREHOUSE_DIR, RAW_DATA_DIR, DEMO_LEADS, ...)."""

    warehouse_dir: str | None = Field(
        default=None, description="Overrides WAREHOUSE_DIR (build database, published file, runs/)."
    )
    raw_data_dir: str | None = Field(
        default=None, description="Overrides RAW_DATA_DIR (unset: generate the demo company)."
    )

    def settings(self) -> Settings:
        environ = dict(os.environ)
        if self.warehouse_dir:
            environ["WAREHOUSE_DIR"] = self.warehouse_dir
        if self.raw_data_dir:
            environ["RAW_DATA_DIR"] = self.raw_data_dir
        return load_settings(environ)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())


@contextmanager
def dbt_environment(environment: Mapping[str, str]) -> Iterator[None]:
    """The profile reads DUCKDB_PATH, RAW_DATA_DIR, ... from the dbt process's environment, which
    DbtCliResource copies from this process when dbt starts (it takes no environment argument), so
    the settings are set for the duration of that start and restored after."""
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
