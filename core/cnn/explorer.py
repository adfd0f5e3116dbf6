"""Convolution explorer: output-size formulas, a bank of kernels, convolution / pooling / transposed
convolution of real images, and receptive fields of layer stacks (lecture 3).

Everything runs through ``torch.nn.functional`` (the same code a CNN runs), on one grey channel of at
most 256 px, under ``torch.no_grad``: a full recompute stays far below the 100 ms a slider allows
(``bench/bench_lecture3_explorer.py``). Note that deep-learning "convolution" is cross-correlation:
the kernel is not flipped (Goodfellow, Bengio & Courville 2016, section 9.1).
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from core.cnn.conv import conv_output_size, conv_transpose_output_size, pool_output_size
from core.viz.style import base_layout

MAX_SIDE = 256
"""Images are downscaled to this long side: the explorer must answer in well under 100 ms."""
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Uploads above 10 MB are refused (the same limit as the apps' server settings)."""
MAX_UPLOAD_PIXELS = 50_000_000
"""Refuse images whose header claims more pixels than this before decoding them (decompression bombs)."""

# --------------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------------

LEARNED = "learned (shipped CNN)"
KERNELS: tuple[str, ...] = (
    "edge (Sobel x)",
    "edge (Sobel y)",
    "edge (Laplacian)",
    "blur (box)",
    "blur (Gaussian)",
    "sharpen",
    "identity",
    "random",
    LEARNED,
)
"""Kernel names the explorer offers."""
LEARNED_CHECKPOINT = "cnn-fashion-mnist"
"""Shipped checkpoint whose first convolution provides the learned filters."""


class FiltersUnavailable(RuntimeError):
    """The shipped CNN checkpoint (for learned filters) cannot be loaded; the message says why."""


def _grid(size: int) -> np.ndarray:
    return np.arange(size, dtype=np.float64) - (size - 1) / 2.0


def _gaussian(size: int) -> np.ndarray:
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV's default sigma for a k-tap Gaussian
    g = np.exp(-(_grid(size) ** 2) / (2 * sigma**2))
    return np.outer(g, g) / np.outer(g, g).sum()


@functools.lru_cache(maxsize=256)
def _kernel(name: str, size: int, seed: int) -> np.ndarray:
    if size < 1:
        raise ValueError(f"kernel size must be ≥ 1, got {size}")
    delta = np.zeros((size, size))
    delta[(size - 1) // 2, (size - 1) // 2] = 1.0
    least = {"edge (Sobel x)": 2, "edge (Sobel y)": 2, "edge (Laplacian)": 3}.get(name, 1)
    if size < least:  # a derivative needs two taps, a second derivative three
        raise ValueError(f"{name} needs a kernel of at least {least}×{least}; k is {size}")
    if name in ("edge (Sobel x)", "edge (Sobel y)"):
        if size == 3:
            k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)  # Sobel & Feldman 1968
        else:  # derivative of a Gaussian: the Sobel kernel's smooth generalisation to any size
            g = _gaussian(size)
            k = g * _grid(size)[None, :]
            k *= 4.0 / k[k > 0].sum()  # the positive taps sum to 4, like Sobel's
        return (k if name.endswith("x)") else k.T).astype(np.float32)
    if name == "edge (Laplacian)":
        if size == 3:
            return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32)
        xx, yy = np.meshgrid(_grid(size), _grid(size))
        sigma = max(size / 6.0, 0.5)
        r2 = (xx**2 + yy**2) / (2 * sigma**2)
        k = (r2 - 1) * np.exp(-r2)  # Laplacian of a Gaussian (Marr & Hildreth 1980), sign as the 3×3
        k -= k.mean()  # zero sum: a flat region gives exactly 0
        return (k * 4.0 / k[k > 0].sum()).astype(np.float32)
    if name == "blur (box)":
        return np.full((size, size), 1.0 / size**2, dtype=np.float32)
    if name == "blur (Gaussian)":
        return _gaussian(size).astype(np.float32)
    if name == "sharpen":  # unsharp masking: the image plus (image − blurred image)
        return (2 * delta - (_gaussian(size) if size > 1 else delta)).astype(np.float32)
    if name == "identity":
        return delta.astype(np.float32)
    if name == "random":  # He et al. 2015 scaling: variance 2 / fan-in
        rng = np.random.default_rng(seed)
        return (rng.standard_normal((size, size)) * math.sqrt(2.0 / size**2)).astype(np.float32)
    raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}")


