"""What the classifier looked at: four attribution methods from captum, and how faithful each one is.

* Saliency (Simonyan, Vedaldi & Zisserman 2014): |∂ score / ∂ pixel|, the largest over the colour channels.
* Integrated Gradients (Sundararajan, Taly & Yan 2017): the gradient averaged along the straight path from a
  black image to the photo, times the difference; |sum over channels|.
* Grad-CAM (Selvaraju et al. 2017): a layer's feature maps weighted by their average gradient, ReLU,
  upsampled to the input.
* Occlusion (Zeiler & Fergus 2014): how much the class score drops when a grey square hides each region.

Every map is computed on the 224×224 crop the network really sees and put back onto the photo at its own
resolution (:func:`core.transfer.preprocess.paste_map`): pixels outside the crop carry no importance.
The deletion curve (Petsiuk, Das & Saenko 2018) measures faithfulness: hide the most important regions first
and watch the class probability fall; a faithful map makes it fall faster than a random order does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import ImageFilter

from core.checks import whole_number
from core.transfer import backbone as bb
from core.transfer.config import (
    IG_STEPS,
    N_CLASSES,
    OCCLUSION_STRIDE,
    OCCLUSION_WINDOW,
    SIZE_STEP,
    TARGET_RANK,
)
from core.transfer.preprocess import Preprocessed, normalise, paste_map, preprocess

METHODS: dict[str, str] = {
    "saliency": "Saliency (gradient)",
    "integrated_gradients": "Integrated Gradients",
    "gradcam": "Grad-CAM",
    "occlusion": "Occlusion",
}
NOTES = (
    "**Saliency**: |gradient| of the class score per pixel. **Integrated Gradients**: gradients averaged "
    "from a black image to the photo, times the difference (sums to the score change). **Grad-CAM**: a "
    "layer's feature maps weighted by their mean gradient (coarse, class-specific). **Occlusion**: the drop "
    "in score when a grey square hides each region (one forward pass per position)."
)
"""What each method computes, in one paragraph for the pages."""
DELETION_STEPS = 11
"""Points of the deletion curve: 0 %, 10 %, ..., 100 % of the pixels hidden."""
RANDOM_ORDERS = 3
"""Random deletion orders averaged for the reference curve."""
PATCH = 16
"""Side of the square patches the deletion curve hides (14×14 patches on the 224 crop)."""
BLUR_RADIUS = 10
"""Gaussian blur (pixels of the crop) of what a hidden patch shows."""
_BATCH = 16  # images per forward pass in IG and occlusion: bounded memory, good CPU throughput


def check_method(method: object) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown attribution method {method!r}; choose one of {', '.join(METHODS)}")
    return str(method)


def check_params(steps: object, window: object, stride: object) -> tuple[int, int, int]:
    """The IG steps and occlusion window/stride as ints within their ranges (ValueError otherwise)."""
    s = whole_number(steps, "Integrated-Gradients steps", *IG_STEPS[:2])
    w = whole_number(window, "occlusion window", *OCCLUSION_WINDOW[:2])
    st = whole_number(stride, "occlusion stride", *OCCLUSION_STRIDE[:2])
    if w % SIZE_STEP or st % SIZE_STEP:
        raise ValueError(f"the occlusion window and stride must be multiples of {SIZE_STEP} pixels")
    if st > w:
        raise ValueError(
            f"the occlusion stride ({st}) must not exceed the window ({w}): pixels would be skipped"
        )
    return s, w, st


@dataclass(frozen=True, eq=False)
class Explanation:
    """One attribution map with what it explains."""

    method: str
    target: int
    """ImageNet class index explained."""
    crop_map: np.ndarray
    """float32 (224, 224): importance on the crop the network saw."""
    prep: Preprocessed
    seconds: float
    """Time taken by the attribution itself."""

    @property
    def image_map(self) -> np.ndarray:
        """float32 (H, W) at the image's own resolution, zero outside the crop."""
        return paste_map(self.crop_map, self.prep)


