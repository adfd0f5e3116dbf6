"""Page frame shared by every Streamlit page: header from the schedule, source viewer, errors."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import streamlit as st

from apps import catalog

# Styles for every page, so that nothing is cut off on a projector at 1280 px and every label stays legible.
# Streamlit truncates metric, toggle and checkbox labels with an ellipsis, scrolls segmented controls and
# multiselect tags sideways, greys disabled widget labels to 2.6:1 and fades captions to 60% opacity (inline
# code in a caption drops to 2.9:1); here labels wrap onto a second line, and disabled labels and captions
# are #5c5c5c: 6.7:1 on white, 6.0:1 on the secondary background (WCAG AA asks 4.5:1), lighter than #111111.
FRAME_CSS = """
<style>
[data-testid="stMain"] .stMarkdownEllipsis {
  white-space: normal; overflow: visible; text-overflow: clip; height: auto;
}
[data-testid="stMain"] [data-testid="stButtonGroup"] [role="radiogroup"] {
  flex-wrap: wrap; overflow-x: visible;
}
[data-testid="stMain"] [role="group"]:has(> [data-testid="stMultiSelectTagsContainer"]) {
  height: auto; max-height: none;
}
[data-testid="stMain"] [data-testid="stMultiSelectTagsContainer"] {
  flex-wrap: wrap; overflow: visible; height: auto;
}
[data-testid="stMain"] [data-testid="stMultiSelectTagsContainer"] [data-tag] { height: auto; }
[data-testid="stMain"] [data-testid="stMultiSelectTagsContainer"] [data-tag] > span {
  white-space: normal; overflow: visible; height: auto;
}
[data-testid="stMain"] [data-testid="stWidgetLabel"][disabled] { color: #5c5c5c; }
[data-testid="stCaptionContainer"] { opacity: 1; color: #5c5c5c; }
</style>
"""


def frame_style() -> None:
    """Apply ``FRAME_CSS`` to the page (a style-only st.html takes no space on the page)."""
    st.html(FRAME_CSS)


def page_header(slug: str) -> catalog.Demo:
    """Title, lecture and summary of the demo ``slug`` (from ``core.schedule``)."""
    demo = catalog.demo(slug)
    lec = catalog.lecture_of(slug)
    st.title(demo.title)
    st.caption(f"Lecture {lec.number} · {lec.title} — {demo.summary}")
    return demo


def show_source(*objects: Callable[..., Any] | type, label: str = "Show the code behind this figure") -> None:
    """An expander with the source of the core functions that computed what the page shows. Long lines wrap:
    a block that scrolls sideways hides code on a projector and cannot be scrolled with the keyboard."""
    with st.expander(label):
        for obj in objects:
            st.markdown(f"`{obj.__module__}.{obj.__qualname__}`")
            st.code(inspect.getsource(obj), language="python", wrap_lines=True)


def explain_error(exc: Exception, what: str) -> None:
    """A clear message instead of a traceback; the page keeps running."""
    st.error(f"{what}: {exc}")
