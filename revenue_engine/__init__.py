"""revenue_engine: Python tools beside the dbt project (loaders, data generation)."""

import warnings

# pyspark (the Spark target) warns on every import that it has not been tested with pandas 3; the
# project's Spark path does not use pandas, so the line would only be noise in every run's output.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