def _crop_map(
    model: bb.Backbone,
    x: torch.Tensor,
    method: str,
    target: int,
    steps: int,
    layer: str | None,
    window: int,
    stride: int,
) -> np.ndarray:
    from captum.attr import IntegratedGradients, LayerGradCam, Occlusion, Saliency

    net = model.model
    x = x.detach().clone().requires_grad_(True)  # captum asks for it (and warns otherwise)
    if method == "saliency":
        a = Saliency(net).attribute(x, target=target, abs=True)[0].amax(0)
    elif method == "integrated_gradients":
        ig = IntegratedGradients(net)
        black = bb_black(model, x)
        a = ig.attribute(x, black, target=target, n_steps=steps, internal_batch_size=_BATCH)[0].sum(0).abs()
    elif method == "gradcam":
        module = model.layer(layer or model.info.gradcam_layers[-1][0])
        cam = LayerGradCam(net, module).attribute(x, target=target, relu_attributions=True)
        a = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    else:
        occ = Occlusion(net)
        a = occ.attribute(
            x,
            sliding_window_shapes=(3, window, window),
            strides=(3, stride, stride),
            baselines=0.0,
            target=target,
            perturbations_per_eval=_BATCH,
        )[0].mean(0)
    out = a.detach().float().numpy()
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def bb_black(model: bb.Backbone, x: torch.Tensor) -> torch.Tensor:
    """A black image in the backbone's normalised space (the Integrated-Gradients baseline)."""
    mean = torch.tensor(model.info.mean).view(1, 3, 1, 1)
    std = torch.tensor(model.info.std).view(1, 3, 1, 1)
    return ((0.0 - mean) / std).expand_as(x).contiguous()


def explain(
    image: object,
    method: str,
    target: int | None = None,
    *,
    backbone: bb.Backbone | str = bb.DEFAULT,
    steps: int = IG_STEPS[2],
    layer: str | None = None,
    window: int = OCCLUSION_WINDOW[2],
    stride: int = OCCLUSION_STRIDE[2],
    prep: Preprocessed | None = None,
) -> Explanation:
    """The attribution map of ``method`` for class ``target`` (default: the top class), timed."""
    method = check_method(method)
    steps, window, stride = check_params(steps, window, stride)
    model = backbone if isinstance(backbone, bb.Backbone) else bb.load_backbone(backbone)
    if layer is not None:
        model.layer(layer)  # validates the name before any work
    prep = prep or preprocess(image, model.info)  # type: ignore[arg-type]
    if target is None:
        target = int(bb.forward(model, prep.tensor)[0].argmax())
    target = whole_number(target, "target class", 0, N_CLASSES - 1)
    with model.lock, torch.enable_grad():
        start = time.perf_counter()
        crop_map = _crop_map(model, prep.tensor, method, target, steps, layer, window, stride)
        seconds = time.perf_counter() - start
    return Explanation(method, target, crop_map, prep, seconds)


def attribute(image: object, method: str, target: int | None = None, **options: object) -> np.ndarray:
    """``method`` in 'saliency', 'integrated_gradients', 'gradcam', 'occlusion' -> float32 (H, W) at the
    image's own resolution, larger = more important for ``target`` (default the top class); zero outside
    the centre crop the classifier sees.

    Options: ``backbone``, ``steps``, ``layer``, ``window``, ``stride`` (see :func:`explain`)."""
    return explain(image, method, target, **options).image_map  # type: ignore[arg-type]


@dataclass(frozen=True)
class DeletionCurve:
    """Class probability as a growing fraction of pixels is hidden, by importance and at random."""

    fractions: np.ndarray
    by_importance: np.ndarray
    at_random: np.ndarray
    """Mean over :data:`RANDOM_ORDERS` seeded random orders."""

    @property
    def auc(self) -> float:
        """Area under the importance-ordered curve (lower = more faithful)."""
        return float(np.trapezoid(self.by_importance, self.fractions))

    @property
    def random_auc(self) -> float:
        return float(np.trapezoid(self.at_random, self.fractions))


