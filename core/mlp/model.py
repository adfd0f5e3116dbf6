"""The playground's network (lecture 2): standardisation, named layers, the registered builder ``'mlp'``,
and how the regularisers attach to it.

* **L2** goes into the optimizer as ``weight_decay`` on the weight matrices only (biases are not
  penalised, as in lecture 1). For SGD, momentum, RMSProp *and* Adam, torch's ``weight_decay`` adds
  ``l2 * w`` to the gradient before the optimizer's own update, which is exactly the gradient of the
  loss term ``(l2 / 2) * ||w||^2``: so this *is* L2 in the loss, not AdamW's decoupled decay
  (Loshchilov & Hutter 2019 show the two differ for adaptive methods). It is done in the optimizer
  rather than through ``penalty`` because it then costs no extra autograd graph per step. The loss
  curves show the data loss without the L2 term.
* **L1** has no optimizer equivalent, so it is a ``penalty``: ``l1 * sum(|w|)`` over the weight matrices,
  added to the loss each step. Its subgradient ``l1 * sign(w)`` pulls every weight toward 0 at a constant
  rate (L2's pull fades with |w|), so many weights end up near 0; but a (sub)gradient step, plain SGD's
  or Adam's, overshoots 0 and hovers around it: exact zeros need a proximal step (soft-thresholding, as
  the Lasso's ISTA takes), which this loop does not. :func:`weight_sparsity` counts both.
* **Dropout** (Srivastava et al. 2014) after every hidden activation, active in training only. It is
  inverted dropout, as ``torch.nn.Dropout`` implements it: the kept units are scaled by 1/(1-p) while
  training, so the expected activation is unchanged and evaluation simply turns dropout off.

The state-dict keys (``norm.shift``, ``layers.fc1.weight``, ...) are those of the shipped checkpoint.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from core.mlp.config import ACTIVATION_NAMES, MLPConfig
from core.registry import register_builder
from core.training.optim import make_optimizer as make_torch_optimizer

BUILDER = "mlp"
ACTIVATIONS: dict[str, type[nn.Module]] = dict(zip(ACTIVATION_NAMES,
                                                   (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity)))


class Standardize(nn.Module):
    """``(x - shift) / scale`` with the training set's statistics, kept as buffers so that exported
    weights work on raw inputs (an uploaded CSV may be in any units)."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.register_buffer("shift", torch.zeros(features))
        self.register_buffer("scale", torch.ones(features))

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.shift) / self.scale


class FeatureMap(nn.Module):
    """The chosen input features of the two coordinates (TF Playground's x1², x1·x2, sin x1, ...).

    No parameters or buffers: a model on the raw coordinates has exactly the state dict it always had.
    """

    FNS: dict[str, Callable[[Tensor], Tensor]] = {
        "x1": lambda x: x[:, 0], "x2": lambda x: x[:, 1], "x1²": lambda x: x[:, 0] ** 2,
        "x2²": lambda x: x[:, 1] ** 2, "x1·x2": lambda x: x[:, 0] * x[:, 1],
        "sin x1": lambda x: torch.sin(x[:, 0]), "sin x2": lambda x: torch.sin(x[:, 1]),
    }

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        unknown = [n for n in names if n not in self.FNS]
        if unknown or not names:
            raise ValueError(f"unknown input feature(s) {unknown}; choose from {', '.join(self.FNS)}")
        self.names = tuple(names)

    def forward(self, x: Tensor) -> Tensor:
        return torch.stack([self.FNS[n](x) for n in self.names], dim=1)


class MLP(nn.Module):
    """[Features,] standardize, then ``fc1 -> act1 [-> drop1] -> ... -> out`` (named layers: readable
    exports). ``features`` None feeds the raw coordinates, as the shipped checkpoint was trained."""

    def __init__(self, in_features: int = 2, hidden: Sequence[int] = (64, 64), out_features: int = 2,
                 activation: str = "relu", dropout: float = 0.0,
                 features: Sequence[str] | None = None) -> None:
        super().__init__()
        self.features = FeatureMap(features) if features is not None else None
        if self.features is not None:
            in_features = len(self.features.names)
        self.norm = Standardize(in_features)
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        width = in_features
        for i, h in enumerate(hidden, start=1):
            layers[f"fc{i}"] = nn.Linear(width, int(h))
            layers[f"act{i}"] = ACTIVATIONS[activation]()
            if dropout > 0:  # no module at p=0: a no-op layer still costs a call per step
                layers[f"drop{i}"] = nn.Dropout(dropout)
            width = int(h)
        layers["out"] = nn.Linear(width, out_features)
        self.layers = nn.Sequential(layers)

    def inputs(self, x: Tensor) -> Tensor:
        """What the first layer's standardisation sees: the chosen features of x (x itself by default)."""
        return x if self.features is None else self.features(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(self.norm(self.inputs(x)))

    def weight_matrices(self) -> list[nn.Parameter]:
        """The penalised parameters: every Linear's weight, never a bias."""
        return [m.weight for m in self.layers if isinstance(m, nn.Linear)]


@register_builder(BUILDER)
def build_mlp(in_features: int = 2, hidden: Sequence[int] = (64, 64), out_features: int = 2,
              activation: str = "relu", dropout: float = 0.0, features: Sequence[str] | None = None) -> MLP:
    """The checkpoint builder (registered as ``'mlp'``) (keyword arguments = the manifest's ``config``)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    return MLP(in_features, tuple(hidden), out_features, activation, dropout,
               None if features is None else tuple(features))


def make_optimizer(model: MLP, config: MLPConfig) -> torch.optim.Optimizer:
    """The configured optimizer, with L2 as ``weight_decay`` on weight matrices only."""
    weights = model.weight_matrices()
    ids = {id(w) for w in weights}
    biases = [p for p in model.parameters() if id(p) not in ids]
    groups: list[dict[str, Any]] | list[nn.Parameter]
    if config.l2 > 0:
        groups = [{"params": weights, "weight_decay": config.l2}, {"params": biases, "weight_decay": 0.0}]
    else:  # one group: one foreach launch per step instead of two
        groups = list(model.parameters())
    return make_torch_optimizer(config.optimizer, groups, config.lr)


def l1_penalty(model: MLP, strength: float) -> Callable[[nn.Module], Tensor]:
    """``strength * sum(|w|)`` over the weight matrices, as the fit loop's ``penalty``."""
    weights = model.weight_matrices()

    def penalty(_: nn.Module) -> Tensor:
        return strength * torch.stack([w.abs().sum() for w in weights]).sum()

    return penalty



#: A weight counts as "near zero" below this magnitude (the inputs are standardised, so a weight's size
#: is comparable across layers; 1e-3 is under a thousandth of a typical initial weight's 1/sqrt(fan_in)).
NEAR_ZERO = 1e-3


@dataclass(frozen=True)
class Sparsity:
    """How many weights (never biases) L1 has silenced."""

    total: int
    """Weights in all weight matrices."""
    near_zero: int
    """Weights with |w| < :data:`NEAR_ZERO`."""
    exact_zero: int
    """Weights exactly 0.0."""


def weight_sparsity(model: MLP, tol: float = NEAR_ZERO) -> Sparsity:
    """Count the near-zero and exactly-zero weights of the model's weight matrices."""
    with torch.no_grad():
        w = torch.cat([m.detach().flatten() for m in model.weight_matrices()]).abs()
    return Sparsity(int(w.numel()), int((w < tol).sum()), int((w == 0).sum()))
