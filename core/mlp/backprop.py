"""Backpropagation by hand through a 2-2-1 network, checked against autograd (lecture 2).

The network: ``z = W x + b`` (2 hidden units), ``h = act(z)``, ``o = v·h + c``, ``ŷ = σ(o)``, and a loss
``L = ½(ŷ - t)²`` (MSE) or ``L = -[t log ŷ + (1-t) log(1-ŷ)]`` (BCE). BCE is evaluated from the logit,
``L = softplus(o) - t·o``: the same number, but ŷ rounds to 1 in float64 once o > 37, and log(1 - ŷ)
would then be log 0 (``torch.nn.functional.binary_cross_entropy_with_logits`` avoids it the same way).
:func:`backward` applies the chain rule one factor at a time in plain Python floats, keeping every
intermediate derivative so the page can show it; :func:`autograd_gradients` asks torch for the same
numbers with ``torch.nn.functional``'s own activations and losses. The tests check the two agree for
every activation and loss over many seeds.
Rumelhart, Hinton & Williams (1986) is the classic account of this computation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from core.viz.style import PALETTE, fast_figure

ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu")
LOSSES: tuple[str, ...] = ("mse", "bce")
LOSS_NAMES: dict[str, str] = {"mse": "MSE ½(ŷ − t)²", "bce": "Binary cross-entropy"}
#: The controls' ranges (the page's sliders; the tests sweep their ends).
INPUT_RANGE: tuple[float, float] = (-2.0, 2.0)
TARGET_RANGE: tuple[float, float] = (0.0, 1.0)
SEED_RANGE: tuple[int, int] = (0, 9999)
LEARNING_RATES: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
#: Parameters: w_jk from input k to hidden j, hidden biases b_j, output weights v_j and output bias c.
PARAMS: tuple[str, ...] = ("w11", "w12", "w21", "w22", "b1", "b2", "v1", "v2", "c")
TEX: dict[str, str] = {"w11": "w_{11}", "w12": "w_{12}", "w21": "w_{21}", "w22": "w_{22}", "b1": "b_1",
                       "b2": "b_2", "v1": "v_1", "v2": "v_2", "c": "c"}
UNICODE: dict[str, str] = {"w11": "w₁₁", "w12": "w₁₂", "w21": "w₂₁", "w22": "w₂₂", "b1": "b₁",
                           "b2": "b₂", "v1": "v₁", "v2": "v₂", "c": "c"}
Params = Mapping[str, float]


@dataclass(frozen=True)
class BackpropConfig:
    """One example through the tiny network."""

    x1: float = 1.0
    """First input."""
    x2: float = -0.5
    """Second input."""
    target: float = 1.0
    """Target t in [0, 1] (the output is a sigmoid; BCE accepts soft targets)."""
    seed: int = 0
    """Seed of the initial weights."""
    activation: str = "sigmoid"
    """Hidden activation: 'sigmoid', 'tanh' or 'relu'."""
    loss: str = "mse"
    """'mse' (½(ŷ - t)²) or 'bce' (binary cross-entropy)."""
    lr: float = 0.5
    """Learning rate of the one SGD step shown."""


def init_params(seed: int) -> dict[str, float]:
    """Weights uniform in [-1, 1], rounded to two decimals so the arithmetic can be followed by hand."""
    rng = np.random.default_rng(seed)
    return {k: round(float(v), 2) for k, v in zip(PARAMS, rng.uniform(-1, 1, len(PARAMS)))}


def _sigmoid(z: float) -> float:
    """σ(z) without overflow: exp is only ever taken of a non-positive number."""
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def _softplus(z: float) -> float:
    """log(1 + e^z) without overflow or loss of the tail: max(z, 0) + log1p(e^-|z|)."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _ratio(num: float, den: float) -> float:
    """num/den, with ±inf (shown as such) where a saturated sigmoid made den 0."""
    return num / den if den else (math.inf if num else 0.0)


def _act(name: str, z: float) -> float:
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return max(z, 0.0)
    raise ValueError(f"unknown activation {name!r}; choose from {ACTIVATIONS}")


