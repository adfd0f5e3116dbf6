"""Page frame shared by every Streamlit page: header from the schedule, source viewer, errors."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import streamlit as st

from apps import catalog


def page_header(slug: str) -> catalog.Demo:
    """Title, lecture and summary of the demo ``slug`` (from ``core.schedule``)."""
    demo = catalog.demo(slug)
    lec = catalog.lecture_of(slug)
    st.title(demo.title)
    st.caption(f"Lecture {lec.number} · {lec.title} — {demo.summary}")
    return demo


def show_source(*objects: Callable[..., Any] | type, label: str = "Show the code behind this figure") -> None:
    """An expander with the source of the core functions that computed what the page shows."""
    with st.expander(label):
        for obj in objects:
            st.markdown(f"`{obj.__module__}.{obj.__qualname__}`")
            st.code(inspect.getsource(obj), language="python")


def explain_error(exc: Exception, what: str) -> None:
    """A clear message instead of a traceback; the page keeps running."""
    st.error(f"{what}: {exc}")
