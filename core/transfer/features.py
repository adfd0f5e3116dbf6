"""Deep features of small grey images from a frozen ImageNet backbone, cached per image.

Fashion-MNIST's 28×28 grey images are upsampled (bilinear) to :data:`INPUT_SIZE` px, copied into the
three colour channels and normalised as the backbone expects. The backbone is split in two
(:data:`SPLITS`):

* the **trunk** is never trained here; its output map per image is what :class:`FeatureCache` keeps.
  EfficientNet-Lite0 (bundled): stem and stages 1-6 (``blocks[:6]``), a (192, 4, 4) map;
  ResNet-18 (the homework's network, from the hub cache): stem and ``layer1``-``layer3``, (256, 7, 7);
* the **tail** is what "fine-tune the last block" trains; run frozen and average-pooled, it gives the
  numbers a linear probe reads (DeCAF: Donahue et al. 2014, "a deep convolutional activation feature for
  generic visual recognition"). EfficientNet-Lite0: stage 7, the 1×1 ``conv_head`` to 1,280 channels and
  its batch norm; ResNet-18: ``layer4``, 512 channels.

Caching the trunk's output, not the pooled vector, serves both the probe and the last-block fine-tuning
from one forward pass per image: those two methods then cost milliseconds per epoch instead of a full
backbone pass per image and epoch.
"""

from __future__ import annotations

import copy
import hashlib
import math
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.transfer import backbone as bb

INPUT_SIZE = 112
"""Side of the backbone's input. Measured on two busy shared cores (bench/bench_transfer.py): the trunk
costs 220-290 ms per image at 224 px and 29-40 ms at 112 px (7-8x less), so the 2,000 held-out images take
about a minute instead of eight; 112 still leaves a 4×4 map after the last stage, and a 28 px image holds
no detail that 224 px would reveal."""
LAST_BLOCK = 6
"""Index of the last stage of EfficientNet-Lite0 (``blocks.6``: 192 -> 320 channels)."""
SPLITS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "efficientnet_lite0": (("conv_stem", "bn1", *(f"blocks.{i}" for i in range(LAST_BLOCK))),
                           (f"blocks.{LAST_BLOCK}", "conv_head", "bn2")),
    "resnet18": (("conv1", "bn1", "act1", "maxpool", "layer1", "layer2", "layer3"), ("layer4",)),
}
"""(trunk, tail) module paths of each backbone, in forward order (timm's module names)."""
CACHE_BYTES = 128 * 2**20
"""Bound of the trunk-feature cache: ~10,900 images of 12 KB (the test subset, 1,000 training images
and their augmented views fit)."""
BATCH = 64
"""Images per trunk forward pass."""

Progress = Callable[[int, int], bool]
"""(images done, images in all) -> False to stop."""


class Stopped(RuntimeError):
    """Feature extraction was asked to stop."""


def to_input(x: Tensor, info: bb.BackboneInfo, size: int = INPUT_SIZE) -> Tensor:
    """(B, 1, 28, 28) in [0, 1] -> (B, 3, size, size) normalised with the backbone's mean and std."""
    up = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).clamp_(0.0, 1.0)
    mean = torch.tensor(info.mean, dtype=up.dtype).view(1, 3, 1, 1)
    std = torch.tensor(info.std, dtype=up.dtype).view(1, 3, 1, 1)
    return (up.expand(-1, 3, -1, -1) - mean) / std


def _parts(backbone_name: str, model: nn.Module, which: int) -> list[nn.Module]:
    if backbone_name not in SPLITS:
        raise ValueError(f"the transfer homework has no trunk/tail split for {backbone_name!r}; "
                         f"choose one of {', '.join(SPLITS)}")
    return [model.get_submodule(path) for path in SPLITS[backbone_name][which]]


def _trunk(backbone: bb.Backbone, x: Tensor) -> Tensor:
    for part in _parts(backbone.name, backbone.model, 0):
        x = part(x)
    return x


def freeze_batchnorm(module: nn.Module) -> None:
    """Batch norm layers of ``module`` keep the ImageNet statistics while it trains: batches of a few
    labelled images would give noisy estimates that replace them."""
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


