"""The shipped accuracy-vs-labels curve: present, sane, and its probe heads re-measured from the file.

The fine-tuned networks are not shipped (see :mod:`core.transfer.curve`): their points are checked for
provenance and internal consistency (the steps each run took follow from its recorded epochs and labels;
the seconds add up within the rebuild's), not re-measured.
"""

from __future__ import annotations

import math

import pytest
import torch

from core import checkpoints, data, registry
from core.transfer import curve

SHIPPED = curve.shipped(checkpoints.PRETRAINED_DIR)


def test_the_curve_is_shipped_for_the_default_grid() -> None:
    assert SHIPPED is not None, f"rebuild it: python -m core.train {curve.NAME}"
    assert SHIPPED["grid"] == list(curve.GRID) and SHIPPED["n_test"] == 2_000
    assert set(SHIPPED["curves"]) == set(curve.SHIPPED_METHODS)
    assert (checkpoints.PRETRAINED_DIR / f"{curve.NAME}.safetensors").stat().st_size < 10 * 2**20


def test_the_probe_beats_training_from_scratch_with_few_labels() -> None:
    assert SHIPPED is not None
    probe, scratch = SHIPPED["curves"]["probe"], SHIPPED["curves"]["scratch"]
    full = SHIPPED["curves"]["full"]
    for i, k in enumerate(SHIPPED["grid"]):
        if k <= 5:  # ImageNet features, frozen or fine-tuned, carry what a few labels cannot
            assert probe[i] > scratch[i] + 0.02 and full[i] > scratch[i] + 0.02, f"{k} labels per class"
    for method, accs in SHIPPED["curves"].items():
        assert min(accs) > 0.2, method  # every method learns something (chance is 0.1)
        assert accs[-1] > accs[0] + 0.05, method  # more labels help, from 1 to 100 per class


def test_the_probe_heads_are_remeasured_from_the_shipped_file() -> None:
    ent = checkpoints.entry(curve.NAME)
    measured = registry.remeasure(curve.NAME)
    for k in curve.GRID:
        key = curve.metric_key("probe", k)
        assert measured[key] == pytest.approx(ent.metrics[key], abs=0.0015), key
    assert measured["test_accuracy"] == pytest.approx(ent.metrics["test_accuracy"], abs=0.0015)


def test_the_full_fine_tuning_points_are_measured_numbers_with_their_provenance() -> None:
    ent = checkpoints.entry(curve.NAME)
    cfg, m = ent.config, ent.metrics
    assert "full" in cfg["weights_not_shipped"] and "not shipped" in ent.architecture
    assert cfg["lr"]["full"] == 1e-4 and cfg["head_lr_factor"] == 10.0
    assert cfg["backbone"] == "efficientnet_lite0" and "EfficientNet-Lite0" in ent.dataset["provenance"]
    seconds = 0.0
    for k in curve.GRID:
        epochs = int(cfg["full_epochs"][str(k)])
        assert epochs == curve.FULL_EPOCHS[k]
        # Every epoch ran: ceil(10 k / batch) Adam steps each, so the point is a finished run, not a stub.
        assert m[f"full_steps_k{k}"] == epochs * math.ceil(10 * k / cfg["batch_size"]), k
        right = m[f"full_k{k}"] * m["n_test"]  # a count of the 2,000 held-out images
        assert 0.1 < m[f"full_k{k}"] <= 1.0 and right == pytest.approx(round(right), abs=1e-6), k
        seconds += m[f"full_seconds_k{k}"]
    assert 0 < seconds < ent.train_seconds


def test_the_shipped_model_classifies_fashion_mnist_images() -> None:
    model = checkpoints.load_model(curve.NAME)
    test = data.load("fashion-mnist", "test")
    x = torch.from_numpy(test.X[:8].copy())
    logits = model(x)
    assert logits.shape == (8, 10) and torch.isfinite(logits).all() and not model.training
    assert model(x, labels_per_class=1).shape == (8, 10)
