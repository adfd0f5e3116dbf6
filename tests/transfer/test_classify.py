"""core.transfer.classify: bundled photos classified right; odd images handled or refused clearly."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from core.data import images
from core.transfer import classifier, classify, photos
from core.transfer.backbone import BACKBONES
from core.transfer.preprocess import crop_geometry, preprocess

CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def _photo(name: str) -> Image.Image:
    return Image.fromarray(np.asarray(photos.load_photo(name).rgba))


def test_chelsea_is_a_cat_and_the_coffee_an_espresso() -> None:
    cat = classify(_photo("chelsea"))
    assert cat[0][0] in CATS and sum(p for n, p in cat if n in CATS) > 0.8
    coffee = classify(_photo("coffee"), top_k=3)
    assert coffee[0][0] == "espresso" and coffee[0][1] > 0.5 and len(coffee) == 3


def test_top_k_is_sorted_probabilities() -> None:
    top = classify(_photo("rocket"), top_k=10)
    probs = [p for _, p in top]
    assert len(top) == 10 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-9
    assert len({n for n, _ in top}) == 10


@pytest.mark.parametrize("k", [0, 11, math.nan, math.inf, 2.5, "five", True])
def test_top_k_out_of_range_is_refused(k: object) -> None:
    with pytest.raises(ValueError, match="top_k must be a whole number from 1 to 10"):
        classify(_photo("coffee"), top_k=k)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "CMYK", "L", "1", "I;16", "F"])
def test_any_pil_mode_is_classified(mode: str) -> None:
    rgb = _photo("coffee").convert("RGB")
    if mode == "I;16":
        image = Image.fromarray((np.asarray(rgb.convert("L"), np.uint16) * 257))
    elif mode == "F":
        image = Image.fromarray(np.asarray(rgb.convert("L"), np.float32) / 255.0)
    else:
        image = rgb.convert(mode)
    top = classify(image, top_k=5)
    assert len(top) == 5
    if mode in ("RGBA", "P", "CMYK"):  # the colours survive: still an espresso
        assert top[0][0] == "espresso"


def test_transparency_is_shown_over_white() -> None:
    rgba = np.zeros((64, 64, 4), np.uint8)  # fully transparent black = white
    prep = preprocess(Image.fromarray(rgba, "RGBA"), BACKBONES["efficientnet_lite0"])
    assert np.asarray(prep.crop).min() == 255


@pytest.mark.parametrize("size", [(1, 1), (10_000, 10), (10, 3000), (3, 2)])
def test_tiny_and_extreme_shapes(size: tuple[int, int]) -> None:
    image = Image.new("RGB", size, (200, 30, 30))
    top = classify(image, top_k=5)
    assert len(top) == 5 and all(math.isfinite(p) for _, p in top)


def test_very_wide_upload_goes_through_the_decoder() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (10_000, 40), (0, 90, 200)).save(buf, "PNG")
    decoded = images.decode(buf.getvalue())
    result = classifier.run(decoded)
    assert result.prep.crop.size == (224, 224) and len(result.top(5)) == 5


def test_crop_geometry_matches_torchvision_resize_and_centre_crop() -> None:
    info = BACKBONES["efficientnet_lite0"]
    (rw, rh), box = crop_geometry(451, 300, info)
    assert (rw, rh) == (384, 256)  # shorter side 256 = floor(224 / 0.875)
    scale = 256 / 300
    assert box == pytest.approx((80 / scale, 16 / scale, 304 / scale, 240 / scale))


def _png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not an image", "not an image this app can read"),
        (_png((64, 64))[:80], "cannot be decoded"),
        (b"", "empty"),
    ],
)
def test_unusable_uploads_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(images.ImageError, match=message):
        classifier.run(images.decode(data))


def test_decompression_bomb_is_refused_before_decoding() -> None:
    buf = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buf, "PNG")  # a few KB claiming 400 million pixels
    assert len(buf.getvalue()) < 200_000
    with pytest.raises(images.ImageError, match="million"):
        images.decode(buf.getvalue())


def test_not_an_image_object_is_refused() -> None:
    with pytest.raises(images.ImageError, match="expected an image"):
        classify("chelsea.png")  # type: ignore[arg-type]