class Tail(nn.Module):
    """The backbone's tail (copied; see :data:`SPLITS`), global average pool, new head.

    The copied batch norms keep their ImageNet statistics (they stay in eval mode even while training):
    with 10-1,000 images, batch statistics of a 32-image batch would be noisier than the ImageNet ones.
    """

    def __init__(self, model: nn.Module, n_classes: int, train_body: bool,
                 backbone_name: str = bb.DEFAULT) -> None:  # fmt: skip
        super().__init__()
        parts = _parts(backbone_name, model, 1)
        self.body = nn.Sequential(*(copy.deepcopy(p) for p in parts))
        self.body.requires_grad_(train_body)
        self.head = nn.Linear(model.num_features, n_classes)

    def train(self, mode: bool = True) -> Tail:
        super().train(mode)
        freeze_batchnorm(self.body)
        return self

    def features(self, mid: Tensor) -> Tensor:
        """(B, C, h, w) trunk maps -> (B, F) pooled features (F: 1,280 or 512)."""
        return self.body(mid).mean((2, 3))

    def forward(self, mid: Tensor) -> Tensor:
        return self.head(self.features(mid))


class FeatureCache:
    """Trunk features per image (keyed by the image's bytes and the backbone), least recently used first
    out once :attr:`max_bytes` is exceeded. Thread-safe: pages and Gradio share one process."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[bytes, Tensor] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: bytes) -> Tensor | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: bytes, value: Tensor) -> None:
        size = value.numel() * value.element_size()
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.bytes -= 0 if old is None else old.numel() * old.element_size()
            self._items[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, gone = self._items.popitem(last=False)
                self.bytes -= gone.numel() * gone.element_size()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


CACHE = FeatureCache()


_TOKENS: weakref.WeakKeyDictionary[nn.Module, str] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _token(backbone: bb.Backbone) -> str:
    """A name for these very weights: the bundled ones are always the same (their features outlive a
    reload); two loads of a hub network (another cache, another revision) never share cached features."""
    if backbone.info.hub_repo is None:
        return backbone.name
    with _LOCK:
        return _TOKENS.setdefault(backbone.model, f"{backbone.name}/{uuid.uuid4().hex}")


def _key(token: str, image: np.ndarray) -> bytes:
    h = hashlib.blake2b(np.ascontiguousarray(image, np.float32).tobytes(), digest_size=16)
    h.update(f"{token}/{INPUT_SIZE}".encode())
    return h.digest()


def trunk_features(
    backbone: bb.Backbone, X: np.ndarray, progress: Progress | None = None, cache: FeatureCache = CACHE
) -> Tensor:
    """(N, 1, 28, 28) images in [0, 1] -> (N, C, h, w) trunk maps; only images not in the cache are run.

    ``progress`` is told after each batch and may stop the work (raises :class:`Stopped`)."""
    _parts(backbone.name, backbone.model, 0)  # an unknown backbone is refused before any work
    token = _token(backbone)
    keys = [_key(token, img) for img in X]
    found = [cache.get(k) for k in keys]
    todo = [i for i, f in enumerate(found) if f is None]
    for start in range(0, len(todo), BATCH):
        idx = todo[start : start + BATCH]
        x = to_input(torch.from_numpy(np.ascontiguousarray(X[idx], np.float32)), backbone.info)
        with backbone.lock, torch.inference_mode():
            maps = _trunk(backbone, x)
        for i, m in zip(idx, maps):
            found[i] = m.clone()
            cache.put(keys[i], found[i])
        if progress is not None and not progress(start + len(idx), len(todo)):
            raise Stopped("stopped on request")
    if not found:
        return torch.zeros((0, 1, 1, 1))
    return torch.stack(found)  # type: ignore[arg-type]


@torch.no_grad()
def pooled(tail: Tail, mids: Tensor, batch: int = 500) -> Tensor:
    """(N, F) pooled features of trunk maps through ``tail``'s body (eval mode)."""
    tail.eval()
    return torch.cat([tail.features(mids[i : i + batch]) for i in range(0, len(mids), batch)]) if len(
        mids
    ) else torch.zeros((0, tail.head.in_features))


def deep_features(backbone: bb.Backbone, X: np.ndarray, progress: Progress | None = None) -> np.ndarray:
    """(N, F) float32: what a linear probe reads, from the frozen backbone (F: 1,280 or 512)."""
    return pooled(frozen_tail(backbone), trunk_features(backbone, X, progress)).numpy()