def _act_grad(name: str, z: float, h: float) -> float:
    """act'(z), written with the output h where that is the usual textbook form."""
    if name == "sigmoid":
        return h * (1 - h)
    if name == "tanh":
        return 1 - h * h
    return 1.0 if z > 0 else 0.0  # relu: torch also takes 0 as the derivative at z = 0


@dataclass(frozen=True)
class Forward:
    """Every value of the forward pass."""

    x: tuple[float, float]
    """Inputs."""
    z: tuple[float, float]
    """Hidden pre-activations W x + b."""
    h: tuple[float, float]
    """Hidden activations act(z)."""
    o: float
    """Output pre-activation v·h + c."""
    yhat: float
    """Output σ(o)."""
    target: float
    """Target t."""
    loss: float
    """Loss L."""


@dataclass(frozen=True)
class Backward:
    """Every factor of the backward pass (chain rule from L down to each parameter)."""

    dL_dyhat: float
    """∂L/∂ŷ."""
    dyhat_do: float
    """∂ŷ/∂o = ŷ(1 - ŷ)."""
    delta_o: float
    """∂L/∂o = ∂L/∂ŷ · ∂ŷ/∂o."""
    dL_dh: tuple[float, float]
    """∂L/∂h_j = ∂L/∂o · v_j."""
    dh_dz: tuple[float, float]
    """∂h_j/∂z_j = act'(z_j)."""
    delta_z: tuple[float, float]
    """∂L/∂z_j = ∂L/∂h_j · act'(z_j)."""
    grads: Mapping[str, float]
    """∂L/∂θ for every parameter θ in PARAMS."""


def forward(p: Params, x: tuple[float, float], target: float, activation: str, loss: str) -> Forward:
    """The forward pass in plain floats."""
    z = (p["w11"] * x[0] + p["w12"] * x[1] + p["b1"], p["w21"] * x[0] + p["w22"] * x[1] + p["b2"])
    h = (_act(activation, z[0]), _act(activation, z[1]))
    o = p["v1"] * h[0] + p["v2"] * h[1] + p["c"]
    yhat = _sigmoid(o)
    if loss == "mse":
        value = 0.5 * (yhat - target) ** 2  # the ½ cancels the 2 of the derivative
    elif loss == "bce":
        # -log σ(o) = softplus(-o) and -log(1 - σ(o)) = softplus(o), so L = softplus(o) - t·o: finite for
        # every o, where the ŷ form takes log(0) as soon as ŷ rounds to 0 or 1.
        value = _softplus(o) - target * o
    else:
        raise ValueError(f"unknown loss {loss!r}; choose from {LOSSES}")
    return Forward(x, z, h, o, yhat, target, value)


def backward(p: Params, f: Forward, activation: str, loss: str) -> Backward:
    """The backward pass by hand: one chain-rule factor at a time, no autograd."""
    t, y = f.target, f.yhat
    y_bar = _sigmoid(-f.o)  # 1 - ŷ without the rounding of 1 - ŷ (it is e^-o, not 0, for a large o)
    dyhat_do = y * y_bar
    if loss == "mse":
        dL_dyhat = y - t
        delta_o = dL_dyhat * dyhat_do
    else:
        # Shown factor by factor, but multiplied out: -t/ŷ + (1-t)/(1-ŷ) times ŷ(1-ŷ) is ŷ - t (the
        # sigmoid's slope cancels), written (1-t)ŷ - t(1-ŷ) so that no factor is 0·∞ when ŷ saturates.
        dL_dyhat = _ratio(1 - t, y_bar) - _ratio(t, y)
        delta_o = (1 - t) * y - t * y_bar
    dL_dh = (delta_o * p["v1"], delta_o * p["v2"])
    dh_dz = (_act_grad(activation, f.z[0], f.h[0]), _act_grad(activation, f.z[1], f.h[1]))
    dz = (dL_dh[0] * dh_dz[0], dL_dh[1] * dh_dz[1])
    grads = {
        "w11": dz[0] * f.x[0], "w12": dz[0] * f.x[1], "w21": dz[1] * f.x[0], "w22": dz[1] * f.x[1],
        "b1": dz[0], "b2": dz[1], "v1": delta_o * f.h[0], "v2": delta_o * f.h[1], "c": delta_o,
    }
    return Backward(dL_dyhat, dyhat_do, delta_o, dL_dh, dh_dz, dz, grads)


