"""CNN Explainer views (Wang et al. 2020), computed on this course's own images and shipped model.

- :func:`patch_arithmetic`: for one output pixel of the explorer's convolution, the input patch under the
  kernel's taps, the kernel, their element-wise products and the sum, which *is* the output value (it is
  checked against the map the page shows, so the arithmetic cannot drift from the picture).
- :func:`activation_rows`: one image's activations through every layer of a shipped CNN, a few channels
  per layer, as small pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.cnn.convnet import ConvNet
from core.cnn.explorer import ExplorerConfig, ExplorerResult
from core.cnn.explorer_figures import BLUE_WHITE_RED, to_rgb
from core.cnn.inspection import feature_maps
from core.cnn.trainer_figures import tile
from core.viz.style import fast_figure


@dataclass(frozen=True)
class PatchArithmetic:
    """out[row, col] = Σ kernel ⊙ patch (cross-correlation: the kernel is not flipped)."""

    row: int
    col: int
    """Output pixel."""
    top: int
    left: int
    """Input coordinate of the kernel's first tap (negative inside the zero padding)."""
    patch: np.ndarray
    """(kh, kw) input values under the taps; 0 where a tap lands in the padding."""
    kernel: np.ndarray
    """(kh, kw) weights."""
    products: np.ndarray
    """patch * kernel."""
    total: float
    """Sum of the products: the convolution's value before any ReLU."""
    shown: float
    """The value of the map the page shows at (row, col) (after the ReLU if it is on)."""
    relu: bool
    """Whether a ReLU follows (then shown = max(total, 0))."""

    @property
    def matches(self) -> bool:
        expected = max(self.total, 0.0) if self.relu else self.total
        tolerance = 1e-4 * max(1.0, abs(expected))  # float32 map vs float64 sum
        return bool(np.isfinite(self.total)) and abs(expected - self.shown) <= tolerance


def patch_arithmetic(res: ExplorerResult, cfg: ExplorerConfig, row: int, col: int) -> PatchArithmetic:
    """The kernel x patch arithmetic behind output pixel (row, col) of ``res.conv``."""
    oh, ow = res.conv.shape
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"output pixel ({row}, {col}) is outside the {oh}×{ow} map")
    kernel = np.asarray(res.kernel, dtype=np.float64)
    kh, kw = kernel.shape
    h, w = res.image.shape
    top, left = row * cfg.stride - cfg.padding, col * cfg.stride - cfg.padding
    rows = top + cfg.dilation * np.arange(kh)
    cols = left + cfg.dilation * np.arange(kw)
    inside = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :]
    patch = np.zeros((kh, kw))
    rr, cc = np.nonzero(inside)
    patch[rr, cc] = res.image[rows[rr], cols[cc]]
    products = patch * kernel
    return PatchArithmetic(
        row, col, int(top), int(left), patch, kernel, products, float(products.sum()),
        float(res.conv[row, col]), cfg.relu,
    )  # fmt: skip


def arithmetic_figure(pa: PatchArithmetic) -> go.Figure:
    """Patch, kernel and products side by side as annotated heat maps (values written in each cell)."""
    traces = []
    annotate = pa.kernel.shape[0] <= 5
    for i, (name, z) in enumerate((("patch", pa.patch), ("kernel", pa.kernel), ("products", pa.products))):
        top = float(np.abs(z).max()) or 1.0
        t = {"type": "heatmap", "z": z.tolist(), "zmin": -top, "zmax": top, "colorscale": BLUE_WHITE_RED,
             "showscale": False, "xaxis": f"x{i + 1}", "yaxis": f"y{i + 1}", "name": name,
             "hovertemplate": name + " %{z:.3g}<extra></extra>"}  # fmt: skip
        if annotate:
            t.update(text=[[f"{v:.2g}" for v in r] for r in z], texttemplate="%{text}")
        traces.append(t)
    axes: dict = {}
    for i, name in enumerate(("patch (input)", "× kernel", "= products")):
        dom = [i / 3 + 0.02, (i + 1) / 3 - 0.02]
        axes[f"xaxis{i + 1}"] = {"domain": dom, "showticklabels": False, "title": name}
        axes[f"yaxis{i + 1}"] = {"anchor": f"x{i + 1}", "autorange": "reversed", "showticklabels": False,
                                 "scaleanchor": f"x{i + 1}"}  # fmt: skip
    return fast_figure(traces, f"Output pixel ({pa.row}, {pa.col}): sum of products = {pa.total:.4g}",
                       height=300, **axes)  # fmt: skip


def sum_latex(pa: PatchArithmetic, terms: int = 3) -> str:
    """The sum written out (the first ``terms`` products: more would not fit a projector's line)."""
    pairs = [f"({k:.2g})({x:.2g})" for k, x in zip(pa.kernel.ravel(), pa.patch.ravel(), strict=True)]
    more = rf" + \dots\ ({len(pairs) - terms}\ \text{{more}})" if len(pairs) > terms else ""
    shown = " + ".join(pairs[:terms]) + more
    relu = rf" \;\xrightarrow{{\text{{ReLU}}}}\; {pa.shown:.4g}" if pa.relu else ""
    return rf"\text{{out}}[{pa.row}, {pa.col}] = {shown} = {pa.total:.4g}{relu}"


def activation_rows(
    model: ConvNet, image: np.ndarray, channels: int = 4
) -> list[tuple[str, str, np.ndarray]]:
    """(layer name, 'C@HxW', RGB picture of its first ``channels`` maps) for every layer of every conv
    block: each map scaled on its own (red +, blue −), all rows drawn at the same width (84 px a map)."""
    rows = []
    for fm in feature_maps(model, image):
        c, h, w = fm.maps.shape
        grid = tile(fm.maps[:channels], cols=channels, pad=1, diverging=True)
        rows.append((fm.name, f"{c}@{h}x{w}", to_rgb(np.nan_to_num(grid), max(1, 84 // h), percentile=None)))
    return rows


def predict(model: ConvNet, image: np.ndarray) -> np.ndarray:
    """Class probabilities of one (H, W) image."""
    import torch

    from core.cnn.convnet import as_tensor

    with torch.no_grad():
        x = as_tensor(np.asarray(image)).reshape(1, 1, *np.asarray(image).shape[-2:])
        return torch.softmax(model.eval()(x), dim=1)[0].numpy()
