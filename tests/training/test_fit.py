"""The fit loop: early stopping, divergence, stop requests, time budget, determinism."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from core.training import Callback, FitConfig, accuracy, fit, seed_everything

# A broken stop or time budget would otherwise hang the suite instead of failing it.
pytestmark = pytest.mark.timeout(60)


def _xor_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    return X, (X[:, 0] * X[:, 1] > 0).long()


def _model(seed: int = 0, width: int = 32) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, width), nn.Tanh(), nn.Linear(width, 2))


def test_learns_xor_and_reports_metrics() -> None:
    model = _model()
    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.Adam(model.parameters(), 0.02),
        _xor_data(400, 0),
        _xor_data(200, 1),
        FitConfig(epochs=300),
        metrics={"accuracy": accuracy},
    )
    assert res.status == "completed" and res.epochs_run == 300 and res.steps == 300
    assert res.final("val_accuracy") > 0.9
    assert len(res.history["val_loss"]) == 300
    assert not model.training, "fit returns the model in eval mode"


def test_huge_learning_rate_is_reported_as_divergence_not_raised() -> None:
    model = _model()
    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.SGD(model.parameters(), lr=1e12),
        _xor_data(200, 0),
        _xor_data(100, 1),
        FitConfig(epochs=200),
    )
    assert res.status == "diverged" and res.diverged
    assert "diverged" in res.message and "learning rate" in res.message
    assert res.epochs_run < 200
    assert all(math.isfinite(v) for v in res.history["train_loss"]), "history keeps finite epochs only"


def test_early_stopping_restores_the_best_weights() -> None:
    # Random validation labels: the more the model fits the training set, the worse validation gets.
    X, y = _xor_data(60, 0)
    Xv, _ = _xor_data(200, 1)
    yv = torch.randint(0, 2, (200,), generator=torch.Generator().manual_seed(3))
    model = _model(width=128)
    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.Adam(model.parameters(), 0.01),
        (X, y),
        (Xv, yv),
        FitConfig(epochs=2000, patience=20),
    )
    assert res.status == "early_stopped"
    assert res.epochs_run < 2000 and res.best_epoch is not None
    assert res.epochs_run == res.best_epoch + 20
    with torch.no_grad():
        restored = nn.functional.cross_entropy(model(Xv), yv).item()
    assert math.isclose(restored, min(res.history["val_loss"]), rel_tol=1e-5)


def test_stop_request_and_callback_stop() -> None:
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] >= 5

    model = _model()
    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.SGD(model.parameters(), 0.1),
        _xor_data(100, 0),
        config=FitConfig(epochs=100),
        should_stop=should_stop,
    )
    assert res.status == "stopped" and res.epochs_run == 5

    class StopAt3(Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
            return epoch < 3

    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.SGD(model.parameters(), 0.1),
        _xor_data(100, 0),
        config=FitConfig(epochs=100),
        callbacks=[StopAt3()],
    )
    assert res.status == "stopped" and res.epochs_run == 3


def test_time_budget_bounds_a_long_run() -> None:
    model = _model(width=256)
    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.Adam(model.parameters()),
        _xor_data(2000, 0),
        config=FitConfig(epochs=10**7, batch_size=16, time_budget_s=0.3),
    )
    assert res.status == "time_budget"
    assert res.seconds < 3


def test_same_seed_same_history_and_minibatches_cover_the_data() -> None:
    def run() -> list[float]:
        seed_everything(7)
        model = _model(seed=7)
        return fit(
            model,
            nn.functional.cross_entropy,
            torch.optim.SGD(model.parameters(), 0.1),
            _xor_data(103, 0),
            config=FitConfig(epochs=5, batch_size=10, seed=1),
        ).history["train_loss"]

    assert run() == run()

    seen: list[int] = []

    class Count(Callback):
        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            seen.append(steps_per_epoch)
            return True

    model = _model()
    res = fit(
        model,
        nn.functional.cross_entropy,
        torch.optim.SGD(model.parameters(), 0.1),
        _xor_data(103, 0),
        config=FitConfig(epochs=2, batch_size=10),
        callbacks=[Count()],
    )
    assert res.steps == 22 and seen == [11] * 22


def test_penalty_is_added_to_the_objective() -> None:
    def l1_norm_after(strength: float) -> float:
        model = _model()
        fit(
            model,
            nn.functional.cross_entropy,
            torch.optim.SGD(model.parameters(), 0.05),
            _xor_data(200, 0),
            config=FitConfig(epochs=200),
            penalty=lambda m: strength * sum(p.abs().sum() for p in m.parameters()),
        )
        return sum(p.detach().abs().sum().item() for p in model.parameters())

    assert l1_norm_after(0.05) < 0.3 * l1_norm_after(0.0), "an L1 penalty shrinks the weights"
