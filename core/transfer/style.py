"""Deep features as a perceptual loss: texture synthesis and neural style transfer.

* Texture synthesis (Gatys, Ecker & Bethge 2015, "Texture Synthesis Using Convolutional Neural Networks"):
  a texture is summarised by the Gram matrices of a network's feature maps (which channels fire together,
  wherever they fire); an image starting as white noise is optimised until its Gram matrices match.
* Neural style transfer (Gatys, Ecker & Bethge 2016, "Image Style Transfer Using Convolutional Neural
  Networks"): the same style loss plus a content loss, the distance between the feature maps of a deeper
  layer of the image and of a content photo, so the layout stays and the texture changes.

Both papers use VGG-19 (:mod:`core.transfer.vgg`: ``conv1_1`` ... ``conv5_1``, torchvision's weights
through the torch hub cache). Its ImageNet weights do not ship with the gallery; where they cannot be had,
:func:`resolve` falls back to the intermediate feature maps of the bundled EfficientNet-Lite0
(:mod:`core.transfer.backbone`), stages 1-5 of its ``blocks``, and says why. Each layer's loss is divided
by the size of its target (``||G - A||^2 / ||A||^2``): the Lite0 stages end in linear bottlenecks whose
scales differ by orders of magnitude (VGG's ReLU layers by less), and relative errors give every chosen
layer a say, so the weights below mean the same whatever network and layers are chosen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from PIL import Image

from core import checkpoints
from core.checks import choice, number, whole_number
from core.data import images
from core.transfer import backbone as bb
from core.transfer import vgg
from core.transfer.preprocess import to_rgb

LAYERS: dict[str, str] = {
    "blocks.0": "stage 1 (1/2, 16 ch)",
    "blocks.1": "stage 2 (1/4, 24 ch)",
    "blocks.2": "stage 3 (1/8, 40 ch)",
    "blocks.3": "stage 4 (1/16, 80 ch)",
    "blocks.4": "stage 5 (1/16, 112 ch)",
}
"""The EfficientNet-Lite0 stages whose outputs can serve the losses (shallow to deep), labelled with
their resolution relative to the input and their channel count."""
STYLE_LAYERS = ("blocks.0", "blocks.1", "blocks.2", "blocks.3")
"""Default style layers: shallow ones for colour and fine grain, deeper ones for larger motifs (as Gatys
et al. use conv1_1 ... conv5_1 of VGG-19)."""
CONTENT_LAYER = "blocks.3"
"""Default content layer: deep enough to keep the layout but not the exact pixels (VGG's conv4_2)."""
NETWORKS = {vgg.NAME: "VGG-19 (as Gatys et al.)", bb.DEFAULT: "EfficientNet-Lite0 (bundled)"}
"""The networks whose features can serve the losses; VGG-19 first, as in the papers."""
LAYER_SETS: dict[str, dict[str, str]] = {vgg.NAME: vgg.LAYERS, bb.DEFAULT: LAYERS}
DEFAULT_LAYERS: dict[str, tuple[tuple[str, ...], str]] = {
    vgg.NAME: (vgg.STYLE_LAYERS, vgg.CONTENT_LAYER),
    bb.DEFAULT: (STYLE_LAYERS, CONTENT_LAYER),
}
"""(style layers, content layer) each network starts with."""
MODES = {"texture": "Texture synthesis", "style": "Style transfer"}
OPTIMISERS = {"lbfgs": "L-BFGS (as Gatys et al.)", "adam": "Adam"}
SIZE = (128, 256, 192)
"""Long side of the synthesised image in pixels (min, max, default); steps of :data:`SIZE_STEP`."""
SIZE_STEP = 32
ITERATIONS = (10, 300, 100)
"""Optimisation steps (each one forward and backward pass)."""
STYLE_WEIGHTS = (0.1, 1.0, 10.0, 100.0, 1_000.0)
"""Weight of the style loss (the content loss weighs :data:`CONTENT_WEIGHTS`)."""
CONTENT_WEIGHTS = (0.0, 0.1, 1.0, 10.0)
LEARNING_RATES = {"lbfgs": 1.0, "adam": 0.03}
"""Step sizes on pixels in [0, 1]: L-BFGS takes full quasi-Newton steps; Adam moves ~3 levels of 100."""
SEED = (0, 9999, 0)
TIME_BUDGET_S = 60.0
"""Wall-time bound of one run on two shared cores; it stops there and keeps the image it has."""
MAX_TIME_BUDGET_S = 600.0
"""The longest budget a run accepts (the page and the endpoint give TIME_BUDGET_S)."""
PREVIEW_EVERY = 5
"""Publish the image being optimised every this many steps (a PNG for the page costs ~ms)."""


@dataclass(frozen=True)
class StyleConfig:
    """One synthesis; :meth:`checked` refuses values out of the page's ranges."""

    mode: str = "style"
    """'texture' (style loss only, from noise) or 'style' (style + content, from the content photo)."""
    size: int = SIZE[2]
    """Long side of the output in pixels."""
    iterations: int = ITERATIONS[2]
    style_weight: float = 10.0
    content_weight: float = 1.0
    style_layers: tuple[str, ...] = STYLE_LAYERS
    content_layer: str = CONTENT_LAYER
    optimiser: str = "lbfgs"
    seed: int = SEED[2]
    """Seeds the starting noise of a texture (a style transfer starts from the content photo)."""
    time_budget_s: float = TIME_BUDGET_S
    network: str = bb.DEFAULT
    """A key of :data:`NETWORKS`; the layers are names of that network's :data:`LAYER_SETS`."""

    def checked(self) -> StyleConfig:
        """This config with its values as the controls give them; ValueError naming one out of range."""
        network = choice(self.network, "network", NETWORKS)
        layers = tuple(LAYER_SETS[network])
        if not self.style_layers:
            raise ValueError("choose at least one style layer")
        return replace(
            self, mode=choice(self.mode, "mode", MODES), network=network,
            time_budget_s=number(self.time_budget_s, "time budget (s)", 0, MAX_TIME_BUDGET_S, above=True),
            optimiser=choice(self.optimiser, "optimiser", OPTIMISERS),
            style_weight=choice(self.style_weight, "style weight", STYLE_WEIGHTS),
            content_weight=choice(self.content_weight, "content weight", CONTENT_WEIGHTS),
            content_layer=choice(self.content_layer, "content layer", layers),
            style_layers=tuple(choice(layer, "style layer", layers) for layer in self.style_layers),
            size=whole_number(self.size, "image size", *SIZE[:2]),
            iterations=whole_number(self.iterations, "iterations", *ITERATIONS[:2]),
            seed=whole_number(self.seed, "seed", *SEED[:2]))


def gram(features: torch.Tensor) -> torch.Tensor:
    """Gram matrices (B, C, C) of feature maps (B, C, H, W): ``G[i, j] = sum_p F[i, p] F[j, p] / (H W)``.

    Summing over positions p throws away where things are and keeps which channels fire together (Gatys
    et al. 2015, eq. 1); dividing by H W makes it a mean, so a style photo of another size matches."""
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)


