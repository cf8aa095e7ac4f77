"""Dashboards for the two standing meetings, built with Streamlit from the published marts only.

    revenue-engine dashboards              serve the app on http://127.0.0.1:8501 (make dashboards)
    revenue-engine dashboard-screenshots   a PNG of every page in headless Chromium

The app opens the published DuckDB file read-only (PUBLISHED_DATABASE, else
$WAREHOUSE_DIR/analytics.duckdb): the same numbers every BI tool gets, nothing recomputed but
sums of additive counts across segments (a rate is then the ratio of the sums, as in the semantic
layer's ratio metrics; medians and percentiles are never re-aggregated).
"""

from revenue_engine.dashboards.pages import PAGES, Page

__all__ = ["PAGES", "Page"]
