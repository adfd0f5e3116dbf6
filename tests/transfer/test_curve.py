"""The shipped accuracy-vs-labels curve: present, sane, and its probe heads re-measured from the file."""

from __future__ import annotations

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
    for i, k in enumerate(SHIPPED["grid"]):
        if k <= 5:
            assert probe[i] > scratch[i] + 0.02, f"{k} labels per class"
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


def test_the_shipped_model_classifies_fashion_mnist_images() -> None:
    model = checkpoints.load_model(curve.NAME)
    test = data.load("fashion-mnist", "test")
    x = torch.from_numpy(test.X[:8].copy())
    logits = model(x)
    assert logits.shape == (8, 10) and torch.isfinite(logits).all() and not model.training
    assert model(x, labels_per_class=1).shape == (8, 10)
