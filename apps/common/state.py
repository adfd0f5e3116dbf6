"""Widgets whose values round-trip through the URL (``st.query_params``).

A lecturer can copy the address bar and share the exact state of a page. Each wrapper seeds the
widget from the URL on first render (ignoring values that are malformed or out of range, so a hand-
edited link never breaks the page), then writes the current value back to the URL on every rerun.
Keys are page-prefixed (``l1_lr``) and double as query parameter names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def _parse(raw: str, like: Any) -> Any:
    if isinstance(like, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if isinstance(like, int):
        return int(float(raw)) if float(raw).is_integer() else int(raw)
    if isinstance(like, float):
        return float(raw)
    return raw


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def url_value(key: str, default: T, *, options: Sequence[Any] | None = None, lo: Any = None, hi: Any = None) -> T:
    """The value of ``key`` in the URL if it is valid for the widget, else ``default``."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        if options is not None:
            by_text = {_fmt(o): o for o in options}
            if raw not in by_text:
                return default
            return by_text[raw]
        value = _parse(raw, default)
    except (TypeError, ValueError):
        return default
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return default
    return value


def _seed(key: str, default: Any, **validation: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = url_value(key, default, **validation)


def _sync(key: str) -> Any:
    value = st.session_state[key]
    if st.query_params.get(key) != _fmt(value):
        st.query_params[key] = _fmt(value)
    return value


def slider(label: str, key: str, min_value: T, max_value: T, value: T, step: T | None = None, **kw: Any) -> T:
    """``st.slider`` bound to the URL."""
    _seed(key, value, lo=min_value, hi=max_value)
    st.slider(label, min_value=min_value, max_value=max_value, step=step, key=key, **kw)
    return _sync(key)


def select_slider(label: str, key: str, options: Sequence[T], value: T, **kw: Any) -> T:
    """``st.select_slider`` bound to the URL (e.g. log-spaced learning rates)."""
    _seed(key, value, options=options)
    st.select_slider(label, options=list(options), key=key, **kw)
    return _sync(key)


def selectbox(label: str, key: str, options: Sequence[T], value: T, **kw: Any) -> T:
    """``st.selectbox`` bound to the URL."""
    _seed(key, value, options=options)
    st.selectbox(label, options=list(options), key=key, **kw)
    return _sync(key)


def radio(label: str, key: str, options: Sequence[T], value: T, **kw: Any) -> T:
    """``st.radio`` bound to the URL."""
    _seed(key, value, options=options)
    st.radio(label, options=list(options), key=key, **kw)
    return _sync(key)


def segmented(label: str, key: str, options: Sequence[T], value: T, **kw: Any) -> T:
    """``st.segmented_control`` (single choice, never empty) bound to the URL."""
    _seed(key, value, options=options)
    st.segmented_control(label, options=list(options), key=key, **kw)
    if st.session_state[key] is None:  # clicking the selected option clears it; keep a value
        st.session_state[key] = value
    return _sync(key)


def checkbox(label: str, key: str, value: bool = False, **kw: Any) -> bool:
    """``st.checkbox`` bound to the URL."""
    _seed(key, value)
    st.checkbox(label, key=key, **kw)
    return _sync(key)


def toggle(label: str, key: str, value: bool = False, **kw: Any) -> bool:
    """``st.toggle`` bound to the URL."""
    _seed(key, value)
    st.toggle(label, key=key, **kw)
    return _sync(key)


def number_input(label: str, key: str, min_value: T, max_value: T, value: T, **kw: Any) -> T:
    """``st.number_input`` bound to the URL."""
    _seed(key, value, lo=min_value, hi=max_value)
    st.number_input(label, min_value=min_value, max_value=max_value, key=key, **kw)
    return _sync(key)
