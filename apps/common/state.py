"""Widgets whose values round-trip through the URL (``st.query_params``).

A lecturer can copy the address bar and share the exact state of a page. Each wrapper seeds the
widget from the URL on first render, then writes the current value back to the URL on every rerun.
A value that is malformed, out of range or not finite (``nan``, ``inf``) is ignored: the widget
takes its default, a short notice says which parameter was ignored, and the URL is rewritten, so a
hand-edited or damaged link never breaks the page and is not passed on. Keys are page-prefixed
(``l1_lr``) and double as query parameter names; multi-valued widgets (multiselect, range slider)
use repeated parameters (``?k=a&k=b``), the form Streamlit itself uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")

TEXT_MAX_CHARS = 500
"""Longest text a URL may put into a text input (the widget refuses longer typing too)."""


def _parse(raw: str, like: Any) -> Any:
    if isinstance(like, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if isinstance(like, int):
        as_float = float(raw)  # '3.0' is a valid int; 'nan', 'inf' are not (is_integer() is False)
        return int(as_float) if as_float.is_integer() else int(raw)
    if isinstance(like, float):
        value = float(raw)
        # NaN compares False with every bound, so it would pass any range check: refuse it here.
        if not math.isfinite(value):
            raise ValueError(raw)
        return value
    return raw


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _in_range(value: Any, lo: Any, hi: Any) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _ignored(key: str, raw: str) -> None:
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    st.toast(f"Ignored `{key}={shown}` from the link: not a valid value here. Using the default.")


def url_value(
    key: str, default: T, *, options: Sequence[Any] | None = None, lo: Any = None, hi: Any = None
) -> T:
    """The value of ``key`` in the URL if it is valid for the widget, else ``default``."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        if options is not None:
            by_text = {_fmt(o): o for o in options}
            if raw not in by_text:
                raise ValueError(raw)
            return by_text[raw]
        value = _parse(raw, default)
        if not _in_range(value, lo, hi):
            raise ValueError(raw)
        return value
    except (TypeError, ValueError, OverflowError):
        _ignored(key, raw)
        return default


def url_values(key: str, default: Sequence[T], parse: Any) -> list[T]:
    """The repeated values of ``key`` in the URL (``?k=a&k=b``), each checked by ``parse`` (which raises
    ValueError for a bad one); ``default`` if absent or if any value is bad. ``?k=`` is the empty list."""
    raws = st.query_params.get_all(key)
    if not raws:
        return list(default)
    if raws == [""]:
        return []
    try:
        return [parse(r) for r in raws]
    except (TypeError, ValueError, OverflowError):
        _ignored(key, "&".join(raws))
        return list(default)


def _seed(key: str, default: Any, **validation: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = url_value(key, default, **validation)


def _sync(key: str) -> Any:
    value = st.session_state[key]
    if st.query_params.get(key) != _fmt(value):
        st.query_params[key] = _fmt(value)
    return value


def _sync_many(key: str) -> Any:
    value = st.session_state[key]
    texts = [_fmt(v) for v in value] or [""]
    if st.query_params.get_all(key) != texts:
        st.query_params[key] = texts
    return value


def _clamp(value: Any, lo: Any, hi: Any) -> Any:
    return min(max(value, lo), hi)


def slider(label: str, key: str, min_value: T, max_value: T, value: T, step: T | None = None, **kw: Any) -> T:
    """``st.slider`` bound to the URL. If the range changes between reruns (a maximum that depends on
    another widget), the value is kept when still inside and clamped to the nearest end otherwise."""
    _seed(key, value, lo=min_value, hi=max_value)
    # Reassigned every run: a new range gives the widget a new identity, and Streamlit would otherwise
    # reset it to the minimum (measured with streamlit 1.67).
    st.session_state[key] = _clamp(st.session_state[key], min_value, max_value)
    st.slider(label, min_value=min_value, max_value=max_value, step=step, key=key, **kw)
    return _sync(key)


def range_slider(
    label: str, key: str, min_value: T, max_value: T, value: tuple[T, T], step: T | None = None, **kw: Any
) -> tuple[T, T]:
    """Two-value ``st.slider`` (a range) bound to the URL as ``?key=lo&key=hi``; clamped like
    :func:`slider` when its range changes."""
    if key not in st.session_state:

        def parse(raw: str) -> Any:
            v = _parse(raw, value[0])
            if not _in_range(v, min_value, max_value):
                raise ValueError(raw)
            return v

        got = url_values(key, value, parse)
        if len(got) != 2 or got[0] > got[1]:
            if got != list(value):
                _ignored(key, "&".join(_fmt(v) for v in got))
            got = list(value)
        st.session_state[key] = tuple(got)
    lo, hi = st.session_state[key]
    st.session_state[key] = (_clamp(lo, min_value, max_value), _clamp(hi, min_value, max_value))
    st.slider(label, min_value=min_value, max_value=max_value, step=step, key=key, **kw)
    return tuple(_sync_many(key))  # type: ignore[return-value]


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


def multiselect(label: str, key: str, options: Sequence[T], value: Sequence[T], **kw: Any) -> list[T]:
    """``st.multiselect`` bound to the URL as ``?key=a&key=b`` (``?key=`` for none chosen)."""
    if key not in st.session_state:
        by_text = {_fmt(o): o for o in options}
        chosen = url_values(key, value, lambda raw: by_text[raw] if raw in by_text else _bad(raw))
        limit = kw.get("max_selections")
        if len(set(map(_fmt, chosen))) != len(chosen) or (limit is not None and len(chosen) > limit):
            _ignored(key, "&".join(map(_fmt, chosen)))
            chosen = list(value)
        st.session_state[key] = chosen
    st.multiselect(label, options=list(options), key=key, **kw)
    return list(_sync_many(key))


def _bad(raw: str) -> Any:
    raise ValueError(raw)


def text_input(label: str, key: str, value: str = "", max_chars: int = TEXT_MAX_CHARS, **kw: Any) -> str:
    """``st.text_input`` bound to the URL; a URL text longer than ``max_chars`` is ignored."""
    if key not in st.session_state:
        raw = url_value(key, value)
        if len(raw) > max_chars:
            _ignored(key, raw)
            raw = value
        st.session_state[key] = raw
    st.text_input(label, key=key, max_chars=max_chars, **kw)
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
    """``st.number_input`` bound to the URL; clamped like :func:`slider` when its range changes."""
    _seed(key, value, lo=min_value, hi=max_value)
    # Reassigned every run: a new range gives the widget a new identity, and Streamlit would otherwise
    # reset it to the minimum (measured with streamlit 1.67).
    st.session_state[key] = _clamp(st.session_state[key], min_value, max_value)
    st.number_input(label, min_value=min_value, max_value=max_value, key=key, **kw)
    return _sync(key)
