"""The 2D GAN: a training smoke run through the fit loop's TrainStep, mode collapse under bad settings,
the live artefacts a page draws, the ranges, and the GAN step it shares with the DCGAN (k discriminator
updates per generator update, divergence on NaN)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import torch

from core.generative import gan2d as gan
from core.generative.gan_step import gan_step
from core.training import FitConfig, fit, make_optimizer, seed_everything


class Recorder:
    """A stand-in for a job that keeps what the training publishes."""

    def __init__(self) -> None:
        self.rows: list[dict[str, float]] = []
        self.artifacts: dict[str, Any] = {}

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        self.rows.append(metrics)

    def publish(self, key: str, value: Any) -> None:
        self.artifacts[key] = value

    def should_stop(self) -> bool:
        return False


def test_a_run_takes_exactly_its_generator_updates_and_logs_both_losses() -> None:
    job = Recorder()
    run = gan.train_gan(gan.GANConfig(steps=500), job)  # type: ignore[arg-type]
    assert run.fit.status == "completed" and run.fit.steps == 500
    for key in ("train_d_loss", "train_g_loss"):
        assert all(np.isfinite(run.fit.history[key]))
    snap = job.artifacts["snapshot"]
    assert snap.d_map.shape == (gan.MAP_SIZE, gan.MAP_SIZE) and 0 <= snap.d_map.min() <= snap.d_map.max() <= 1
    assert job.artifacts["real"].shape == (1000, 2)
    assert run.final.fake.shape == (1000, 2)


def test_the_same_settings_draw_the_same_loss_curves() -> None:
    """The loss chart's rows fall on fixed generator updates, not on the clock: a rerun with the same seed
    (with a job or without, on a busy machine or an idle one) draws the same curves and final losses."""
    a = gan.train_gan(gan.GANConfig(steps=500), Recorder())  # type: ignore[arg-type]
    b = gan.train_gan(gan.GANConfig(steps=500))
    assert a.fit.history == b.fit.history and len(a.fit.history["epoch"]) > 20


def test_good_settings_cover_the_ring_and_bad_ones_collapse() -> None:
    good = gan.train_gan(gan.GANConfig(steps=1_000))
    bad = gan.train_gan(gan.GANConfig(steps=1_000, lr_g=1e-2, lr_d=1e-4))
    assert good.modes[1] == bad.modes[1] == 8
    assert good.modes[0] >= 5 and bad.modes[0] <= 3


def test_modes_covered_counts_what_a_user_sees() -> None:
    centres, _ = gan.centres("ring")
    on_one = np.repeat(centres[:1], 1000, 0)
    everywhere = gan.sample_target("ring", 1000, 0)
    assert gan.modes_covered("ring", on_one) == (1, 8)
    assert gan.modes_covered("ring", everywhere) == (8, 8)


@pytest.mark.parametrize(("change", "message"), [
    ({"target": "spiral"}, "unknown target"), ({"lr_g": float("nan")}, "learning rates"),
    ({"d_steps": 0}, "discriminator steps"), ({"steps": 10**6}, "steps must be one of"),
    ({"seed": -1}, "seed"),
])
def test_settings_outside_the_page_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gan.validate(replace(gan.GANConfig(), **change))


class Counting:
    """An optimiser stand-in that counts its steps (the networks stay as they are)."""

    def __init__(self) -> None:
        self.steps = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass

    def step(self) -> None:
        self.steps += 1


@pytest.mark.parametrize("d_steps", [1, 3])
@pytest.mark.parametrize("reuse", [False, True])
def test_the_shared_step_takes_k_discriminator_updates_per_generator_one(d_steps: int, reuse: bool) -> None:
    model, opt_g, opt_d = gan.GAN2D(8), Counting(), Counting()
    calls: list[int] = []
    model.generator.register_forward_hook(lambda *_: calls.append(1))
    step = gan_step(gan.LATENT_DIM, d_steps, reuse_fakes=reuse)
    out = step.fn(model, (torch.randn(16, 2),), (opt_g, opt_d))
    assert (opt_d.steps, opt_g.steps) == (d_steps, 1)
    # Reusing the last discriminator update's fakes saves one generator pass.
    assert len(calls) == d_steps + (0 if reuse else 1)
    assert float(out["loss"]) == pytest.approx(float(out["d_loss"] + out["g_loss"]))
    with pytest.raises(ValueError, match="at least one update"):
        gan_step(gan.LATENT_DIM, 0)


def test_a_nan_in_the_data_ends_the_run_as_diverged() -> None:
    seed_everything(0)
    model = gan.GAN2D(16)
    points = torch.from_numpy(gan.sample_target("ring", 512, 0))
    points[100] = float("nan")
    opts = tuple(make_optimizer("adam", m.parameters(), 1e-3, beta1=0.5)
                 for m in (model.generator, model.discriminator))
    result = fit(model, gan_step(gan.LATENT_DIM, 2), opts, (points,),
                 config=FitConfig(epochs=1, batch_size=64, seed=0, divergence_factor=None))
    assert result.diverged and "nan" in result.message
