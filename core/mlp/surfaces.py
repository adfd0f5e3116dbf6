"""Classic 2D loss surfaces for the optimiser race (lecture 2), in plain arithmetic.

Each surface is written once, with operators only, so the same function evaluates numpy grids (the
contour plot, the loss along a path) and torch tensors (the tests check every closed-form gradient
against autograd on it). Nothing here imports torch: the race page's first render draws from these
and from precomputed paths before torch is needed (see :mod:`core.mlp.optimisers`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

Grad = Callable[..., tuple[float, float]]
Array = Any  # a numpy array or a torch tensor: the surfaces use operators only


@dataclass(frozen=True)
class Surface:
    """A 2D loss surface with everything a race on it needs."""

    name: str
    """Registry key (URL value)."""
    title: str
    """Human-readable name."""
    formula: str
    """LaTeX of f(x, y)."""
    fn: Callable[..., Array]
    """f(x, y, **params) with operators only: numpy grids (contours) and torch scalars (autograd)."""
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


def _bowl(x: Array, y: Array, condition: float = 50.0) -> Array:
    return 0.5 * (x**2 + condition * y**2)


def _bowl_grad(x: float, y: float, condition: float = 50.0) -> tuple[float, float]:
    return x, condition * y


def _rosenbrock(x: Array, y: Array) -> Array:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -2 * (1 - x) - 400 * x * r, 200 * r


def _saddle(x: Array, y: Array) -> Array:
    # x^2 - y^2 is the textbook saddle; the quartic term gives it two minima to escape to, at y = ±sqrt(2).
    return x**2 - y**2 + 0.25 * y**4


def _saddle_grad(x: float, y: float) -> tuple[float, float]:
    return 2 * x, -2 * y + y**3


_BEALE_C = (1.5, 2.25, 2.625)


def _beale(x: Array, y: Array) -> Array:
    return sum((c - x + x * y ** (i + 1)) ** 2 for i, c in enumerate(_BEALE_C))  # type: ignore[return-value]


def _beale_grad(x: float, y: float) -> tuple[float, float]:
    gx = gy = 0.0
    for i, c in enumerate(_BEALE_C):
        k = i + 1
        r = c - x + x * y**k
        gx += 2 * r * (y**k - 1)
        gy += 2 * r * k * x * y ** (k - 1)
    return gx, gy


def _himmelblau(x: Array, y: Array) -> Array:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x: float, y: float) -> tuple[float, float]:
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface("bowl", "Quadratic bowl (ravine)", r"f = \tfrac12\,(x^2 + \kappa\, y^2)", _bowl, _bowl_grad,
                # lr 0.03 = 1.5/κ: past 1/κ SGD overshoots the ravine's floor at every step (its y factor
                # 1 - ηκ = -0.5), below 2/κ it stays stable; a smaller lr creeps down without zig-zagging.
                ((0.0, 0.0),), 0.0, (-2.5, 1.5), (-3.0, 3.0, -2.0, 2.0), 0.03, 0.1, 100,
                "A large condition number makes a narrow ravine: SGD zig-zags across it (y reverses at every "
                "step), momentum's velocity averages the alternating gradient into a slower swing and speeds "
                "along the floor, Adam rescales each coordinate.", {"condition": 50.0}),
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
                _himmelblau_grad,
                ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)), 0.0,
                (-0.3, -0.9), (-5.0, 5.0, -5.0, 5.0), 0.01, 0.1, 100,
                "Four equally good minima: from the same start, different optimisers can end in different "
                "ones.", {}),
    )
}


def get_surface(name: str) -> Surface:
    """The registered surface ``name`` (ValueError naming the choices otherwise)."""
    try:
        return SURFACES[name]
    except KeyError:
        raise ValueError(f"unknown surface {name!r}; choose from {tuple(SURFACES)}") from None


def surface_params(surface: Surface, values: Mapping[str, Any]) -> dict[str, float]:
    """The surface's own parameters (e.g. ``condition``) from ``values``, defaults filled in."""
    return {k: float(values.get(k, v)) for k, v in surface.params.items()}


def loss_along(surface: str, path: np.ndarray, **params: float) -> np.ndarray:
    """f at every point of a path (NaN where the path is NaN)."""
    surf = get_surface(surface)
    p = np.asarray(path, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(surf.fn(p[:, 0], p[:, 1], **surface_params(surf, params)), dtype=np.float64)


@lru_cache(maxsize=32)
def contour_grid(surface: str, condition: float | None = None, n: int = 101
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, log10 of f - fmin + 1e-3) on the view box; computed once per surface/condition."""
    surf = get_surface(surface)
    sp = {k: (condition if k == "condition" and condition is not None else v) for k, v in surf.params.items()}
    x0, x1, y0, y1 = surf.box
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    Z = surf.fn(X, Y, **sp)
    # log scale: the surfaces span 5+ orders of magnitude; the offset keeps the minimum finite.
    z = np.log10(Z - surf.fmin + 1e-3).astype(np.float32)
    for a in (xs, ys, z):
        a.flags.writeable = False
    return xs, ys, z
