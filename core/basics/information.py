"""Entropy, cross-entropy and KL divergence of discrete distributions (lecture 1, information theory).

    H(p)     = -Σ p_i log p_i                  average surprise of outcomes drawn from p
    H(p, q)  = -Σ p_i log q_i                  average surprise when p happens but we expected q
    KL(p‖q)  =  Σ p_i log(p_i / q_i)           the excess: H(p, q) - H(p) ≥ 0 (Gibbs' inequality)

Conventions (Cover & Thomas, ch. 2): 0·log(0/q) = 0, and p·log(p/0) = ∞ for p > 0. KL is not
symmetric: KL(p‖q) punishes q for missing mass where p has it, KL(q‖p) the other way round. Minimising
the cross-entropy loss of a classifier is minimising KL(data‖model), since H(data) does not depend on
the model. Units: ``"nats"`` (natural log) or ``"bits"`` (log base 2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.basics.figures import LOOK
from core.viz.style import PALETTE, fast_figure

UNITS = {"nats": 1.0, "bits": 1.0 / math.log(2.0)}
"""Factor from nats to each unit."""

ArrayLike = Sequence[float] | np.ndarray


def _unit(unit: str) -> float:
    try:
        return UNITS[unit]
    except KeyError:
        raise ValueError(f"unit must be 'nats' or 'bits', not {unit!r}") from None


def as_distribution(p: ArrayLike, tol: float = 1e-6) -> np.ndarray:
    """p as a float array, checked to be a probability vector (non-negative, summing to 1)."""
    arr = np.asarray(p, dtype=np.float64).ravel()
    if arr.size == 0 or np.any(~np.isfinite(arr)) or np.any(arr < 0) or abs(arr.sum() - 1.0) > tol:
        raise ValueError(f"not a probability distribution (non-negative, sum 1): {arr.tolist()}")
    return arr


def normalise(weights: ArrayLike) -> np.ndarray:
    """Non-negative weights scaled to sum to 1 (all-zero weights give the uniform distribution)."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    if np.any(w < 0) or np.any(~np.isfinite(w)):
        raise ValueError(f"weights must be finite and non-negative: {w.tolist()}")
    total = w.sum()
    return w / total if total > 0 else np.full(w.size, 1.0 / w.size)


def surprisal_terms(p: ArrayLike, q: ArrayLike, unit: str = "nats") -> np.ndarray:
    """Per-outcome terms -p_i log q_i of H(p, q): 0 where p_i = 0, ∞ where q_i = 0 < p_i."""
    p, q = as_distribution(p), as_distribution(q)
    _same_size(p, q)
    out = np.zeros_like(p)
    m = p > 0
    with np.errstate(divide="ignore"):
        out[m] = -p[m] * np.log(q[m])
    return out * _unit(unit)


def kl_terms(p: ArrayLike, q: ArrayLike, unit: str = "nats") -> np.ndarray:
    """Per-outcome contributions p_i log(p_i/q_i) to KL(p‖q); some are negative, their sum never is."""
    p, q = as_distribution(p), as_distribution(q)
    _same_size(p, q)
    out = np.zeros_like(p)
    m = p > 0
    with np.errstate(divide="ignore"):
        out[m] = p[m] * (np.log(p[m]) - np.log(q[m]))
    return out * _unit(unit)


def entropy(p: ArrayLike, unit: str = "nats") -> float:
    """H(p) = -Σ p_i log p_i; between 0 (certain) and log K (uniform over K outcomes)."""
    return float(surprisal_terms(p, p, unit).sum())


def cross_entropy(p: ArrayLike, q: ArrayLike, unit: str = "nats") -> float:
    """H(p, q) = -Σ p_i log q_i = H(p) + KL(p‖q); ∞ when q gives zero probability to a possible outcome."""
    return float(surprisal_terms(p, q, unit).sum())


def kl_divergence(p: ArrayLike, q: ArrayLike, unit: str = "nats") -> float:
    """KL(p‖q) = Σ p_i log(p_i/q_i) ≥ 0, zero iff p = q; not symmetric in p and q."""
    # Clamp the rounding error that can make an exact zero come out as -1e-17.
    return max(float(kl_terms(p, q, unit).sum()), 0.0)



def _same_size(p: np.ndarray, q: np.ndarray) -> None:
    if p.shape != q.shape:
        raise ValueError(f"p and q need the same number of outcomes, got {p.size} and {q.size}")


def summary(p: ArrayLike, q: ArrayLike, unit: str = "nats") -> dict[str, float]:
    """Every quantity the distributions widget shows, in one unit."""
    return {
        "H(p)": entropy(p, unit),
        "H(q)": entropy(q, unit),
        "H(p,q)": cross_entropy(p, q, unit),
        "H(q,p)": cross_entropy(q, p, unit),
        "KL(p||q)": kl_divergence(p, q, unit),
        "KL(q||p)": kl_divergence(q, p, unit),
        "max entropy log K": math.log(len(np.ravel(p))) * _unit(unit),
    }


def distributions_figure(p: ArrayLike, q: ArrayLike, labels: Sequence[str] | None = None) -> go.Figure:
    """p and q side by side as bars over the outcomes."""
    p, q = as_distribution(p), as_distribution(q)
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(p.size)]
    traces = [dict(type="bar", x=labels, y=v, name=name, marker=dict(color=c))
              for name, v, c in (("p", p, PALETTE[0]), ("q", q, PALETTE[1]))]  # fmt: skip
    return fast_figure(traces, "The two distributions", 360, xaxis=dict(title="outcome", type="category"),
                       yaxis=dict(title="probability", range=[0, 1]), barmode="group", **LOOK)


def kl_terms_figure(
    p: ArrayLike, q: ArrayLike, unit: str = "nats", labels: Sequence[str] | None = None
) -> go.Figure:
    """Per-outcome contributions to KL(p‖q) and to KL(q‖p): where each direction pays.

    An infinite term (mass where the other distribution has none) is drawn at the top of the axis and
    labelled ∞ rather than left out.
    """
    a, b = kl_terms(p, q, unit), kl_terms(q, p, unit)
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(a.size)]
    finite = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)], [0.0]])
    cap = max(float(np.abs(finite).max()) * 1.3, 0.05)
    traces = []
    for name, terms, colour in (("KL(p‖q)", a, PALETTE[0]), ("KL(q‖p)", b, PALETTE[1])):
        shown = np.where(np.isfinite(terms), terms, cap)
        # Only ∞ is written on its bar: a number at 18 px is wider than a bar of 4-6 outcomes in a
        # two-column chart (plotly would shrink it, unreadably); the values are in the hover.
        text = ["∞" if not np.isfinite(t) else "" for t in terms]
        traces.append(dict(type="bar", x=labels, y=shown, name=name, marker=dict(color=colour), text=text,
                           textposition="outside", constraintext="none", cliponaxis=False,
                           hovertext=[f"{t:.3f}" if np.isfinite(t) else "∞" for t in terms],
                           hoverinfo="x+name+text"))  # fmt: skip
    room = 0.15 * (cap - min(float(finite.min()), 0.0))  # for the ∞ label above a capped bar
    lo = float(finite.min()) - room if finite.min() < 0 else 0.0
    return fast_figure(traces, f"Where each direction pays ({unit})", 360,
                       xaxis=dict(title="outcome", type="category"),
                       yaxis=dict(title=unit, range=[lo, cap + room]), barmode="group", **LOOK)
