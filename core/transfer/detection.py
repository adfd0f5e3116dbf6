"""Object detection, instance and semantic segmentation with torchvision's COCO models.

ImageNet pre-training is where these networks start: each one below puts a detection or segmentation head
on an ImageNet backbone (MobileNetV3, ResNet-50) and is fine-tuned on COCO (Lin et al. 2014).

* boxes: Faster R-CNN (Ren et al. 2015) with a MobileNetV3-Large FPN at 320 px, and SSDlite (Liu et al.
  2016; Howard et al. 2019), the cheapest of torchvision's detectors;
* instance masks: Mask R-CNN (He et al. 2017) with a ResNet-50 FPN, run at 480 px on the short side
  (torchvision's default is 800) so that one picture takes seconds, not tens of seconds, on two cores;
* semantic segmentation: LR-ASPP and DeepLabV3 (Chen et al. 2017) on MobileNetV3-Large, the 20 Pascal VOC
  classes plus background.

None of their weights ships with the gallery: they come only from torchvision's weights API through torch
hub's cache (:mod:`core.transfer.torch_cache`, read weights-only). When a file is neither cached nor
downloadable, :func:`detect` returns an :class:`Unavailable` naming the file, the folder it would be cached
in and the command that fetches it, and nothing else: no boxes are made up.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from core import checkpoints
from core.checks import choice, number, whole_number
from core.data import images
from core.transfer import torch_cache
from core.transfer.preprocess import to_rgb

TASKS = {
    "boxes": "Object detection",
    "instances": "Instance segmentation",
    "semantic": "Semantic segmentation",
}


@dataclass(frozen=True)
class DetectorInfo:
    """One torchvision model the page offers."""

    name: str
    """torchvision's builder name (``torchvision.models.get_model_builder``)."""
    title: str
    task: str
    """A key of :data:`TASKS`."""
    weights: str
    """torchvision's weights enum member, e.g. ``'SSDLite320_MobileNet_V3_Large_Weights.COCO_V1'``."""
    kwargs: tuple[tuple[str, Any], ...] = ()
    """Arguments of the builder beyond torchvision's defaults (why: see the module docstring)."""

    @property
    def tv_weights(self) -> Any:
        return torch_cache.weights(self.weights)

    @property
    def categories(self) -> tuple[str, ...]:
        """Class names in output order, from the weights' metadata (nothing downloaded)."""
        return tuple(self.tv_weights.meta["categories"])

    @property
    def quality(self) -> str:
        """The metrics torchvision publishes for the weights (COCO val2017 AP, VOC mIoU)."""
        metrics = next(iter(self.tv_weights.meta.get("_metrics", {}).values()), {})
        names = {"box_map": "box AP", "mask_map": "mask AP", "miou": "mIoU", "pixel_acc": "pixel accuracy"}
        return ", ".join(f"{names.get(k, k)} {v:g}" for k, v in metrics.items())


SCORE = (0.05, 0.95, 0.5)
"""Score threshold (min, max, default), step :data:`SCORE_STEP`: detections or pixels below it are hidden."""
SCORE_STEP = 0.05
MAX_DETECTIONS = (1, 50, 20)
"""How many detections (or classes, for semantic segmentation) are listed at most."""
MAX_SIDE = 640
"""Long side of the picture the models get: the 320 px detectors and 480 px Mask R-CNN gain nothing from
more, and it bounds the cost of a huge upload (the decoder has already bounded its pixels)."""
MASK_THRESHOLD = 0.5
"""Mask R-CNN's per-pixel probability above which a pixel belongs to the instance (He et al. 2017)."""

_TOP = MAX_DETECTIONS[1]
DETECTORS: dict[str, DetectorInfo] = {
    d.name: d
    for d in (
        DetectorInfo("fasterrcnn_mobilenet_v3_large_320_fpn", "Faster R-CNN, MobileNetV3 320 px", "boxes",
                     "FasterRCNN_MobileNet_V3_Large_320_FPN_Weights.COCO_V1",
                     (("box_score_thresh", SCORE[0]), ("box_detections_per_img", _TOP))),
        DetectorInfo("ssdlite320_mobilenet_v3_large", "SSDlite, MobileNetV3 320 px", "boxes",
                     "SSDLite320_MobileNet_V3_Large_Weights.COCO_V1",
                     (("score_thresh", SCORE[0]), ("detections_per_img", _TOP))),
        DetectorInfo("maskrcnn_resnet50_fpn", "Mask R-CNN, ResNet-50 FPN 480 px", "instances",
                     "MaskRCNN_ResNet50_FPN_Weights.COCO_V1",
                     (("box_score_thresh", SCORE[0]), ("box_detections_per_img", _TOP), ("min_size", 480),
                      ("max_size", MAX_SIDE))),
        DetectorInfo("lraspp_mobilenet_v3_large", "LR-ASPP, MobileNetV3", "semantic",
                     "LRASPP_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1"),
        DetectorInfo("deeplabv3_mobilenet_v3_large", "DeepLabV3, MobileNetV3", "semantic",
                     "DeepLabV3_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1", (("aux_loss", True),)),
    )
}  # fmt: skip
DEFAULT = "fasterrcnn_mobilenet_v3_large_320_fpn"


