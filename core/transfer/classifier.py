"""ImageNet classification of any image with the backbone in use (``core.transfer.classify``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.checks import whole_number
from core.data import images
from core.transfer import backbone as bb
from core.transfer.config import TOP_K
from core.transfer.preprocess import Preprocessed, preprocess


@dataclass(frozen=True, eq=False)
class Classification:
    """The backbone's answer for one image, with what it saw."""

    probs: np.ndarray
    """(1000,) float64 softmax probabilities, in ImageNet class order."""
    prep: Preprocessed
    backbone: str
    """Name of the backbone that answered."""

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most probable classes, best first, as (class name, probability)."""
        names = bb.class_names()
        idx = np.argsort(-self.probs, kind="stable")[:k]
        return [(names[i], float(self.probs[i])) for i in idx]

    @property
    def best(self) -> int:
        """Index of the most probable class."""
        return int(np.argmax(self.probs))


def run(image: object, backbone: bb.Backbone | str = bb.DEFAULT) -> Classification:
    """Preprocess ``image`` for the backbone and classify it (raises ``ImageError`` for unusable input)."""
    model = backbone if isinstance(backbone, bb.Backbone) else bb.load_backbone(backbone)
    prep = preprocess(image, model.info)  # type: ignore[arg-type]
    logits = bb.forward(model, prep.tensor)[0].double()
    if not torch.isfinite(logits).all():
        raise images.ImageError("the network produced non-finite scores for this image")
    return Classification(torch.softmax(logits, 0).numpy(), prep, model.name)


def classify(
    image: object, top_k: int = TOP_K[2], backbone: bb.Backbone | str = bb.DEFAULT
) -> list[tuple[str, float]]:
    """Any PIL image (any mode, any size) -> the ``top_k`` ImageNet classes as (name, probability),
    best first, from the backbone in use (offline: EfficientNet-Lite0)."""
    k = whole_number(top_k, "top_k", *TOP_K[:2])
    return run(image, backbone).top(k)
