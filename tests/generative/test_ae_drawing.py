"""Draw a digit to encode it: a synthetic pen stroke is prepared like MNIST, encoded, placed on the latent
map, decoded, and read by the shipped classifier; blank drawings are refused with a clear message."""

from __future__ import annotations

import numpy as np
import pytest

from core import checkpoints, data
from core.generative import ae_drawing as dr
from core.generative import latent as lt

ONE = [(0.5, 0.15), (0.5, 0.85)]
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]


@pytest.fixture(scope="module")
def mnist() -> tuple:
    test = data.load("mnist", "test")
    return test, checkpoints.load_model("cnn-mnist")


def _encode(name: str, points: list, mnist: tuple) -> dr.EncodedDrawing:
    test, clf = mnist
    model = checkpoints.load_model(name)
    return dr.encode_drawing(model, lt.latent_map(model, test.X, test.y), dr.stroke_image(points), clf)


def test_a_stroke_is_prepared_like_an_mnist_digit() -> None:
    sheet = dr.stroke_image(ONE)
    assert sheet.shape == (280, 280) and sheet.min() == 0.0 and sheet.max() == 1.0
    x = dr.prepare(sheet)
    assert x.shape == (28, 28) and x.max() == pytest.approx(1.0, abs=0.02)
    rows, cols = np.nonzero(x > 0.1)
    assert rows.max() - rows.min() + 1 <= 21  # fitted into MNIST's 20x20 box
    total = x.sum()
    cy, cx = (x.sum(1) * np.arange(28)).sum() / total, (x.sum(0) * np.arange(28)).sum() / total
    assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0  # centred by its centre of mass


@pytest.mark.parametrize("name", ["vae-mnist-z2", "vae-mnist-z16", "ae-mnist-z8"])
def test_a_drawn_one_is_read_as_one_and_so_is_its_reconstruction(name: str, mnist: tuple) -> None:
    enc = _encode(name, ONE, mnist)
    assert enc.probs is not None and enc.recon_probs is not None
    assert enc.probs.argmax() == 1 and enc.recon_probs.argmax() == 1
    r = enc.reconstruction
    assert r.shape == (28, 28) and 0 <= r.min() <= r.max() <= 1


def test_the_drawing_lands_among_the_test_codes_of_its_class(mnist: tuple) -> None:
    test, clf = mnist
    model = checkpoints.load_model("vae-mnist-z16")
    lmap = lt.latent_map(model, test.X, test.y)
    enc = dr.encode_drawing(model, lmap, dr.stroke_image(ONE), clf)
    assert enc.code.shape == (16,) and enc.point.shape == (2,)
    # The map's plane is the PCA of the test codes: the drawing's point is its code projected like theirs.
    assert np.allclose(enc.point, lmap.project(enc.code)[0])
    centres = np.stack([lmap.coords[lmap.labels == k].mean(0) for k in range(10)])
    assert np.linalg.norm(centres - enc.point, axis=1).argmin() == 1


def test_two_different_digits_get_different_codes(mnist: tuple) -> None:
    one, seven = _encode("vae-mnist-z2", ONE, mnist), _encode("vae-mnist-z2", SEVEN, mnist)
    assert np.linalg.norm(one.code - seven.code) > 0.5
    assert seven.probs is not None and seven.probs.argmax() == 7


def test_a_blank_sheet_is_refused_with_a_reason(mnist: tuple) -> None:
    test, clf = mnist
    model = checkpoints.load_model("vae-mnist-z2")
    with pytest.raises(ValueError, match="blank"):
        dr.encode_drawing(model, lt.latent_map(model, test.X, test.y), np.ones((280, 280), np.float32), clf)
