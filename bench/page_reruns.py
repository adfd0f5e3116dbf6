"""Page reruns after moving one control, timed with AppTest: the one measure behind every "a slider answers
under 100 ms" target. Beside the pages, a one-slider reference script rerun in the same run: AppTest's own
floor on this machine now, so the ratio says what the page adds."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from bench.common import table

Move = Callable[[AppTest], Callable[[int], object]]
"""(the page's AppTest) -> (i -> set one control to its i-th value)."""
Case = tuple[str, str, Mapping[str, str], Mapping[str, Any], Sequence[tuple[str, Move]]]
"""(label, page file, URL parameters, session state before the first run, (control name, move) pairs)."""

REFERENCE = """
import streamlit as st
v = st.slider("x", 0, 10, 0, key="x")
st.write(v)
"""


def slider(key: str, values: Sequence[Any]) -> Move:
    return lambda at: lambda v: at.slider(key=key).set_value(values[v % len(values)])


def number(key: str, values: Sequence[Any]) -> Move:
    return lambda at: lambda v: at.number_input(key=key).set_value(values[v % len(values)])


def select_slider(key: str, values: Sequence[Any]) -> Move:
    return lambda at: lambda v: at.select_slider(key=key).set_value(values[v % len(values)])


def segmented(key: str, values: Sequence[Any]) -> Move:
    return lambda at: lambda v: at.segmented_control(key=key).set_value(values[v % len(values)])


def rerun_ms(at: AppTest, move: Callable[[int], object], repeats: int) -> tuple[float, float]:
    """(best, median) ms of a rerun after ``move``; the first rerun after a new control may build a widget."""
    times = []
    for v in range(repeats + 1):
        move(v)
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
    assert not at.exception, at.exception
    kept = times[1:]
    return 1e3 * min(kept), 1e3 * float(np.median(kept))


def page_reruns(cases: Sequence[Case], repeats: int, first_column: str = "page") -> None:
    """Print a table of rerun times per control of each case, every value visited once first (the caches
    behind the page are warm), against the reference script."""
    ref = AppTest.from_string(REFERENCE)
    ref.run()
    ref_best, ref_median = rerun_ms(ref, lambda v: ref.slider(key="x").set_value(v % 10), repeats)
    rows: list[tuple[object, ...]] = [("(reference)", "one slider, st.write", ref_best, ref_median, 1.0)]
    for label, page, params, session, moves in cases:
        at = AppTest.from_file(page, default_timeout=300)
        at.query_params.update(params)
        for key, value in session.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, at.exception
        for _name, move in moves:
            for v in range(8):
                move(at)(v)
                at.run()
        for name, move in moves:
            best, median = rerun_ms(at, move(at), repeats)
            rows.append((label, name, best, median, best / ref_best))
    print("\nPage rerun after moving one control (AppTest, ms; target < 100 ms; the reference is a "
          "one-slider script rerun in the same run: AppTest's own floor on this machine now)\n")
    print(table((first_column, "control", "best ms", "median ms", "best / reference"), rows))