def make_kernel(name: str, size: int = 3, seed: int = 0, index: int = 0) -> np.ndarray:
    """A (size × size) float32 kernel by name; ``learned`` ignores ``size`` (the CNN fixed it) and takes
    filter number ``index`` of the shipped CNN's first convolution. The result is read-only."""
    if name == LEARNED:
        bank = learned_filters()
        return bank[index % len(bank)]
    k = _kernel(name, int(size), int(seed))
    k.flags.writeable = False
    return k


@functools.lru_cache(maxsize=4)
def learned_filters(checkpoint: str = LEARNED_CHECKPOINT) -> np.ndarray:
    """The first ``nn.Conv2d`` of a shipped CNN as (filters, kh, kw), summed over its input channels
    (what the filter computes on a grey image copied into every channel)."""
    from core import checkpoints

    try:
        model = checkpoints.load_model(checkpoint)
    except (checkpoints.CheckpointError, ImportError, AttributeError, KeyError, TypeError) as exc:
        raise FiltersUnavailable(
            f"The learned filters come from the shipped CNN '{checkpoint}', which is not available yet: "
            f"{exc}. Meanwhile, pick another kernel."
        ) from exc
    conv = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    if conv is None:
        raise FiltersUnavailable(f"the checkpoint '{checkpoint}' has no Conv2d layer")
    bank = conv.weight.detach().float().sum(dim=1).numpy().copy()
    bank.flags.writeable = False
    return bank


# --------------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------------

PHOTOS: tuple[str, ...] = (
    "camera",
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "coins",
    "brick",
    "text",
    "checkerboard",
    "moon",
)
"""scikit-image sample photos that ship inside the package (no download)."""
DATASETS: dict[str, str] = {
    "MNIST digit": "mnist",
    "Fashion-MNIST item": "fashion-mnist",
    "8×8 digit": "digits",
}
"""Explorer sources served by ``core.data`` (test split), by label."""
SOURCES: tuple[str, ...] = PHOTOS + tuple(DATASETS)
"""Every built-in image source, by name."""


@dataclass(frozen=True, eq=False)
class SourceImage:
    """A grey image ready for the explorer."""

    pixels: np.ndarray
    """float32 (H, W) in [0, 1], long side ≤ MAX_SIDE, read-only."""
    label: str
    """What it is (e.g. 'MNIST test image 3, a 7')."""
    provenance: str
    """Where it came from (package, data set source)."""


def _grey_thumbnail(img: Image.Image, max_side: int) -> np.ndarray:

    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16/32-bit: rescale its own range to [0, 1]
        a = np.asarray(img, dtype=np.float32)
        lo, hi = float(a.min()), float(a.max())
        img = Image.fromarray(((a - lo) / (hi - lo if hi > lo else 1.0) * 255).astype(np.uint8))
    elif img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")  # transparent pixels shown on white, as a browser does
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(canvas, rgba)
    img = img.convert("L")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # keeps the aspect ratio
    a = np.asarray(img, dtype=np.float32) / 255.0
    a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=64)
def load_image(source: str, index: int = 0, max_side: int = MAX_SIDE) -> SourceImage:
    """A built-in image (see ``SOURCES``): a scikit-image photo, or test image ``index`` of a data set."""

    if source in PHOTOS:
        import skimage.data

        raw = getattr(skimage.data, source)()
        if raw.dtype == bool:
            raw = raw.astype(np.uint8) * 255
        pixels = _grey_thumbnail(Image.fromarray(raw), max_side)
        return SourceImage(
            pixels,
            f"'{source}' photo",
            f"scikit-image {_version('skimage')} sample data (skimage.data.{source})",
        )
    if source in DATASETS:
        from core import data

        ds = data.load(DATASETS[source], "test")
        i = int(index) % len(ds)
        pixels = np.ascontiguousarray(ds.X[i, 0], dtype=np.float32)
        pixels.flags.writeable = False
        return SourceImage(pixels, f"{source}: test image {i}, a '{ds.classes[int(ds.y[i])]}'", ds.provenance)
    raise ValueError(f"unknown image source {source!r}; choose one of {', '.join(SOURCES)}")


