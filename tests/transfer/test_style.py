"""Texture synthesis and style transfer (core.transfer.style): Gram matrices, losses going down, bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.transfer import photos
from core.transfer import style as sy


@pytest.fixture(scope="module")
def pictures() -> tuple[np.ndarray, np.ndarray]:
    """Tiny style and content images (64 px long side), so a step costs milliseconds."""
    return sy.resized(photos.load_photo("flower"), 64), sy.resized(photos.load_photo("chelsea"), 64)


def test_gram_matches_a_hand_computation() -> None:
    # Two channels on a 2x2 map: F1 = (1, 2, 3, 4), F2 = (0, 1, 0, -1); G = F F^T / 4 positions.
    f = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [0.0, -1.0]]]])
    expected = torch.tensor([[[(1 + 4 + 9 + 16) / 4, (2 - 4) / 4], [(2 - 4) / 4, (1 + 1) / 4]]])
    assert torch.allclose(sy.gram(f), expected)
    # Where things are does not matter: shuffling the positions leaves the Gram matrix as it was.
    perm = f.reshape(1, 2, 4)[..., [3, 1, 0, 2]].reshape(1, 2, 2, 2)
    assert torch.allclose(sy.gram(perm), expected)


def test_three_step_style_transfer_lowers_the_loss(pictures: tuple[np.ndarray, np.ndarray]) -> None:
    style, content = pictures
    synth = sy.Synthesis(sy.StyleConfig(mode="style", size=64, optimiser="adam"), style, content)
    losses = [synth.step()["loss"] for _ in range(3)]
    assert losses[-1] < losses[0]
    out = sy.to_uint8(synth.image)
    assert out.shape == content.shape and out.dtype == np.uint8
    assert float(synth.image.detach().min()) >= 0.0 and float(synth.image.detach().max()) <= 1.0


@pytest.mark.parametrize("optimiser", ["lbfgs", "adam"])
def test_texture_synthesis_moves_the_gram_loss_down(
    pictures: tuple[np.ndarray, np.ndarray], optimiser: str
) -> None:
    cfg = sy.StyleConfig(mode="texture", size=64, optimiser=optimiser, seed=3)
    synth = sy.Synthesis(cfg, pictures[0])
    first = synth.step()
    for _ in range(2):
        last = synth.step()
    assert last["style_loss"] < first["style_loss"] and first["content_loss"] == 0.0
    assert synth.image.shape == (1, 3, 64, 64)
    again = sy.Synthesis(cfg, pictures[0])  # the same seed starts from the same noise
    assert torch.equal(again.image, sy.Synthesis(cfg, pictures[0]).image)


class _StopAfter:
    """A stand-in for core.jobs.Job that asks to stop after ``n`` reported steps."""

    def __init__(self, n: int) -> None:
        self.n, self.rows, self.images = n, 0, 0

    def should_stop(self) -> bool:
        return self.rows >= self.n

    def report(self, progress: float, message: str, **metrics: float) -> None:
        self.rows += 1

    def publish(self, key: str, value: np.ndarray) -> None:
        self.images += 1


def test_run_reports_previews_and_stops_when_asked() -> None:
    cfg = sy.StyleConfig(mode="style", size=128, iterations=10, optimiser="adam")
    job = _StopAfter(3)
    res = sy.run(cfg, photos.load_photo("flower"), photos.load_photo("chelsea"), job)
    assert res.status == "stopped" and res.steps == 3 and job.images == 1
    assert res.image.shape == (85, 128, 3) and res.history["iteration"] == [1.0, 2.0, 3.0]
    assert "stage 4" in res.layers and res.mode == "style"


def test_run_keeps_its_time_bound() -> None:
    cfg = sy.StyleConfig(mode="texture", size=128, iterations=300, time_budget_s=1e-9)
    res = sy.run(cfg, photos.load_photo("flower"))
    assert res.status == "time limit" and res.steps == 1 and res.image.shape == (128, 128, 3)


@pytest.mark.parametrize(
    "bad",
    [
        {"size": math.nan},
        {"size": 512},
        {"iterations": math.inf},
        {"iterations": 5},
        {"style_weight": 3.0},
        {"style_layers": ()},
        {"content_layer": "bn2"},
        {"mode": "paint"},
    ],
)
def test_out_of_range_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        sy.StyleConfig(**bad).checked()  # type: ignore[arg-type]


def test_style_transfer_needs_a_content_image(pictures: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="content image"):
        sy.Synthesis(sy.StyleConfig(mode="style", size=64), pictures[0])
