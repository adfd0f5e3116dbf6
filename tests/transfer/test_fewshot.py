"""The transfer homework's core: the labelled draws, the four methods, the feature cache, refusals."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from core import data
from core.transfer import backbone as bb
from core.transfer import features as ft
from core.transfer import fewshot as fs

QUICK = fs.TransferConfig(labels_per_class=1, epochs=3, n_test=100)


def test_labelled_draws_are_balanced_nested_and_seeded() -> None:
    y = data.load("fashion-mnist", "train").y
    one, five = fs.labelled_subset(y, 1, 0), fs.labelled_subset(y, 5, 0)
    assert np.bincount(y[five], minlength=10).tolist() == [5] * 10
    assert set(one) <= set(five) and set(one) != set(fs.labelled_subset(y, 1, 1))
    test_y = data.load("fashion-mnist", "test").y
    held = fs.test_subset(test_y)
    assert np.bincount(test_y[held], minlength=10).tolist() == [fs.N_TEST // 10] * 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"labels_per_class": 0}, "labels per class must be"),
        ({"labels_per_class": 101}, "labels per class must be"),
        ({"labels_per_class": 2.5}, "labels per class must be"),
        ({"epochs": math.nan}, "epochs must be"),
        ({"method": "magic"}, "method must be one of"),
        ({"lr": math.inf}, "learning rate must be"),
        ({"lr": 0.0}, "learning rate must be"),
        ({"augmentation": "rotate"}, "augmentation must be one of"),
        ({"n_test": 15}, "n_test must be"),
    ],
)
def test_odd_settings_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fs.TransferConfig(**change)


@pytest.mark.parametrize("method", ["probe", "last_block", "scratch", "full"])
def test_every_method_trains_and_is_scored_on_the_held_out_images(method: str) -> None:
    cfg = replace(QUICK, method=method, lr=fs.DEFAULT_LR[method], epochs=1 if method == "full" else 3)
    run = fs.run(cfg)
    assert run.fit.status == "completed" and run.n_train == 10 and run.n_test == 100
    assert 0.0 <= run.test_accuracy <= 1.0 and run.fit.history["train_loss"]
    if method == "probe":
        assert run.test_accuracy > 0.3  # 10 labelled images, chance is 0.1


def test_augmented_views_add_training_rows_for_frozen_features() -> None:
    run = fs.run(replace(QUICK, augmentation="flip+shift", views=2, epochs=1, batch_size=64))
    assert run.fit.steps == 1 and run.model is not None  # 10 images + 2 views each = 30 rows, one batch


def test_a_stop_request_ends_the_run_without_a_score() -> None:
    class Stopping:
        def report(self, progress: float | None = None, message: str | None = None, **m: float) -> None:
            pass

        def publish(self, key: str, value: object) -> None:
            pass

        def should_stop(self) -> bool:
            return True

    run = fs.run(replace(QUICK, method="scratch"), Stopping())  # type: ignore[arg-type]
    assert run.fit.status == "stopped" and math.isnan(run.test_accuracy)


def test_augmentation_flips_and_shifts_but_keeps_the_images() -> None:
    x = torch.zeros(64, 1, 28, 28)
    x[:, :, :, :4] = 1.0  # a bar on the left
    out = fs.augment(x, "flip", torch.Generator().manual_seed(0))
    flipped = out[:, 0, 0, -1] == 1.0
    assert 0 < int(flipped.sum()) < 64 and torch.equal(out.sum((1, 2, 3)), x.sum((1, 2, 3)))
    shifted = fs.augment(x, "flip+shift", torch.Generator().manual_seed(0))
    assert shifted.shape == x.shape and not torch.equal(shifted, out)
    assert fs.augment(x, "none", torch.Generator()) is x


def test_feature_cache_is_bounded_in_bytes_and_serves_repeats() -> None:
    cache = ft.FeatureCache(max_bytes=3 * 192 * 16 * 4)
    backbone = bb.load_backbone()
    X = data.load("fashion-mnist", "test").X[:5]
    first = ft.trunk_features(backbone, X, cache=cache)
    assert first.shape == (5, 192, 4, 4) and len(cache) == 3 and cache.bytes <= cache.max_bytes
    again = ft.trunk_features(backbone, X[2:], cache=cache)  # the three cached ones
    assert torch.equal(again, first[2:])
    with pytest.raises(ft.Stopped):
        ft.trunk_features(backbone, X[:2], progress=lambda done, total: False, cache=ft.FeatureCache(0))


def test_feature_map_projects_pixels_and_deep_features() -> None:
    test = data.load("fashion-mnist", "test")
    idx = fs.test_subset(test.y)[::20]
    fmap = ft.feature_map(test.X[idx], test.y[idx], tuple(test.classes))
    assert fmap.raw.shape == fmap.deep.shape == (100, 2) and np.isfinite(fmap.deep).all()
    assert all(0.0 < e <= 1.0 for e in fmap.explained) and all(0.1 < a <= 1.0 for a in fmap.neighbours)
