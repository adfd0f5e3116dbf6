"""How fast heavy-ball momentum converges on the quadratic bowl, per eigendirection (lecture 2).

On f = ½ Σ λ_i x_i² every eigendirection evolves on its own. Heavy ball (Polyak 1964), which is what
``torch.optim.SGD(momentum=μ)`` computes, updates one coordinate as

    x_{t+1} = x_t - η λ x_t + μ (x_t - x_{t-1}),   i.e.   (x_{t+1}, x_t) = R (x_t, x_{t-1}),
    R = [[1 + μ - ηλ, -μ], [1, 0]],

so the error shrinks like ρ(R)^t, ρ the spectral radius: the larger root modulus of
z² - (1 + μ - ηλ) z + μ = 0. With complex roots (damped oscillation) ρ = √μ whatever ηλ; with real
roots the slower one wins. The whole bowl converges at the slowest direction's rate, max over λ ∈
{λ_min, λ_max} (here 1 and κ). Goh (2017, "Why momentum really works", Distill) draws this rate over
(η, μ); the best pair is η* = (2 / (√λ_max + √λ_min))², μ* = ((√κ - 1) / (√κ + 1))², with rate
(√κ - 1) / (√κ + 1) against plain gradient descent's best (κ - 1) / (κ + 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The map's axes: learning rates on a log scale (the race's slider spans 1e-4 to 2) and momenta.
ETA_RANGE: tuple[float, float] = (1e-4, 2.0)
MU_RANGE: tuple[float, float] = (0.0, 0.99)


def rate(lr: np.ndarray | float, momentum: np.ndarray | float, curvature: float) -> np.ndarray:
    """ρ(R) for one eigenvalue ``curvature`` (broadcasts over arrays of ``lr`` and ``momentum``).

    1 or more: that direction does not converge (it diverges above 1).
    """
    eta, mu = np.asarray(lr, dtype=np.float64), np.asarray(momentum, dtype=np.float64)
    b = 1.0 + mu - eta * curvature
    root = np.sqrt((b * b - 4.0 * mu).astype(np.complex128))  # complex: the oscillating regime
    return np.maximum(np.abs((b + root) / 2.0), np.abs((b - root) / 2.0))


def bowl_rate(lr: np.ndarray | float, momentum: np.ndarray | float, condition: float) -> np.ndarray:
    """The bowl's convergence rate: the slower of its two eigendirections (λ = 1 and λ = κ).

    As λ grows, ρ falls (real roots), stays at √μ (complex roots), then rises again (real negative
    roots): over any spread of eigenvalues the two ends decide.
    """
    return np.maximum(rate(lr, momentum, 1.0), rate(lr, momentum, condition))


@dataclass(frozen=True)
class Optimum:
    """The best heavy-ball setting on a quadratic with eigenvalues in [λ_min, λ_max]."""

    lr: float
    """η* = (2 / (√λ_max + √λ_min))²."""
    momentum: float
    """μ* = ((√κ - 1) / (√κ + 1))²."""
    rate: float
    """(√κ - 1) / (√κ + 1): the error shrinks by this factor per step in every direction."""
    gd_rate: float
    """Plain gradient descent's best, (κ - 1) / (κ + 1) at η = 2 / (λ_min + λ_max), for comparison."""


def optimum(condition: float, lambda_min: float = 1.0) -> Optimum:
    """The closed-form optimal (η, μ) and rates for condition number κ = λ_max / λ_min (Goh 2017)."""
    if not (math.isfinite(condition) and condition >= 1.0):
        raise ValueError(f"the condition number must be a finite number >= 1, got {condition}")
    lam_max, s = condition * lambda_min, math.sqrt(condition)
    return Optimum(lr=(2.0 / (math.sqrt(lam_max) + math.sqrt(lambda_min))) ** 2,
                   momentum=((s - 1.0) / (s + 1.0)) ** 2, rate=(s - 1.0) / (s + 1.0),
                   gd_rate=(condition - 1.0) / (condition + 1.0))


@dataclass(frozen=True)
class RateMap:
    """The bowl's convergence rate over a grid of (η, μ)."""

    lrs: np.ndarray
    """Learning rates (log-spaced), the x axis."""
    momenta: np.ndarray
    """Momenta, the y axis."""
    rates: np.ndarray
    """max over λ ∈ {1, κ} of ρ(R), shape (len(momenta), len(lrs))."""
    condition: float
    """κ of the bowl."""


def rate_map(condition: float, n_lr: int = 160, n_mu: int = 100) -> RateMap:
    """:func:`bowl_rate` on a log-η by μ grid spanning :data:`ETA_RANGE` and :data:`MU_RANGE`."""
    lrs = np.geomspace(*ETA_RANGE, n_lr)
    momenta = np.linspace(*MU_RANGE, n_mu)
    rates = bowl_rate(lrs[None, :], momenta[:, None], condition)
    return RateMap(lrs, momenta, rates, float(condition))


def eigen_paths(lr: float, momentum: float, condition: float, start: tuple[float, float], steps: int
                ) -> dict[str, np.ndarray]:  # fmt: skip
    """Each eigendirection's coordinate over ``steps`` heavy-ball steps from ``start`` (x: λ = 1, y: λ = κ).

    The same recurrence torch.optim.SGD(momentum=μ) runs (its first velocity is the first gradient, as
    heavy ball with x_{-1} = x_0), so these are the race's momentum path, coordinate by coordinate; a
    diverging direction is cut where it passes 1e12.
    """
    out: dict[str, np.ndarray] = {}
    for name, lam, x0 in (("x (λ = 1)", 1.0, start[0]), (f"y (λ = κ = {condition:g})", condition, start[1])):
        xs = np.full(steps + 1, np.nan)
        prev = cur = float(x0)
        xs[0] = cur
        for t in range(1, steps + 1):
            prev, cur = cur, cur - lr * lam * cur + momentum * (cur - prev)
            if not abs(cur) < 1e12:
                break
            xs[t] = cur
        out[name] = xs
    return out
