"""The convolution explorer: size formulas against torch, kernels, uploads, the explorer, receptive fields
checked against gradients."""

from __future__ import annotations

import io
import random

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from core.cnn import conv, explorer, explorer_figures, image_sources, kernels
from core.cnn import receptive_field as rf


@pytest.fixture
def one_thread():
    """Hundreds of tiny torch calls: one thread avoids OpenMP hand-offs that dominate on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _torch_len(fn, size: int, **kw: int) -> int | None:
    """Output length torch computes, or None when torch refuses the setting."""
    try:
        return int(fn(**kw, size=size))
    except RuntimeError:
        return None


def _conv(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    x = torch.zeros(1, 1, size)
    return F.conv1d(x, torch.zeros(1, 1, kernel), stride=stride, padding=padding, dilation=dilation).shape[-1]


def _tconv(size: int, kernel: int, stride: int, padding: int, dilation: int, output_padding: int) -> int:
    x = torch.zeros(1, 1, size)
    w = torch.zeros(1, 1, kernel)
    return F.conv_transpose1d(
        x, w, stride=stride, padding=padding, dilation=dilation, output_padding=output_padding
    ).shape[-1]


def test_conv_output_size_agrees_with_torch_for_many_random_settings(one_thread: None) -> None:
    rng = random.Random(0)
    valid = invalid = 0
    for _ in range(800):
        kw = dict(
            kernel=rng.randint(1, 9),
            stride=rng.randint(1, 5),
            padding=rng.randint(0, 5),
            dilation=rng.randint(1, 4),
        )
        size = rng.randint(1, 48)
        expected = _torch_len(_conv, size, **kw)
        if expected is None:
            invalid += 1
            with pytest.raises(ValueError, match="empty"):
                conv.conv_output_size(size, **kw)
        else:
            valid += 1
            assert conv.conv_output_size(size, **kw) == expected, (size, kw)
    assert valid > 500 and invalid > 50  # both branches really exercised


def test_conv_output_size_agrees_with_conv2d_on_rectangles(one_thread: None) -> None:
    rng = random.Random(1)
    for _ in range(100):
        h, w = rng.randint(8, 40), rng.randint(8, 40)
        k, s, p, d = rng.randint(1, 5), rng.randint(1, 3), rng.randint(0, 3), rng.randint(1, 2)
        out = F.conv2d(torch.zeros(1, 1, h, w), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
        assert out.shape[-2:] == (conv.conv_output_size(h, k, s, p, d), conv.conv_output_size(w, k, s, p, d))


def test_conv_transpose_output_size_agrees_with_torch_for_many_random_settings(one_thread: None) -> None:
    rng = random.Random(2)
    valid = invalid = 0
    for _ in range(800):
        kw = dict(
            kernel=rng.randint(1, 7),
            stride=rng.randint(1, 4),
            padding=rng.randint(0, 4),
            dilation=rng.randint(1, 3),
            output_padding=rng.randint(0, 3),
        )
        size = rng.randint(1, 30)
        expected = _torch_len(_tconv, size, **kw)
        if expected is None:
            invalid += 1
            with pytest.raises(ValueError):
                conv.conv_transpose_output_size(size, **kw)
        else:
            valid += 1
            assert conv.conv_transpose_output_size(size, **kw) == expected, (size, kw)
    assert valid > 500 and invalid > 200


def test_pool_output_size_agrees_with_max_and_avg_pooling(one_thread: None) -> None:
    rng = random.Random(3)
    for _ in range(300):
        size, k, s = rng.randint(2, 40), rng.randint(1, 5), rng.randint(1, 4)
        p = rng.randint(0, k // 2)
        if k + 0 > size + 2 * p:
            continue
        x = torch.zeros(1, 1, size, size)
        assert F.max_pool2d(x, k, s, p).shape[-1] == conv.pool_output_size(size, k, s, p)
        assert F.avg_pool2d(x, k, s, p).shape[-1] == conv.pool_output_size(size, k, s, p)
    with pytest.raises(ValueError, match="half"):
        conv.pool_output_size(10, 2, 2, 2)


@pytest.mark.parametrize(
    "bad",
    [
        dict(size=0, kernel=3),
        dict(size=5, kernel=0),
        dict(size=5, kernel=3, stride=0),
        dict(size=5, kernel=3, padding=-1),
        dict(size=5, kernel=3, dilation=0),
    ],
)
def test_formulas_reject_nonsense_arguments(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        conv.conv_output_size(**bad)


def test_formula_latex_substitutes_the_numbers() -> None:
    tex = conv.conv_formula_latex(28, 5, 2, 1, 1)
    assert r"\frac{28 + 2\cdot 1 - 1\cdot(5-1) - 1}{2}" in tex and tex.endswith("= 13")
    assert conv.transpose_formula_latex(13, 4, 2, 1).endswith("= 26")


# -- kernels ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [k for k in kernels.KERNELS if k != kernels.LEARNED])
@pytest.mark.parametrize("size", [3, 4, 7])
def test_every_kernel_has_its_size_and_expected_sums(name: str, size: int) -> None:
    k = kernels.make_kernel(name, size, seed=1)
    assert k.shape == (size, size) and k.dtype == np.float32 and np.isfinite(k).all()
    assert not k.flags.writeable
    if name.startswith("blur") or name in ("identity", "sharpen"):
        assert k.sum() == pytest.approx(1.0, abs=1e-5)  # brightness kept
    if name.startswith("edge"):
        assert k.sum() == pytest.approx(0.0, abs=1e-5)  # a flat region gives zero


def test_classic_3x3_kernels_and_errors() -> None:
    sobel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    np.testing.assert_array_equal(kernels.make_kernel("edge (Sobel x)", 3), sobel)
    np.testing.assert_array_equal(
        kernels.make_kernel("edge (Sobel y)", 3), np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]).T
    )
    make = kernels.make_kernel
    assert not np.array_equal(make("random", 3, seed=0), make("random", 3, seed=1))
    np.testing.assert_array_equal(make("random", 3, seed=4), make("random", 3, seed=4))
    with pytest.raises(ValueError, match="at least 3×3"):
        kernels.make_kernel("edge (Laplacian)", 2)
    with pytest.raises(ValueError, match="unknown kernel"):
        kernels.make_kernel("emboss", 3)


def test_sobel_x_responds_to_a_vertical_edge_with_the_right_sign() -> None:
    img = np.zeros((20, 20), dtype=np.float32)
    img[:, 10:] = 1.0  # dark → bright from left to right
    res = explorer.explore(img, explorer.ExplorerConfig(kernel="edge (Sobel x)", padding=0))
    assert (
        res.conv[:, 8:10].min() > 0 and np.allclose(res.conv[:, :7], 0) and np.allclose(res.conv[:, 11:], 0)
    )


def test_learned_filters_explain_a_missing_checkpoint(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from core import checkpoints

    monkeypatch.setattr(checkpoints, "PRETRAINED_DIR", tmp_path)
    kernels.learned_filters.cache_clear()
    with pytest.raises(kernels.FiltersUnavailable, match="not available yet.*pick another kernel"):
        kernels.make_kernel(kernels.LEARNED)
    kernels.learned_filters.cache_clear()


def test_learned_filters_take_the_first_conv2d_of_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from core import checkpoints

    torch.manual_seed(0)
    model = nn.Sequential(nn.Sequential(nn.Conv2d(2, 8, 5)), nn.ReLU(), nn.Conv2d(8, 4, 3))
    monkeypatch.setattr(checkpoints, "load_model", lambda name: model)
    kernels.learned_filters.cache_clear()
    try:
        bank = kernels.learned_filters()
        assert bank.shape == (8, 5, 5)
        np.testing.assert_allclose(bank[3], model[0][0].weight[3].sum(0).detach().numpy(), rtol=1e-6)
        res = explorer.explore(
            np.ones((16, 16), np.float32),
            explorer.ExplorerConfig(kernel=kernels.LEARNED, filter_index=3, padding=0),
        )
        assert res.kernel.shape == (5, 5) and res.sizes["convolution"] == (
            12,
            12,
        )  # k fixed by the CNN, not the slider
    finally:
        kernels.learned_filters.cache_clear()


# -- images and uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", image_sources.PHOTOS)
def test_bundled_photos_are_grey_and_small(source: str) -> None:
    img = image_sources.load_image(source)
    assert img.pixels.ndim == 2 and max(img.pixels.shape) <= image_sources.MAX_SIDE
    assert img.pixels.dtype == np.float32 and 0 <= img.pixels.min() and img.pixels.max() <= 1
    assert "scikit-image" in img.provenance


def test_data_set_images_come_from_core_data() -> None:
    img = image_sources.load_image("8×8 digit", 5)
    assert img.pixels.shape == (8, 8) and "scikit-learn" in img.provenance and "test image 5" in img.label
    with pytest.raises(ValueError, match="unknown image source"):
        image_sources.load_image("lena")


def _png(mode: str, size: tuple[int, int], fmt: str = "PNG", **save: object) -> bytes:
    buf = io.BytesIO()
    data = (np.arange(size[0] * size[1]) % 251).reshape(size[1], size[0])
    if mode == "I;16":
        img = Image.fromarray((data * 200).astype(np.uint16))
    elif mode == "RGBA":
        img = Image.fromarray(np.stack([data] * 4, -1).astype(np.uint8), "RGBA")
    else:
        img = Image.fromarray(data.astype(np.uint8)).convert(mode)
    img.save(buf, format=fmt, **save)
    return buf.getvalue()


@pytest.mark.parametrize(
    "mode,fmt",
    [("L", "PNG"), ("RGB", "JPEG"), ("RGBA", "PNG"), ("I;16", "PNG"), ("P", "GIF"), ("RGB", "WEBP")],
)
def test_uploads_are_decoded_grey_and_downscaled(mode: str, fmt: str) -> None:
    img = image_sources.load_upload(_png(mode, (600, 300), fmt), f"pic.{fmt.lower()}")
    assert img.pixels.shape == (128, 256) and img.pixels.dtype == np.float32
    assert 0 <= img.pixels.min() <= img.pixels.max() <= 1 and img.pixels.max() > 0.5
    assert "600×300" in img.provenance


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"hello, this is not an image", "not an image this app can read"),
        (_png("L", (64, 64))[:60], "cannot be decoded: it is cut short"),  # truncated PNG
        (b"\x89PNG" + b"\0" * (11 * 1024 * 1024), "limit is 10 MB"),
    ],
)
def test_odd_uploads_give_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        image_sources.load_upload(data, "odd.png")


def test_an_upload_claiming_too_many_pixels_is_refused_before_decoding() -> None:
    buf = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buf, format="PNG")  # tiny file, 60 M pixels
    assert len(buf.getvalue()) < 1_000_000
    with pytest.raises(ValueError, match="claims 10,000×6,000"):
        image_sources.load_upload(buf.getvalue(), "bomb.png")


# -- the explorer -------------------------------------------------------------------------------------


def test_explorer_stage_sizes_match_the_arrays_for_random_settings(one_thread: None) -> None:
    rng = random.Random(4)
    img = image_sources.load_image("coins", max_side=96).pixels
    checked = 0
    for _ in range(60):
        cfg = explorer.ExplorerConfig(
            kernel=rng.choice(kernels.KERNELS[:-1]),
            kernel_size=rng.randint(3, 9),
            stride=rng.randint(1, 4),
            padding=rng.randint(0, 6),
            dilation=rng.randint(1, 4),
            relu=rng.random() < 0.5,
            pool=rng.choice(["none", "max", "avg"]),
            pool_size=rng.randint(2, 4),
            pool_stride=rng.randint(1, 4),
            transposed=rng.random() < 0.5,
            t_kernel=rng.randint(1, 6),
            t_stride=rng.randint(1, 4),
            t_padding=rng.randint(0, 2),
            t_output_padding=0,
        )
        try:
            res = explorer.explore(img, cfg)
        except ValueError:
            continue
        checked += 1
        assert res.conv.shape == res.sizes["convolution"]
        if cfg.relu:
            assert res.conv.min() >= 0
        if res.pooled is not None:
            assert res.pooled.shape == res.sizes["pooling"]
        if res.transposed is not None:
            assert res.transposed.shape == res.sizes["transposed"] == res.overlap.shape
    assert checked > 30


def test_transposed_convolution_overlaps_are_even_only_when_k_is_a_multiple_of_s() -> None:
    img = np.ones((16, 16), np.float32)
    for k, s, even in [(4, 2, True), (3, 2, False), (6, 3, True), (5, 2, False)]:
        res = explorer.explore(
            img,
            explorer.ExplorerConfig(
                kernel="identity", transposed=True, t_kernel=k, t_stride=s, t_padding=k - s
            ),
        )
        inner = res.overlap[k:-k, k:-k]
        assert (inner.min() == inner.max()) == even, (k, s)


def test_impossible_settings_name_the_stage() -> None:
    digit = image_sources.load_image("8×8 digit").pixels
    with pytest.raises(ValueError, match="^convolution: .*empty"):
        explorer.explore(digit, explorer.ExplorerConfig(kernel="blur (box)", kernel_size=11, padding=0))
    with pytest.raises(ValueError, match="^pooling"):
        explorer.explore(
            digit, explorer.ExplorerConfig(kernel="identity", stride=4, padding=0, pool="max", pool_size=4)
        )
    with pytest.raises(ValueError, match="^transposed convolution: output_padding"):
        explorer.explore(digit, explorer.ExplorerConfig(transposed=True, t_stride=1, t_output_padding=1))


def test_summary_counts_weight_sharing() -> None:
    res = explorer.explore(np.zeros((32, 32), np.float32), explorer.ExplorerConfig(kernel_size=5, padding=2))
    assert res.conv_params == 26 and res.dense_params == (32 * 32 + 1) * 32 * 32
    assert "input 32×32 → convolution 32×32" in explorer.explorer_summary(res)


def test_to_rgb_colours() -> None:
    signed = explorer_figures.to_rgb(np.array([[-1.0, 0.0, 1.0]]), scale=2)
    assert signed.shape == (2, 6, 3) and signed.dtype == np.uint8
    assert tuple(signed[0, 2]) == (255, 255, 255)  # zero is white
    assert signed[0, 0, 2] > signed[0, 0, 0] and signed[0, 4, 0] > signed[0, 4, 2]  # − blue, + red
    grey = explorer_figures.to_rgb(np.array([[0.0, 2.0]]))
    assert tuple(grey[0, 0]) == (0, 0, 0) and tuple(grey[0, 1]) == (255, 255, 255)


# -- receptive fields ---------------------------------------------------------------------------------


def test_receptive_field_table_of_known_stacks() -> None:
    three = rf.receptive_field(rf.rf_stack("3×3 convolutions", 3), (64, 64))
    assert [r.rf for r in three] == [3, 5, 7]  # VGG's argument: three 3×3 see 7×7
    dilated = rf.receptive_field(rf.rf_stack("dilated 3×3 (d = 1, 2, 4, …)", 4), (64, 64))
    assert [r.rf for r in dilated] == [3, 7, 15, 31]  # 2^(l+1) − 1: exponential growth (Yu & Koltun 2016)
    alexnet = [
        rf.Layer("conv", 11, 4, 2),
        rf.Layer("max", 3, 2),
        rf.Layer("conv", 5, 1, 2),
        rf.Layer("max", 3, 2),
        rf.Layer("conv", 3, 1, 1),
        rf.Layer("conv", 3, 1, 1),
        rf.Layer("conv", 3, 1, 1),
        rf.Layer("max", 3, 2),
    ]
    rows = rf.receptive_field(alexnet, (224, 224))
    assert (
        rows[-1].rf == 195 and rows[-1].jump == 32 and rows[-1].out_size == (6, 6)
    )  # Araujo et al. 2019, table 1


@pytest.mark.parametrize("preset", rf.RF_PRESETS[:4])
@pytest.mark.parametrize("repeats", [1, 3, 5])
def test_gradient_of_one_unit_is_non_zero_exactly_on_the_predicted_field(preset: str, repeats: int) -> None:
    layers = rf.rf_stack(preset, repeats)
    check = rf.rf_check(layers, (96, 80))
    assert check.agree
    rows = rf.receptive_field(layers, (96, 80))
    top, left, bottom, right = check.box
    assert bottom - top + 1 == rows[-1].rf == right - left + 1


def test_gradient_check_on_random_stacks_and_corner_units(one_thread: None) -> None:
    rng = random.Random(5)
    done = 0
    while done < 40:
        layers = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.7:
                k = rng.randint(1, 5)
                layers.append(rf.Layer("conv", k, rng.randint(1, 3), rng.randint(0, 2), rng.randint(1, 3)))
            else:
                k = rng.randint(2, 3)
                layers.append(
                    rf.Layer(rng.choice(["max", "avg"]), k, rng.randint(1, 3), rng.randint(0, k // 2))
                )
        try:
            rows = rf.receptive_field(layers, (40, 36))
        except ValueError:
            continue
        h, w = rows[-1].out_size
        for unit in [(0, 0), (h - 1, w - 1), (h // 2, w // 3)]:
            check = rf.rf_check(layers, (40, 36), unit)
            assert check.agree, (layers, unit)  # also when a corner unit sees nothing but padding
        done += 1


def test_dilated_fields_have_gaps_that_the_gradient_confirms() -> None:
    check = rf.rf_check([rf.Layer("conv", 3, 1, 0, 4)], (20, 20))
    row = check.gradient[check.unit[0] + 4]
    assert (row > 0).sum() == 3  # 3 taps, 4 pixels apart, inside a 9-pixel field


def test_explorer_stack_and_errors() -> None:
    cfg = explorer.ExplorerConfig(kernel_size=5, stride=2, padding=2, pool="max")
    layers = rf.rf_stack("the explorer's conv + pool", 2, cfg)
    assert [lay.kind for lay in layers] == ["conv", "max", "conv", "max"]
    with pytest.raises(ValueError, match=r"layer 8 \(max-pool 2×2 s2 p0\) on a 1×1 input: .*empty"):
        rf.receptive_field(rf.rf_stack("3×3 conv + 2×2 max-pool", 4), (8, 8))
    with pytest.raises(ValueError, match="unknown preset"):
        rf.rf_stack("nope", 1)


def test_pictures_and_figures() -> None:
    img = image_sources.load_image("camera").pixels
    check = rf.rf_check(rf.rf_stack(rf.RF_PRESETS[1], 2), img.shape)
    pic = explorer_figures.rf_picture(img, check, scale=1)
    assert pic.shape == (*img.shape, 3) and pic.dtype == np.uint8
    assert np.shape(explorer_figures.kernel_figure(kernels.make_kernel("sharpen", 3)).data[0].z) == (3, 3)
    rows = rf.receptive_field(rf.rf_stack(rf.RF_PRESETS[0], 4), img.shape)
    assert list(explorer_figures.rf_growth_figure(rows).data[0].y) == [3, 5, 7, 9]
    assert "| 4 | conv 3×3 s1 p1 | 256×256 | 1 | 9 |" in explorer_figures.rf_markdown(rows)


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(v) for v in colour[colour.index("(") + 1 : -1].split(","))


@pytest.mark.parametrize("validated", [False, True])
def test_kernel_heatmap_draws_negative_weights_blue_and_positive_red(validated: bool) -> None:
    """As the signed response maps beside it: −1 blue, 0 white, +1 red, whether or not plotly resolves
    the figure (a named scale means opposite things to plotly.js and to plotly.py's validation)."""
    fig = explorer_figures.kernel_figure(np.array([[-2.0, 0.0, 1.0]] * 3))
    if validated:
        fig = go.Figure(fig.to_dict())
    trace = fig.data[0]
    assert not trace.reversescale and trace.zmin == -2.0 and trace.zmax == 2.0 and trace.zmid == 0.0
    (lo_at, lo), (mid_at, mid), (hi_at, hi) = [tuple(c) for c in trace.colorscale]
    assert (lo_at, mid_at, hi_at) == (0.0, 0.5, 1.0)
    (r0, _, b0), (r1, _, b1) = _rgb(lo), _rgb(hi)
    assert b0 > r0 and r1 > b1 and min(_rgb(mid)) > 240
    assert tuple(explorer_figures.to_rgb(np.array([[-1.0, 1.0]]), signed=True, percentile=None)[0, 0]) == (
        pytest.approx(33, abs=10), pytest.approx(102, abs=10), pytest.approx(171, abs=10))


def test_repeated_dilation_grids_and_exponential_dilation_covers_every_pixel() -> None:
    # d = 1, 2, 4 (Yu & Koltun 2016) sees every pixel of its field; d = 2 at every layer skips every other
    # row and column (gridding): 120 of the 13×13 pixels after three layers.
    exponential = rf.rf_check(rf.rf_stack("dilated 3×3 (d = 1, 2, 4, …)", 3), (96, 80))
    gridding = rf.rf_check(rf.rf_stack("dilated 3×3, d = 2 every layer (gridding)", 3), (96, 80))
    assert exponential.gaps == 0 and exponential.agree
    assert gridding.agree and gridding.gaps == 13 * 13 - 7 * 7
    assert "Repeating the *same* dilation" in explorer.NOTES["dilation"]


# -- CNN Explainer: one output pixel's arithmetic ------------------------------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        explorer.ExplorerConfig(),
        explorer.ExplorerConfig(kernel="random", kernel_size=5, stride=2, padding=3, dilation=2, relu=True),
    ],
)
def test_patch_arithmetic_sums_to_the_output_pixel_shown(cfg: explorer.ExplorerConfig) -> None:
    from core.cnn import explainer

    img = np.random.default_rng(0).random((31, 23)).astype(np.float32)
    res = explorer.explore(img, cfg)
    oh, ow = res.conv.shape
    for r, c in [(0, 0), (oh // 2, ow // 3), (oh - 1, ow - 1)]:
        pa = explainer.patch_arithmetic(res, cfg, r, c)
        assert pa.matches, (r, c, pa.total, pa.shown)
        np.testing.assert_allclose(pa.products, pa.patch * pa.kernel)
        assert pa.total == pytest.approx(pa.products.sum())
        # the taps in the padding read 0; the others read the image, unflipped (cross-correlation)
        y0, x0 = pa.top, pa.left
        if y0 >= 0 and x0 >= 0:
            assert pa.patch[0, 0] == pytest.approx(img[y0, x0])
    assert "= " in explainer.sum_latex(pa) and f"{pa.total:.4g}" in explainer.sum_latex(pa)
    with pytest.raises(ValueError, match="outside"):
        explainer.patch_arithmetic(res, cfg, oh, 0)


# -- effective receptive field (Luo et al. 2016) ---------------------------------------------------------


def test_effective_field_of_the_shipped_cnn_is_smaller_than_its_theoretical_box(one_thread: None) -> None:
    from core import checkpoints, data
    from core.cnn import effective_rf

    model = checkpoints.load_model("cnn-fashion-mnist")
    erf = effective_rf.effective_rf(model, data.load("fashion-mnist", "test").X[:64])
    assert erf.theoretical == 10 and erf.unit == (3, 3)  # 2 x (conv 3x3 + pool 2): 3 → 4 → 8 → 10
    assert np.isfinite(erf.grad).all() and erf.grad.max() == pytest.approx(1.0)
    assert erf.outside == 0.0  # no path, no gradient
    assert erf.mass_side(0.5) < erf.theoretical  # half the gradient in a smaller central square
    fig = effective_rf.erf_figure(erf)
    assert fig.layout.shapes[0].x1 - fig.layout.shapes[0].x0 == erf.theoretical
