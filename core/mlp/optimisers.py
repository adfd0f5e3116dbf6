"""Optimiser race on 2D loss surfaces: SGD, momentum, RMSProp and Adam from the same start (lecture 2).

Every path is produced by the real ``torch.optim`` classes stepping a single 2-vector parameter, so what
students see is what their training loops do. The gradient of each surface is written out in closed form
(a Python-float function) and handed to the optimiser as ``p.grad``: for one 2D point that is ~50x cheaper
than an autograd graph, which keeps a whole race well under 100 ms; ``tests/test_optim_viz.py`` checks
every closed form against autograd on the torch definition of the surface.

A learning rate that blows up is not an error but a lesson: the path stops at the first non-finite or
far-away point (:data:`DIVERGENCE_RADIUS`) and the run is reported as diverged at that step.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
from torch import Tensor

from core.training.optim import HYPER_DEFAULTS, LABELS, OPTIMIZERS, USES, make_optimizer  # noqa: F401
from core.viz.style import PALETTE, fast_figure

COLORS: dict[str, str] = dict(zip(OPTIMIZERS, PALETTE[:4]))
#: A coordinate beyond this (or a non-finite value) ends the path: "diverged". All view boxes lie within
#: |x|, |y| <= 5, so nothing that legitimately wanders outside the view is cut short.
DIVERGENCE_RADIUS = 1e4
#: Loss gap to the minimum under which a run counts as having arrived (for "steps to 1e-3" in the table).
ARRIVAL_GAP = 1e-3

#: Choices offered by the front ends (log-spaced learning rates; condition numbers; decay rates).
LEARNING_RATES: tuple[float, ...] = (
    tuple(round(m * 10.0**e, 6) for e in range(-4, 0) for m in (1, 2, 3, 5)) + (1.0, 2.0)
)
CONDITIONS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200)
ALPHAS: tuple[float, ...] = (0.5, 0.9, 0.95, 0.99, 0.995, 0.999)
BETA2S: tuple[float, ...] = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


Grad = Callable[..., tuple[float, float]]


@dataclass(frozen=True)
class Surface:
    """A 2D loss surface with everything a race on it needs."""

    name: str
    """Registry key (URL value)."""
    title: str
    """Human-readable name."""
    formula: str
    """LaTeX of f(x, y)."""
    fn: Callable[..., Tensor]
    """f(x, y, **params) in torch ops, elementwise, so it takes scalars (autograd) and grids (contours)."""
    grad: Grad
    """Closed-form (df/dx, df/dy) at Python floats, checked against autograd in the tests."""
    minima: tuple[tuple[float, float], ...]
    """Global minimisers (one or several)."""
    fmin: float
    """The minimum value (the loss plot shows f - fmin on a log axis)."""
    start: tuple[float, float]
    """Default start of the race."""
    box: tuple[float, float, float, float]
    """View box (xmin, xmax, ymin, ymax)."""
    lr: float
    """Suggested learning rate for SGD and momentum (they scale the gradient)."""
    lr_adaptive: float
    """Suggested learning rate for RMSProp and Adam (roughly their step length, in parameter units)."""
    steps: int
    """Suggested number of steps."""
    lesson: str
    """One sentence: what this surface shows about the optimisers."""
    params: Mapping[str, float] = field(default_factory=dict)
    """Surface parameters and their defaults (e.g. the bowl's condition number)."""


def _bowl(x: Tensor, y: Tensor, condition: float = 50.0) -> Tensor:
    return 0.5 * (x**2 + condition * y**2)


def _bowl_grad(x: float, y: float, condition: float = 50.0) -> tuple[float, float]:
    return x, condition * y


def _rosenbrock(x: Tensor, y: Tensor) -> Tensor:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -2 * (1 - x) - 400 * x * r, 200 * r


def _saddle(x: Tensor, y: Tensor) -> Tensor:
    # x^2 - y^2 is the textbook saddle; the quartic term gives it two minima to escape to, at y = ±sqrt(2).
    return x**2 - y**2 + 0.25 * y**4


def _saddle_grad(x: float, y: float) -> tuple[float, float]:
    return 2 * x, -2 * y + y**3


_BEALE_C = (1.5, 2.25, 2.625)


def _beale(x: Tensor, y: Tensor) -> Tensor:
    return sum((c - x + x * y ** (i + 1)) ** 2 for i, c in enumerate(_BEALE_C))  # type: ignore[return-value]


def _beale_grad(x: float, y: float) -> tuple[float, float]:
    gx = gy = 0.0
    for i, c in enumerate(_BEALE_C):
        k = i + 1
        r = c - x + x * y**k
        gx += 2 * r * (y**k - 1)
        gy += 2 * r * k * x * y ** (k - 1)
    return gx, gy


def _himmelblau(x: Tensor, y: Tensor) -> Tensor:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x: float, y: float) -> tuple[float, float]:
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface("bowl", "Quadratic bowl (ravine)", r"f = \tfrac12\,(x^2 + \kappa\, y^2)", _bowl, _bowl_grad,
                ((0.0, 0.0),), 0.0, (-2.5, 1.5), (-3.0, 3.0, -2.0, 2.0), 0.01, 0.1, 100,
                "A large condition number makes a narrow ravine: SGD zig-zags across it, momentum averages the "
                "zig-zag away, Adam rescales each coordinate.", {"condition": 50.0}),
        Surface("rosenbrock", "Rosenbrock", r"f = (1-x)^2 + 100\,(y - x^2)^2", _rosenbrock, _rosenbrock_grad,
                ((1.0, 1.0),), 0.0, (-1.2, 1.0), (-2.0, 2.0, -1.0, 3.0), 0.001, 0.1, 150,
                "A curved, flat-bottomed valley: finding it is easy, following it to (1, 1) is slow.", {}),
        Surface("saddle", "Saddle point", r"f = x^2 - y^2 + \tfrac14\, y^4", _saddle, _saddle_grad,
                ((0.0, math.sqrt(2.0)), (0.0, -math.sqrt(2.0))), -1.0, (-2.0, 0.01), (-2.5, 2.5, -2.5, 2.5),
                0.05, 0.05, 100,
                "Started near the ridge, plain SGD lingers at the saddle (0, 0); momentum and Adam's per-"
                "coordinate scaling escape much sooner.", {}),
        Surface("beale", "Beale", r"f = \sum_{k=1}^{3} (c_k - x + x\,y^k)^2,\ c = (1.5, 2.25, 2.625)", _beale,
                _beale_grad, ((3.0, 0.5),), 0.0, (0.5, -1.5), (-4.5, 4.5, -4.5, 4.5), 0.005, 0.1, 150,
                "Plateaus and steep walls side by side: one learning rate is too small on one and too large "
                "on the other.", {}),
        Surface("himmelblau", "Himmelblau", r"f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2", _himmelblau,
                _himmelblau_grad, ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                                   (3.584428, -1.848126)), 0.0, (-0.3, -0.9), (-5.0, 5.0, -5.0, 5.0), 0.01, 0.1, 100,
                "Four equally good minima: from the same start, different optimisers can end in different ones.",
                {}),
    )
}


