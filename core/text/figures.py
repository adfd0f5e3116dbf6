"""Plots of lecture 6, built with the gallery's ``fast_figure``: hidden states and gates over the characters
of a text, gradient norms per time step, next-character probabilities, held-out bits per character."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text.memory import CELL_LABELS, CELLS, MemoryRun
from core.text.unfold import GATES, Unrolled, busiest_units
from core.viz.style import LEGEND_BELOW, PALETTE, fast_figure

CELL_COLOURS = dict(zip(CELLS, PALETTE))


def shown_char(c: str) -> str:
    """A character as an axis label: line breaks and spaces made visible."""
    return {"\n": "⏎", " ": "␣"}.get(c, c)


def _columns(u: Unrolled) -> list[str]:
    # Category labels must be unique: prefix each character with its step number.
    return [f"{t + 1}:{shown_char(c)}" for t, c in enumerate(u.chars)]


def _ticks(u: Unrolled) -> dict[str, Any]:
    cols = _columns(u)
    return {"tickmode": "array", "tickvals": cols, "ticktext": [shown_char(c) for c in u.chars],
            "tickangle": 0, "title": {"text": "character read at step t"}}


def _heat(values: np.ndarray, units: np.ndarray, u: Unrolled, zmin: float, zmax: float, scale: str,
          name: str, show_scale: bool = True) -> dict[str, Any]:
    return {"type": "heatmap", "z": values[:, units].T.round(3).tolist(), "x": _columns(u),
            "y": [f"unit {i}" for i in units], "zmin": zmin, "zmax": zmax, "colorscale": scale,
            "showscale": show_scale, "name": name,
            "hovertemplate": "step %{x}<br>%{y}<br>" + name + " %{z:.3f}<extra></extra>"}


def hidden_figure(u: Unrolled, n_units: int) -> go.Figure:
    """Heat map of the hidden state: one column per step (character read), one row per unit shown."""
    units = busiest_units(u.hidden, n_units)
    kind = "vanilla RNN" if u.cell == "rnn" else "LSTM"
    return fast_figure([_heat(u.hidden, units, u, -1, 1, "RdBu", "h")],
                       f"Hidden state h_t of the {kind}, {len(units)} busiest of {u.hidden.shape[1]} units",
                       height=max(260, 16 * len(units) + 120), light=True, xaxis=_ticks(u),
                       yaxis={"autorange": "reversed"})


def gates_figure(u: Unrolled, n_units: int) -> go.Figure:
    """The LSTM's input, forget and output gates (0 closed, 1 open) per step, for the units of
    :func:`hidden_figure`, one heat map under the other."""
    units = busiest_units(u.hidden, n_units)
    rows, traces = len(GATES), []
    gap = 0.06
    height = (1 - gap * (rows - 1)) / rows
    layout: dict[str, Any] = {}
    for r, gate in enumerate(GATES):
        axis = "" if r == 0 else str(r + 1)
        tr = _heat(u.gates[gate], units, u, 0, 1, "Viridis", f"{gate} gate", show_scale=r == 0)
        tr.update(xaxis=f"x{axis}", yaxis=f"y{axis}")
        traces.append(tr)
        top = 1 - r * (height + gap)
        layout[f"yaxis{axis}"] = {"domain": [top - height, top], "autorange": "reversed",
                                  "title": {"text": f"{gate} gate"}, "showticklabels": len(units) <= 24}
        layout[f"xaxis{axis}"] = {**_ticks(u), "anchor": f"y{axis}",
                                  **({} if r == rows - 1 else {"title": None})}
    return fast_figure(traces, "LSTM gates per step (0 closed, 1 open)",
                       height=max(420, 3 * (12 * len(units) + 40) + 100), light=True, **layout)


def prediction_table(u: Unrolled) -> list[dict[str, str]]:
    """Rows for a table: step, character read, the model's most likely next character and its probability."""
    return [{"step": str(t + 1), "read": shown_char(c), "predicts next": shown_char(p),
             "probability": f"{q:.0%}"}
            for t, (c, p, q) in enumerate(zip(u.chars, u.predicted, u.confidence))]


def gradient_figure(norms: Mapping[str, np.ndarray], title: str,
                    dashed: Mapping[str, np.ndarray] | None = None) -> go.Figure:
    """||dL/dx_t|| per step t for each cell, on a log axis; ``dashed`` overlays another set (at init)."""
    traces = []
    for cell, values in norms.items():
        t = list(range(1, len(values) + 1))
        floor = np.maximum(values, 1e-30)  # a log axis cannot show 0: underflow is drawn at 1e-30
        traces.append({"type": "scatter", "mode": "lines", "name": CELL_LABELS[cell], "x": t,
                       "y": floor.tolist(), "line": {"color": CELL_COLOURS[cell], "width": 3}})
        if dashed is not None and cell in dashed:
            traces.append({"type": "scatter", "mode": "lines", "name": f"{CELL_LABELS[cell]}, untrained",
                           "x": t, "y": np.maximum(dashed[cell], 1e-30).tolist(),
                           "line": {"color": CELL_COLOURS[cell], "width": 1.5, "dash": "dot"}})
    return fast_figure(traces, title, height=420, log_ticks=True, legend=LEGEND_BELOW,
                       xaxis={"title": {"text": "time step t (the signal is at t = 1)"}},
                       yaxis={"type": "log", "title": {"text": "‖∂L/∂x_t‖"},
                              "exponentformat": "power"})


