"""Callbacks: divergence mid-epoch and by explosion, one stop mechanism, LR schedules, the live recorder."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from core.training import (
    Callback,
    FitConfig,
    LiveRecorder,
    LRSchedule,
    accuracy,
    cosine,
    evaluate,
    fit,
    warmup_cosine,
)

pytestmark = pytest.mark.timeout(60)


def _setup(
    n: int = 200, seed: int = 0
) -> tuple[nn.Module, torch.optim.Optimizer, tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    return model, torch.optim.SGD(model.parameters(), 0.1), (X, (X[:, 0] > 0).long())


def _loss_turning(at_step: int, value: float):
    calls = {"n": 0}

    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        base = F.cross_entropy(out, y)
        return base * value if calls["n"] >= at_step else base

    return loss


def test_a_loss_that_turns_nan_mid_epoch_is_divergence_at_that_step() -> None:
    model, opt, data = _setup()
    res = fit(model, _loss_turning(5, math.nan), opt, data, config=FitConfig(epochs=3, batch_size=20))
    assert res.status == "diverged"
    assert res.steps == 5 and res.epochs_run == 0, (
        "the run stops at the NaN step; the partial epoch is not logged"
    )
    assert "epoch 1, step 5" in res.message and "nan" in res.message


def test_an_exploding_finite_loss_is_divergence_unless_disabled() -> None:
    model, opt, data = _setup()
    res = fit(model, _loss_turning(12, 1e5), opt, data, config=FitConfig(epochs=3, batch_size=20))
    assert res.status == "diverged" and res.steps == 12 and "from" in res.message
    model, opt, data = _setup()
    res = fit(
        model,
        _loss_turning(12, 1e5),
        opt,
        data,
        config=FitConfig(epochs=3, batch_size=20, divergence_factor=None),
    )
    assert res.status == "completed"


def test_stop_flag_and_step_callback_end_the_same_way() -> None:
    class StopAtStep(Callback):
        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            return step < 4

    model, opt, data = _setup()
    by_callback = fit(
        model, F.cross_entropy, opt, data, config=FitConfig(epochs=5, batch_size=20), callbacks=[StopAtStep()]
    )
    model, opt, data = _setup()
    flag = {"n": 0}

    def should_stop() -> bool:
        flag["n"] += 1
        return flag["n"] >= 4

    by_flag = fit(
        model, F.cross_entropy, opt, data, config=FitConfig(epochs=5, batch_size=20), should_stop=should_stop
    )
    for res in (by_callback, by_flag):
        assert (res.status, res.steps, res.epochs_run, res.message) == ("stopped", 4, 0, "stopped on request")


def test_every_callback_sees_the_last_step_even_when_an_earlier_one_stops() -> None:
    seen: list[int] = []

    class Stop(Callback):
        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            return False

    class Record(Callback):
        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            seen.append(step)
            return True

    model, opt, data = _setup()
    fit(
        model,
        F.cross_entropy,
        opt,
        data,
        config=FitConfig(epochs=5, batch_size=20),
        callbacks=[Stop(), Record()],
    )
    assert seen == [1]


def test_cosine_schedule_decays_the_learning_rate_to_zero() -> None:
    model, opt, data = _setup()
    lrs: list[float] = []

    class Watch(Callback):
        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            lrs.append(opt.param_groups[0]["lr"])
            return True

    fit(
        model,
        F.cross_entropy,
        opt,
        data,
        config=FitConfig(epochs=4, batch_size=20),
        callbacks=[LRSchedule(cosine), Watch()],
    )
    assert len(lrs) == 40 and lrs[-1] == pytest.approx(0.0, abs=1e-9)
    assert lrs[19] == pytest.approx(0.05, rel=0.05), "half way through, half the rate"
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))


def test_warm_up_rises_then_decays() -> None:
    model, opt, data = _setup()
    lrs: list[float] = []

    class Watch(Callback):
        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            lrs.append(opt.param_groups[0]["lr"])
            return True

    fit(
        model,
        F.cross_entropy,
        opt,
        data,
        config=FitConfig(epochs=2, batch_size=10),
        callbacks=[LRSchedule(warmup_cosine(10)), Watch()],
    )
    peak = lrs.index(max(lrs))
    assert 8 <= peak <= 10 and lrs[0] < 0.3 * max(lrs) and lrs[-1] < 0.01


class _Job:
    """Records what a callback reports and publishes; asks to stop after ``stop_after`` rows."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.rows: list[dict[str, float]] = []
        self.published: list[tuple[str, Any]] = []
        self.stop_after = stop_after

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        self.rows.append({"progress": progress or 0.0, **metrics})

    def publish(self, key: str, value: Any) -> None:
        self.published.append((key, value))

    def should_stop(self) -> bool:
        return self.stop_after is not None and len(self.rows) >= self.stop_after


def test_live_recorder_publishes_fine_rows_validation_and_snapshots() -> None:
    model, opt, (X, y) = _setup(n=1000)
    job = _Job()
    rec = LiveRecorder(
        job,
        points_per_epoch=10,
        val_every=4,
        snapshot_s=0.0,
        snapshot_key="w",
        validate=lambda: evaluate(model, F.cross_entropy, X[:100], y[:100], {"accuracy": accuracy}),
        snapshot=lambda: model[0].weight.detach().clone(),
    )
    res = fit(
        model,
        F.cross_entropy,
        opt,
        (X, y),
        config=FitConfig(epochs=2, batch_size=10),
        metrics={"accuracy": accuracy},
        callbacks=[rec],
    )
    assert res.status == "completed"
    h = rec.history
    assert h["epoch"] == pytest.approx([i / 10 for i in range(1, 21)])
    assert {"train_loss", "train_accuracy", "val_loss", "val_accuracy"} <= set(h)
    assert [math.isfinite(v) for v in h["val_loss"]] == [i % 4 == 0 or i == 19 for i in range(20)]
    assert [r["progress"] for r in job.rows] == pytest.approx([i / 20 for i in range(1, 21)])
    assert job.published and all(k == "w" for k, _ in job.published)
    assert h["train_loss"][-1] < h["train_loss"][0]


def test_live_recorder_ends_the_run_when_the_job_asks() -> None:
    model, opt, data = _setup(n=1000)
    rec = LiveRecorder(_Job(stop_after=3), points_per_epoch=10)
    res = fit(model, F.cross_entropy, opt, data, config=FitConfig(epochs=5, batch_size=10), callbacks=[rec])
    assert res.status == "stopped" and res.steps == 30 and len(rec.history["epoch"]) == 3