def deletion_curve(
    exp: Explanation, backbone: bb.Backbone | str = bb.DEFAULT, seed: int = 0
) -> DeletionCurve:
    """Hide the crop's 16×16 patches, most important first and in random orders; the class probability
    after each step.

    A hidden patch shows a blurred copy of the photo (as in Fong & Vedaldi 2017), not grey: grey squares on
    a photo are a pattern of their own that pushes the network towards other classes, which would reward
    scattered (random) deletion for the wrong reason. Patches rather than pixels for the same reason;
    both orders hide the same patches, only the order differs.
    """
    model = backbone if isinstance(backbone, bb.Backbone) else bb.load_backbone(backbone)
    x = exp.prep.tensor
    side = x.shape[-1] // PATCH
    n = side * side
    patch_scores = exp.crop_map[: side * PATCH, : side * PATCH].reshape(side, PATCH, side, PATCH).mean((1, 3))
    rng = np.random.default_rng(seed)
    # Ties (flat regions of Grad-CAM or occlusion maps) are broken at random, not in raster order.
    order = np.lexsort((rng.random(n), -patch_scores.ravel()))
    orders = [order] + [rng.permutation(n) for _ in range(RANDOM_ORDERS)]
    fractions = np.linspace(0.0, 1.0, DELETION_STEPS)
    masks = np.ones((len(orders), DELETION_STEPS, n), np.float32)
    for i, o in enumerate(orders):
        for j, f in enumerate(fractions):
            masks[i, j, o[: int(round(f * n))]] = 0.0
    grid = torch.from_numpy(masks.reshape(-1, 1, side, side))
    pixel_masks = F.interpolate(grid, scale_factor=PATCH, mode="nearest")
    blurred = normalise(exp.prep.crop.filter(ImageFilter.GaussianBlur(BLUR_RADIUS)), model.info)
    batch = x * pixel_masks + blurred * (1.0 - pixel_masks)  # (orders * steps, 3, 224, 224)
    probs = [
        torch.softmax(bb.forward(model, chunk).double(), 1)[:, exp.target]
        for chunk in batch.split(_BATCH * 2)
    ]
    p = torch.cat(probs).numpy().reshape(len(orders), DELETION_STEPS)
    return DeletionCurve(fractions, p[0], p[1:].mean(0))


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several methods explaining the same class of the same image, with their deletion curves."""

    target: int
    target_name: str
    probability: float
    """The backbone's probability of the explained class."""
    explanations: dict[str, Explanation]
    curves: dict[str, DeletionCurve]
    """Empty unless faithfulness was asked for."""


def compare(
    image: object,
    methods: tuple[str, ...] | list[str],
    rank: int = 1,
    *,
    backbone: bb.Backbone | str = bb.DEFAULT,
    steps: int = IG_STEPS[2],
    layer: str | None = None,
    window: int = OCCLUSION_WINDOW[2],
    stride: int = OCCLUSION_STRIDE[2],
    faithfulness: bool = True,
) -> Comparison:
    """Explain the class the backbone ranks ``rank`` (1 = its top class) with each of ``methods``."""
    rank = whole_number(rank, "class rank", *TARGET_RANK[:2])
    methods = [check_method(m) for m in methods]
    model = backbone if isinstance(backbone, bb.Backbone) else bb.load_backbone(backbone)
    prep = preprocess(image, model.info)  # type: ignore[arg-type]
    probs = torch.softmax(bb.forward(model, prep.tensor)[0].double(), 0)
    target = int(torch.argsort(probs, descending=True, stable=True)[rank - 1])
    options = dict(backbone=model, steps=steps, layer=layer, window=window, stride=stride, prep=prep)
    exps = {m: explain(image, m, target, **options) for m in methods}  # type: ignore[arg-type]
    curves = {m: deletion_curve(e, model) for m, e in exps.items()} if faithfulness else {}
    return Comparison(target, bb.class_names()[target], float(probs[target]), exps, curves)


def deletion_verdict(result: Comparison) -> str:
    """The deletion test in words: what it does and which methods beat random order on this image."""
    beaten = [METHODS[m] for m, c in result.curves.items() if c.auc < c.random_auc]
    return (
        f"**Deletion test** (Petsiuk et al. 2018): hide the crop's {PATCH}×{PATCH} patches, most important "
        "first, behind a blurred copy, and watch the class probability. A faithful map makes it fall faster "
        f"than hiding patches in random order (mean of {RANDOM_ORDERS} orders). "
        + (
            f"Here faster than random: {', '.join(beaten)}."
            if beaten
            else "Here no method beats random order."
        )
    )