def _version(module: str) -> str:
    import importlib

    return getattr(importlib.import_module(module), "__version__", "")


def load_upload(data: bytes, name: str = "upload", max_side: int = MAX_SIDE) -> SourceImage:
    """Validate and decode an uploaded image: ≤ 10 MB, decodable, grey, long side ≤ ``max_side``.

    Raises ValueError with a message meant for the user for an empty, oversized, corrupt or
    non-image file.
    """
    if data is None or len(data) == 0:
        raise ValueError(
            f"'{name}' is empty (0 bytes): choose an image file (PNG, JPEG, GIF, BMP, TIFF or WebP)"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(
            f"'{name}' is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB"
        )
    return _decode_upload(hashlib.sha256(data).hexdigest(), bytes(data), name, max_side)


@functools.lru_cache(maxsize=8)
def _decode_upload(digest: str, data: bytes, name: str, max_side: int) -> SourceImage:
    from PIL import UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        w, h = img.size
        if w * h > MAX_UPLOAD_PIXELS:
            raise ValueError(
                f"'{name}' claims {w}×{h} pixels (over {MAX_UPLOAD_PIXELS // 10**6} million); "
                "refusing to decode it"
            )
        img.seek(0)  # first frame of an animation
        img.load()
        pixels = _grey_thumbnail(img, max_side)
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(
            f"'{name}' is not a readable image (PNG, JPEG, GIF, BMP, TIFF or WebP): {exc}"
        ) from None
    return SourceImage(
        pixels,
        f"your upload '{name}'",
        f"uploaded file, {w}×{h} px, shown at {pixels.shape[1]}×{pixels.shape[0]} grey",
    )


# --------------------------------------------------------------------------------------------------
# The explorer: convolution → (ReLU) → pooling → transposed convolution
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplorerConfig:
    """Every setting of the convolution explorer."""

    kernel: str = "edge (Sobel x)"
    """Kernel name (``KERNELS``)."""
    kernel_size: int = 3
    """Kernel side k (ignored by learned filters, whose size the CNN fixed)."""
    stride: int = 1
    """Step s between neighbouring kernel positions."""
    padding: int = 1
    """Zero rows/columns p added on each side."""
    dilation: int = 1
    """Spacing d between kernel taps: the kernel spans d(k−1)+1 pixels with only k² weights."""
    relu: bool = False
    """Apply max(0, ·) after the convolution, as a CNN layer does."""
    pool: str = "none"
    """'none', 'max' or 'avg' pooling after the convolution."""
    pool_size: int = 2
    """Pooling window side."""
    pool_stride: int = 2
    """Pooling stride."""
    transposed: bool = False
    """Add a transposed convolution (uniform kernel) after the last stage."""
    t_kernel: int = 3
    """Transposed convolution kernel side."""
    t_stride: int = 2
    """Transposed convolution stride (the upsampling factor)."""
    t_padding: int = 0
    """Transposed convolution padding (crops the output)."""
    t_output_padding: int = 0
    """Extra rows/columns on one side of the transposed output."""
    seed: int = 0
    """Seed of the random kernel."""
    filter_index: int = 0
    """Which learned filter of the shipped CNN."""


@dataclass(frozen=True, eq=False)
class ExplorerResult:
    """What the explorer computed (arrays are float32, (H, W))."""

    image: np.ndarray
    """The input."""
    kernel: np.ndarray
    """The kernel used."""
    conv: np.ndarray
    """Convolution output (after ReLU if chosen)."""
    pooled: np.ndarray | None
    """Pooling output, or None."""
    transposed: np.ndarray | None
    """Transposed convolution output, or None."""
    overlap: np.ndarray | None
    """How many kernel placements add into each transposed output pixel (uneven = checkerboard)."""
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    """(H, W) of every stage, by stage name."""
    conv_params: int = 0
    """Weights of this convolution: k² + 1 bias, whatever the image size (weight sharing)."""
    dense_params: int = 0
    """Weights of a fully connected layer with the same input and output sizes."""
    elapsed_ms: float = 0.0
    """Wall time of the computation."""


def explore(image: np.ndarray, cfg: ExplorerConfig) -> ExplorerResult:
    """Run the explorer's pipeline on a grey (H, W) image. Raises ValueError naming an impossible setting."""
    t0 = time.perf_counter()
    kernel = make_kernel(cfg.kernel, cfg.kernel_size, cfg.seed, cfg.filter_index)
    h, w = image.shape
    kh, kw = kernel.shape
    try:
        oh = conv_output_size(h, kh, cfg.stride, cfg.padding, cfg.dilation)
        ow = conv_output_size(w, kw, cfg.stride, cfg.padding, cfg.dilation)
    except ValueError as exc:
        raise ValueError(f"convolution: {exc}") from None
    sizes = {"input": (h, w), "convolution": (oh, ow)}
    with torch.no_grad():
        x = torch.tensor(image, dtype=torch.float32)[None, None]  # a copy: cached images are read-only
        y = F.conv2d(
            x,
            torch.from_numpy(np.array(kernel))[None, None],
            stride=cfg.stride,
            padding=cfg.padding,
            dilation=cfg.dilation,
        )
        if cfg.relu:
            y = F.relu(y)
        conv, last, pooled = y, y, None
        if cfg.pool != "none":
            try:
                sizes["pooling"] = tuple(
                    pool_output_size(n, cfg.pool_size, cfg.pool_stride) for n in last.shape[-2:]
                )  # type: ignore[assignment]
            except ValueError as exc:
                raise ValueError(f"pooling: {exc}") from None
            pool = F.max_pool2d if cfg.pool == "max" else F.avg_pool2d
            last = pooled = pool(last, cfg.pool_size, cfg.pool_stride)
        transposed = overlap = None
        if cfg.transposed:
            k, s = cfg.t_kernel, cfg.t_stride
            try:
                sizes["transposed"] = tuple(  # type: ignore[assignment]
                    conv_transpose_output_size(n, k, s, cfg.t_padding, 1, cfg.t_output_padding)
                    for n in last.shape[-2:]
                )
            except ValueError as exc:
                raise ValueError(f"transposed convolution: {exc}") from None
            ones = torch.ones(1, 1, k, k)
            # A uniform kernel scaled so that an even overlap keeps the brightness (Odena et al. 2016).
            gain = math.ceil(k / s) ** 2
            kw_ = dict(stride=s, padding=cfg.t_padding, output_padding=cfg.t_output_padding)
            transposed = F.conv_transpose2d(last, ones / gain, **kw_)
            overlap = F.conv_transpose2d(torch.ones_like(last), ones, **kw_)
    n_out = sizes["convolution"][0] * sizes["convolution"][1]
    return ExplorerResult(
        image=image,
        kernel=np.asarray(kernel),
        conv=_np(conv),
        pooled=_np(pooled),
        transposed=_np(transposed),
        overlap=_np(overlap),
        sizes=sizes,
        conv_params=kh * kw + 1,
        dense_params=(h * w + 1) * n_out,
        elapsed_ms=(time.perf_counter() - t0) * 1e3,
    )


def _np(t: torch.Tensor | None) -> np.ndarray | None:
    return None if t is None else t[0, 0].numpy()


# --------------------------------------------------------------------------------------------------
# Receptive fields (Araujo, Norris & Sim, "Computing receptive fields of convolutional neural
# networks", Distill 2019):  r_l = r_{l-1} + (k_eff − 1)·j_{l-1},  j_l = j_{l-1}·s_l,
# start_l = start_{l-1} + ((k_eff − 1)/2 − p_l)·j_{l-1},  with k_eff = d(k−1)+1 and r_0 = j_0 = 1.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One layer of a stack, as far as geometry is concerned."""

    kind: str
    """'conv', 'max' or 'avg' (pooling)."""
    kernel: int
    """Kernel / window side."""
    stride: int = 1
    """Stride."""
    padding: int = 0
    """Zero padding on each side."""
    dilation: int = 1
    """Dilation (convolutions only)."""

    @property
    def label(self) -> str:
        name = "conv" if self.kind == "conv" else f"{self.kind}-pool"
        extra = f" d{self.dilation}" if self.dilation > 1 else ""
        return f"{name} {self.kernel}×{self.kernel} s{self.stride} p{self.padding}{extra}"


@dataclass(frozen=True)
class RFRow:
    """Geometry after one layer of a stack."""

    layer: str
    """The layer's label."""
    out_size: tuple[int, int]
    """(H, W) of its output."""
    jump: int
    """Input pixels between neighbouring output units (product of strides)."""
    rf: int
    """Receptive field side in input pixels."""
    start: float
    """Input coordinate of the centre of the first output unit's field (may be < 0: padding)."""


def receptive_field(layers: Sequence[Layer], shape: tuple[int, int]) -> tuple[RFRow, ...]:
    """The receptive-field table of a stack on an (H, W) input; ValueError if a layer's output is empty."""
    rows: list[RFRow] = []
    r, j, start, (h, w) = 1, 1, 0.0, shape
    for i, lay in enumerate(layers, 1):
        d = lay.dilation if lay.kind == "conv" else 1
        try:
            if lay.kind == "conv":
                h, w = (conv_output_size(n, lay.kernel, lay.stride, lay.padding, d) for n in (h, w))
            else:
                h, w = (pool_output_size(n, lay.kernel, lay.stride, lay.padding) for n in (h, w))
        except ValueError as exc:
            raise ValueError(f"layer {i} ({lay.label}) on a {h}×{w} input: {exc}") from None
        k_eff = d * (lay.kernel - 1) + 1
        start += ((k_eff - 1) / 2 - lay.padding) * j
        r += (k_eff - 1) * j
        j *= lay.stride
        rows.append(RFRow(lay.label, (h, w), j, r, start))
    return tuple(rows)


RF_PRESETS: tuple[str, ...] = (
    "3×3 convolutions",
    "3×3 conv + 2×2 max-pool",
    "dilated 3×3 (d = 1, 2, 4, …)",
    "5×5 conv, stride 2",
    "the explorer's conv + pool",
)
"""Stacks the receptive-field panel offers (each repeated ``repeats`` times)."""


def rf_stack(preset: str, repeats: int, cfg: ExplorerConfig | None = None) -> tuple[Layer, ...]:
    """A layer stack: ``preset`` (``RF_PRESETS``) repeated ``repeats`` times."""
    cfg = cfg or ExplorerConfig()
    out: list[Layer] = []
    for i in range(repeats):
        if preset == RF_PRESETS[0]:
            out.append(Layer("conv", 3, 1, 1))
        elif preset == RF_PRESETS[1]:
            out += [Layer("conv", 3, 1, 1), Layer("max", 2, 2)]
        elif preset == RF_PRESETS[2]:  # Yu & Koltun 2016: exponentially growing field, same weights count
            out.append(Layer("conv", 3, 1, 2**i, 2**i))
        elif preset == RF_PRESETS[3]:
            out.append(Layer("conv", 5, 2, 2))
        elif preset == RF_PRESETS[4]:
            k = cfg.kernel_size if cfg.kernel != LEARNED else learned_filters().shape[-1]
            out.append(Layer("conv", k, cfg.stride, cfg.padding, cfg.dilation))
            if cfg.pool != "none":
                out.append(Layer(cfg.pool, cfg.pool_size, cfg.pool_stride))
        else:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(RF_PRESETS)}")
    return tuple(out)