def autograd_gradients(p: Params, x: tuple[float, float], target: float, activation: str, loss: str
                       ) -> tuple[float, dict[str, float]]:  # fmt: skip
    """(loss, ∂L/∂θ) from torch autograd, with torch's own activation and loss functions (float64)."""
    th = {k: torch.tensor(float(p[k]), dtype=torch.float64, requires_grad=True) for k in PARAMS}
    xs = torch.tensor(x, dtype=torch.float64)
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    W = torch.stack([torch.stack([th["w11"], th["w12"]]), torch.stack([th["w21"], th["w22"]])])
    h = act(W @ xs + torch.stack([th["b1"], th["b2"]]))
    o = torch.stack([th["v1"], th["v2"]]) @ h + th["c"]
    t = torch.tensor(float(target), dtype=torch.float64)
    if loss == "mse":
        value = 0.5 * F.mse_loss(torch.sigmoid(o), t)
    else:
        value = F.binary_cross_entropy_with_logits(o, t)
    value.backward()
    return value.item(), {k: v.grad.item() for k, v in th.items()}  # type: ignore[union-attr]


@dataclass(frozen=True)
class StepThrough:
    """One example forward and backward, the autograd check, and one SGD step."""

    config: BackpropConfig
    """The settings."""
    params: Mapping[str, float]
    """Parameters before the step."""
    forward: Forward
    """Forward pass."""
    backward: Backward
    """Hand-computed backward pass."""
    autograd: Mapping[str, float]
    """torch autograd's gradients."""
    params_after: Mapping[str, float]
    """θ - lr ∂L/∂θ."""
    forward_after: Forward
    """Forward pass with the updated parameters."""

    @property
    def max_abs_diff(self) -> float:
        """Largest |hand - autograd| over all parameters."""
        return max(abs(self.backward.grads[k] - self.autograd[k]) for k in PARAMS)

    @property
    def predicted_change(self) -> float:
        """First-order prediction of the step's effect on L: -lr ‖∇L‖²."""
        return -self.config.lr * sum(g * g for g in self.backward.grads.values())


def step_through(cfg: BackpropConfig) -> StepThrough:
    """Forward, backward by hand, autograd check and one SGD step for one example."""
    if cfg.activation not in ACTIVATIONS or cfg.loss not in LOSSES:
        raise ValueError(f"activation must be one of {ACTIVATIONS} and loss one of {LOSSES}")
    if not 0.0 <= cfg.target <= 1.0:
        raise ValueError(f"the target must lie in [0, 1] (the output is a sigmoid), got {cfg.target}")
    p = init_params(cfg.seed)
    x = (float(cfg.x1), float(cfg.x2))
    f = forward(p, x, cfg.target, cfg.activation, cfg.loss)
    b = backward(p, f, cfg.activation, cfg.loss)
    _, auto = autograd_gradients(p, x, cfg.target, cfg.activation, cfg.loss)
    after = {k: p[k] - cfg.lr * b.grads[k] for k in PARAMS}
    return StepThrough(cfg, p, f, b, auto, after, forward(after, x, cfg.target, cfg.activation, cfg.loss))


def gradient_table(s: StepThrough) -> list[dict[str, Any]]:
    """One row per parameter: value, hand and autograd gradients, their difference, value after the step."""
    return [{"parameter": UNICODE[k], "value": s.params[k], "∂L/∂θ by hand": s.backward.grads[k],
             "∂L/∂θ autograd": s.autograd[k], "|difference|": abs(s.backward.grads[k] - s.autograd[k]),
             "after SGD step": s.params_after[k]} for k in PARAMS]  # fmt: skip


def _n(v: float) -> str:
    return f"{v:.4g}" if v != 0 else "0"


def _f(v: float) -> str:
    """A factor in a product: negative numbers in parentheses."""
    return f"({_n(v)})" if v < 0 else _n(v)