@dataclass(frozen=True)
class DetectConfig:
    """One detection request; :meth:`checked` refuses values outside the page's ranges."""

    model: str = DEFAULT
    """A key of :data:`DETECTORS`."""
    score_threshold: float = SCORE[2]
    max_detections: int = MAX_DETECTIONS[2]

    def checked(self) -> DetectConfig:
        """This config with its values as the controls give them; ValueError naming one out of range."""
        return replace(self, model=choice(self.model, "model", DETECTORS),
                       score_threshold=number(self.score_threshold, "the score threshold", *SCORE[:2]),
                       max_detections=whole_number(self.max_detections, "max detections",
                                                   *MAX_DETECTIONS[:2]))


@dataclass(frozen=True, eq=False)
class Loaded:
    """A detector in eval mode with its weights' provenance; :attr:`lock` serialises its use."""

    info: DetectorInfo
    model: nn.Module = field(repr=False)
    provenance: str
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True, eq=False)
class DetectResult:
    """What a model found in a picture, above the threshold, best first."""

    info: DetectorInfo
    image: np.ndarray = field(repr=False)
    """uint8 (H, W, 3): the picture the model was given (long side at most :data:`MAX_SIDE`)."""
    labels: tuple[str, ...]
    scores: np.ndarray
    """(N,) in [0, 1]: detection scores, or for semantic segmentation each class's share of the pixels."""
    boxes: np.ndarray
    """(N, 4) float: x0, y0, x1, y1 in pixels of :attr:`image` ((0, 4) for semantic segmentation)."""
    masks: np.ndarray | None = field(repr=False)
    """(N, H, W) bool per instance (instance segmentation only)."""
    segmentation: np.ndarray | None = field(repr=False)
    """(H, W) int class per pixel, -1 where the best class scores below the threshold (semantic only)."""
    candidates: int
    """Detections (or classes) the model returned before the threshold and the count limit."""
    seconds: float
    """Wall time of the model call."""
    provenance: str
    threshold: float
    reused: bool = False
    """The model's answer to this picture was kept from an earlier call (only the cut was redone)."""

    @property
    def count(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Unavailable:
    """The weights a model needs cannot be had here: what is missing, where it would be, how to fetch it."""

    info: DetectorInfo
    file: str
    path: str
    """Where torch hub would cache the file."""
    url: str
    command: str
    reason: str

    @property
    def message(self) -> str:
        return (f"{self.info.title} needs its COCO weights, {self.file}, which are not in the torch hub "
                f"cache ({self.path}), and {self.reason}. No detections are shown without them. On a "
                f"machine online, the page downloads them itself; or fetch {self.url} with\n\n"
                f"{self.command}")  # fmt: skip


def build(info: DetectorInfo) -> nn.Module:
    """The architecture of ``info`` exactly as torchvision builds it for its weights, without any weights."""
    from torchvision.models import get_model_builder

    return get_model_builder(info.name)(weights=None, weights_backbone=None,
                                        num_classes=len(info.categories), **dict(info.kwargs))  # fmt: skip


def load(name: str) -> Loaded | Unavailable:
    """The detector ``name`` with its weights from torch hub's cache (or a download when online)."""
    info = DETECTORS[name]
    w = info.tv_weights
    path = torch_cache.cached_path(w)
    try:
        if not path.is_file():
            _DOWNLOADED[str(path)] = torch_cache.state_dict(w)[1]  # raises WeightsMissing if it cannot
        return _load_cached(name, str(path), path.stat().st_mtime_ns)
    except torch_cache.WeightsMissing as exc:
        return Unavailable(info, exc.file, str(exc.path), exc.url, exc.command, exc.reason)
    except checkpoints.CheckpointError as exc:
        return Unavailable(info, path.name, str(path), w.url, torch_cache.fetch_command(w),
                           f"the cached file was refused: {exc}")  # fmt: skip


@functools.lru_cache(maxsize=2)  # keyed on the file too: a new file in the cache is read again
def _load_cached(name: str, path: str, mtime_ns: int) -> Loaded:
    info = DETECTORS[name]
    state, provenance = torch_cache.state_dict(info.tv_weights)
    model = torch_cache.load_into(build(info), state, info.title)
    if getattr(model, "aux_classifier", None) is not None:
        model.aux_classifier = None  # DeepLabV3's auxiliary head only helps training: never run it here
    return Loaded(info, model, _DOWNLOADED.get(path, provenance))


_DOWNLOADED: dict[str, str] = {}
"""Files this process downloaded, with that provenance (the page says so rather than 'the cache')."""


def picture(image: Image.Image | images.DecodedImage | np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3), the long side scaled down to at most :data:`MAX_SIDE` (never up)."""
    rgb = to_rgb(image)
    scale = min(1.0, MAX_SIDE / max(rgb.size))
    if scale < 1.0:
        rgb = rgb.resize((max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))),
                         Image.Resampling.BILINEAR)  # fmt: skip
    return np.asarray(rgb, np.uint8)


def detect(
    image: Image.Image | images.DecodedImage | np.ndarray, cfg: DetectConfig, reuse: bool = True
) -> DetectResult | Unavailable:
    """Run the model of ``cfg`` on ``image`` (or reuse its answer, see :data:`REUSE`), or say which
    weights are missing."""
    cfg = cfg.checked()
    loaded = load(cfg.model)
    if isinstance(loaded, Unavailable):
        return loaded
    return run(loaded, picture(image), cfg, reuse)


REUSE = 4
"""Model answers kept (the latest pictures): moving the threshold or count slider then costs
milliseconds, not another model call (seconds for Mask R-CNN)."""
_answers: dict[tuple[str, str], tuple[Loaded, dict[str, torch.Tensor], float]] = {}
_answers_lock = threading.Lock()


def model_answer(
    loaded: Loaded, px: np.ndarray, reuse: bool = True
) -> tuple[dict[str, torch.Tensor], float, bool]:
    """The model's answer to a prepared picture before any cut, its wall time, and whether it was reused.

    Boxes: ``boxes``, ``labels``, ``scores`` (and ``masks`` as bool (N, H, W)); semantic segmentation:
    ``prob`` and ``cls``, the largest softmax value and its class per pixel, at the model's resolution."""
    key = (loaded.info.name, hashlib.blake2b(px.tobytes(), digest_size=16).hexdigest() + str(px.shape))
    with _answers_lock:
        hit = _answers.get(key) if reuse else None
    if hit is not None and hit[0] is loaded:
        return hit[1], hit[2], True
    info = loaded.info
    x = info.tv_weights.transforms()(torch.from_numpy(np.array(px)).permute(2, 0, 1))  # a writable copy
    start = time.perf_counter()
    with loaded.lock, torch.inference_mode():
        if info.task == "semantic":
            logits = loaded.model(x.unsqueeze(0))["out"][0]
            prob, cls = logits.softmax(0).max(0)  # one pass each (max + logsumexp took twice as long)
            out = {"prob": prob, "cls": cls}
        else:
            out = loaded.model([x])[0]
            if "masks" in out:
                out["masks"] = out["masks"][:, 0] > MASK_THRESHOLD
    seconds = time.perf_counter() - start
    with _answers_lock:
        _answers[key] = (loaded, out, seconds)
        while len(_answers) > REUSE:
            _answers.pop(next(iter(_answers)))  # the oldest first (dicts keep insertion order)
    return out, seconds, False


def run(loaded: Loaded, px: np.ndarray, cfg: DetectConfig, reuse: bool = True) -> DetectResult:
    """The model's answer to a prepared picture (uint8 (H, W, 3)), cut at the threshold and count."""
    info = loaded.info
    out, seconds, reused = model_answer(loaded, px, reuse)
    if info.task == "semantic":
        return _semantic(loaded, px, out, cfg, seconds, reused)
    scores = out["scores"].numpy()
    keep = np.flatnonzero(scores >= cfg.score_threshold)[: cfg.max_detections]  # torchvision sorts them
    names = info.categories
    h, w = px.shape[:2]
    boxes = out["boxes"].numpy()[keep].astype(np.float64)
    boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
    boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
    masks = out["masks"][keep].numpy() if "masks" in out else None
    labels = tuple(names[int(i)] for i in out["labels"][keep])
    return DetectResult(info, px, labels, scores[keep], boxes, masks, None, len(scores), seconds,
                        loaded.provenance, cfg.score_threshold, reused)


def _semantic(
    loaded: Loaded, px: np.ndarray, out: dict[str, torch.Tensor], cfg: DetectConfig, seconds: float,
    reused: bool,
) -> DetectResult:
    h, w = px.shape[:2]
    seg = torch.where(out["prob"] >= cfg.score_threshold, out["cls"], torch.full_like(out["cls"], -1))
    if seg.shape != (h, w):  # the models' transform resized the short side to 520 px: back to the picture
        seg = torch.nn.functional.interpolate(seg[None, None].float(), size=(h, w), mode="nearest")
        seg = seg[0, 0].long()
    seg = seg.numpy()
    counts = np.bincount(seg[seg > 0].ravel(), minlength=len(loaded.info.categories))  # 0 is background
    present = [int(c) for c in np.argsort(-counts, kind="stable") if counts[c] > 0]
    shown = present[: cfg.max_detections]
    names = loaded.info.categories
    return DetectResult(loaded.info, px, tuple(names[c] for c in shown),
                        np.array([counts[c] / seg.size for c in shown]), np.zeros((0, 4)), None, seg,
                        len(present), seconds, loaded.provenance, cfg.score_threshold, reused)  # fmt: skip
