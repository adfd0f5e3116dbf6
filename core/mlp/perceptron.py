"""The perceptron learning rule, one update at a time, on separable data and on XOR (lecture 2).

Rosenblatt's rule (1958): visit the points in a fixed order; whenever a point is misclassified,
``y (w·x + b) <= 0``, move the weights toward it: ``w += lr y x``, ``b += lr y``. Novikoff (1962) proved
that on linearly separable data it stops after at most ``(R/γ)²`` updates (R: the largest ‖(x, 1)‖,
γ: the best margin of a unit-norm (w, b)), whatever the order. On data no line separates it never
stops; with a fixed order and these small data sets the weights even return exactly to an earlier
state (Minsky & Papert's cycling theorem), which :func:`run` detects and reports as the proof.

Everything here is numpy; :func:`figure` and :func:`mistakes_figure` draw any step of a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
from scipy.optimize import linprog, minimize

from core.viz.style import PALETTE, fast_figure

DATASETS: dict[str, str] = {
    "separable": "Two separable clusters",
    "and": "AND gate",
    "or": "OR gate",
    "xor": "XOR gate",
    "xor-clusters": "XOR clusters",
}
#: Data sets drawn at random (the others are the four corners of the unit square).
RANDOM_SETS = frozenset({"separable", "xor-clusters"})
INITS = ("zeros", "random")
#: The controls' ranges (the page's widgets; the Gradio endpoints check against the same).
LEARNING_RATES: tuple[float, ...] = (0.01, 0.1, 0.5, 1.0, 2.0)
EPOCH_RANGE: tuple[int, int] = (1, 50)
SEED_RANGE: tuple[int, int] = (0, 9999)
_GATES = {"and": (-1, -1, -1, 1), "or": (-1, 1, 1, 1), "xor": (-1, 1, 1, -1)}
_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


@dataclass(frozen=True)
class PerceptronConfig:
    """One perceptron run."""

    dataset: str = "separable"
    """Key of :data:`DATASETS`."""
    lr: float = 1.0
    """Learning rate η. From w = 0 it only rescales w: the mistakes are the same for every η."""
    max_epochs: int = 20
    """Passes over the data before giving up."""
    init: str = "zeros"
    """'zeros' (the textbook start, where Novikoff's bound holds) or 'random' (N(0, 1) weights)."""
    seed: int = 0
    """Seed of the random data sets, their visiting order and the random initial weights."""
    n: int = 40
    """Number of points of the random data sets."""


@dataclass(frozen=True)
class Update:
    """One application of the rule to a misclassified point."""

    step: int
    """1-based number of this update."""
    epoch: int
    """1-based epoch it happened in."""
    index: int
    """Index of the point in the data set."""
    score: float
    """y (w·x + b) before the update (<= 0: the mistake)."""
    w_before: tuple[float, float]
    """Weights before."""
    b_before: float
    """Bias before."""
    w_after: tuple[float, float]
    """Weights after: w_before + η y x."""
    b_after: float
    """Bias after: b_before + η y."""


@dataclass(frozen=True)
class PerceptronRun:
    """A complete run, with everything needed to show any step of it."""

    config: PerceptronConfig
    """The settings."""
    X: np.ndarray
    """Points, shape (N, 2)."""
    y: np.ndarray
    """Labels in {-1, +1}."""
    order: tuple[int, ...]
    """The fixed order in which each epoch visits the points."""
    w0: tuple[float, float]
    """Initial weights."""
    b0: float
    """Initial bias."""
    updates: tuple[Update, ...]
    """Every update, in order."""
    mistakes: tuple[int, ...]
    """Number of updates in each epoch."""
    converged: bool
    """An epoch passed without a mistake: the final line separates the data."""
    cycle: tuple[int, int] | None
    """(e1, e2): the first repeat, the weights after epoch e2 equal those after epoch e1 < e2 (0: the
    initial weights), so from then on the run repeats forever; it still runs to max_epochs, to show it."""
    separable: bool
    """Whether any line separates the data (decided by a linear program, independent of the run)."""
    margin: float | None
    """γ: the best margin of a unit-norm (w, b) on the augmented points (x, 1); None if not separable."""
    radius: float
    """R = max ‖(x, 1)‖."""

    @property
    def n_updates(self) -> int:
        return len(self.updates)

    @property
    def bound(self) -> float | None:
        """Novikoff's bound (R/γ)² on the number of updates from w = 0 (None if it does not apply)."""
        if self.margin is None or self.config.init != "zeros":
            return None
        return (self.radius / self.margin) ** 2

    def weights(self, step: int) -> tuple[np.ndarray, float]:
        """(w, b) after ``step`` updates (0: the initial weights)."""
        if step <= 0:
            return np.array(self.w0), self.b0
        u = self.updates[min(step, self.n_updates) - 1]
        return np.array(u.w_after), u.b_after

    def errors(self, step: int) -> np.ndarray:
        """Mask of the points misclassified by the weights after ``step`` updates."""
        w, b = self.weights(step)
        return self.y * (self.X @ w + b) <= 0

    def verdict(self) -> str:
        """One sentence: how the run ended, and why."""
        n, e = self.n_updates, len(self.mistakes)
        if self.converged:
            text = f"Converged: epoch {e} made no mistake; {n} updates in all."
            if self.bound is not None:
                text += f" Novikoff's bound (R/γ)² = {self.bound:.1f} holds."
            return text
        if self.cycle is not None:
            e1, e2 = self.cycle
            since = "the initial weights" if e1 == 0 else f"those after epoch {e1}"
            return (f"Cycle: the weights after epoch {e2} equal {since}, so the rule repeats the same "
                    f"{sum(self.mistakes[e1:e2])} updates forever: mistakes never reach 0. No line separates "
                    "these points.")
        if not self.separable:
            return (f"No convergence in {e} epochs: every epoch still makes mistakes, and no line separates "
                    "the data.")
        return (f"Not converged after {e} epochs ({n} updates); the data are separable, so more epochs "
                "will do.")


def make_data(name: str, n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (N, 2) and labels in {-1, +1} of a perceptron data set."""
    if name in _GATES:
        return _CORNERS.copy(), np.array(_GATES[name])
    rng = np.random.default_rng(seed)
    if name == "separable":
        # A random "teacher" line; points closer than 0.1 to it are dropped, so the data are separable
        # with a margin of at least 0.1, small enough that the rule needs a few dozen updates.
        angle, offset = rng.uniform(0, 2 * np.pi), rng.uniform(-0.5, 0.5)
        u = np.array([np.cos(angle), np.sin(angle)])
        X = np.empty((0, 2))
        while len(X) < n:
            cand = rng.uniform(-2.5, 2.5, size=(4 * n, 2))
            X = np.vstack([X, cand[np.abs(cand @ u + offset) >= 0.1]])
        X = X[:n]
        return X, np.where(X @ u + offset > 0, 1, -1)
    if name == "xor-clusters":
        corner = rng.integers(0, 4, size=n)
        centres = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])[corner]
        X = centres + 0.35 * rng.standard_normal((n, 2))
        return X, np.array([-1, 1, 1, -1])[corner]
    raise ValueError(f"unknown data set {name!r}; choose from {tuple(DATASETS)}")


def separability(X: np.ndarray, y: np.ndarray) -> tuple[bool, float | None]:
    """(separable, best margin γ of a unit-norm (w, b) on the points (x, 1)).

    A linear program decides separability exactly (maximise t subject to y (w·x + b) >= t with w, b in
    [-1, 1]); a small quadratic program then finds the maximum margin, min ‖(w, b)‖ s.t. y (w·x + b) >= 1.
    """
    A = np.hstack([X, np.ones((len(X), 1))]) * y[:, None]
    lp = linprog(c=[0, 0, 0, -1], A_ub=np.hstack([-A, np.ones((len(X), 1))]), b_ub=np.zeros(len(X)),
                 bounds=[(-1, 1)] * 3 + [(None, 1)], method="highs")
    if not lp.success or lp.x[3] <= 1e-9:
        return False, None
    v0 = lp.x[:3] / lp.x[3]  # feasible for y (v·x̃) >= 1
    qp = minimize(lambda v: v @ v, v0, jac=lambda v: 2 * v, method="SLSQP",
                  constraints=[{"type": "ineq", "fun": lambda v: A @ v - 1, "jac": lambda v: A}])
    v = qp.x if qp.success and (A @ qp.x >= 1 - 1e-6).all() else v0
    return True, float(1 / np.linalg.norm(v))


@lru_cache(maxsize=64)
def run(config: PerceptronConfig) -> PerceptronRun:
    """Run the perceptron rule until an epoch without mistakes, a detected cycle or ``max_epochs``."""
    if config.dataset not in DATASETS:
        raise ValueError(f"unknown data set {config.dataset!r}; choose from {tuple(DATASETS)}")
    if not (config.lr > 0 and config.max_epochs >= 1 and config.init in INITS):
        raise ValueError(f"need lr > 0, max_epochs >= 1 and init in {INITS}, got {config}")
    X, y = make_data(config.dataset, config.n, config.seed)
    rng = np.random.default_rng(config.seed + 1)
    shuffled = tuple(int(i) for i in rng.permutation(len(X)))
    order = tuple(range(len(X))) if config.dataset in _GATES else shuffled
    w = rng.standard_normal(2) if config.init == "random" else np.zeros(2)
    b = float(rng.standard_normal()) if config.init == "random" else 0.0
    w0, b0 = (float(w[0]), float(w[1])), b
    updates: list[Update] = []
    mistakes: list[int] = []
    ends: list[tuple[float, float, float]] = [(*w0, b0)]
    converged, cycle = False, None
    # Plain floats in the loop: thousands of 2-vector numpy ops would cost more than the arithmetic.
    pts, labels, lr = X.tolist(), [int(v) for v in y], float(config.lr)
    w1, w2 = w0
    for epoch in range(1, config.max_epochs + 1):
        count = 0
        for i in order:
            (x1, x2), yi = pts[i], labels[i]
            score = yi * (w1 * x1 + w2 * x2 + b)
            if score <= 0:  # "<=": from w = 0 every point is a mistake, so learning can start
                n1, n2, nb = w1 + lr * yi * x1, w2 + lr * yi * x2, b + lr * yi
                updates.append(Update(len(updates) + 1, epoch, i, score, (w1, w2), b, (n1, n2), nb))
                w1, w2, b, count = n1, n2, nb, count + 1
        mistakes.append(count)
        if count == 0:
            converged = True
            break
        if cycle is None:  # deterministic rule + fixed order: a state seen after an epoch repeats forever
            gaps = np.abs(np.array(ends) - (w1, w2, b)).max(axis=1)
            same = np.flatnonzero(gaps <= 1e-9 * max(1.0, abs(w1), abs(w2), abs(b)))
            if same.size:
                cycle = (int(same[0]), epoch)
        ends.append((w1, w2, b))
    X.flags.writeable = y.flags.writeable = False  # the run is cached and shared between sessions
    separable, margin = separability(X, y)
    radius = float(np.sqrt((X**2).sum(axis=1) + 1).max())
    return PerceptronRun(config, X, y, order, w0, b0, tuple(updates), tuple(mistakes), converged, cycle,
                         separable, margin, radius)


def box(r: PerceptronRun) -> tuple[float, float, float, float]:
    """View box around the data with some room."""
    lo, hi = r.X.min(axis=0), r.X.max(axis=0)
    pad = 0.15 * max(float((hi - lo).max()), 1.0) + 0.2
    return lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad


def _line(w: np.ndarray, b: float, bx: tuple[float, float, float, float]) -> tuple[list[float], list[float]]:
    """The segment of w·x + b = 0 inside the box (empty if w = 0 or the line misses the box)."""
    x0, x1, y0, y1 = bx
    pts: list[tuple[float, float]] = []
    if abs(w[1]) > 1e-12:
        pts += [(x, -(w[0] * x + b) / w[1]) for x in (x0, x1)]
    if abs(w[0]) > 1e-12:
        pts += [(-(w[1] * yy + b) / w[0], yy) for yy in (y0, y1)]
    pts = [p for p in pts if x0 - 1e-9 <= p[0] <= x1 + 1e-9 and y0 - 1e-9 <= p[1] <= y1 + 1e-9]
    if len(pts) < 2:
        return [], []
    a, c = min(pts), max(pts)
    return [a[0], c[0]], [a[1], c[1]]


def _positive_region(w: np.ndarray, b: float, bx: tuple[float, float, float, float]
                     ) -> tuple[list[float], list[float]]:
    """Polygon of the box where w·x + b > 0 (the half-plane the perceptron calls +1)."""
    x0, x1, y0, y1 = bx
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    poly: list[tuple[float, float]] = []
    for p, q in zip(corners, corners[1:] + corners[:1]):  # Sutherland-Hodgman against one half-plane
        fp, fq = w @ p + b, w @ q + b
        if fp > 0:
            poly.append(p)
        if (fp > 0) != (fq > 0) and fp != fq:
            t = fp / (fp - fq)
            poly.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    if not poly:
        return [], []
    xs, ys = zip(*(poly + poly[:1]))
    return list(xs), list(ys)


def figure(r: PerceptronRun, step: int, height: int = 480) -> go.Figure:
    """The data, the boundary before and after update ``step``, the point it corrects, and w as arrows."""
    step = max(0, min(step, r.n_updates))
    bx = box(r)
    w, b = r.weights(step)
    wrong = r.errors(step)
    traces: list[dict[str, Any]] = []
    px, py = _positive_region(w, b, bx)
    if px:
        traces.append(dict(type="scatter", x=px, y=py, fill="toself", fillcolor="rgba(0,114,178,0.10)",
                           line=dict(width=0), mode="lines", name="predicted +1", hoverinfo="skip"))
    u = r.updates[step - 1] if step > 0 else None
    if u is not None:
        lx, ly = _line(np.array(u.w_before), u.b_before, bx)
        if lx:
            traces.append(dict(type="scatter", x=lx, y=ly, mode="lines", name="boundary before",
                               line=dict(color="#999999", width=2, dash="dash")))
    lx, ly = _line(w, b, bx)
    if lx:
        traces.append(dict(type="scatter", x=lx, y=ly, mode="lines", name="boundary w·x + b = 0",
                           line=dict(color="black", width=3)))
    for label, color, symbol in ((1, PALETTE[0], "circle"), (-1, PALETTE[1], "square")):
        m = r.y == label
        traces.append(dict(type="scatter", x=r.X[m, 0], y=r.X[m, 1], mode="markers", name=f"y = {label:+d}",
                           marker=dict(color=color, symbol=symbol, size=11, line=dict(color="white",
                                                                                      width=1))))
    if wrong.any():
        traces.append(dict(type="scatter", x=r.X[wrong, 0], y=r.X[wrong, 1], mode="markers",
                           name=f"misclassified ({int(wrong.sum())})",
                           marker=dict(symbol="circle-open", size=19, color="#D55E00", line=dict(width=2.5))))
    annotations: list[dict[str, Any]] = []
    if u is not None:
        xi = r.X[u.index]
        traces.append(dict(type="scatter", x=[xi[0]], y=[xi[1]], mode="markers",
                           name=f"updated on point #{u.index}",
                           marker=dict(symbol="circle-open", size=26, color="black", line=dict(width=3))))
        annotations = _arrows(np.array(u.w_before), np.array(u.w_after), bx)
    title = (f"Step {step}/{r.n_updates} · epoch {u.epoch} · point #{u.index}: y(w·x+b) = {u.score:.2f} ≤ 0"
             if u is not None
             else f"Step 0/{r.n_updates}: initial weights w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}")
    return fast_figure(traces, title, height, annotations=annotations,
                       xaxis=dict(range=list(bx[:2]), title=dict(text="x₁"), constrain="domain"),
                       yaxis=dict(range=list(bx[2:]), title=dict(text="x₂"), scaleanchor="x",
                                  constrain="domain"),
                       legend=dict(y=-0.16, yanchor="top", x=0.0, xanchor="left"))


def _arrows(w_before: np.ndarray, w_after: np.ndarray, bx: tuple[float, float, float,
                                                                 float]) -> list[dict[str, Any]]:
    """w before, η y x and w after as a vector-addition triangle from the centre of the view (scaled)."""
    cx, cy = (bx[0] + bx[1]) / 2, (bx[2] + bx[3]) / 2
    longest = max(np.linalg.norm(w_before), np.linalg.norm(w_after), 1e-12)
    s = 0.3 * min(bx[1] - bx[0], bx[3] - bx[2]) / longest  # w has no natural length in the plane
    tip_b, tip_a = (cx + s * w_before[0], cy + s * w_before[1]), (cx + s * w_after[0], cy + s * w_after[1])

    def arrow(start: tuple[float, float], end: tuple[float, float], text: str, color: str) -> dict[str, Any]:
        return dict(x=end[0], y=end[1], ax=start[0], ay=start[1], xref="x", yref="y", axref="x", ayref="y",
                    showarrow=True, arrowhead=2, arrowwidth=2.5, arrowcolor=color, text=text,
                    font=dict(color=color), xanchor="left", yanchor="bottom")

    out = [arrow((cx, cy), tip_a, "w", "black"), arrow(tip_b, tip_a, "ηyx", PALETTE[2])]
    if np.linalg.norm(w_before) > 1e-12:
        out.insert(0, arrow((cx, cy), tip_b, "w (before)", "#999999"))
    return out


def mistakes_figure(r: PerceptronRun, step: int, height: int = 300) -> go.Figure:
    """Updates per epoch; the epoch of ``step`` highlighted. Zero means converged."""
    epochs = list(range(1, len(r.mistakes) + 1))
    current = r.updates[step - 1].epoch if 0 < step <= r.n_updates else None
    colors = [PALETTE[3] if e == current else PALETTE[0] for e in epochs]
    traces: list[dict[str, Any]] = [dict(type="bar", x=epochs, y=list(r.mistakes), marker=dict(color=colors),
                                         name="mistakes", text=[str(m) for m in r.mistakes],
                                         textposition="outside")]
    shapes: list[dict[str, Any]] = []
    if r.cycle is not None:
        e1, e2 = r.cycle
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=e1 + 0.5, x1=e2 + 0.5, y0=0, y1=1,
                           fillcolor="rgba(213,94,0,0.12)", line=dict(width=0)))
    title = "Mistakes per epoch" + (" — converged" if r.converged else " — cycle (shaded)" if r.cycle else "")
    top = max(max(r.mistakes, default=0), 1) * 1.25
    return fast_figure(traces, title, height, shapes=shapes, showlegend=False,
                       xaxis=dict(title=dict(text="epoch"), dtick=1 if len(epochs) <= 25 else None),
                       yaxis=dict(title=dict(text="updates"), range=[0, top]))