_TAILS: weakref.WeakKeyDictionary[nn.Module, Tail] = weakref.WeakKeyDictionary()


def frozen_tail(backbone: bb.Backbone) -> Tail:
    """The backbone's own tail (shared, never trained; its head is unused)."""
    with _LOCK:
        if backbone.model not in _TAILS:
            _TAILS[backbone.model] = Tail(backbone.model, 10, False, backbone.name).eval()
        return _TAILS[backbone.model]


PROJECTIONS = {"pca": "PCA", "tsne": "t-SNE"}
"""2D projections of the feature map (scikit-learn; UMAP is not in the stack)."""


@dataclass(frozen=True, eq=False)
class FeatureMap:
    """Held-out images projected to 2D (PCA or t-SNE), from raw pixels and from deep features."""

    raw: np.ndarray
    """(N, 2) projection of the 784 pixels."""
    deep: np.ndarray
    """(N, 2) projection of the pooled backbone features."""
    y: np.ndarray
    classes: tuple[str, ...]
    explained: tuple[float, float]
    """Variance explained by the two components (raw, deep); NaN for t-SNE, which keeps neighbourhoods,
    not variance."""
    neighbours: tuple[float, float]
    """Leave-one-out 5-nearest-neighbour accuracy in each 2D map (raw, deep): how well classes separate."""
    n_features: int = 1280
    """Length of the deep feature vector (1,280 for EfficientNet-Lite0, 512 for ResNet-18)."""
    projection: str = "pca"
    """One of :data:`PROJECTIONS`."""


def _knn_accuracy(points: np.ndarray, y: np.ndarray, k: int = 5) -> float:
    d = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    votes = y[np.argsort(d, axis=1)[:, :k]]
    pred = np.array([np.bincount(v, minlength=int(y.max()) + 1).argmax() for v in votes])
    return float((pred == y).mean())


_PROJECTED: OrderedDict[bytes, tuple[np.ndarray, float]] = OrderedDict()


def _project(values: np.ndarray, projection: str) -> tuple[np.ndarray, float]:
    """(N, 2) map and explained variance (NaN for t-SNE), seeded; the last few are kept, since t-SNE of
    1,000 points takes seconds and a page reruns on every widget change."""
    key = hashlib.blake2b(values.tobytes(), digest_size=16, person=projection.encode()[:16]).digest()
    with _LOCK:
        if key in _PROJECTED:
            return _PROJECTED[key]
    if projection == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=0).fit(values)
        out = (pca.transform(values).astype(np.float32), float(pca.explained_variance_ratio_.sum()))
    else:
        from sklearn.manifold import TSNE

        # Perplexity at most a third of the points (scikit-learn's bound); PCA start for stable layouts.
        tsne = TSNE(2, perplexity=min(30.0, (len(values) - 1) / 3), init="pca", random_state=0)
        out = (tsne.fit_transform(values.astype(np.float64)).astype(np.float32), math.nan)
    with _LOCK:
        _PROJECTED[key] = out
        while len(_PROJECTED) > 8:
            _PROJECTED.popitem(last=False)
    return out


def feature_map(
    X: np.ndarray, y: np.ndarray, classes: tuple[str, ...], progress: Progress | None = None,
    backbone: bb.Backbone | None = None, projection: str = "pca",
) -> FeatureMap:
    """PCA or t-SNE (scikit-learn, fixed seed) of the images' pixels and of their deep features."""
    if projection not in PROJECTIONS:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS)}, not {projection!r}")
    backbone = backbone or bb.load_backbone(bb.DEFAULT)
    deep = deep_features(backbone, X, progress)
    raw = np.ascontiguousarray(np.asarray(X, np.float32).reshape(len(X), -1))
    raw2, e_raw = _project(raw, projection)
    deep2, e_deep = _project(np.ascontiguousarray(deep), projection)
    y = np.asarray(y, np.int64)
    return FeatureMap(raw2, deep2, y, classes, (e_raw, e_deep),
                      (_knn_accuracy(raw2, y), _knn_accuracy(deep2, y)), deep.shape[1], projection)
