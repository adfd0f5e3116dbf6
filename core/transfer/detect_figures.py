"""The detection page's figure: the picture with masks blended in, boxes and labels drawn over it.

The picture travels as one PNG inside the plotly figure (an ``image`` trace with a data URI), not as a
list of numbers: 640×480×3 values would be megabytes of JSON on every slider move.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.transfer.detection import DetectResult
from core.viz.style import PALETTE, fast_figure

COLOURS = (*PALETTE[:7], "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74", "#80BA5A", "#E68310")
"""Distinct colours, cycled by class index so one class keeps its colour across pictures."""
MASK_ALPHA = 0.5


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], np.float32)


def colour(result: DetectResult, label: str) -> str:
    return COLOURS[result.info.categories.index(label) % len(COLOURS)]


def overlay(result: DetectResult) -> np.ndarray:
    """uint8 (H, W, 3): the picture with instance masks or the semantic classes tinted in their colours;
    pixels below the threshold (semantic) are greyed out."""
    out = result.image.astype(np.float32)
    if result.masks is not None:
        for label, mask in zip(result.labels, result.masks):
            out[mask] = (1 - MASK_ALPHA) * out[mask] + MASK_ALPHA * _rgb(colour(result, label))
    if result.segmentation is not None:
        seg = result.segmentation
        for label in result.labels:
            where = seg == result.info.categories.index(label)
            out[where] = (1 - MASK_ALPHA) * out[where] + MASK_ALPHA * _rgb(colour(result, label))
        unsure = seg < 0
        out[unsure] = 0.4 * out[unsure] + 0.6 * 200.0
    return (out + 0.5).clip(0, 255).astype(np.uint8)


def png_uri(rgb: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)  # fast: redrawn on every slider move
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def detection_figure(result: DetectResult, height: int = 520) -> go.Figure:
    """The overlay with one rectangle and label per detection (hover shows class and score)."""
    h, w = result.image.shape[:2]
    traces: list[dict] = [dict(type="image", source=png_uri(overlay(result)), x0=0, y0=0, dx=1, dy=1,
                               hoverinfo="skip")]  # fmt: skip
    notes: list[dict] = []  # labels on a coloured ground, readable over any picture
    for label, score, (x0, y0, x1, y1) in zip(result.labels, result.scores, result.boxes):
        c = colour(result, label)
        traces.append(dict(type="scatter", x=[x0, x1, x1, x0, x0], y=[y0, y0, y1, y1, y0], mode="lines",
                           line=dict(color=c, width=3), name=f"{label} {score:.2f}", showlegend=False,
                           hoverinfo="name"))  # fmt: skip
        notes.append(dict(x=x0, y=y0, text=f"{label} {score:.2f}", showarrow=False, xanchor="left",
                          yanchor="bottom" if y0 > 30 else "top", bgcolor=c,
                          font=dict(color="white", size=16)))  # fmt: skip
    if result.segmentation is not None:  # a legend of the classes present (their colours and areas)
        for label, share in zip(result.labels, result.scores):
            traces.append(dict(type="scatter", x=[None], y=[None], mode="markers",
                               name=f"{label} {share:.0%}",
                               marker=dict(color=colour(result, label), size=14,
                                           symbol="square")))  # fmt: skip
    axis = dict(visible=False, showgrid=False, zeroline=False)
    return fast_figure(traces, "", height, light=True, showlegend=result.segmentation is not None,
                       xaxis=dict(range=[0, w], **axis, constrain="domain"),
                       yaxis=dict(range=[h, 0], **axis, scaleanchor="x", constrain="domain"),
                       margin=dict(l=0, r=0, t=0, b=0), annotations=notes,
                       legend=dict(orientation="h", y=-0.02, yanchor="top"))  # fmt: skip
