"""The Dagster code location, shaped like Dagster's example projects: one module per kind of thing.

- `project`: the dbt project, its manifest and how dbt nodes become assets (no dbt run at import;
  `dagster dev` re-parses through `DbtProject.prepare_if_dev`);
- `resources`: where the pipeline reads and writes (`RevenueEngine`), the dbt CLI resource;
- `retries`: which errors are retried (lock conflicts) and which are final (failed tests);
- `assets`: raw data, the dbt build, the Great Expectations validation, the publish;
- `checks`: dbt source freshness as checks on the raw assets;
- `jobs`, `schedules`: from the dbt selectors in selectors.yml;
- `definitions`: `defs`, what `dagster dev -m revenue_engine.orchestration.definitions` loads.

Every step calls the same library functions as `revenue-engine run` (revenue_engine.pipeline,
revenue_engine.publish); see docs/orchestration.md.
"""
