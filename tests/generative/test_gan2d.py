"""The 2D GAN: a training smoke run through the fit loop's TrainStep, mode collapse under bad settings,
the live artefacts a page draws, and the ranges."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from core.generative import gan2d as gan


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
