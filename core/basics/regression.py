"""Lecture 1 experiments and their plotly figures, shared by the Streamlit page and the Gradio tab.

Each experiment is a pure function of a frozen (hashable) config that returns a frozen result with every
number the page shows; the figure builders only draw those numbers. Experiments are memoised with
``functools.lru_cache`` on the config: a rerun that moves one slider recomputes only what that slider
changes, and the lookup costs microseconds (``st.cache_data`` would re-hash and re-pickle the results on
every rerun). Treat the returned results as read-only: they are shared between callers.

- :func:`run_polynomial`: 1D polynomial regression by GD, next to the closed-form (ridge) solution.
- :func:`run_logistic`: logistic regression on a 2D toy set, with optional polynomial features.
- :func:`capacity_sweep` / :func:`l2_sweep`: validation error against degree and against L2 strength,
  plus the bias-variance decomposition measured over fresh data sets.
- :func:`lr_comparison`: the same problem under several learning rates (slow / good / diverging).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from core.basics import linear
from core.viz.style import FONT, PALETTE

SPLIT_STYLE = {  # colour and marker per split, the same in every figure of the lecture
    "train": (PALETTE[0], "circle"),
    "val": (PALETTE[1], "square"),
    "test": (PALETTE[2], "diamond"),
}
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}
GRID = np.linspace(0.0, 1.0, 200)
"""x values where 1D fits are drawn and where bias and variance are measured (x ~ U[0, 1])."""
GRID_COLOUR = "#EBF0F8"

# Choices both front ends offer (log-spaced: a learning rate or λ matters by its order of magnitude).
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0)
L2_STRENGTHS = (0.0, 1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
EPOCH_CHOICES = (10, 30, 100, 300, 500, 1000, 2000)
BATCH_CHOICES = (0, 1, 4, 8, 16)
"""Mini-batch sizes; 0 stands for full batch."""
TOY_SETS = ("moons", "circles", "xor", "spirals", "blobs")


def figure(
    traces: list[dict], title: str, height: int, xaxis: dict, yaxis: dict, **layout: object
) -> go.Figure:
    """A plotly figure from trace dicts, styled like ``core.viz.style.base_layout`` (white, large type).

    Built in one constructor call without plotly's property validation (``_validate=False``): with it,
    each trace costs 1-3 ms and a ``template=`` name ~25 ms, which alone would break this page's 100 ms
    budget. The tests rebuild every figure *with* validation, so a misspelt property still fails there.
    An explicit empty template also skips copying the process-wide default template into every figure;
    the styling it would bring is set explicitly below. Arrays go in as numpy arrays, never lists: plotly
    deep-copies lists element by element when the figure is serialised.
    """
    axis = dict(gridcolor=GRID_COLOUR, zerolinecolor=GRID_COLOUR, automargin=True)
    return go.Figure(
        data=traces,
        layout=dict(
            title=dict(text=title, x=0.0, xanchor="left"),
            height=height,
            margin=dict(l=10, r=10, t=40, b=10),
            font=FONT,
            plot_bgcolor="white",
            paper_bgcolor="white",
            # Below the plot: above it, a legend of five entries runs into the title.
            legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0.0),
            xaxis={**axis, **_log_ticks(xaxis, traces, "x"), **xaxis},
            yaxis={**axis, **_log_ticks(yaxis, traces, "y"), **yaxis},
            template={},
            **layout,
        ),
        _validate=False,
    )


def _log_ticks(axis: dict, traces: list[dict], coord: str) -> dict:
    """Readable ticks for a log axis: more ticks, written in full, the fewer decades the data span.

    (Plotly's default labels the minor ticks with bare mantissas, "2 5 0.1 2 5", which reads as noise.)
    """
    if axis.get("type") != "log":
        return {}
    arrays = [np.asarray(t.get(coord, []), dtype=np.float64).ravel() for t in traces]
    vals = np.concatenate(arrays + [np.ones(0)])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    decades = float(np.log10(vals.max() / vals.min())) if vals.size else 0.0
    if decades <= 1.0:
        return dict(tickformat=".2g", dtick="D1")  # every 1..9 × 10^k
    if decades <= 2.5:
        return dict(tickformat=".2g", dtick="D2")  # 1, 2, 5 × 10^k
    return dict(dtick=1, exponentformat="power")  # one tick per decade


def line(
    x: object, y: object, name: str, colour: str, width: float = 3, dash: str = "solid", **kw: object
) -> dict:
    """A scatter trace dict drawn as a line."""
    style = dict(color=colour, width=width, dash=dash)
    return dict(type="scatter", x=x, y=y, mode="lines", name=name, line=style, **kw)


def points(
    x: object, y: object, name: str, colour: str, symbol: str = "circle", size: int = 10, **kw: object
) -> dict:
    """A scatter trace dict drawn as markers with a white rim (readable where points overlap)."""
    marker = dict(color=colour, symbol=symbol, size=size, line=dict(width=1, color="white"))
    return dict(type="scatter", x=x, y=y, mode="markers", name=name, marker=marker, **kw)


# --------------------------------------------------------------------------------------------------
# 1D polynomial regression
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolyConfig:
    """A 1D polynomial-regression experiment on noisy samples of sin(2πx)."""

    n: int = 40
    """Number of data points, before splitting."""
    noise: float = 0.25
    """Standard deviation of the Gaussian noise on the targets."""
    seed: int = 0
    """Seed of the data and of the split."""
    degree: int = 3
    """Polynomial degree (number of features, the bias aside)."""
    basis: str = "legendre"
    """'legendre' (well conditioned, GD converges) or 'monomial' (x, x², ...: the textbook basis)."""
    lr: float = 0.1
    """Gradient-descent learning rate η."""
    epochs: int = 500
    """Number of gradient-descent epochs."""
    l2: float = 0.0
    """L2 strength λ in MSE + (λ/2)‖w‖²."""
    train_frac: float = 0.6
    """Fraction of the points used for training."""
    val_frac: float = 0.2
    """Fraction used for validation; the rest is the test set."""
    batch_size: int | None = None
    """Mini-batch size for SGD; None is full-batch gradient descent."""


@dataclass(frozen=True)
class PolyRun:
    """Everything :func:`run_polynomial` computed."""

    config: PolyConfig
    """The experiment."""
    split: linear.Split
    """Raw x / y of the three splits."""
    scaler: linear.Standardizer
    """Feature standardisation, fitted on the training split."""
    gd: linear.GDResult
    """The gradient-descent run."""
    closed_w: np.ndarray
    """Exact minimiser of the same objective (ridge normal equations): weights."""
    closed_b: float
    """... and bias."""
    errors: dict[str, dict[str, float]]
    """MSE per solver ('gradient descent', 'closed form') and split ('train', 'val', 'test')."""
    lr_limit: float
    """2/λ_max of the loss Hessian: full-batch GD diverges above this learning rate."""

    def features(self, x: np.ndarray) -> np.ndarray:
        """Standardised polynomial features of raw inputs x."""
        return self.scaler.transform(features_1d(x, self.config.degree, self.config.basis))


def features_1d(x: np.ndarray, degree: int, basis: str) -> np.ndarray:
    """Polynomial features of 1D inputs in the chosen basis (both span the same polynomials)."""
    if basis == "legendre":
        return linear.legendre_features(x, degree, domain=(0.0, 1.0))
    if basis == "monomial":
        return linear.polynomial_features(x, degree)
    raise ValueError(f"basis must be 'legendre' or 'monomial', not {basis!r}")


def split_problem(cfg: PolyConfig) -> str | None:
    """Why the configured split cannot be made (a split would be empty), or None when it can."""
    try:
        _split(cfg, cfg.seed)
    except ValueError as exc:
        return f"Cannot split the data: {exc}."
    return None


def _split(cfg: PolyConfig, seed: int) -> linear.Split:
    x, y = linear.sine_data(cfg.n, cfg.noise, seed)
    test_frac = 1.0 - cfg.train_frac - cfg.val_frac
    return linear.train_val_test_split(x, y, (cfg.train_frac, cfg.val_frac, test_frac), seed=seed)


def _parts(split: linear.Split) -> list[tuple[str, np.ndarray, np.ndarray]]:
    return [("train", split.X_train, split.y_train), ("val", split.X_val, split.y_val),
            ("test", split.X_test, split.y_test)]  # fmt: skip


@functools.lru_cache(maxsize=64)
def run_polynomial(cfg: PolyConfig) -> PolyRun:
    """Split the data, expand and standardise features, fit by GD and in closed form, measure errors.

    Raises ValueError when the fractions leave a split empty (the page names the problem).
    """
    split = _split(cfg, cfg.seed)
    tr = features_1d(split.X_train, cfg.degree, cfg.basis)
    scaler = linear.Standardizer.fit(tr)  # fitted on train only: validation/test stay unseen
    F = {s: scaler.transform(features_1d(x, cfg.degree, cfg.basis)) for s, x, _ in _parts(split)}
    gd = linear.fit_linear_gd(
        F["train"], split.y_train, cfg.lr, cfg.epochs, cfg.l2,
        X_val=F["val"], y_val=split.y_val, batch_size=cfg.batch_size, seed=cfg.seed,
    )  # fmt: skip
    w, b = linear.ridge_closed_form(F["train"], split.y_train, cfg.l2)
    errors = {
        "gradient descent": {s: (math.nan if gd.diverged else linear.mse(y, gd.predict(F[s])))
                             for s, _, y in _parts(split)},  # fmt: skip
        "closed form": {s: linear.mse(y, F[s] @ w + b) for s, _, y in _parts(split)},
    }
    return PolyRun(cfg, split, scaler, gd, w, b, errors, linear.lr_stability_limit(F["train"], cfg.l2))


def polynomial_figure(run: PolyRun) -> go.Figure:
    """Data points by split, the true function, the GD fit and the closed-form fit."""
    G = run.features(GRID)
    traces = [line(GRID, linear.sine_target(GRID), "true sin(2πx)", "#999999", 2, "dot")]
    if not run.gd.diverged:
        traces.append(line(GRID, run.gd.predict(G), "gradient descent", PALETTE[3]))
    traces.append(line(GRID, G @ run.closed_w + run.closed_b, "closed form", PALETTE[4], 2, "dash"))
    traces += [points(x, y, SPLIT_NAMES[s], *SPLIT_STYLE[s]) for s, x, y in _parts(run.split)]
    ys = np.concatenate([run.split.y_train, run.split.y_val, run.split.y_test])
    # The axis follows the data, not the fit: a wild degree-15 curve is clipped instead of flattening
    # every point into a line at the bottom of the plot.
    pad = 0.3 * float(ys.max() - ys.min()) + 0.1
    title = f"Degree {run.config.degree} polynomial, λ = {run.config.l2:g}"
    y_range = [float(ys.min()) - pad, float(ys.max()) + pad]
    return figure(traces, title, 420, dict(title="x", range=[0, 1]), dict(title="y", range=y_range))


def loss_figure(run: PolyRun | LogisticRun, log_y: bool = True) -> go.Figure:
    """Train and validation loss per epoch; dotted lines mark the closed-form optimum when known."""
    h = run.gd.history
    traces = [line(np.asarray(h["epoch"]), np.asarray(h[k]), k.replace("_", " "), PALETTE[i])
              for i, k in enumerate(("train_loss", "val_loss")) if h.get(k)]  # fmt: skip
    if isinstance(run, PolyRun) and h["epoch"]:
        for i, s in enumerate(("train", "val")):
            e = run.errors["closed form"][s]
            name = f"closed form: {SPLIT_NAMES[s]}"
            traces.append(line([1, h["epoch"][-1]], [e, e], name, PALETTE[i], 1.5, "dot"))
    title = "Loss per epoch" + (" — diverged" if run.gd.diverged else "")
    ytitle = "MSE" if isinstance(run, PolyRun) else "cross-entropy"
    yaxis = dict(title=ytitle, type="log" if log_y else "linear")
    return figure(traces, title, 340, dict(title="epoch"), yaxis)


def polynomial_summary(run: PolyRun) -> dict[str, object]:
    """The run's numbers as plain JSON (Gradio API, tests)."""
    return {
        "status": run.gd.status,
        "message": run.gd.message,
        "epochs_run": run.gd.epochs_run,
        "lr_stability_limit": round(run.lr_limit, 6),
        "mse": {k: {s: _json_float(v) for s, v in d.items()} for k, d in run.errors.items()},
        "points": {s: len(y) for s, _, y in _parts(run.split)},
        "gd_weights": [round(float(v), 6) for v in run.gd.w] + [round(run.gd.b, 6)],
        "closed_form_weights": [round(float(v), 6) for v in run.closed_w] + [round(run.closed_b, 6)],
    }


def _json_float(v: float) -> float | None:
    return round(float(v), 6) if math.isfinite(v) else None


# --------------------------------------------------------------------------------------------------
# Capacity: degree and L2 sweeps, bias and variance
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacitySweep:
    """Errors against polynomial degree, from the exact (closed-form) minimiser at each degree."""

    degrees: np.ndarray
    """Degrees swept."""
    errors: dict[str, np.ndarray]
    """MSE per split ('train', 'val', 'test') on the configured data set, one value per degree."""
    bias2: np.ndarray
    """Squared bias, averaged over x ~ U[0,1], of the fit over ``repeats`` fresh data sets."""
    variance: np.ndarray
    """Variance of the fit across those data sets, averaged over x."""
    noise_var: float
    """Irreducible error σ²: the expected test MSE is bias² + variance + σ²."""
    repeats: int
    """Number of fresh data sets behind bias and variance."""
    best_degree: int
    """Degree with the lowest validation error: the one model selection picks."""


@functools.lru_cache(maxsize=64)
def capacity_sweep(
    cfg: PolyConfig, degrees: tuple[int, ...] = tuple(range(1, 16)), repeats: int = 20
) -> CapacitySweep:
    """Validation error vs degree at the configured λ, and bias²/variance from ``repeats`` data sets.

    Each degree is fitted exactly (normal equations), so the curve shows capacity, not how far GD got.
    """
    top = max(degrees)
    # Column k of either basis does not depend on the degree, and neither does its standardisation:
    # compute the features once at the highest degree and slice the first d columns for degree d.
    split = _split(cfg, cfg.seed)
    tr = features_1d(split.X_train, top, cfg.basis)
    scaler = linear.Standardizer.fit(tr)
    F = {s: scaler.transform(features_1d(x, top, cfg.basis)) for s, x, _ in _parts(split)}
    errors: dict[str, list[float]] = {"train": [], "val": [], "test": []}
    for d in degrees:
        w, b = linear.ridge_closed_form(F["train"][:, :d], split.y_train, cfg.l2)
        for s, _, y in _parts(split):
            errors[s].append(linear.mse(y, F[s][:, :d] @ w + b))
    truth = linear.sine_target(GRID)
    # Fresh data sets (same size, noise and split fractions) drawn from seeds derived from cfg.seed;
    # their training parts are stacked so that each degree is one batched solve, not `repeats` solves.
    draws = [_split(cfg, cfg.seed * 100_003 + r + 1) for r in range(repeats)]
    x_tr = np.stack([sp.X_train for sp in draws])
    y_tr = np.stack([sp.y_train for sp in draws])
    Fr = features_1d(x_tr.ravel(), top, cfg.basis).reshape(repeats, -1, top)
    mean, scale = Fr.mean(axis=1, keepdims=True), Fr.std(axis=1, keepdims=True)
    scale = np.where(scale > 1e-12, scale, 1.0)
    Fr = (Fr - mean) / scale
    G = (features_1d(GRID, top, cfg.basis)[None] - mean) / scale  # (repeats, grid points, top)
    bias2, variance = [], []
    for d in degrees:
        w, b = ridge_batched(Fr[..., :d], y_tr, cfg.l2)
        preds = np.einsum("rgd,rd->rg", G[..., :d], w) + b[:, None]
        bias2.append(float(np.mean((preds.mean(axis=0) - truth) ** 2)))
        variance.append(float(np.mean(preds.var(axis=0))))
    degs = np.asarray(degrees)
    arr = {s: np.array(v) for s, v in errors.items()}
    return CapacitySweep(degs, arr, np.array(bias2), np.array(variance), cfg.noise**2, repeats,
                         int(degs[np.argmin(arr["val"])]))  # fmt: skip


def ridge_batched(X: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`core.basics.linear.ridge_closed_form` for a stack of problems X (R, n, d), y (R, n) at once."""
    R, n, d = X.shape
    x_mean, y_mean = X.mean(axis=1, keepdims=True), y.mean(axis=1, keepdims=True)
    scale = math.sqrt(2.0 / n)
    ridge_rows = np.broadcast_to(math.sqrt(l2) * np.eye(d), (R, d, d))
    A = np.concatenate([scale * (X - x_mean), ridge_rows], axis=1)
    t = np.concatenate([scale * (y - y_mean), np.zeros((R, d))], axis=1)
    # pinv (batched SVD): the minimum-norm solution when a problem is rank-deficient, like lstsq.
    w = np.einsum("rdm,rm->rd", np.linalg.pinv(A), t)
    return w, y_mean[:, 0] - np.einsum("rd,rd->r", x_mean[:, 0], w)


@dataclass(frozen=True)
class L2Sweep:
    """Errors against L2 strength at a fixed degree (closed-form fits)."""

    l2s: np.ndarray
    """L2 strengths swept (log-spaced)."""
    errors: dict[str, np.ndarray]
    """MSE per split, one value per λ."""
    weight_norm: np.ndarray
    """‖w‖ of each fit: L2 shrinks the weights."""
    degree: int
    """Polynomial degree of every fit."""
    best_l2: float
    """λ with the lowest validation error."""


L2_GRID = tuple(float(v) for v in np.logspace(-7, 1, 25))
"""λ values of the L2 sweep: 10^-7 (no effect) to 10 (a flat line), three per decade."""


@functools.lru_cache(maxsize=64)
def l2_sweep(cfg: PolyConfig, l2s: tuple[float, ...] = L2_GRID) -> L2Sweep:
    """Validation error vs λ at degree ``cfg.degree``: overfitting at tiny λ, underfitting at large λ."""
    split = _split(cfg, cfg.seed)
    tr = features_1d(split.X_train, cfg.degree, cfg.basis)
    scaler = linear.Standardizer.fit(tr)
    F = {s: scaler.transform(features_1d(x, cfg.degree, cfg.basis)) for s, x, _ in _parts(split)}
    errors: dict[str, list[float]] = {"train": [], "val": [], "test": []}
    norms = []
    for lam in l2s:
        w, b = linear.ridge_closed_form(F["train"], split.y_train, float(lam))
        norms.append(float(np.linalg.norm(w)))
        for s, _, y in _parts(split):
            errors[s].append(linear.mse(y, F[s] @ w + b))
    arr = {s: np.array(v) for s, v in errors.items()}
    lams = np.asarray(l2s, dtype=np.float64)
    return L2Sweep(lams, arr, np.array(norms), cfg.degree, float(lams[np.argmin(arr["val"])]))


def _split_lines(x: np.ndarray, errors: dict[str, np.ndarray]) -> list[dict]:
    return [
        dict(line(x, errors[s], SPLIT_NAMES[s], c), mode="lines+markers", marker=dict(symbol=sym, size=8))
        for s, (c, sym) in SPLIT_STYLE.items()
    ]


def _star(x: float, y: float) -> dict:
    return points([x], [y], "lowest validation", PALETTE[3], "star", 20)


def capacity_figure(sweep: CapacitySweep) -> go.Figure:
    """Train/validation/test MSE against degree (log scale), the chosen degree starred."""
    best = _star(sweep.best_degree, float(sweep.errors["val"].min()))
    traces = _split_lines(sweep.degrees, sweep.errors) + [best]
    return figure(traces, "Error vs model capacity", 380, dict(title="polynomial degree", dtick=1),
                  dict(title="MSE", type="log"))  # fmt: skip


def bias_variance_figure(sweep: CapacitySweep) -> go.Figure:
    """Bias², variance and σ² stacked: their sum is the expected test error of each degree."""
    parts = (("bias²", sweep.bias2, PALETTE[0]), ("variance", sweep.variance, PALETTE[1]),
             ("noise σ²", np.full(len(sweep.degrees), sweep.noise_var), "#BBBBBB"))  # fmt: skip
    traces = [dict(type="bar", x=sweep.degrees, y=v, name=name, marker=dict(color=c)) for name, v, c in parts]
    # Bias and variance explode at high degree and would flatten the informative bars: the axis stops at
    # the underfitting model's error (or twice the best), and taller bars run off the top.
    total = sweep.bias2 + sweep.variance + sweep.noise_var
    top = float(max(total[0], 2.0 * total.min()))
    return figure(traces, f"Bias² + variance + noise, over {sweep.repeats} fresh data sets", 380,
                  dict(title="polynomial degree", dtick=1), dict(title="expected MSE", range=[0, 1.15 * top]),
                  barmode="stack")  # fmt: skip


def l2_figure(sweep: L2Sweep) -> go.Figure:
    """Train/validation/test MSE against λ (log-log), the chosen λ starred."""
    best = _star(sweep.best_l2, float(sweep.errors["val"].min()))
    traces = _split_lines(sweep.l2s, sweep.errors) + [best]
    return figure(traces, f"Error vs L2 strength at degree {sweep.degree}", 380,
                  dict(title="λ (L2 strength)", type="log"), dict(title="MSE", type="log"))  # fmt: skip


def sweep_summary(cap: CapacitySweep, reg: L2Sweep) -> dict[str, object]:
    """Both sweeps as plain JSON."""
    return {
        "degrees": cap.degrees.tolist(),
        "val_mse_by_degree": [round(float(v), 6) for v in cap.errors["val"]],
        "best_degree": cap.best_degree,
        "test_mse_at_best_degree": round(float(cap.errors["test"][int(np.argmin(cap.errors["val"]))]), 6),
        "bias2": [round(float(v), 6) for v in cap.bias2],
        "variance": [round(float(v), 6) for v in cap.variance],
        "l2s": [float(f"{v:.3g}") for v in reg.l2s],
        "val_mse_by_l2": [round(float(v), 6) for v in reg.errors["val"]],
        "best_l2": float(f"{reg.best_l2:.3g}"),
    }


# --------------------------------------------------------------------------------------------------
# Learning rates
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LRComparison:
    """Full-batch GD on one problem under several learning rates."""

    lrs: tuple[float, ...]
    """The learning rates, in the order given."""
    runs: tuple[linear.GDResult, ...]
    """One run per learning rate, with the parameter path recorded."""
    limit: float
    """2/λ_max: GD diverges above it (and oscillates above half of it)."""
    optimum: np.ndarray = field(repr=False)
    """The exact minimiser [w..., b] (closed form)."""
    optimum_loss: float = 0.0
    """Training MSE at the minimiser."""


@functools.lru_cache(maxsize=64)
def lr_comparison(cfg: PolyConfig, lrs: tuple[float, ...]) -> LRComparison:
    """Fit the configured polynomial with each learning rate; diverging runs stop and say so."""
    split = _split(cfg, cfg.seed)
    tr = features_1d(split.X_train, cfg.degree, cfg.basis)
    F = linear.Standardizer.fit(tr).transform(tr)
    runs = tuple(
        linear.fit_linear_gd(F, split.y_train, float(lr), cfg.epochs, cfg.l2, record_path=True) for lr in lrs
    )
    w, b = linear.ridge_closed_form(F, split.y_train, cfg.l2)
    return LRComparison(tuple(float(v) for v in lrs), runs, linear.lr_stability_limit(F, cfg.l2),
                        np.append(w, b), linear.mse(split.y_train, F @ w + b))  # fmt: skip


def _verdict(run: linear.GDResult, lr: float, limit: float) -> str:
    if run.diverged:
        return f"diverged (epoch {run.epochs_run})"
    if lr > limit / 2:
        return "oscillates"
    return "converging"


def lr_loss_figure(cmp: LRComparison) -> go.Figure:
    """Training loss per epoch for each learning rate (log scale); a diverged run ends in a ✕."""
    traces = []
    for i, (lr, run) in enumerate(zip(cmp.lrs, cmp.runs)):
        colour, h = PALETTE[i % len(PALETTE)], run.history
        traces.append(line(np.arange(run.epochs_run + 1.0), np.array([run.initial_loss] + h["train_loss"]),
                           f"η = {lr:g}: {_verdict(run, lr, cmp.limit)}", colour))  # fmt: skip
        if run.diverged:
            last = (h["train_loss"] or [run.initial_loss])[-1]
            cross = points([float(run.epochs_run)], [last], "diverged", colour, "x", 16,
                           showlegend=False, hovertext=run.message, hoverinfo="text")  # fmt: skip
            traces.append(cross)
    n_epochs = max(max(r.epochs_run for r in cmp.runs), 1)
    traces.append(line([0, n_epochs], [cmp.optimum_loss] * 2, "minimum (closed form)", "#999999", 2, "dot"))
    return figure(traces, "Training loss", 360, dict(title="epoch"), dict(title="MSE", type="log"))


def lr_weight_figure(cmp: LRComparison, index: int = 0) -> go.Figure:
    """One weight against epochs: small η creeps, η past limit/2 overshoots and flips sign each step."""
    target = float(cmp.optimum[index])
    traces, spans = [], [target]
    paths = [r.path[:, index] if r.path is not None else np.zeros(1) for r in cmp.runs]
    for ys, run in zip(paths, cmp.runs):
        if not run.diverged:
            spans += [float(ys.min()), float(ys.max())]
    lo, hi = min(spans), max(spans)
    pad = 0.25 * (hi - lo) + 0.1 * abs(target) + 1e-3
    for i, (lr, run, ys) in enumerate(zip(cmp.lrs, cmp.runs, paths)):
        if run.diverged:
            # The frame fits the runs that converge; a diverging run is drawn until it leaves the frame
            # (one point beyond the edge), instead of zig-zagging across the whole plot every epoch.
            out = np.flatnonzero((ys < lo - pad) | (ys > hi + pad))
            ys = ys[: out[0] + 1] if out.size else ys
        trace = line(np.arange(len(ys)), ys, f"η = {lr:g}", PALETTE[i % len(PALETTE)], 2)
        traces.append(dict(trace, mode="lines+markers" if len(ys) <= 60 else "lines", marker=dict(size=5)))
    n_epochs = max(max(r.epochs_run for r in cmp.runs), 1)
    traces.append(line([0, n_epochs], [target, target], "optimal value", "#999999", 2, "dot"))
    return figure(traces, f"Weight w{index + 1} per epoch", 360, dict(title="epoch"),
                  dict(title=f"w{index + 1}", range=[lo - pad, hi + pad]))  # fmt: skip


def lr_summary(cmp: LRComparison) -> dict[str, object]:
    """Per learning rate: verdict, epochs run, final loss; as plain JSON."""
    return {
        "lr_stability_limit": round(cmp.limit, 6),
        "min_train_mse": round(cmp.optimum_loss, 6),
        "runs": [
            {
                "lr": lr,
                "status": run.status,
                "verdict": _verdict(run, lr, cmp.limit),
                "epochs_run": run.epochs_run,
                "final_train_mse": _json_float((run.history["train_loss"] or [run.initial_loss])[-1]),
                "message": run.message,
            }
            for lr, run in zip(cmp.lrs, cmp.runs)
        ],
    }


# --------------------------------------------------------------------------------------------------
# Logistic regression on 2D toy data
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogisticConfig:
    """Binary logistic regression on a 2D toy set from ``core.data``."""

    dataset: str = "moons"
    """Toy set name: moons, circles, spirals, xor or blobs (2 classes)."""
    n: int = 300
    """Number of points before the 60/20/20 split."""
    noise: float = 0.2
    """Noise of the toy generator."""
    seed: int = 0
    """Seed of the data."""
    degree: int = 1
    """Polynomial feature degree: 1 is a straight decision boundary."""
    lr: float = 1.0
    """Gradient-descent learning rate."""
    epochs: int = 300
    """Gradient-descent epochs."""
    l2: float = 0.0
    """L2 strength λ in BCE + (λ/2)‖w‖²."""


@dataclass(frozen=True)
class LogisticRun:
    """Everything :func:`run_logistic` computed."""

    config: LogisticConfig
    """The experiment."""
    data: dict[str, tuple[np.ndarray, np.ndarray]]
    """(X, y) per split, as served by core.data."""
    provenance: str
    """Where the data came from (core.data's provenance string)."""
    gd: linear.GDResult
    """The gradient-descent run."""
    accuracy: dict[str, float]
    """Accuracy per split."""
    loss: dict[str, float]
    """Mean cross-entropy per split."""
    grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    """(xs, ys, P(class 1)) on a grid covering the data: the probability map."""


def _features_2d(X: np.ndarray, degree: int) -> np.ndarray:
    return linear.polynomial_features(X, degree) if degree > 1 else np.asarray(X, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def run_logistic(cfg: LogisticConfig, resolution: int = 80) -> LogisticRun:
    """Load the three splits, expand + standardise features, fit by GD, evaluate, map probabilities."""
    from core import data  # imported here: the 1D demos must not wait for the data module

    sets = {
        s: data.load(cfg.dataset, s, n=cfg.n, noise=cfg.noise, seed=cfg.seed, classes=2)
        for s in ("train", "val", "test")
    }
    raw = {s: (ds.X.astype(np.float64), ds.y) for s, ds in sets.items()}
    scaler = linear.Standardizer.fit(_features_2d(raw["train"][0], cfg.degree))
    F = {s: scaler.transform(_features_2d(X, cfg.degree)) for s, (X, _) in raw.items()}
    gd = linear.fit_logistic_gd(F["train"], raw["train"][1], cfg.lr, cfg.epochs, cfg.l2,
                                X_val=F["val"], y_val=raw["val"][1], seed=cfg.seed)  # fmt: skip
    acc = {s: linear.accuracy(raw[s][1], gd.predict(F[s])) for s in raw}
    loss = {s: linear.bce_and_grad(gd.decision_function(F[s]), raw[s][1].astype(np.float64))[0] for s in raw}
    allX = np.concatenate([X for X, _ in raw.values()])
    lo, hi = allX.min(axis=0) - 0.5, allX.max(axis=0) + 0.5
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid_points = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(all="ignore"):
        P = gd.predict_proba(scaler.transform(_features_2d(grid_points, cfg.degree)))
    return LogisticRun(cfg, raw, sets["train"].provenance, gd, acc, loss, (xs, ys, P.reshape(gx.shape)))


def decision_figure(run: LogisticRun) -> go.Figure:
    """Probability map P(class 1 | x), the decision boundary P = 0.5, and the points of each split."""
    xs, ys, P = run.grid
    traces: list[dict] = [
        dict(type="contour", x=xs, y=ys, z=P, zmin=0, zmax=1, colorscale="RdBu", reversescale=True,
             opacity=0.4, contours=dict(start=0, end=1, size=0.1), line=dict(width=0), hoverinfo="skip",
             colorbar=dict(title=dict(text="P(1)"), thickness=12)),
        dict(type="contour", x=xs, y=ys, z=P, showscale=False, hoverinfo="skip", name="boundary P = 0.5",
             contours=dict(start=0.5, end=0.5, size=1, coloring="lines"), line=dict(width=3),
             colorscale=[[0, "black"], [1, "black"]]),
    ]  # fmt: skip
    for s, (X, y) in run.data.items():
        for k, colour in ((0, PALETTE[3]), (1, PALETTE[0])):
            name = f"{SPLIT_NAMES[s]}, class {k}"
            traces.append(points(X[y == k, 0], X[y == k, 1], name, colour, SPLIT_STYLE[s][1], 7))
    return figure(traces, f"{run.config.dataset}: degree {run.config.degree}, λ = {run.config.l2:g}", 480,
                  dict(title="x1", range=[float(xs[0]), float(xs[-1])]),
                  dict(title="x2", range=[float(ys[0]), float(ys[-1])], scaleanchor="x"))  # fmt: skip


def logistic_summary(run: LogisticRun) -> dict[str, object]:
    """Accuracy and loss per split, status and provenance, as plain JSON."""
    return {
        "status": run.gd.status,
        "message": run.gd.message,
        "epochs_run": run.gd.epochs_run,
        "accuracy": {s: round(v, 4) for s, v in run.accuracy.items()},
        "cross_entropy": {s: _json_float(v) for s, v in run.loss.items()},
        "features": len(run.gd.w),
        "data": run.provenance,
    }
