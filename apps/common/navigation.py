"""The gallery's pages as ``st.Page`` objects, built from the catalogue on every run.

The entry point hands them to ``st.navigation`` and the course map links to them, so a link works
whether the page runs inside the navigation or alone (AppTest). They are rebuilt per run, never cached
across sessions: ``st.navigation`` flips a flag on the Page object it runs, which concurrent sessions
would race on.
"""

from __future__ import annotations

import streamlit as st

from apps import catalog
from apps.catalog import APPS_DIR


def demo_pages() -> dict[str, st.Page]:
    """Every available demo's page by slug; the slug is its URL path (links and bookmarks rely on it)."""
    return {
        d.slug: st.Page(str(d.path), title=d.title, icon=d.icon, url_path=d.slug)
        for d in catalog.available_demos()
    }


def course_pages() -> list[st.Page]:
    """The course map (the default page) and the checkpoints & data page."""
    return [
        st.Page(str(APPS_DIR / "home.py"), title="Course map", icon=":material/map:", default=True),
        st.Page(
            str(APPS_DIR / "status.py"),
            title="Checkpoints & data",
            icon=":material/inventory_2:",
            url_path="status",
        ),
    ]
