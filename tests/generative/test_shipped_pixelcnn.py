"""The shipped PixelCNN: its manifest entry states the contract, its held-out likelihood is measured again
from the file, the shipped weights are causal (autograd), and it beats the VAE's bound on the same images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import checkpoints, data
from core.generative import pixelcnn as pc
from core.generative import pixelcnn_training as pt
from core.registry import remeasure
from tests.generative.test_pixelcnn import dependencies_of_every_pixel


@pytest.fixture(scope="module")
def shipped() -> pc.PixelCNN:
    return checkpoints.load_model(pt.CHECKPOINT)


def test_entry_states_the_contract() -> None:
    ent = checkpoints.entry(pt.CHECKPOINT)
    assert ent.task == "pixelcnn" and ent.builder == "pixelcnn" and ent.lecture == 5
    assert ent.dataset["binarised_above"] == pc.THRESHOLD and ent.dataset["n_test"] == 1000
    assert (checkpoints.PRETRAINED_DIR / ent.file).stat().st_size < 10 * 2**20
    assert "quick" not in ent.metrics


def test_held_out_likelihood_is_re_measured_from_the_file() -> None:
    shipped_metrics = checkpoints.entry(pt.CHECKPOINT).metrics
    again = remeasure(pt.CHECKPOINT)
    for key in ("test_nll", "test_bits_per_pixel", "n_test"):
        assert again[key] == pytest.approx(shipped_metrics[key], rel=1e-4, abs=1e-3), key


def test_the_shipped_weights_are_causal(shipped: pc.PixelCNN) -> None:
    assert shipped(torch.zeros(1, 1, 28, 28)).shape == (1, pc.LEVELS, 28, 28)
    assert not np.triu(dependencies_of_every_pixel(shipped)).any()


def test_the_exact_likelihood_beats_the_vae_bound_on_the_same_images() -> None:
    nll = checkpoints.entry(pt.CHECKPOINT).metrics["test_nll"]
    vae = pt.vae_bound_binarised(checkpoints.load_model("vae-mnist-z16"), data.load("mnist", "test").X)
    assert nll < vae < 784 * np.log(2)
