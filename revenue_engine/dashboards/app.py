"""The Streamlit entry point: `streamlit run revenue_engine/dashboards/app.py` (make dashboards)."""

from __future__ import annotations

import streamlit as st

from revenue_engine.dashboards import pages
from revenue_engine.dashboards.data import published_database

st.set_page_config(page_title="revenue_engine", layout="wide")
# The first page (the overview) is the default, served at "/"; the others at "/<slug>".
app_pages = [
    st.Page(page.render, title=page.title, url_path=page.slug, default=index == 0)
    for index, page in enumerate(pages.PAGES)
]
pages.LINKS.update(
    {page.slug: app_page for page, app_page in zip(pages.PAGES, app_pages, strict=True)}
)
navigation = st.navigation(app_pages)
st.sidebar.caption(f"Read-only from `{published_database()}`")
try:
    navigation.run()
except FileNotFoundError as error:
    st.error(str(error))
