"""The one optimiser table and factory of the gallery (lecture 2: SGD, momentum, RMSProp, Adam).

Every page that trains or races optimisers builds them here, so a hyperparameter means the same thing
everywhere and a new optimiser appears on every page at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # torch is imported on first use: the table itself is read by pages that need no torch
    import torch

OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "rmsprop", "adam")
"""The optimisers the pages offer, in the order of the lecture."""
LABELS: dict[str, str] = {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSProp", "adam": "Adam"}
"""Display names."""
HYPER_DEFAULTS: dict[str, Any] = {"momentum": 0.9, "nesterov": False, "alpha": 0.99, "beta1": 0.9,
                                  "beta2": 0.999, "eps": 1e-8}
"""Optimiser hyperparameters and their defaults (torch's, except momentum, which torch leaves at 0)."""
USES: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum", "nesterov"),
    "rmsprop": ("alpha", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}
"""Which hyperparameters each optimiser reads (the others are ignored, so a race can pass them all)."""

Kernel = Literal["fused", "single"]


def make_optimizer(name: str, params: Any, lr: float, weight_decay: float = 0.0, *,
                   kernel: Kernel = "fused", **hyper: Any) -> torch.optim.Optimizer:
    """One of :data:`OPTIMIZERS`; ``params`` may be parameter groups with their own ``weight_decay``.

    ``hyper`` overrides :data:`HYPER_DEFAULTS` (unknown names raise). ``kernel='fused'`` suits models:
    for the gallery's small networks the per-call overhead is the cost, and the fused kernels (one C++
    call per group) measured ~20% more Adam steps/s than foreach (bench/bench_mlp.py); RMSprop has no
    fused kernel and uses foreach. ``kernel='single'`` suits one tiny tensor (the 2D optimiser race),
    where the plain per-tensor loop is fastest. The maths is the same either way.
    """
    import torch

    unknown = set(hyper) - set(HYPER_DEFAULTS)
    if unknown:
        raise TypeError(
            f"unknown optimiser hyperparameter(s) {sorted(unknown)}; known: {sorted(HYPER_DEFAULTS)}"
        )
    h = {**HYPER_DEFAULTS, **hyper}
    fast: dict[str, Any] = {"fused": True} if kernel == "fused" else {"foreach": False}
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay, **fast)
    if name == "momentum":  # heavy ball (Polyak 1964): v <- mu v + g; theta <- theta - lr v
        return torch.optim.SGD(params, lr=lr, momentum=h["momentum"], nesterov=bool(h["nesterov"]),
                               weight_decay=weight_decay, **fast)
    if name == "rmsprop":  # Tieleman & Hinton 2012 (lecture 6e); alpha is the decay of the squared average
        return torch.optim.RMSprop(params, lr=lr, alpha=h["alpha"], eps=h["eps"], weight_decay=weight_decay,
                                   foreach=kernel == "fused")
    if name == "adam":  # Kingma & Ba 2015
        return torch.optim.Adam(params, lr=lr, betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                weight_decay=weight_decay, **fast)
    raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(OPTIMIZERS)}")
