"""The super-resolution core: the model contract for every scale, an untrained ESPCN is exactly bicubic,
the comparison's shapes and scores, the held-out photos never reach training, and unusable images are
refused with a reason."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.generative import superres as sr


@pytest.mark.parametrize("scale", sr.SCALES)
def test_contract_shape_and_range(scale: int) -> None:
    torch.manual_seed(0)
    model = sr.ESPCN(sr.ESPCNConfig(scale=scale))
    for p in model.parameters():  # weights far from the start, so the clamp has work to do
        torch.nn.init.normal_(p, std=0.5)
    with torch.no_grad():
        y = model(torch.rand(2, 3, 11, 17))
    assert y.shape == (2, 3, 11 * scale, 17 * scale)
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0


def test_an_untrained_espcn_is_bicubic() -> None:
    model = sr.ESPCN(sr.ESPCNConfig(scale=3))
    x = torch.rand(1, 3, 20, 20)
    assert torch.equal(model(x), sr.upsample_bicubic(x, 3))


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="scale must be one of"):
        sr.ESPCN(sr.ESPCNConfig(scale=5))


def test_comparison_shapes_and_scores() -> None:
    image = sr.photo("chelsea")  # 300 x 451: the width is cut to a multiple of 3
    c = sr.compare(sr.ESPCN(sr.ESPCNConfig(scale=3)), image)
    assert c.original.shape == (300, 450, 3) and c.small.shape == (100, 150, 3)
    assert c.bicubic.shape == c.espcn.shape == c.original.shape
    assert c.scores["espcn"] == pytest.approx(c.scores["bicubic"])  # untrained: the same picture
    assert 20 < c.scores["bicubic"]["psnr"] < 40 and 0 < c.scores["bicubic"]["ssim"] < 1


def test_crop_follows_the_position() -> None:
    c = sr.compare(sr.ESPCN(sr.ESPCNConfig(scale=2)), sr.photo("coffee"))
    corner, far = sr.crop(c, 0.0, 0.0, 64), sr.crop(c, 1.0, 1.0, 64)
    assert np.array_equal(corner["original"], c.original[:64, :64])
    assert np.array_equal(far["original"], c.original[-64:, -64:])


def test_held_out_photos_are_not_trained_on() -> None:
    assert not set(sr.HELD_OUT) & set(sr.TRAIN_PHOTOS)
    assert "cat" not in sr.TRAIN_PHOTOS  # skimage's cat is Chelsea mirrored


def test_patches_pair_each_original_with_its_shrunk_copy() -> None:
    X, Y = sr.patches(sr.TRAIN_PHOTOS[:2], 2, 8, 12, seed=0)
    assert X.shape == (8, 3, 12, 12) and Y.shape == (8, 3, 24, 24)
    assert torch.allclose(sr.downscale(Y, 2), X)
    X2, _ = sr.patches(sr.TRAIN_PHOTOS[:2], 2, 8, 12, seed=0)
    assert torch.equal(X, X2)


def test_grey_and_binary_photos_become_rgb() -> None:
    camera = sr.photo("camera")
    assert camera.shape == (512, 512, 3) and np.array_equal(camera[..., 0], camera[..., 2])
    with pytest.raises(KeyError, match="no bundled photo"):
        sr.photo("cat")


def test_transparency_is_shown_over_white_and_small_images_refused() -> None:
    rgba = np.zeros((80, 80, 4), np.uint8)  # fully transparent black
    assert np.allclose(sr.from_rgba(rgba), 1.0)
    with pytest.raises(ValueError, match="at least 64 pixels"):
        sr.compare(sr.ESPCN(sr.ESPCNConfig()), np.zeros((40, 300, 3), np.float32))
