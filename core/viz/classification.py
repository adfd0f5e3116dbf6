"""Figures of a classifier's results that every subject shares: the confusion matrix.

Built with :func:`core.viz.style.fast_figure`. The colour scale is spelled out: under the name "Blues"
plotly.js draws low values dark and high values light, the reverse of plotly.py's "Blues" (applied only
when a figure is validated), so an unvalidated figure's diagonal came out pale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.viz.style import MIN_TEXT_PX, fast_figure

BLUES = [[0.0, "rgb(247,251,255)"], [0.25, "rgb(198,219,239)"], [0.5, "rgb(107,174,214)"],
         [0.75, "rgb(33,113,181)"], [1.0, "rgb(8,48,107)"]]  # fmt: skip
"""ColorBrewer Blues, white (none) to dark blue (all): the correct diagonal stands out."""


def confusion_figure(
    cm: np.ndarray | Sequence[Sequence[int]],
    classes: Sequence[str],
    normalise: bool = False,
    title: str = "Confusion matrix (rows: true class)",
) -> go.Figure:
    """Heatmap of a confusion matrix, true class on rows (top to bottom) and prediction on columns.

    ``normalise``: each row divided by its count, written as percentages (what share of each true class
    went where, comparable across classes of different sizes); otherwise the counts. Each cell is
    written at the figure's smallest readable size; plotly picks dark or white text per cell colour.
    """
    counts = np.asarray(cm)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(classes):
        raise ValueError(f"a confusion matrix of {len(classes)} classes is square, not {counts.shape}")
    if normalise:
        z = counts / np.maximum(counts.sum(1, keepdims=True), 1)
        text = [[f"{v:.0%}" for v in row] for row in z.tolist()]
        top = 1.0
    else:
        z = counts
        text = [[f"{v:,}" for v in row] for row in counts.tolist()]
        top = float(max(1, counts.max(initial=0)))
    names = [str(c) for c in classes]
    trace = {
        "type": "heatmap", "z": z.tolist(), "x": names, "y": names, "zmin": 0, "zmax": top,
        "colorscale": BLUES, "showscale": False, "text": text, "texttemplate": "%{text}",
        "textfont": {"size": MIN_TEXT_PX},
        "hovertemplate": "true %{y}<br>predicted %{x}<br>%{text}<extra></extra>",
    }  # fmt: skip
    return fast_figure(
        [trace], title, height=max(320, 120 + 40 * len(names)),
        yaxis={"autorange": "reversed", "title": {"text": "true"}, "type": "category"},
        xaxis={"title": {"text": "predicted"}, "tickangle": -40 if len(names) > 4 else 0, "type": "category"},
    )  # fmt: skip
