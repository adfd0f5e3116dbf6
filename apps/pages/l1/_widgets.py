"""URL-bound widgets built from lecture 1's control definitions (:mod:`core.basics.controls`), so a page
and the Gradio endpoints share one range, step and default per control."""

from __future__ import annotations

from typing import Any

from apps.common import state as ui
from core.basics.controls import Choice, Number, Range


def slider(r: Range, key: str, label: str | None = None, default: Number | None = None) -> Any:
    """A slider over the control's range; ``label``/``default`` override its own (one of several alike)."""
    return ui.slider(label or r.label, key, r.lo, r.hi, r.default if default is None else default, r.step)


def number(r: Range, key: str) -> Any:
    """A number box over the control's range."""
    return ui.number_input(r.label, key, r.lo, r.hi, r.default)


def select_slider(c: Choice, key: str) -> Any:
    """A select slider over the control's options (log-spaced rates and strengths)."""
    return ui.select_slider(c.label, key, c.options, c.default)


def selectbox(c: Choice, key: str, **kw: Any) -> Any:
    """A select box over the control's options."""
    return ui.selectbox(c.label, key, c.options, c.default, **kw)


def segmented(c: Choice, key: str) -> Any:
    """A segmented control over the control's options."""
    return ui.segmented(c.label, key, c.options, c.default)
