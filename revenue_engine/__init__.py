"""revenue_engine: Python tools beside the dbt project (loaders, data generation)."""
