"""What one training step does, for each family of model: the part of the fit loop that varies.

A step takes the model, one batch and the optimisers, updates the weights and returns its named values
as floats (``loss``, metrics, ``kl``, ``d_loss`` ...); the loop averages them per epoch and hands them
to the callbacks. Converting to floats costs one synchronisation per value and step: nothing on the CPU
this gallery runs on, and it is what lets a NaN loss stop the run at the step it appears.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from torch import Tensor, nn

Optimizers = tuple[torch.optim.Optimizer, ...]
Losses = Tensor | Mapping[str, Tensor]
Metric = Callable[[Tensor, Tensor], Tensor]
Penalty = Callable[[nn.Module], Tensor]


@dataclass(frozen=True)
class BatchLoss:
    """A custom loss: ``fn(model, batch)`` returns a scalar loss or a dict of named losses.

    With a dict (a VAE's ``{"recon": ..., "kl": ...}``) each value is logged as ``train_<name>``; the
    ``loss`` entry is minimised if there is one (e.g. ``recon + beta * kl``), else the sum of all.
    Validation calls the same function without gradients."""

    fn: Callable[[nn.Module, Any], Losses]
    """(model, batch) -> loss or {name: loss}."""


@dataclass(frozen=True)
class TrainStep:
    """An own step: ``fn(model, batch, optimizers)`` computes, back-propagates and steps itself (a GAN's
    discriminator then generator, each with its optimiser) and returns its named values."""

    fn: Callable[[nn.Module, Any, Optimizers], Mapping[str, Tensor | float]]
    """(model, batch, optimizers) -> {name: value}, after the updates."""
    evaluate: Callable[[nn.Module, Any], Mapping[str, Tensor | float]] | None = None
    """(model, batch) -> {name: value} on validation data (called without gradients); optional."""


class Step(Protocol):
    """One training step and its evaluation counterpart, as the fit loop calls them."""

    can_evaluate: bool

    def __call__(self, model: nn.Module, batch: Any, optimizers: Optimizers) -> dict[str, float]: ...

    def evaluate(self, model: nn.Module, batch: Any) -> dict[str, float]: ...


def _floats(values: Mapping[str, Tensor | float]) -> dict[str, float]:
    return {k: v.item() if isinstance(v, Tensor) else float(v) for k, v in values.items()}


def _update(total: Tensor, model: nn.Module, optimizers: Optimizers, max_grad_norm: float | None) -> None:
    for opt in optimizers:
        opt.zero_grad(set_to_none=True)
    total.backward()
    if max_grad_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    for opt in optimizers:
        opt.step()


class _Supervised:
    """``criterion(model(*inputs), target)`` on batches ``(*inputs, target)``, plus metrics of the output."""

    can_evaluate = True

    def __init__(self, criterion: Callable[[Tensor, Tensor], Tensor], metrics: Mapping[str, Metric],
                 penalty: Penalty | None, max_grad_norm: float | None) -> None:
        self.criterion, self.metrics, self.penalty = criterion, metrics, penalty
        self.max_grad_norm = max_grad_norm

    def _forward(self, model: nn.Module, batch: Sequence[Any]) -> tuple[Tensor, Tensor, Tensor]:
        *inputs, target = batch
        out = model(*inputs)
        return out, target, self.criterion(out, target)

    def __call__(self, model: nn.Module, batch: Sequence[Any], optimizers: Optimizers) -> dict[str, float]:
        out, target, loss = self._forward(model, batch)
        total = loss if self.penalty is None else loss + self.penalty(model)
        _update(total, model, optimizers, self.max_grad_norm)
        if not self.metrics:  # the common case, kept lean: this runs once per step
            return {"loss": loss.item()}
        out = out.detach()
        return {"loss": loss.item(), **{k: fn(out, target).item() for k, fn in self.metrics.items()}}

    def evaluate(self, model: nn.Module, batch: Sequence[Any]) -> dict[str, float]:
        out, target, loss = self._forward(model, batch)
        return {"loss": float(loss), **{k: float(fn(out, target)) for k, fn in self.metrics.items()}}


class _Custom:
    """A :class:`BatchLoss`: minimise its ``loss`` (or the sum of its named losses) and log each."""

    can_evaluate = True

    def __init__(self, loss: BatchLoss, penalty: Penalty | None,
                 max_grad_norm: float | None) -> None:
        self.fn, self.penalty, self.max_grad_norm = loss.fn, penalty, max_grad_norm

    def _losses(self, model: nn.Module, batch: Any) -> dict[str, Tensor]:
        out = self.fn(model, batch)
        losses = {"loss": out} if isinstance(out, Tensor) else dict(out)
        if "loss" not in losses:
            losses["loss"] = functools.reduce(operator.add, losses.values())
        return losses

    def __call__(self, model: nn.Module, batch: Any, optimizers: Optimizers) -> dict[str, float]:
        losses = self._losses(model, batch)
        total = losses["loss"] if self.penalty is None else losses["loss"] + self.penalty(model)
        _update(total, model, optimizers, self.max_grad_norm)
        return _floats(losses)

    def evaluate(self, model: nn.Module, batch: Any) -> dict[str, float]:
        return _floats(self._losses(model, batch))


class _Own:
    """A :class:`TrainStep`: the function updates the weights itself."""

    def __init__(self, step: TrainStep) -> None:
        self.step = step
        self.can_evaluate = step.evaluate is not None

    def __call__(self, model: nn.Module, batch: Any, optimizers: Optimizers) -> dict[str, float]:
        return _floats(self.step.fn(model, batch, optimizers))

    def evaluate(self, model: nn.Module, batch: Any) -> dict[str, float]:
        assert self.step.evaluate is not None
        return _floats(self.step.evaluate(model, batch))


def make_step(
    loss: Callable[[Tensor, Tensor], Tensor] | BatchLoss | TrainStep,
    metrics: Mapping[str, Metric] | None,
    penalty: Penalty | None,
    max_grad_norm: float | None,
) -> Step:
    """The step for a criterion, a :class:`BatchLoss` or a :class:`TrainStep`."""
    if isinstance(loss, TrainStep):
        if metrics or penalty is not None:
            raise ValueError("an own TrainStep computes its own metrics and penalties")
        return _Own(loss)
    if isinstance(loss, BatchLoss):
        if metrics:
            raise ValueError("metrics need outputs and targets; a BatchLoss returns named losses instead")
        return _Custom(loss, penalty, max_grad_norm)
    return _Supervised(loss, metrics or {}, penalty, max_grad_norm)