def forward_latex(s: StepThrough) -> str:
    """The forward pass as aligned equations with the numbers plugged in."""
    f, p, a = s.forward, s.params, s.config.activation
    act = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}"}[a]
    rows = [rf"z_{j} &= w_{{{j}1}} x_1 + w_{{{j}2}} x_2 + b_{j} = {_f(p[f'w{j}1'])}\cdot{_f(f.x[0])} + "
            rf"{_f(p[f'w{j}2'])}\cdot{_f(f.x[1])} + {_f(p[f'b{j}'])} = {_n(f.z[j - 1])}" for j in (1, 2)]
    rows.append(rf"h_1 &= {act}(z_1) = {_n(f.h[0])}, \quad h_2 = {act}(z_2) = {_n(f.h[1])}")
    rows.append(rf"o &= v_1 h_1 + v_2 h_2 + c = {_f(p['v1'])}\cdot{_f(f.h[0])}"
                rf" + {_f(p['v2'])}\cdot{_f(f.h[1])} + {_f(p['c'])} = {_n(f.o)}")
    rows.append(rf"\hat y &= \sigma(o) = {_n(f.yhat)}")
    loss = (r"\tfrac12(\hat y - t)^2" if s.config.loss == "mse"
            else r"-[t\log\hat y + (1-t)\log(1-\hat y)] = \log(1 + e^{o}) - t\,o")
    rows.append(rf"L &= {loss} = {_n(f.loss)} \quad (t = {_n(f.target)})")
    return r"\begin{aligned}" + r"\\".join(rows) + r"\end{aligned}"


def chain_rule_latex(s: StepThrough, param: str) -> str:
    """∂L/∂param as a product of chain-rule factors: symbols, then numbers, then the result."""
    if param not in PARAMS:
        raise ValueError(f"unknown parameter {param!r}; choose from {PARAMS}")
    f, b, p = s.forward, s.backward, s.params
    bce = r"\left(-\frac{t}{\hat y} + \frac{1-t}{1-\hat y}\right)"
    dl = r"(\hat y - t)" if s.config.loss == "mse" else bce
    sym = [(r"\frac{\partial L}{\partial \hat y}", dl, b.dL_dyhat),
           (r"\frac{\partial \hat y}{\partial o}", r"\hat y(1-\hat y)", b.dyhat_do)]
    if param == "c":
        sym.append((r"\frac{\partial o}{\partial c}", "1", 1.0))
    elif param[0] == "v":
        j = int(param[1])
        sym.append((rf"\frac{{\partial o}}{{\partial v_{j}}}", f"h_{j}", f.h[j - 1]))
    else:
        j = int(param[1])
        dact = {"sigmoid": rf"h_{j}(1-h_{j})", "tanh": rf"(1-h_{j}^2)", "relu": rf"\mathbb{{1}}[z_{j}>0]"}
        sym += [(rf"\frac{{\partial o}}{{\partial h_{j}}}", f"v_{j}", p[f"v{j}"]),
                (rf"\frac{{\partial h_{j}}}{{\partial z_{j}}}", dact[s.config.activation], b.dh_dz[j - 1])]
        if param[0] == "b":
            sym.append((rf"\frac{{\partial z_{j}}}{{\partial b_{j}}}", "1", 1.0))
        else:
            k = int(param[2])
            sym.append((rf"\frac{{\partial z_{j}}}{{\partial w_{{{j}{k}}}}}", f"x_{k}", f.x[k - 1]))
    lhs = rf"\frac{{\partial L}}{{\partial {TEX[param]}}}"
    return (r"\begin{aligned}" + lhs + " &= " + r" \cdot ".join(a for a, _, _ in sym) + r"\\"
            + " &= " + r" \cdot ".join(e for _, e, _ in sym) + r"\\"
            + " &= " + r" \cdot ".join(f"({_n(v)})" for _, _, v in sym) + rf" = {_n(b.grads[param])}"
            + r"\end{aligned}")


_POS = {"x1": (0.0, 1.0), "x2": (0.0, -1.0), "h1": (2.0, 1.0), "h2": (2.0, -1.0), "o": (4.3, 0.0), "L": (5.8,
                                                                                                         0.0)}