def resolve(network: str) -> tuple[bb.Backbone, str | None]:
    """The network ``network`` or, when VGG-19's weights cannot be had, the bundled Lite0 and why."""
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, not {network!r}")
    if network == bb.DEFAULT:
        return bb.load_backbone(bb.DEFAULT), None
    try:
        return vgg.load_vgg19(), None
    except (bb.BackboneUnavailable, checkpoints.CheckpointError) as exc:
        return bb.load_backbone(bb.DEFAULT), (
            f"VGG-19 is unavailable: {exc}. Using {bb.BACKBONES[bb.DEFAULT].title}, its stages 1-5 standing "
            "in for VGG's conv layers."
        )


def feature_maps(
    model: torch.nn.Module, x: torch.Tensor, layers: Sequence[str], network: str = bb.DEFAULT
) -> dict[str, torch.Tensor]:
    """Outputs of ``layers`` of ``network`` for a normalised batch, running no deeper than needed."""
    if network == vgg.NAME:
        return vgg.feature_maps(model, x, layers)
    deepest = max(int(name.split(".")[1]) for name in layers)
    out: dict[str, torch.Tensor] = {}
    x = model.bn1(model.conv_stem(x))
    for i, block in enumerate(model.blocks[: deepest + 1]):
        x = block(x)
        if f"blocks.{i}" in layers:
            out[f"blocks.{i}"] = x
    return out