def _split(surface: Surface, hyper: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    unknown = set(hyper) - set(surface.params) - set(HYPER_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown hyperparameter(s) {sorted(unknown)}; surface {surface.name!r} takes "
                        f"{sorted(surface.params)}, optimisers take {sorted(HYPER_DEFAULTS)}")
    sp = {k: float(hyper.get(k, v)) for k, v in surface.params.items()}
    return sp, {k: hyper.get(k, v) for k, v in HYPER_DEFAULTS.items()}


def get_surface(name: str) -> Surface:
    """The registered surface ``name`` (ValueError naming the choices otherwise)."""
    try:
        return SURFACES[name]
    except KeyError:
        raise ValueError(f"unknown surface {name!r}; choose from {tuple(SURFACES)}") from None


class _Racer:
    """One optimiser's run in progress, kept so that asking for more steps continues it instead of
    starting over (moving the steps slider then costs only the new steps; the result is identical)."""

    def __init__(self, surf: Surface, sp: dict[str, float], optimizer: str, lr: float,
                 start: tuple[float, float], hyper: dict[str, Any]) -> None:
        self.grad = functools.partial(surf.grad, **sp)
        # float64: paths of hundreds of small steps must not drift from the hand-run torch reference.
        self.p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        self.p.grad = torch.zeros(2, dtype=torch.float64)
        self.opt = make_optimizer(optimizer, [self.p], lr, kernel="single", **hyper)
        # numpy views share the tensors' memory: reading the point and writing the gradient cost ~0.1 us
        # instead of ~5 us per tensor op; the optimiser updates both tensors in place.
        self._g, self._x = self.p.grad.numpy(), self.p.detach().numpy()
        self.points: list[tuple[float, float]] = [start]
        self.diverged = False
        self.lock = threading.Lock()

    def advance(self, steps: int) -> np.ndarray:
        with self.lock:
            while len(self.points) <= steps and not self.diverged:
                x, y = self.points[-1]
                gx, gy = self.grad(x, y)
                if not (math.isfinite(gx) and math.isfinite(gy)):
                    self.diverged = True
                    break
                self._g[0], self._g[1] = gx, gy
                self.opt.step()
                x, y = float(self._x[0]), float(self._x[1])
                if not (abs(x) <= DIVERGENCE_RADIUS and abs(y) <= DIVERGENCE_RADIUS):  # also catches NaN
                    self.diverged = True
                    break
                self.points.append((x, y))
            path = np.full((steps + 1, 2), np.nan)
            done = self.points[: steps + 1]
            path[: len(done)] = done
            return path


_RACERS: OrderedDict[tuple, _Racer] = OrderedDict()
_RACERS_LOCK = threading.Lock()
_RACERS_MAX = 512


def _racer(surf: Surface, sp: dict[str, float], optimizer: str, lr: float, start: tuple[float, float],
           hyper: dict[str, Any]) -> _Racer:
    key = (surf.name, tuple(sorted(sp.items())), optimizer, lr, start, tuple(sorted(hyper.items())))
    with _RACERS_LOCK:
        racer = _RACERS.get(key)
        if racer is None:
            racer = _RACERS[key] = _Racer(surf, sp, optimizer, lr, start, hyper)
            if len(_RACERS) > _RACERS_MAX:
                _RACERS.popitem(last=False)
        _RACERS.move_to_end(key)
        return racer


def trajectory(surface: str, optimizer: str, lr: float, steps: int, start: tuple[float, float] | None = None,
               **hyper: Any) -> np.ndarray:
    """The path of a torch.optim ``optimizer`` on the named surface: an array of shape (steps+1, 2).

    Row 0 is ``start`` (the surface's default if None), row k the point after k updates. If the run
    diverges at step k (a non-finite gradient or point, or a coordinate beyond DIVERGENCE_RADIUS), rows
    k.. are NaN: see :func:`diverged_at`. ``hyper`` holds optimiser hyperparameters (momentum, nesterov,
    alpha, beta1, beta2, eps; those the optimiser does not use are ignored) and surface parameters
    (``condition`` for the bowl).
    """
    surf = get_surface(surface)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose from {OPTIMIZERS}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"learning rate must be a positive number, got {lr}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    sp, h = _split(surf, hyper)
    start_t = tuple(map(float, start if start is not None else surf.start))
    used = {k: h[k] for k in USES[optimizer]}  # cache key: only what this optimiser reads
    return _racer(surf, sp, optimizer, float(lr), start_t, used).advance(int(steps))


def diverged_at(path: np.ndarray) -> int | None:
    """The first step whose point is missing (NaN) in a trajectory, or None if the run stayed finite."""
    bad = np.flatnonzero(~np.isfinite(path).all(axis=1))
    return int(bad[0]) if bad.size else None


def loss_along(surface: str, path: np.ndarray, **params: float) -> np.ndarray:
    """f at every point of a path (NaN where the path is NaN)."""
    surf = get_surface(surface)
    sp = {k: float(params.get(k, v)) for k, v in surf.params.items()}
    t = torch.from_numpy(np.asarray(path, dtype=np.float64))
    with torch.no_grad():
        return surf.fn(t[:, 0], t[:, 1], **sp).numpy()


@dataclass(frozen=True)
class Run:
    """One optimiser's path in a race."""

    optimizer: str
    """Key in :data:`OPTIMIZERS`."""
    lr: float
    """Its learning rate."""
    path: np.ndarray
    """The finite part of the trajectory, shape (k+1, 2)."""
    losses: np.ndarray
    """f along ``path``."""
    diverged_at: int | None
    """Step at which the run blew up (None: it stayed finite)."""

    @property
    def final_loss(self) -> float | None:
        return None if self.diverged_at is not None else float(self.losses[-1])


@dataclass(frozen=True)
class Race:
    """Several optimisers from one start on one surface."""

    surface: str
    """Surface key."""
    params: Mapping[str, float]
    """Surface parameters used (e.g. condition)."""
    start: tuple[float, float]
    """Common start point."""
    steps: int
    """Steps each optimiser was given."""
    runs: Mapping[str, Run]
    """Optimiser key -> its run, in race order."""

    def final_losses(self) -> dict[str, float | str]:
        """Final loss of each optimiser, or "diverged at step k"."""
        return {k: (r.final_loss if r.diverged_at is None else f"diverged at step {r.diverged_at}")
                for k, r in self.runs.items()}

    def table(self) -> list[dict[str, object]]:
        """One row per optimiser: learning rate, final loss, gap to the minimum, first step within 1e-3."""
        fmin = SURFACES[self.surface].fmin
        rows = []
        for k, r in self.runs.items():
            gap = r.losses - fmin
            hit = np.flatnonzero(gap < ARRIVAL_GAP)
            rows.append({
                "optimiser": LABELS[k], "learning rate": r.lr,
                "status": "diverged" if r.diverged_at is not None else "finite",
                "final loss": None if r.final_loss is None else float(f"{r.final_loss:.4g}"),
                "steps to loss gap < 1e-3": int(hit[0]) if hit.size else None,
                "diverged at step": r.diverged_at,
            })
        return rows


def race(surface: str, lr: float | Mapping[str, float], steps: int, start: tuple[float, float] | None = None,
         optimizers: Iterable[str] = OPTIMIZERS, **hyper: Any) -> Race:
    """Run each optimiser from the same start. ``lr`` is shared, or a mapping optimiser -> learning rate.

    Adaptive methods take steps of roughly ``lr`` in parameter units whatever the gradient scale, while
    SGD's step is ``lr * gradient``: comparable races usually need a different lr for each family.
    """
    surf = get_surface(surface)
    sp, _ = _split(surf, hyper)
    start_t = tuple(map(float, start if start is not None else surf.start))
    runs: dict[str, Run] = {}
    for opt in optimizers:
        opt_lr = float(lr[opt]) if isinstance(lr, Mapping) else float(lr)
        full = trajectory(surf.name, opt, opt_lr, steps, start_t, **hyper)
        k = diverged_at(full)
        path = full if k is None else full[:k]
        runs[opt] = Run(opt, opt_lr, path, loss_along(surf.name, path, **sp), k)
    return Race(surf.name, sp, start_t, int(steps), runs)  # type: ignore[arg-type]


@lru_cache(maxsize=32)
def contour_grid(surface: str, condition: float | None = None, n: int = 101
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, log10 of f - fmin + 1e-3) on the view box; computed once per surface/condition."""
    surf = get_surface(surface)
    sp = {k: (condition if k == "condition" and condition is not None else v) for k, v in surf.params.items()}
    x0, x1, y0, y1 = surf.box
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = torch.meshgrid(torch.from_numpy(ys), torch.from_numpy(xs), indexing="ij")
    with torch.no_grad():
        Z = surf.fn(Y, X, **sp).numpy()
    # log scale: the surfaces span 5+ orders of magnitude; the offset keeps the minimum finite.
    z = np.log10(Z - surf.fmin + 1e-3).astype(np.float32)
    for a in (xs, ys, z):
        a.flags.writeable = False
    return xs, ys, z


def _inside(path: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, x1, y0, y1 = box
    return np.flatnonzero((path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1))


def race_figure(r: Race, height: int = 520) -> go.Figure:
    """Contour plot of the surface with every run's path; a diverged path ends in a cross."""
    surf = SURFACES[r.surface]
    xs, ys, z = contour_grid(r.surface, r.params.get("condition"))
    lo, hi = float(z.min()), float(z.max())
    mx, my = zip(*surf.minima)
    traces: list[dict[str, Any]] = [
        dict(type="contour", x=xs, y=ys, z=z, showscale=False, hoverinfo="skip",
             contours=dict(start=lo, end=hi, size=(hi - lo) / 24),
             colorscale=[[0, "#fdfdfd"], [1, "#c9d3dd"]], line=dict(width=0.6, color="#9aa5b1")),
        dict(type="scatter", x=list(mx), y=list(my), mode="markers", name="minimum",
             marker=dict(symbol="star", size=16, color="black")),
        dict(type="scatter", x=[r.start[0]], y=[r.start[1]], mode="markers", name="start",
             marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=3))),
    ]
    for k, run in r.runs.items():
        name = LABELS[k] + (f" (diverged at step {run.diverged_at})" if run.diverged_at is not None else "")
        traces.append(dict(type="scatter", x=run.path[:, 0], y=run.path[:, 1], mode="lines+markers", name=name,
                           line=dict(color=COLORS[k], width=2.5), marker=dict(size=4), legendgroup=k))
        if run.diverged_at is not None:
            # Mark the last point still in view: the path's real end is usually far outside it.
            inside = _inside(run.path, surf.box)
            end = run.path[inside[-1] if inside.size else 0]
            traces.append(dict(type="scatter", x=[end[0]], y=[end[1]], mode="markers+text", showlegend=False,
                               text=[f"diverged (step {run.diverged_at})"], textposition="top right",
                               legendgroup=k, marker=dict(symbol="x", size=16, color=COLORS[k]),
                               textfont=dict(color=COLORS[k])))
    x0, x1, y0, y1 = surf.box
    return fast_figure(traces, surf.title, height,
                       xaxis=dict(range=[x0, x1], title=dict(text="x"), constrain="domain"),
                       yaxis=dict(range=[y0, y1], title=dict(text="y"), scaleanchor="x", constrain="domain"),
                       legend=dict(y=-0.16, yanchor="top", x=0.0, xanchor="left"))


def loss_figure(r: Race, height: int = 360) -> go.Figure:
    """f - fmin against the step on a log axis (diverged runs end early, with a cross)."""
    fmin = SURFACES[r.surface].fmin
    traces: list[dict[str, Any]] = []
    for k, run in r.runs.items():
        gap = np.maximum(run.losses - fmin, 1e-16)  # exactly at the minimum: keep the log axis finite
        traces.append(dict(type="scatter", x=np.arange(len(gap)), y=gap, mode="lines", name=LABELS[k],
                           line=dict(color=COLORS[k], width=2.5)))
        if run.diverged_at is not None:
            traces.append(dict(type="scatter", x=[len(gap) - 1], y=[float(gap[-1])], mode="markers",
                               showlegend=False, marker=dict(symbol="x", size=14, color=COLORS[k])))
    return fast_figure(traces, "Loss − minimum", height, xaxis=dict(title=dict(text="step"), range=[0, r.steps]),
                       yaxis=dict(type="log", title=dict(text="f − f*"), exponentformat="power"),
                       legend=dict(y=-0.3, yanchor="top", x=0.0, xanchor="left"))