@dataclass(frozen=True, eq=False)
class RFCheck:
    """The receptive field of one output unit, predicted and measured by backpropagation."""

    unit: tuple[int, int]
    """(row, column) of the output unit in the last layer's map."""
    predicted: np.ndarray
    """bool (H, W): input pixels the recurrence says the unit sees (gaps from dilation included)."""
    gradient: np.ndarray
    """float (H, W): |∂ output unit / ∂ input|."""
    box: tuple[float, float, float, float]
    """(top, left, bottom, right) of the field in input coordinates, before clipping to the image."""
    agree: bool
    """True if the non-zero gradient is exactly the predicted set of pixels."""


def _taps_1d(layers: Sequence[Layer], sizes: Sequence[int], unit: int) -> np.ndarray:
    """Input positions (bool mask) that output ``unit`` depends on along one axis.

    Walks the stack top-down: a unit at o of layer l reads positions o·s − p + d·t (t < k) of the layer
    below, keeping only those inside that map — a tap that lands in zero padding leads nowhere, which is
    why units near the border see less than the full field. ``sizes`` are the map lengths from the
    input (sizes[0]) to the last output.
    """
    pos = np.array([unit], dtype=np.int64)
    for lay, n_in in zip(reversed(layers), reversed(sizes[:-1]), strict=False):
        d = lay.dilation if lay.kind == "conv" else 1
        pos = np.unique(
            (pos[:, None] * lay.stride - lay.padding + d * np.arange(lay.kernel)[None, :]).ravel()
        )
        pos = pos[(pos >= 0) & (pos < n_in)]
    mask = np.zeros(sizes[0], dtype=bool)
    mask[pos] = True
    return mask


