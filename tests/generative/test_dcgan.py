"""The DCGAN: the 'gan' contract, one image per seed whatever the batch, a training smoke run through the
fit loop's TrainStep, and the shipped sample-quality metrics re-measured from the file on a small N."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import checkpoints
from core.generative import dcgan as dc
from core.generative import dcgan_training as dt

SMALL = dc.DCGANConfig(width=8, latent_dim=16, epochs=1)


@pytest.fixture(scope="module")
def shipped() -> dc.DCGAN:
    return checkpoints.load_model(dt.CHECKPOINT)


def test_the_shipped_generator_keeps_the_gan_contract(shipped: dc.DCGAN) -> None:
    ent = checkpoints.entry(dt.CHECKPOINT)
    assert ent.task == "gan" and shipped.config.dataset == ent.dataset["name"] == "fashion-mnist"
    z = torch.randn(5, shipped.config.latent_dim, generator=torch.Generator().manual_seed(0)) * 3
    with torch.no_grad():
        x = shipped(z)
    assert x.shape == (5, 1, 28, 28) and -1 <= float(x.min()) < float(x.max()) <= 1


def test_a_seed_draws_the_same_image_in_any_grid(shipped: dc.DCGAN) -> None:
    grid = dc.sample(shipped, 10, 8)
    assert grid.shape == (8, 28, 28) and 0 <= grid.min() and grid.max() <= 1
    assert np.allclose(dc.sample(shipped, 13, 1)[0], grid[3], atol=1e-5)
    assert np.array_equal(dc.sample(shipped, 10, 8), grid)
    assert not np.allclose(grid[0], grid[1])


def test_interpolation_starts_and_ends_at_the_two_seeds(shipped: dc.DCGAN) -> None:
    path = dc.interpolate(shipped, 4, 9, 6)
    assert path.shape == (6, 28, 28)
    assert np.allclose(path[0], dc.sample(shipped, 4, 1)[0], atol=1e-5)
    assert np.allclose(path[-1], dc.sample(shipped, 9, 1)[0], atol=1e-5)


def test_training_runs_through_the_fit_loop_and_logs_both_losses() -> None:
    run = dt.train_dcgan(SMALL, train_limit=256)
    assert run.fit.status == "completed" and run.fit.steps == 2 and run.n_train == 256
    for key in ("train_d_loss", "train_g_loss"):
        assert np.isfinite(run.fit.history[key]).all()
    assert dc.sample(run.model, 0, 3).shape == (3, 28, 28)


def test_judge_counts_confident_images_per_class() -> None:
    class Fixed(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:  # class = first pixel, confident unless 0.5
            v = x[:, 0, 0, 0]
            logits = torch.zeros(len(x), 3)
            logits[torch.arange(len(x)), (v * 2).round().long()] = torch.where(v == 0.5, 0.0, 10.0)
            return logits

    images = np.zeros((4, 28, 28), np.float32)
    images[:, 0, 0] = [0.0, 0.0, 1.0, 0.5]
    q = dc.judge(Fixed(), images)
    assert list(q.counts) == [2, 0, 1] and q.classes_covered == 2 and q.confident_share == 0.75


def test_shipped_quality_is_re_measured_on_a_few_seeds(shipped: dc.DCGAN) -> None:
    metrics = checkpoints.entry(dt.CHECKPOINT).metrics
    classifier = checkpoints.load_model(dc.classifier_name("fashion-mnist"))
    q = dt.sample_quality(shipped, classifier, 200)
    # The first 200 of the 1,000 measured seeds: the same samples, so close to the shipped share.
    assert abs(q.confident_share - metrics["sample_confident_share"]) < 0.1
    assert q.classes_covered >= metrics["sample_classes_covered"] - 1
    first = dc.judge(classifier, dc.sample(shipped, 0, 20))
    assert np.array_equal(first.labels, q.labels[:20])

