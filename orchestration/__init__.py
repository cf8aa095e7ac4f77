"""Dagster code location for revenue_engine (`dagster dev -f orchestration/definitions.py`).

See docs/orchestration.md. `make run` (revenue_engine.pipeline) stays the scheduler-free path.
"""
