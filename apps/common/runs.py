"""The one run history of every trainer page: per session, bounded, with a compare table and overlay curves.

Each page keeps its finished runs in ``st.session_state`` under its own prefix (``l2pg_runs``), so two
pages never mix their runs and two browser sessions never see each other's. A run is a label, the
settings it ran with, its final metrics and its per-epoch history; the page decides what goes in each.

Use (in a page's ``result(job)`` callback of :func:`apps.common.live.training_panel`)::

    from apps.common.runs import RunHistory

    runs = RunHistory("l2pg")                      # page prefix: state key "l2pg_runs"
    runs.add(job.id, config={"lr": 0.01, "optimizer": "adam"},
             metrics={"val accuracy": 0.93}, history=run.fit.history)   # once per job, idempotent
    fig = runs.overlay(run.fit.history, ("train_loss", "val_loss"), "Loss", exclude=job.id)
    st.plotly_chart(fig)                           # this run solid, earlier runs dotted
    runs.show()                                    # compare table + "Clear history" button

Bounded twice: at most ``max_runs`` runs (the oldest go first: a comparison needs the last few, older
ones clutter the plot), and each stored curve thinned to ``max_points`` points (a chart a few hundred
pixels wide shows no more), so a long session cannot grow the server's memory without limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.viz.curves import loss_curves, thin_indices

MAX_RUNS = 8
MAX_POINTS = 1000


@dataclass(frozen=True)
class Run:
    """One finished run as the history keeps it."""

    key: str
    """What identifies the run (a job id): adding the same key again changes nothing."""
    label: str
    """Its name in the table and the legend (``run 3``)."""
    config: dict[str, Any]
    """The settings it ran with (table columns)."""
    metrics: dict[str, Any]
    """Its final numbers (table columns after the settings)."""
    history: dict[str, list[float]]
    """Per-epoch curves, thinned to at most ``MAX_POINTS`` points each."""


def _thin(history: Mapping[str, Sequence[float]], max_points: int) -> dict[str, list[float]]:
    n = max((len(v) for v in history.values()), default=0)
    keep = thin_indices(n, max_points)
    return {k: [v[i] for i in keep if i < len(v)] for k, v in history.items()}


class RunHistory:
    """The finished runs of one page in this session (a view on ``st.session_state``)."""

    def __init__(self, prefix: str, max_runs: int = MAX_RUNS, max_points: int = MAX_POINTS) -> None:
        self.prefix, self.max_runs, self.max_points = prefix, max_runs, max_points
        self._key, self._count = f"{prefix}_runs", f"{prefix}_runs_count"

    def runs(self) -> list[Run]:
        """The kept runs, oldest first."""
        return list(st.session_state.get(self._key, []))

    def add(self, key: Any, config: Mapping[str, Any], metrics: Mapping[str, Any],
            history: Mapping[str, Sequence[float]], label: str | None = None) -> Run:
        """Record a finished run once (a page's result view redraws on every rerun); returns it."""
        runs: list[Run] = st.session_state.setdefault(self._key, [])
        for run in runs:
            if run.key == str(key):
                return run
        count = st.session_state[self._count] = st.session_state.get(self._count, 0) + 1
        run = Run(str(key), label or f"run {count}", dict(config), dict(metrics),
                  _thin(history, self.max_points))
        runs.append(run)
        del runs[:-self.max_runs]
        return run

    def clear(self, keep: Any = None) -> None:
        """Forget every run except the one with key ``keep`` (if given)."""
        st.session_state[self._key] = [r for r in self.runs() if keep is not None and r.key == str(keep)]

    def table(self) -> pd.DataFrame:
        """One row per run: label, settings, metrics (the compare table)."""
        return pd.DataFrame([{"run": r.label, **r.config, **r.metrics} for r in self.runs()])

    def overlays(self, exclude: Any = None,
                 like: Mapping[str, Any] | None = None) -> dict[str, dict[str, list[float]]]:
        """Label -> history of every kept run except ``exclude`` (for ``loss_curves(extra=...)``); with
        ``like``, only the runs whose settings hold those values (returns of two environments share no scale,
        so a page overlays runs of the environment on screen only; the table still lists every run)."""
        like = dict(like or {})
        return {r.label: r.history for r in self.runs()
                if r.key != str(exclude) and all(r.config.get(k) == v for k, v in like.items())}

    def overlay(self, history: Mapping[str, Sequence[float]], keys: Sequence[str], title: str,
                exclude: Any = None, like: Mapping[str, Any] | None = None) -> go.Figure:
        """``history``'s curves (solid) over the other kept runs' (dotted, faded): those ``like`` it."""
        return loss_curves(history, keys, title, extra=self.overlays(exclude, like))

    def show(self, keep: Any = None, title: str = "Run history") -> None:
        """The compare table and a button that clears it (keeping the run ``keep``)."""
        if not self.runs():
            return
        st.subheader(title)
        st.dataframe(self.table().round(4), hide_index=True, key=f"{self.prefix}_history")
        st.button("Clear history (keep this run)" if keep is not None else "Clear history",
                  key=f"{self.prefix}_clear", on_click=self.clear, args=(keep,))
