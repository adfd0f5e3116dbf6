"""Test environment: offline hubs, headless SDL/MuJoCo, deterministic torch threads."""

from __future__ import annotations

import os

# Set before anything imports huggingface_hub (its calls otherwise hang ~45 s offline).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Idle OpenMP threads spin by default; on 2 shared cores that slows torch 4-10x (measured).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