_EDGES = (("w11", "x1", "h1"), ("w12", "x2", "h1"), ("w21", "x1", "h2"), ("w22", "x2", "h2"),
          ("v1", "h1", "o"), ("v2", "h2", "o"))


def _path_of(param: str) -> set[str]:
    """Nodes on the backward path from L to ``param``."""
    if param in ("v1", "v2", "c"):
        return {"L", "o"}
    return {"L", "o", f"h{param[1]}"}


def network_figure(s: StepThrough, selected: str | None = None, height: int = 460) -> go.Figure:
    """The network as a graph: node values, edges labelled with weight and gradient; the selected
    parameter's edge and the backward path to it in red."""
    f, p, g = s.forward, s.params, s.backward.grads
    hot = _path_of(selected) if selected else set()
    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for name, a, b in _EDGES:
        (x0, y0), (x1, y1) = _POS[a], _POS[b]
        sel, on_path = name == selected, a in hot and b in hot  # e.g. v1 carries the gradient back to w12
        color = "#D62728" if sel or on_path else (PALETTE[0] if p[name] >= 0 else PALETTE[1])
        width = 7 if sel else 1.5 + 4 * min(abs(p[name]), 1.0) + (1.5 if on_path else 0)
        traces.append(dict(type="scatter", x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip",
                           showlegend=False,
                           line=dict(color=color, width=width,
                                     dash="dash" if on_path and not sel else "solid")))
        t = 0.38 if name[0] == "w" else 0.4  # the crossing input edges: label near their source
        annotations.append(dict(x=x0 + t * (x1 - x0), y=y0 + t * (y1 - y0), xref="x", yref="y",
                                showarrow=False,
                                text=f"{UNICODE[name]} = {p[name]:.2f}<br>"
                                     f"∂L/∂{UNICODE[name]} = {g[name]:.3g}",
                                bgcolor="rgba(255,255,255,0.9)", font=dict(color=color)))
    traces.append(dict(type="scatter", x=[_POS["o"][0], _POS["L"][0]], y=[0.0, 0.0], mode="lines",
                       hoverinfo="skip", showlegend=False,
                       line=dict(color="#D62728" if hot else "#777777", width=4 if hot else 2, dash="dot")))
    act = s.config.activation
    text = {"x1": f"x₁ = {f.x[0]:.2f}", "x2": f"x₂ = {f.x[1]:.2f}",
            "h1": f"z₁ = {f.z[0]:.3f}<br>h₁ = {act}(z₁) = {f.h[0]:.3f}<br>"
                  f"b₁ = {p['b1']:.2f}, ∂L/∂b₁ = {g['b1']:.3g}",
            "h2": f"z₂ = {f.z[1]:.3f}<br>h₂ = {act}(z₂) = {f.h[1]:.3f}<br>"
                  f"b₂ = {p['b2']:.2f}, ∂L/∂b₂ = {g['b2']:.3g}",
            "o": f"o = {f.o:.3f}<br>ŷ = σ(o) = {f.yhat:.3f}<br>c = {p['c']:.2f}, ∂L/∂c = {g['c']:.3g}",
            "L": f"L = {f.loss:.4f}<br>t = {f.target:.2f}<br>∂L/∂ŷ = {s.backward.dL_dyhat:.3g}"}  # fmt: skip
    nodes = list(_POS)
    traces.append(dict(type="scatter", x=[_POS[n][0] for n in nodes], y=[_POS[n][1] for n in nodes],
                       mode="markers+text", text=[text[n] for n in nodes], hoverinfo="text", showlegend=False,
                       textposition=["middle left", "middle left", "top center", "bottom center",
                                     "top center",
                                     "middle right"],
                       marker=dict(size=34, line=dict(width=3, color=[
                           "#D62728" if n in hot else "#444444" for n in nodes]),
                           color=["#ffffff" if n[0] in "xL" else "#eef3f8" for n in nodes])))
    return fast_figure(traces, "Forward values and backward gradients", height, annotations=annotations,
                       xaxis=dict(visible=False, range=[-1.2, 7.2]), yaxis=dict(visible=False, range=[-2.0,
                                                                                                      2.0]))
