"""Test environment: offline hubs, headless SDL/MuJoCo, deterministic torch threads."""

from __future__ import annotations

import os

# Set before anything imports huggingface_hub (its calls otherwise hang ~45 s offline).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
