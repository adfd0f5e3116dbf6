"""PixelCNN: causality checked by autograd (no output pixel depends on itself or a later pixel), the
sampler's windows agree with the whole image, the blind spot of the stacked masks, sampling and
completion as a user sees them, and the inputs the page and the endpoints share."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.generative import pixelcnn as pc

SMALL = pc.PixelCNNConfig(channels=8, layers=3)


@pytest.fixture(scope="module")
def net() -> pc.PixelCNN:
    torch.manual_seed(0)
    return pc.PixelCNN(SMALL).eval()


def dependencies_of_every_pixel(model: pc.PixelCNN, seed: int = 1) -> np.ndarray:
    """(784, 784) bool: row p holds the input pixels that the output at raster position p depends on.

    One batch of 784 random grey images: image p back-propagates only a generic mix of the logits at
    pixel p, so its input gradient is exactly the dependency of that output."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(pc.PIXELS, 1, pc.SIZE, pc.SIZE, generator=gen).requires_grad_(True)
    logits = model(x)
    rows, cols = np.divmod(np.arange(pc.PIXELS), pc.SIZE)
    picked = logits[torch.arange(pc.PIXELS), :, torch.from_numpy(rows), torch.from_numpy(cols)]
    (picked * torch.randn(pc.LEVELS, generator=gen)).sum().backward()
    return (x.grad.reshape(pc.PIXELS, pc.PIXELS) != 0).numpy()


def test_no_output_depends_on_its_own_pixel_or_a_later_one(net: pc.PixelCNN) -> None:
    deps = dependencies_of_every_pixel(net)
    assert not np.triu(deps).any()  # the diagonal (the pixel itself) and everything after it
    # ...and it does use the context: the pixel to the left (within the row) and the one above. (Over a
    # few inputs: for one input, every ReLU of the small head can be off at some pixel.)
    deps = deps | dependencies_of_every_pixel(net, 2) | dependencies_of_every_pixel(net, 3)
    p = np.arange(pc.SIZE, pc.PIXELS)
    assert deps[p, p - pc.SIZE].all() and deps[p[p % pc.SIZE > 0], p[p % pc.SIZE > 0] - 1].all()


def test_the_first_pixel_sees_nothing_and_the_output_has_k_logits(net: pc.PixelCNN) -> None:
    x = torch.zeros(2, 1, 28, 28)
    assert net(x).shape == (2, pc.LEVELS, 28, 28)
    assert not pc.dependency_map(net, 0, 0).any()


def reach_by_masks(model: pc.PixelCNN, row: int, col: int, depth: int) -> np.ndarray:
    """The pixels the masks alone connect to (row, col): mask B offsets applied depth - 1 times, then A."""
    def offsets(kernel: int, centre: bool) -> list[tuple[int, int]]:
        m = pc.causal_mask(kernel, centre).numpy()
        return [(int(i) - kernel // 2, int(j) - kernel // 2) for i, j in zip(*np.nonzero(m), strict=True)]

    cells = {(row, col)}
    for offs in [offsets(3, True)] * (depth - 1) + [offsets(model.config.first_kernel, False)]:
        cells = {(r + dr, c + dc) for r, c in cells for dr, dc in offs
                 if 0 <= r + dr < pc.SIZE and 0 <= c + dc < pc.SIZE}
    out = np.zeros((pc.SIZE, pc.SIZE), bool)
    for r, c in cells:
        out[r, c] = True
    return out


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_the_dependency_map_is_the_masks_receptive_field_with_its_blind_spot(
    net: pc.PixelCNN, depth: int
) -> None:
    row, col = 14, 10
    seen = pc.dependency_map(net, row, col, depth)
    assert np.array_equal(seen, reach_by_masks(net, row, col, depth))
    before = pc.raster_before(row, col)
    assert not (seen & ~before).any()
    k = net.reach(depth)
    assert seen[row - k, col] and not seen[row - k - 1, col]
    # The blind spot: in the row just above, pixels within reach but right of the first layer's kernel.
    blind = before & pc.within_reach(net, row, col, depth) & ~seen
    assert not blind.any() if depth == 1 else blind[row - 1, col + 4 : col + k + 1].all()


def test_the_sampler_windows_give_the_whole_image_probabilities(net: pc.PixelCNN) -> None:
    trace = pc.sample(net, 3, 0.7, seed=5)
    x = torch.from_numpy(trace.images[:, None])
    with torch.no_grad():
        p1 = torch.softmax(net(x) / 0.7, dim=1)[:, 1].numpy()
    assert np.allclose(trace.probs, p1, atol=1e-5)  # the model is causal, so the finished image suffices
    assert set(np.unique(trace.images)) <= {0.0, 1.0}


def test_samples_are_seeded_and_the_temperature_sharpens(net: pc.PixelCNN) -> None:
    a, b, c = (pc.sample(net, 2, 1.0, s) for s in (3, 3, 4))
    assert np.array_equal(a.images, b.images) and not np.array_equal(a.images, c.images)
    cold, hot = pc.sample(net, 2, 0.2, 3), pc.sample(net, 2, 2.0, 3)
    certainty = [np.abs(t.probs - 0.5).mean() for t in (cold, hot)]
    assert certainty[0] > certainty[1]


def test_completion_keeps_the_upper_half_and_draws_the_rest(net: pc.PixelCNN) -> None:
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 5:20, 12:15] = 0.9
    trace = pc.complete(net, image, 3, 1.0, seed=0)
    assert trace.start == 14 * 28
    assert (trace.images[:, :14] == pc.binarise(image[None])[0, 0, :14]).all()
    assert np.isnan(trace.probs[:, :14]).all() and not np.isnan(trace.probs[:, 14:]).any()
    frame = trace.frame(trace.start + 3)
    assert not np.isnan(frame[:, 14, :3]).any() and np.isnan(frame[:, 14, 3:]).all()


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: pc.sample(m, 0, 1.0, 0), "number of samples must be a whole number from 1 to 16"),
    (lambda m: pc.sample(m, 17, 1.0, 0), "from 1 to 16"),
    (lambda m: pc.sample(m, 2, math.nan, 0), "temperature must be a number from 0.1 to 2"),
    (lambda m: pc.sample(m, 2, math.inf, 0), "temperature"),
    (lambda m: pc.sample(m, 2, 0.0, 0), "temperature"),
    (lambda m: pc.sample(m, 2, 1.0, 1.5), "seed must be a whole number"),
    (lambda m: pc.complete(m, np.zeros((28, 28)), 9, 1.0, 0), "completions must be a whole number from 1 to"),
    (lambda m: pc.dependency_map(m, 28, 0), "row must be a whole number from 0 to 27"),
    (lambda m: pc.dependency_map(m, 3, 3, 5), "depth must be a whole number from 1 to 4"),
])
def test_inputs_outside_the_sliders_are_refused(net: pc.PixelCNN, call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(net)


def test_the_mask_is_not_stored_and_masked_weights_get_no_gradient() -> None:
    conv = pc.MaskedConv2d(1, 2, 5, "A")
    assert "mask" not in conv.state_dict()
    conv(torch.rand(1, 1, 8, 8)).sum().backward()
    assert (conv.weight.grad[:, :, 2, 2:] == 0).all() and (conv.weight.grad[:, :, 3:] == 0).all()
    with pytest.raises(ValueError, match="mask must be 'A' or 'B'"):
        pc.MaskedConv2d(1, 1, 3, "C")