def accuracy_figure(run: MemoryRun) -> go.Figure:
    """Held-out accuracy of each trained cell against chance (25%)."""
    cells = run.cells
    bar = {"type": "bar", "x": [CELL_LABELS[c.cell] for c in cells], "y": [c.test_accuracy for c in cells],
           "marker": {"color": [CELL_COLOURS[c.cell] for c in cells]}, "texttemplate": "%{y:.0%}",
           "textposition": "outside", "showlegend": False}
    chance = {"type": "scatter", "mode": "lines", "x": [CELL_LABELS[c.cell] for c in cells],
              "y": [0.25] * len(cells), "name": "chance", "line": {"color": "#000", "dash": "dash"}}
    title = f"Held-out accuracy after training (T = {run.config.length})"
    return fast_figure([bar, chance], title, height=340,
                       yaxis={"range": [0, 1.12], "tickformat": ".0%"})


def next_char_figure(probs: Sequence[float], alphabet: str, top: int = 15,
                     allowed: Sequence[float] | None = None) -> go.Figure:
    """Bars of the ``top`` most likely next characters; ``allowed`` (the probabilities sampling really uses,
    after temperature and top-k) drawn beside them."""
    p = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-p, kind="stable")[:top]
    labels = [shown_char(alphabet[i]) for i in order]
    traces = [{"type": "bar", "name": "model", "x": labels, "y": p[order].round(4).tolist(),
               "marker": {"color": PALETTE[0]}}]
    if allowed is not None:
        a = np.asarray(allowed, dtype=np.float64)
        traces.append({"type": "bar", "name": "sampled from (temperature, top-k)", "x": labels,
                       "y": a[order].round(4).tolist(), "marker": {"color": PALETTE[1]}})
    return fast_figure(traces, "Next character", height=340, legend=LEGEND_BELOW, barmode="group",
                       xaxis={"type": "category", "title": {"text": "character (␣ space, ⏎ line break)"}},
                       yaxis={"title": {"text": "probability"}, "rangemode": "tozero"})


def bpc_figure(rows: Sequence[tuple[str, float]]) -> go.Figure:
    """Held-out bits per character of each model (lower is better); perplexity = 2^bpc in the labels."""
    traces = [{"type": "bar", "orientation": "h", "y": [r[0] for r in rows], "x": [r[1] for r in rows],
               "text": [f"{r[1]:.2f} bpc · perplexity {2 ** r[1]:.1f}" for r in rows],
               "textposition": "auto", "showlegend": False,
               "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(rows))]}}]
    return fast_figure(traces, "Held-out bits per character on The Tempest (lower is better)", height=300,
                       xaxis={"title": {"text": "bits per character"}, "rangemode": "tozero"},
                       yaxis={"autorange": "reversed"})


def labels_curve_figure(grid: Sequence[int] | Mapping[str, Sequence[int]],
                        curves: Mapping[str, Sequence[float]], labels: Mapping[str, str],
                        runs: Sequence[tuple[str, int, float]] = (), n_test: int = 0,
                        chance: float = 0.0) -> go.Figure:  # fmt: skip
    """Held-out accuracy vs labelled training tweets (log axis): a line per model (``grid`` shared, or one
    per model), live runs as stars, the majority-class rate dotted."""
    colour = {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(labels)}
    grids = grid if isinstance(grid, Mapping) else dict.fromkeys(curves, grid)
    traces = [{"type": "scatter", "mode": "lines+markers", "x": list(grids[m]), "y": list(acc),
               "name": labels.get(m, m), "line": {"color": colour.get(m, "#777")},
               "hovertemplate": "%{x:,} labels: %{y:.1%}<extra></extra>"} for m, acc in curves.items()]
    for m in labels:
        mine = [(n, a) for model, n, a in runs if model == m and np.isfinite(a)]
        if mine:
            traces.append({"type": "scatter", "mode": "markers", "x": [n for n, _ in mine],
                           "y": [a for _, a in mine], "name": f"{labels[m]}: your runs",
                           "marker": {"symbol": "star", "size": 16, "color": colour[m],
                                      "line": {"color": "#000", "width": 1}}})
    if chance:
        traces.append({"type": "scatter", "mode": "lines", "x": [30, 30_000], "y": [chance, chance],
                       "name": "always the most frequent class", "line": {"color": "#999", "dash": "dot"},
                       "hoverinfo": "skip"})
    held = f" ({n_test:,} held-out tweets)" if n_test else ""
    return fast_figure(traces, f"Test accuracy vs labelled training tweets{held}", height=420, light=True,
                       xaxis={"type": "log", "title": {"text": "labelled training tweets"}},
                       yaxis={"title": {"text": "test accuracy"}, "range": [0, 1], "tickformat": ".0%"},
                       legend=LEGEND_BELOW)


def attribution_figure(tokens: Sequence[str], scores: Sequence[float], title: str) -> go.Figure:
    """Each token's share of the predicted class's logit, in reading order (red: for, blue: against)."""
    s = np.asarray(scores, dtype=np.float64)
    y = [f"{i + 1}: {t}" for i, t in enumerate(tokens)]  # unique category labels, reading order
    colours = ["#c0392b" if v > 0 else "#2c6fbb" for v in s]
    traces = [{"type": "bar", "orientation": "h", "x": s.round(4).tolist(), "y": y, "showlegend": False,
               "marker": {"color": colours}, "hovertemplate": "%{y}: %{x:.3f}<extra></extra>"}]
    return fast_figure(traces, title, height=min(900, 120 + 22 * len(y)), light=True,
                       xaxis={"title": {"text": "Integrated Gradients (share of the logit)"},
                              "zeroline": True},
                       yaxis={"type": "category", "autorange": "reversed", "automargin": True})