def resized(image: Image.Image | images.DecodedImage | np.ndarray, long_side: int) -> np.ndarray:
    """float32 (H, W, 3) in [0, 1], the long side scaled to ``long_side`` (aspect kept)."""
    rgb = to_rgb(image)
    scale = long_side / max(rgb.size)
    size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
    return np.asarray(rgb.resize(size, Image.Resampling.BICUBIC), np.float32) / 255.0


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """A (1, 3, H, W) image in [0, 1] as uint8 (H, W, 3), for the page."""
    return (x.detach()[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255 + 0.5).astype(np.uint8)


class Synthesis:
    """The image being optimised, its targets and its optimiser; :meth:`step` takes one step.

    The pixels themselves are the parameters (in [0, 1], clamped after each step); the network is frozen.
    """

    def __init__(
        self,
        cfg: StyleConfig,
        style: np.ndarray,
        content: np.ndarray | None = None,
        backbone: bb.Backbone | None = None,
    ) -> None:
        self.cfg = cfg
        self.backbone = backbone or (vgg.load_vgg19() if cfg.network == vgg.NAME else bb.load_backbone())
        if self.backbone.name != cfg.network:
            raise ValueError(f"the layers are {cfg.network}'s, the network given is {self.backbone.name}")
        info = self.backbone.info
        self._mean = torch.tensor(info.mean).view(1, 3, 1, 1)
        self._std = torch.tensor(info.std).view(1, 3, 1, 1)
        self.use_content = cfg.mode == "style" and cfg.content_weight > 0
        self.layers = tuple(dict.fromkeys((*cfg.style_layers, *((cfg.content_layer,) if self.use_content
                                                                   else ()))))  # fmt: skip
        with torch.no_grad():
            feats = self._features(_tensor(style))
            self.gram_targets = {k: gram(feats[k]) for k in cfg.style_layers}
            self.content_target = None
            if cfg.mode == "style":
                if content is None:
                    raise ValueError("style transfer needs a content image")
                start = _tensor(content)
                if self.use_content:
                    self.content_target = self._features(start)[cfg.content_layer]
            else:
                g = torch.Generator().manual_seed(cfg.seed)
                # A square of white noise around mid-grey, where Gatys et al. 2015 start.
                start = (0.5 + 0.1 * torch.randn(1, 3, cfg.size, cfg.size, generator=g)).clamp(0, 1)
        self.image = start.clone().requires_grad_(True)
        if cfg.optimiser == "lbfgs":
            # One function evaluation per step, so a step costs what an Adam step costs and Stop/preview
            # come as often; the curvature history carries across steps.
            self.opt: torch.optim.Optimizer = torch.optim.LBFGS(
                [self.image], lr=LEARNING_RATES["lbfgs"], max_iter=1, history_size=20
            )
        else:
            self.opt = torch.optim.Adam([self.image], lr=LEARNING_RATES["adam"])

    def _features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return feature_maps(self.backbone.model, (x - self._mean) / self._std, self.layers, self.cfg.network)

    def losses(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(total, style, content) of the current image; content is 0 for a texture."""
        feats = self._features(self.image)
        style = sum(
            ((gram(feats[k]) - a).pow(2).sum() / a.pow(2).sum()) for k, a in self.gram_targets.items()
        ) / len(self.gram_targets)
        content = torch.zeros(())
        if self.content_target is not None:
            p = self.content_target
            content = (feats[self.cfg.content_layer] - p).pow(2).sum() / p.pow(2).sum()
        return self.cfg.style_weight * style + self.cfg.content_weight * content, style, content

    def step(self) -> dict[str, float]:
        """One optimisation step; the losses of the image it started from."""
        seen: dict[str, float] = {}

        def closure() -> torch.Tensor:
            self.opt.zero_grad()
            total, style, content = self.losses()
            total.backward()
            seen.update(loss=float(total.detach()), style_loss=float(style.detach()),
                        content_loss=float(content.detach()))
            return total

        with self.backbone.lock:  # attribution pages hook into the shared modules; never run beside them
            self.opt.step(closure)
        with torch.no_grad():
            self.image.clamp_(0, 1)
        return seen


@dataclass(frozen=True, eq=False)
class StyleResult:
    image: np.ndarray = field(repr=False)
    """uint8 (H, W, 3): the synthesised image."""
    history: dict[str, list[float]] = field(repr=False)
    """Per step: 'iteration', 'loss', 'style_loss', 'content_loss'."""
    steps: int
    seconds: float
    status: str
    """'completed', 'stopped' (by the user), 'time limit' or 'diverged'."""
    layers: str
    """The layers used, for the caption."""
    mode: str = "style"
    network: str = bb.BACKBONES[bb.DEFAULT].title
    """The network whose features made the losses."""


def run(
    cfg: StyleConfig,
    style: Image.Image | images.DecodedImage | np.ndarray,
    content: Image.Image | images.DecodedImage | np.ndarray | None = None,
    job: object | None = None,
    backbone: bb.Backbone | None = None,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
) -> StyleResult:
    """Synthesise a texture of ``style`` or paint ``content`` in its style, bounded by the time budget.

    ``job`` (a :class:`core.jobs.Job`) gets progress, the losses per step and the image every
    :data:`PREVIEW_EVERY` steps as the artifact 'image', and can stop the run."""
    cfg = cfg.checked()
    torch.manual_seed(cfg.seed)
    style_px = resized(style, cfg.size)
    content_px = resized(content, cfg.size) if content is not None else None
    synth = Synthesis(cfg, style_px, content_px, backbone)
    history: dict[str, list[float]] = {}
    start, status, i = time.perf_counter(), "completed", 0
    for i in range(1, cfg.iterations + 1):
        if job is not None and job.should_stop():  # type: ignore[attr-defined]
            status, i = "stopped", i - 1
            break
        losses = synth.step()
        if not math.isfinite(losses["loss"]):
            status = "diverged"
            break
        for k, v in {"iteration": i, **losses}.items():
            history.setdefault(k, []).append(float(v))
        if on_step is not None:
            on_step(i, losses)
        elapsed = time.perf_counter() - start
        if job is not None:
            job.report(i / cfg.iterations, f"step {i} of {cfg.iterations}: loss {losses['loss']:.4g} "  # type: ignore[attr-defined]
                       f"({elapsed:.0f} s)", iteration=i, **losses)  # fmt: skip
            if i % PREVIEW_EVERY == 0 or i == 1:
                job.publish("image", to_uint8(synth.image))  # type: ignore[attr-defined]
        if elapsed > cfg.time_budget_s and i < cfg.iterations:
            status = "time limit"
            break
    used = ", ".join(LAYER_SETS[cfg.network][k].split(" (")[0] for k in synth.layers)
    return StyleResult(to_uint8(synth.image), history, i, time.perf_counter() - start, status, used, cfg.mode,
                       synth.backbone.info.title)  # fmt: skip


def _tensor(px: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(px)).permute(2, 0, 1).unsqueeze(0).contiguous()
