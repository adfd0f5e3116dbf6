"""Figures of lecture 7 (plotly, no UI): learning curves, rewards of an episode, the policy-gradient
breakdown, and rendered episodes as animated GIFs."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.viz.curves import loss_curves
from core.viz.style import PALETTE, fast_figure


def learning_curve(history: Mapping[str, Sequence[float]], title: str, solved: float | None = None,
                   extra: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
                   keys: Sequence[str] = ("mean_return",), bands: Sequence[Any] = ()) -> go.Figure:
    """Mean return (last 10 episodes) against environment steps; ``solved`` as a dashed line.

    ``extra``: earlier runs (dotted, faded). ``bands``: shipped pairs over their seeds
    (:class:`core.rl.showcase.SeedBand`: ``label``, ``seeds``, ``timesteps``, ``mean``, ``lo``, ``hi``),
    each a shaded min-max band under its mean, drawn beneath the runs.
    """
    runs = loss_curves(history, keys, title, x_key="timesteps", extra=extra)
    traces = [t for i, b in enumerate(bands) for t in band_traces(b, PALETTE[(i + 1) % len(PALETTE)])]
    traces += [t.to_plotly_json() for t in runs.data]
    lines: dict[str, Any] = {}
    if solved is not None:  # as layout dicts: fig.add_hline validates, ~10x the cost of the whole figure
        lines["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": solved, "y1": solved,
                            "line": {"dash": "dash", "color": "#777", "width": 2}}]
        lines["annotations"] = [{"text": f"solved ({solved:g})", "xref": "paper", "x": 1, "y": solved,
                                 "xanchor": "right", "yanchor": "top", "showarrow": False}]
    return fast_figure(traces, title, xaxis={"title": {"text": "timesteps"}},
                       yaxis={"title": {"text": "return"}}, **lines)


def band_traces(band: Any, color: str) -> list[dict[str, Any]]:
    """A filled min-max band (closed polygon: ``hi`` forward, ``lo`` back) and the mean line over it."""
    x, n = list(band.timesteps), len(band.seeds)
    rgb = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    area = {"type": "scatter", "x": x + x[::-1], "y": list(band.hi) + list(band.lo)[::-1], "mode": "lines",
            "fill": "toself", "fillcolor": f"rgba{(*rgb, 0.2)}", "line": {"width": 0}, "hoverinfo": "skip",
            "name": f"{band.label}: min-max of {n} seed{'s' * (n > 1)}"}
    mean = {"type": "scatter", "x": x, "y": list(band.mean), "mode": "lines",
            "line": {"color": color, "width": 2}, "name": f"{band.label}: mean of {n} seed{'s' * (n > 1)}"}
    return [area, mean]


def episode_rewards(rewards: Sequence[float], title: str = "Reward at each step") -> go.Figure:
    """Reward per step and the running total of one episode."""
    steps = list(range(1, len(rewards) + 1))
    traces = [
        {"type": "scatter", "x": steps, "y": list(rewards), "mode": "lines", "name": "reward",
         "line": {"color": PALETTE[0], "width": 2}},
        {"type": "scatter", "x": steps, "y": np.cumsum(rewards).tolist(), "mode": "lines",
         "name": "return so far", "yaxis": "y2", "line": {"color": PALETTE[1], "width": 3}},
    ]
    return fast_figure(traces, title, xaxis={"title": {"text": "step"}},
                       yaxis={"title": {"text": "reward"}},
                       yaxis2={"title": {"text": "return so far"}, "overlaying": "y", "side": "right"})


def pg_breakdown(parts: Mapping[str, np.ndarray], title: str) -> go.Figure:
    """Returns-to-go, baseline V(s_t) and advantage G_t − V(s_t) along one episode."""
    steps = list(range(len(parts["returns_to_go"])))
    names = (("returns_to_go", "return-to-go G_t"), ("baseline", "baseline V(s_t)"),
             ("advantage", "advantage G_t − V(s_t)"))
    traces = [{"type": "scatter", "x": steps, "y": np.asarray(parts[k]).tolist(), "mode": "lines",
               "name": label, "line": {"color": PALETTE[i], "width": 3}}
              for i, (k, label) in enumerate(names)]
    return fast_figure(traces, title, xaxis={"title": {"text": "step t"}})


def variance_bars(variances: Mapping[str, float], title: str) -> go.Figure:
    """Total variance of the gradient estimate per estimator (log scale)."""
    traces = [{"type": "bar", "x": list(variances), "y": list(variances.values()),
               "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(variances))]},
               "text": [f"{v:.3g}" for v in variances.values()], "textposition": "outside"}]
    return fast_figure(traces, title, yaxis={"type": "log", "title": {"text": "variance (sum over weights)"}})


def gif(frames: Sequence[np.ndarray], fps: float = 25.0) -> bytes:
    """Frames as an animated GIF that loops (what ``st.image`` and an ``<img>`` tag play offline)."""
    if not frames:
        raise ValueError("no frames to animate")
    # One palette for the whole episode, fitted to a few frames spread over it: quantising every frame
    # to its own adaptive palette costs ~4x more, and these scenes hold a handful of flat colours.
    picks = np.linspace(0, len(frames) - 1, min(8, len(frames))).astype(int)
    sample = np.concatenate([frames[i] for i in picks])
    palette = Image.fromarray(sample).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:],
                   duration=max(20, int(1000 / fps)), loop=0, optimize=False)
    return out.getvalue()
