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
    tsne = ft.feature_map(test.X[idx], test.y[idx], tuple(test.classes), projection="tsne")
    assert tsne.deep.shape == (100, 2) and tsne.projection == "tsne" and math.isnan(tsne.explained[1])
    assert not np.allclose(tsne.deep, fmap.deep) and tsne.neighbours[1] > 0.3  # classes cluster
    again = ft.feature_map(test.X[idx], test.y[idx], tuple(test.classes), projection="tsne")
    assert np.array_equal(again.deep, tsne.deep)  # seeded (and kept: a page rerun does not redo it)
    with pytest.raises(ValueError, match="projection must be one of pca, tsne"):
        ft.feature_map(test.X[idx], test.y[idx], tuple(test.classes), projection="umap")


def test_the_homework_network_resnet18_serves_features_and_a_probe(resnet18_hub: torch.nn.Module) -> None:
    backbone = bb.load_backbone("resnet18")
    assert "local Hugging Face cache" in backbone.provenance
    X = data.load("fashion-mnist", "test").X[:3]
    mids = ft.trunk_features(backbone, X, cache=ft.FeatureCache())
    assert mids.shape == (3, 256, 7, 7)  # after layer3 at 112 px; layer4 is the tail
    deep = ft.deep_features(backbone, X)
    assert deep.shape == (3, 512) and np.isfinite(deep).all()
    # The split trunk + tail is the stand-in network's own pooled feature vector.
    with torch.no_grad():
        x = ft.to_input(torch.from_numpy(np.array(X, np.float32)), backbone.info)
        whole = resnet18_hub.forward_head(resnet18_hub.forward_features(x), pre_logits=True)
    assert np.allclose(deep, whole.numpy(), atol=1e-4)
    run = fs.run(replace(QUICK, backbone="resnet18", epochs=2))
    assert run.fit.status == "completed" and 0.0 <= run.test_accuracy <= 1.0
    assert isinstance(run.model, torch.nn.Linear) and run.model.in_features == 512
    assert "ResNet-18" in run.provenance and "local Hugging Face cache" in run.provenance


def test_features_of_two_resnet18_weights_are_never_mixed(resnet18_hub: torch.nn.Module) -> None:
    X = data.load("fashion-mnist", "test").X[:2]
    first = ft.deep_features(bb.load_backbone("resnet18"), X)
    bb.load_backbone.cache_clear()
    other = bb.load_backbone("resnet18")
    torch.nn.init.normal_(other.model.conv1.weight)  # same name, other weights: other features
    assert not np.allclose(ft.deep_features(other, X), first)


def test_full_fine_tuning_steps_the_new_head_faster() -> None:
    model = fs.FullNet(bb.load_backbone(), 10)
    body, head = model.param_groups(1e-4)
    assert head["lr"] == pytest.approx(fs.HEAD_LR_FACTOR * 1e-4) and body["lr"] == 1e-4
    n = sum(p.numel() for g in (body, head) for p in g["params"])  # type: ignore[union-attr]
    assert n == sum(p.numel() for p in model.parameters()) and len(head["params"]) == 2  # type: ignore[arg-type]


def test_an_unknown_backbone_is_refused() -> None:
    with pytest.raises(ValueError, match="backbone must be one of"):
        fs.TransferConfig(backbone="vgg99")