def rf_check(layers: Sequence[Layer], shape: tuple[int, int], unit: tuple[int, int] | None = None) -> RFCheck:
    """Backpropagate from one output unit (default: the centre one) through the stack with all-positive
    weights, so that no path can cancel; max-pooling becomes average pooling (same window, but the
    gradient flows to every input of the window instead of only the maximum). Cached per stack."""
    return _rf_check(tuple(layers), (int(shape[0]), int(shape[1])), None if unit is None else tuple(unit))


@functools.lru_cache(maxsize=64)
def _rf_check(layers: tuple[Layer, ...], shape: tuple[int, int], unit: tuple[int, int] | None) -> RFCheck:
    rows = receptive_field(layers, shape)
    (oh, ow), r, start, j = rows[-1].out_size, rows[-1].rf, rows[-1].start, rows[-1].jump
    unit = unit or ((oh - 1) // 2, (ow - 1) // 2)
    # float32 is exact enough: every path product is positive, so nothing cancels to a false zero.
    x = torch.ones(1, 1, *shape, requires_grad=True)
    y = x
    for lay in layers:  # only the input needs a gradient: weight gradients would cost as much again
        if lay.kind == "conv":
            w = torch.ones(1, 1, lay.kernel, lay.kernel)
            y = F.conv2d(y, w, stride=lay.stride, padding=lay.padding, dilation=lay.dilation)
        else:
            y = F.avg_pool2d(y, lay.kernel, lay.stride, lay.padding)
    y[0, 0, unit[0], unit[1]].backward()
    grad = x.grad[0, 0].abs().numpy()  # type: ignore[union-attr]
    grad.flags.writeable = False
    heights, widths = [shape[0]] + [r.out_size[0] for r in rows], [shape[1]] + [r.out_size[1] for r in rows]
    predicted = np.outer(_taps_1d(layers, heights, unit[0]), _taps_1d(layers, widths, unit[1]))
    cy, cx = start + unit[0] * j, start + unit[1] * j
    half = (r - 1) / 2
    box = (cy - half, cx - half, cy + half, cx + half)
    return RFCheck(unit, predicted, grad, box, bool(np.array_equal(grad > 0, predicted)))


# --------------------------------------------------------------------------------------------------
# Pictures (uint8 arrays for st.image / gr.Image, plotly for small things)
# --------------------------------------------------------------------------------------------------


def display_scale(shape: tuple[int, int], target: int = MAX_SIDE) -> int:
    """Integer upscaling so that a small image (a 28×28 digit) shows at about ``target`` px."""
    return max(1, target // max(shape))


def _diverging_lut() -> np.ndarray:
    v = np.linspace(-1.0, 1.0, 255)[:, None]  # odd length: entry 127 is exactly 0 (white)
    white, red, blue = np.array([1.0, 1, 1]), np.array([0.84, 0.19, 0.15]), np.array([0.13, 0.4, 0.67])
    rgb = np.where(v >= 0, white + v * (red - white), white - v * (blue - white))
    return (rgb * 255).round().astype(np.uint8)


_DIVERGING = _diverging_lut()  # blue (−), white (0), red (+) as a 255-entry table: one gather per map
_GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def to_rgb(
    a: np.ndarray, scale: int = 1, signed: bool | None = None, percentile: float | None = 99.5
) -> np.ndarray:
    """A map as uint8 RGB: grey for non-negative maps, blue–white–red for signed ones (white = 0).

    Colours are scaled to the ``percentile`` of |a| (None: to the maximum): an edge map is mostly near
    zero with a few strong responses, and scaling to the single largest one would wash it out.
    Nearest-neighbour upscaling by ``scale`` keeps pixels visible as squares.
    """
    a = np.asarray(a, dtype=np.float32)
    mag = np.abs(a)
    top = float(mag.max())
    if percentile is not None and a.size > 64:
        top = float(np.percentile(mag, percentile)) or top
    top = top or 1.0
    signed = bool(a.min() < -1e-6 * top) if signed is None else signed
    if signed:
        idx = np.clip((a / top + 1.0) * 127.0 + 0.5, 0, 254).astype(np.uint8)
        img = _DIVERGING[idx]
    else:
        img = _GREY[np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8)]
    return img.repeat(scale, 0).repeat(scale, 1) if scale > 1 else img


def rf_picture(image: np.ndarray, check: RFCheck, scale: int = 1) -> np.ndarray:
    """The input with the unit's gradient tinted orange and the predicted field's box outlined (cached:
    the explorer's sliders rerun the page without changing the field; the result is read-only)."""
    a = np.ascontiguousarray(image, dtype=np.float32)
    return _rf_picture(a.tobytes(), a.shape, check, scale)


@functools.lru_cache(maxsize=16)
def _rf_picture(raw: bytes, shape: tuple[int, int], check: RFCheck, scale: int) -> np.ndarray:
    image = np.frombuffer(raw, dtype=np.float32).reshape(shape)
    grey = np.repeat(image[..., None], 3, axis=2) * 0.6
    g = (check.gradient / (check.gradient.max() or 1.0))[..., None]
    tint = np.array([0.9, 0.62, 0.0], dtype=np.float32)
    rgb = grey * (1 - g * 0.8) + tint * (g * 0.8 + 0.2 * (g > 0))
    img = (np.clip(rgb, 0, 1) * 255).astype(np.uint8).repeat(scale, 0).repeat(scale, 1)
    h, w = shape
    top, left, bottom, right = check.box
    y0, x0 = max(0, math.floor(top)) * scale, max(0, math.floor(left)) * scale
    y1, x1 = (min(h - 1, math.ceil(bottom)) + 1) * scale - 1, (min(w - 1, math.ceil(right)) + 1) * scale - 1
    if y0 <= y1 and x0 <= x1:  # the box can lie wholly in the padding for a border unit
        blue = np.array([0, 114, 178], dtype=np.uint8)
        img[[y0, y1], x0 : x1 + 1] = blue
        img[y0 : y1 + 1, [x0, x1]] = blue
    img.flags.writeable = False
    return img


def kernel_figure(kernel: np.ndarray, title: str = "Kernel") -> go.Figure:
    """The kernel's weights as an annotated heatmap (row 0 at the top, as in the image).

    Cached by content: building a plotly figure with the gallery's template costs ~20-30 ms, more than
    the convolution itself, and the kernel rarely changes while other sliders move. Treat the returned
    figure as read-only.
    """
    k = np.ascontiguousarray(kernel, dtype=np.float64)
    return _kernel_figure(k.tobytes(), k.shape, title)


@functools.lru_cache(maxsize=128)
def _kernel_figure(raw: bytes, shape: tuple[int, int], title: str) -> go.Figure:
    k = np.frombuffer(raw, dtype=np.float64).reshape(shape)
    top = float(np.abs(k).max()) or 1.0
    text = [[f"{v:.2g}" for v in row] for row in k] if k.shape[0] <= 7 else None
    fig = go.Figure(
        layout=dict(
            yaxis=dict(autorange="reversed", scaleanchor="x", showticklabels=False),
            xaxis=dict(showticklabels=False),
        )
    )
    base_layout(fig, title, height=260)
    fig.add_heatmap(
        z=k,
        zmin=-top,
        zmax=top,
        colorscale="RdBu",
        reversescale=True,
        text=text,
        texttemplate="%{text}" if text else None,
        showscale=False,
    )
    return fig


@functools.lru_cache(maxsize=64)
def rf_growth_figure(rows: tuple[RFRow, ...]) -> go.Figure:
    """Receptive field and jump after each layer of a stack (cached per stack; treat as read-only)."""
    xs = list(range(1, len(rows) + 1))
    fig = base_layout(
        go.Figure(layout=dict(xaxis=dict(title="layer", tickmode="array", tickvals=xs))),
        "Receptive field growth",
        height=300,
    )
    fig.add_scatter(
        x=xs, y=[r.rf for r in rows], mode="lines+markers", name="receptive field (px)", line=dict(width=3)
    )
    fig.add_scatter(
        x=xs, y=[r.jump for r in rows], mode="lines+markers", name="jump (px)", line=dict(dash="dot")
    )
    return fig


def rf_table(rows: Sequence[RFRow]) -> list[dict[str, object]]:
    """The table as plain records (for gr.Dataframe / st.dataframe)."""
    return [
        {
            "layer": i,
            "type": r.layer,
            "output": f"{r.out_size[0]}×{r.out_size[1]}",
            "jump": r.jump,
            "receptive field": r.rf,
            "first centre": r.start,
        }
        for i, r in enumerate(rows, 1)
    ]


def rf_markdown(rows: Sequence[RFRow]) -> str:
    """The table as Markdown (cheaper to render on every slider move than a data frame)."""
    lines = [
        "| layer | type | output | jump j | receptive field r | first centre |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {i} | {r.layer} | {r.out_size[0]}×{r.out_size[1]} | {r.jump} | {r.rf} | {r.start:g} |"
        for i, r in enumerate(rows, 1)
    ]
    return "\n".join(lines)


NOTES: dict[str, str] = {
    "sharing": (
        "**Weight sharing.** One k×k kernel slides over every position, so the layer has k² + 1 "
        "parameters whatever the image size, and a pattern is detected wherever it appears "
        "(translation equivariance). **Sparse connectivity:** each output sees only k² inputs, not all "
        "of them (LeCun et al. 1998; Goodfellow et al. 2016, ch. 9)."
    ),
    "dilation": (
        "**Dilation** spreads the k taps d pixels apart: the kernel spans d(k−1)+1 pixels with the same "
        "k² weights, so stacking dilations 1, 2, 4, … grows the receptive field exponentially at no "
        "parameter cost (Yu & Koltun 2016), at the price of gaps (the 'gridding' visible in the gradient)."
    ),
    "pooling": (
        "**Pooling** summarises each window (max: is the feature present? average: how much?). It "
        "shrinks the map, adds a little translation invariance and multiplies the jump by its stride."
    ),
    "transposed": (
        "**Transposed convolution** ('deconvolution') is the gradient of a strided convolution: each "
        "input pixel stamps a k×k kernel s pixels apart. When k is not a multiple of s the stamps "
        "overlap unevenly and leave **checkerboard artefacts** (Odena, Dumoulin & Olah 2016); "
        "resize-then-convolve avoids them."
    ),
    "receptive_field": (
        "**Receptive field recurrence** (Araujo et al. 2019): with jump j (input pixels between "
        "neighbouring units), each layer adds d(k−1)·j pixels and multiplies the jump by its stride, "
        "so early strides make every later layer see much further."
    ),
}
"""Short explanations shared by the Streamlit page and the Gradio tab."""


def explorer_summary(res: ExplorerResult) -> str:
    """One Markdown paragraph: the size after each stage and what weight sharing saves."""
    parts = [f"{name} {h}×{w}" for name, (h, w) in res.sizes.items()]
    kh, kw = res.kernel.shape
    return (
        " → ".join(parts) + f". The {kh}×{kw} kernel has {res.conv_params} parameters (with bias); "
        f"a fully connected layer between the same sizes would need {res.dense_params:,}. "
        f"Computed in {res.elapsed_ms:.1f} ms."
    )
