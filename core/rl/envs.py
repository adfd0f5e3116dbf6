"""The environments of lecture 7: gymnasium's classic control tasks and Box2D's LunarLander.

Every environment a page, the Gradio API or a shipped agent names is one of :data:`ENVS`; anything else is
refused with the list. Frames come from ``render_mode="rgb_array"`` (offline; pygame draws into memory).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np


@dataclass(frozen=True)
class EnvInfo:
    """What the pages say about one environment."""

    env_id: str
    """Gymnasium id."""
    title: str
    """Name for people."""
    continuous: bool
    """True for a Box action space (DDPG, TD3, SAC need one), False for Discrete."""
    solved: float
    """Mean return over 100 episodes at which the task counts as solved (gymnasium's threshold where it
    has one; Pendulum has none, -200 is the Zoo's usual level)."""
    goal: str
    """One sentence: the task and its reward."""


ENVS: dict[str, EnvInfo] = {e.env_id: e for e in (
    EnvInfo("CartPole-v1", "CartPole", False, 475.0,
            "Keep a pole upright on a cart by pushing it left or right: +1 per step, at most 500 steps."),
    EnvInfo("Acrobot-v1", "Acrobot", False, -100.0,
            "Swing a two-link arm's tip above a line by torquing the middle joint: -1 per step until it is."),
    EnvInfo("MountainCar-v0", "MountainCar", False, -110.0,
            "Drive an underpowered car up a hill by rocking back and forth: -1 per step for up to 200."),
    EnvInfo("LunarLander-v3", "LunarLander", False, 200.0,
            "Land between the flags with three engines: shaped reward for approach, legs, fuel and crash."),
    EnvInfo("Pendulum-v1", "Pendulum", True, -200.0,
            "Swing a pendulum up and hold it: reward −(angle² + 0.1·speed² + 0.001·torque²) each step."),
)}  # fmt: skip


def info(env_id: str) -> EnvInfo:
    """The :class:`EnvInfo` of ``env_id``; ValueError naming the known ones otherwise."""
    if not isinstance(env_id, str) or env_id not in ENVS:
        raise ValueError(f"unknown environment; choose one of {', '.join(ENVS)}")
    return ENVS[env_id]


def make(env_id: str, render: bool = False) -> gym.Env:
    """A fresh environment (``render``: frames as RGB arrays from ``env.render()``)."""
    info(env_id)
    return gym.make(env_id, render_mode="rgb_array" if render else None)


def small_frame(frame: np.ndarray, factor: int = 2) -> np.ndarray:
    """A rendered frame shrunk by ``factor`` (every ``factor``-th pixel: 600x400 becomes 300x200)."""
    return np.ascontiguousarray(frame[::factor, ::factor])
