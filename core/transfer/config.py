"""Ranges of every control of lecture 4: the Streamlit sliders and the Gradio endpoints read these.

Each range is ``(min, max, default)``; :mod:`core.checks` (``whole_number``, ``number``, ``choice``) is the
one check both front ends and the core functions apply (NaN, infinities, fractions and text are refused
with a message naming the range).
"""

from __future__ import annotations

TOP_K = (1, 10, 5)
"""Number of ImageNet classes listed."""
IG_STEPS = (4, 128, 32)
"""Integrated-Gradients steps along the path from the black image to the photo."""
OCCLUSION_WINDOW = (16, 112, 32)
"""Side of the occluding square, in pixels of the 224 crop (steps of 8)."""
OCCLUSION_STRIDE = (8, 112, 16)
"""Step of the occluding square (steps of 8; at most the window, so no pixel is skipped)."""
TARGET_RANK = (1, 5, 1)
"""Which of the backbone's top-5 classes an attribution explains (1 = its best guess)."""
SIZE_STEP = 8
"""Step of the occlusion sliders."""
N_CLASSES = 1000
"""ImageNet classes: a target class is an index from 0 to 999."""


# The transfer-learning homework (core.transfer.fewshot).
LABELS_PER_CLASS = (1, 100, 5)
"""Labelled training images per class of the target task."""
EPOCHS = (1, 100, 30)
"""Passes over the labelled images (and their augmented views)."""
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
"""The learning rates offered (Adam)."""
AUGMENTATIONS = ("none", "flip", "flip+shift")
"""None; random left-right flips; flips and shifts of up to 2 pixels (of 28)."""
TIME_BUDGET_S = 120.0
"""Wall-time bound of one live training (feature extraction and scoring included): two shared cores."""
