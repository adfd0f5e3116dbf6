"""Gradio tab of lecture 1's information-theory demo: entropy, cross-entropy and KL of two distributions.

Endpoints (the same core calls as the Streamlit page ``l1-information``):

- ``/information_measures`` (outcomes K, unit, p weights 1-6, q weights 1-6) -> the two distributions
  (``core.basics.information.distributions_figure``), where each KL direction pays
  (``kl_terms_figure``), and the numbers of ``core.basics.information.summary`` with p and q. Only the
  first K weights of each distribution count; every weight is still checked. An infinite value (q gives
  no probability to an outcome p allows) is written "∞".
- ``/swap_distributions`` (the same inputs) -> the q weights as the new p weights, the p weights as the
  new q weights, and ``/information_measures`` of the swapped pair.

The ranges and choices are the page's (``core.basics.controls``: OUTCOMES, UNIT, WEIGHT).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs import inputs
from core.basics import controls as c
from core.basics import information as it

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

KMAX = int(c.OUTCOMES.hi)
Measures = tuple[go.Figure, go.Figure, dict[str, Any]]


def _value(v: float) -> float | str:
    return round(v, 6) if math.isfinite(v) else "∞"


@functools.lru_cache(maxsize=32)
def _measures(k: int, unit: str, pw: tuple[int, ...], qw: tuple[int, ...]) -> Measures:
    p, q = it.normalise(pw[:k]), it.normalise(qw[:k])
    s = it.summary(p, q, unit)
    numbers: dict[str, Any] = {"unit": unit, "p": [round(float(v), 6) for v in p],
                               "q": [round(float(v), 6) for v in q]}  # fmt: skip
    numbers.update({key: _value(v) for key, v in s.items()})
    gap = s["KL(p||q)"] - s["KL(q||p)"]
    numbers["KL(p||q) - KL(q||p)"] = _value(gap) if math.isfinite(gap) else "undefined (∞)"
    zero = [name for name, w in (("p", pw[:k]), ("q", qw[:k])) if sum(w) == 0]
    if zero:
        numbers["note"] = f"all weights of {' and '.join(zero)} are zero; taken as uniform"
    return it.distributions_figure(p, q), it.kl_terms_figure(p, q, unit), numbers


Checked = tuple[int, str, tuple[int, ...], tuple[int, ...]]


def _checked(k: Any, unit: Any, weights: tuple[Any, ...]) -> Checked:
    """The checked outcomes, unit and weights (p's first, then q's), or the gr.Error naming the range."""
    kk = inputs.number(c.OUTCOMES.label, k, c.OUTCOMES.lo, c.OUTCOMES.hi)
    u = inputs.choice(c.UNIT.label, unit, c.UNIT.options)
    if len(weights) != 2 * KMAX:
        raise gr.Error(f"need {KMAX} p weights and {KMAX} q weights, got {len(weights)} weights")
    w = [inputs.number(f"{'pq'[i // KMAX]} weight {i % KMAX + 1}", v, c.WEIGHT.lo, c.WEIGHT.hi)
         for i, v in enumerate(weights)]  # fmt: skip
    return kk, u, tuple(w[:KMAX]), tuple(w[KMAX:])


def information_measures(k: Any, unit: Any, *weights: Any) -> Measures:
    """Entropy, cross-entropy and both KL directions of p and q (normalised from the first K weights)."""
    kk, u, pw, qw = _checked(k, unit, weights)
    return _measures(kk, u, pw, qw)


def swap_distributions(k: Any, unit: Any, *weights: Any) -> tuple[Any, ...]:
    """Exchange p and q: the new weights (p's, then q's) and the measures of the swapped pair."""
    kk, u, pw, qw = _checked(k, unit, weights)
    return *qw, *pw, *_measures(kk, u, qw, pw)


def build() -> None:
    """Lay out the information-theory demo inside the current Blocks/Tab."""
    with gr.Tab("Entropy, cross-entropy, KL"):
        gr.Markdown(
            "Shape two discrete distributions and read off entropy, cross-entropy and the asymmetric KL "
            "divergence: H(p) = −Σ pᵢ log pᵢ, H(p,q) = −Σ pᵢ log qᵢ, KL(p‖q) = H(p,q) − H(p) ≥ 0. "
            "**p** is the data (what actually happens), **q** the model (what we expect); weights are "
            "normalised to sum to 1, and only the first K of each count. Set a q weight to 0, then swap."
        )
        with gr.Row():
            k = inputs.CheckedSlider(c.OUTCOMES.lo, c.OUTCOMES.hi, value=c.OUTCOMES.default, step=1,
                                     label=c.OUTCOMES.label)  # fmt: skip
            unit = inputs.CheckedRadio(list(c.UNIT.options), value=c.UNIT.default, label=c.UNIT.label)
        with gr.Row():
            sliders: dict[str, list[inputs.CheckedSlider]] = {}
            for name, defaults in (("p", c.P_WEIGHTS), ("q", c.Q_WEIGHTS)):
                with gr.Column():
                    gr.Markdown(f"**{name}** weights")
                    sliders[name] = [inputs.CheckedSlider(c.WEIGHT.lo, c.WEIGHT.hi, value=d, step=1,
                                                          label=f"{name} weight {i}")
                                     for i, d in enumerate(defaults, 1)]  # fmt: skip
        swap = gr.Button("Swap p and q")
        first = information_measures(c.OUTCOMES.default, c.UNIT.default, *c.P_WEIGHTS, *c.Q_WEIGHTS)
        with gr.Row():
            outs = [gr.Plot(first[0], label="The two distributions"),
                    gr.Plot(first[1], label="Where each direction pays")]  # fmt: skip
        outs.append(gr.JSON(first[2], label="Entropy, cross-entropy, KL"))
        weights = [*sliders["p"], *sliders["q"]]
        gr.on([k.release, unit.change, *(s.release for s in weights)], information_measures,
              [k, unit, *weights], outs, api_name="information_measures")
        gr.on([swap.click], swap_distributions, [k, unit, *weights], [*weights, *outs],
              api_name="swap_distributions")
