"""Lecture 4: transfer learning and what ImageNet networks see.

Public API (see DESIGN.md): :func:`classify` and :func:`attribute`.
"""

from core.transfer.classifier import classify
from core.transfer.saliency import attribute

__all__ = ["attribute", "classify"]
