"""core.transfer.attribute: every method: a non-constant map at the image's size, zero outside the crop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from core.transfer import attribute, photos, saliency
from core.transfer.backbone import BACKBONES, class_names

FAST = dict(steps=8, window=56, stride=56)  # small settings: the maps are real, the test stays quick


@pytest.fixture(scope="module")
def chelsea() -> Image.Image:
    return Image.fromarray(np.asarray(photos.load_photo("chelsea").rgba))


@pytest.mark.parametrize("method", list(saliency.METHODS))
def test_each_method_gives_a_non_constant_map_of_the_image_size(chelsea: Image.Image, method: str) -> None:
    m = attribute(chelsea, method, **FAST)
    assert m.shape == (chelsea.height, chelsea.width) and m.dtype == np.float32
    assert np.isfinite(m).all() and m.std() > 0
    # Chelsea is 451x300: the network sees the centre 262x262, so the left and right strips carry nothing.
    assert not m[:, :80].any() and not m[:, -80:].any() and m[:, 120:330].any()


def test_gradcam_peaks_on_the_cats_face(chelsea: Image.Image) -> None:
    m = attribute(chelsea, "gradcam")
    row, col = np.unravel_index(np.argmax(m), m.shape)
    assert 120 <= row <= 290 and 150 <= col <= 350  # Chelsea's eyes, nose and mouth


def test_the_target_class_changes_the_map(chelsea: Image.Image) -> None:
    cat = attribute(chelsea, "gradcam", target=class_names().index("tabby"))
    other = attribute(chelsea, "gradcam", target=class_names().index("espresso"))
    assert not np.allclose(cat, other)


def test_grad_cam_layers_differ(chelsea: Image.Image) -> None:
    layers = [p for p, _ in BACKBONES["efficientnet_lite0"].gradcam_layers]
    shallow = attribute(chelsea, "gradcam", layer=layers[0])
    deep = attribute(chelsea, "gradcam", layer=layers[-1])
    assert shallow.std() > 0 and not np.allclose(shallow / shallow.max(), deep / deep.max())


def test_occlusion_window_and_stride_shape_the_map(chelsea: Image.Image) -> None:
    coarse = saliency.explain(chelsea, "occlusion", window=112, stride=112)
    assert len(np.unique(coarse.crop_map)) <= 4  # 2x2 positions: four blocks
    fine = saliency.explain(chelsea, "occlusion", window=56, stride=56)
    assert len(np.unique(fine.crop_map)) > 4


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(method="magic"), "unknown attribution method"),
        (dict(steps=math.nan), "steps must be a whole number from 4 to 128"),
        (dict(steps=1000), "steps must be a whole number from 4 to 128"),
        (dict(window=24, stride=32), "must not exceed the window"),
        (dict(window=20), "multiples of 8"),
        (dict(target=1000), "target class must be a whole number from 0 to 999"),
        (dict(target=-1), "target class"),
        (dict(layer="layer4"), "no Grad-CAM layer"),
    ],
)
def test_bad_settings_are_refused_clearly(chelsea: Image.Image, options: dict, message: str) -> None:
    args = {"method": "gradcam", **options}
    with pytest.raises(ValueError, match=message):
        attribute(chelsea, **args)


def test_deletion_curve_starts_at_the_class_probability_and_ends_low(chelsea: Image.Image) -> None:
    result = saliency.compare(chelsea, ["gradcam"], rank=1)
    curve = result.curves["gradcam"]
    assert curve.fractions[0] == 0 and curve.fractions[-1] == 1 and len(curve.by_importance) == 11
    assert curve.by_importance[0] == pytest.approx(result.probability, rel=1e-4)
    assert curve.at_random[0] == pytest.approx(result.probability, rel=1e-4)
    assert curve.by_importance[-1] < result.probability / 5  # everything hidden: the cat is gone
    assert 0 <= curve.auc <= 1 and 0 <= curve.random_auc <= 1


def test_compare_explains_the_class_of_the_rank_asked_for(chelsea: Image.Image) -> None:
    first = saliency.compare(chelsea, ["saliency"], rank=1, faithfulness=False)
    second = saliency.compare(chelsea, ["saliency"], rank=2, faithfulness=False)
    assert first.target != second.target and first.probability >= second.probability
    assert not first.curves


def test_same_settings_same_map(chelsea: Image.Image) -> None:
    a = attribute(chelsea, "integrated_gradients", steps=8)
    b = attribute(chelsea, "integrated_gradients", steps=8)
    assert np.array_equal(a, b)
