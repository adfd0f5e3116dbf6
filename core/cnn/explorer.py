"""Convolution explorer (lecture 3): convolution → (ReLU) → pooling → transposed convolution of a real image.

Everything runs through ``torch.nn.functional`` (the same code a CNN runs), on one grey channel of at
most 256 px, under ``torch.no_grad``: a full recompute stays far below the 100 ms a slider allows
(``bench/bench_lecture3_explorer.py``). Kernels are in :mod:`core.cnn.kernels`, images in
:mod:`core.cnn.image_sources`, receptive fields in :mod:`core.cnn.receptive_field`, pictures in
:mod:`core.cnn.explorer_figures`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from core.cnn.conv import conv_output_size, conv_transpose_output_size, pool_output_size
from core.cnn.kernels import make_kernel


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


NOTES: dict[str, str] = {
    "sharing": (
        "**Weight sharing.** One k×k kernel slides over every position, so the layer has k² + 1 "
        "parameters whatever the image size, and a pattern is detected wherever it appears "
        "(translation equivariance). **Sparse connectivity:** each output sees only k² inputs, not all "
        "of them (LeCun et al. 1998; Goodfellow et al. 2016, ch. 9)."
    ),
    "correlation": (
        "**Convolution is cross-correlation here.** What deep learning calls convolution (``nn.Conv2d``, "
        "and every image on this page) is cross-correlation: out[i, j] = Σ over u, v of "
        "K[u, v] · x[i·s + d·u − p, j·s + d·v − p], the kernel laid on the image *as it is*. The "
        "convolution of signal processing flips the kernel first (K[−u, −v]); for a learned kernel the "
        "flip changes nothing a network can represent, so libraries skip it (Goodfellow, Bengio & "
        "Courville 2016, §9.1)."
    ),
    "dilation": (
        "**Dilation** spreads the k taps d pixels apart: the kernel spans d(k−1)+1 pixels with the same "
        "k² weights, so stacking dilations 1, 2, 4, … grows the receptive field exponentially at no "
        "parameter cost (Yu & Koltun 2016) and still covers every pixel. Repeating the *same* dilation "
        "leaves gaps: with d = 2 at every layer each unit sees only every other row and column of its "
        "field (the 'gridding' of Wang et al. 2018; pick that stack below and look at the gradient)."
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
