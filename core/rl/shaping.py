"""Reward shaping: extra reward that may speed learning, or may change what the agent learns.

Ng, Harada & Russell (1999): adding F(s, s') = γ·Φ(s') − Φ(s) for any potential Φ over states leaves the
optimal policies unchanged (the potentials telescope along every trajectory); any other bonus can change
them. The shapings here:

- MountainCar, potential Φ(s) = w · height(s): with ``potential=True`` the agent gets γΦ(s') − Φ(s) per
  step, with ``potential=False`` it gets w · height(s') itself, a reward for *being* high, which pays the
  car to hover up the hill instead of finishing the episode.
- CartPole, penalties −a·|pole angle| − c·|cart position| per step: not potential-based; large weights make
  staying alive worth less than ending the episode early.
- LunarLander, fuel cost ×k: the environment charges 0.3 per step of main engine and 0.03 per step of a side
  engine (none on the final, crash or landing, step); the wrapper adds (1 − k) times that charge back, so
  the learner pays k times the fuel. An action-dependent change of the task, not a potential: at k = 0
  hovering is free, at large k a quick crash (−100) costs less than a long powered descent.

The wrapper changes only the reward the learner sees. SB3's Monitor sits below it, so the learning curve
and every evaluation count the environment's own reward: whether shaping helps is measured on the task.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from core import checks
from core.rl import envs, zoo

SHAPED_ENVS = ("MountainCar-v0", "CartPole-v1", "LunarLander-v3")
WEIGHT_RANGE = (0.0, 10.0)
PENALTY_RANGE = (0.0, 2.0)
FUEL_COST_RANGE = (0.0, 10.0)
MAIN_ENGINE_COST, SIDE_ENGINE_COST = 0.3, 0.03
"""What LunarLander charges per step of main and of side engine at full power."""


@dataclass(frozen=True)
class Shaping:
    """What is added to the reward of one environment."""

    env_id: str
    weight: float = 0.0
    """MountainCar: w of the potential Φ(s) = w · height."""
    potential: bool = True
    """MountainCar: add γΦ(s') − Φ(s) (True) or w · height(s') (False: breaks the potential form)."""
    angle_penalty: float = 0.0
    """CartPole: a of −a·|pole angle (rad)| per step."""
    position_penalty: float = 0.0
    """CartPole: c of −c·|cart position| per step."""
    fuel_cost: float = 1.0
    """LunarLander: k, the learner pays k times the environment's fuel charge (1: the environment's own)."""
    gamma: float = 0.99
    """The learner's discount (the potential difference uses it)."""

    def __post_init__(self) -> None:
        if self.env_id not in SHAPED_ENVS:
            raise ValueError(f"reward shaping is offered for {', '.join(SHAPED_ENVS)}")
        for key, name, (lo, hi) in (("weight", "Shaping weight", WEIGHT_RANGE),
                                    ("angle_penalty", "Pole angle penalty", PENALTY_RANGE),
                                    ("position_penalty", "Cart position penalty", PENALTY_RANGE),
                                    ("fuel_cost", "Fuel cost", FUEL_COST_RANGE),
                                    ("gamma", "Gamma", zoo.GAMMA_RANGE)):
            # frozen: the checked float replaces what arrived ("0.5" or 1 become 0.5 and 1.0)
            object.__setattr__(self, key, checks.number(getattr(self, key), name, lo, hi))

    @property
    def active(self) -> bool:
        return bool(self.weight or self.angle_penalty or self.position_penalty or self.fuel_cost != 1.0)


def height(position: float) -> float:
    """MountainCar's track height at ``position`` (gymnasium draws the hill as sin(3x))."""
    return float(np.sin(3 * position))


def engine_power(action: Any) -> tuple[float, float]:
    """LunarLander's main and side engine power for ``action``, as its ``step`` computes them.

    Discrete: 2 fires the main engine, 1 and 3 a side engine, at power 1. Continuous (main, lateral):
    the main engine fires above 0 at power 0.5-1, a side engine beyond ±0.5 at power 0.5-1."""
    a = np.asarray(action, dtype=np.float64)
    if a.size == 1:
        n = int(a.reshape(()))
        return float(n == 2), float(n in (1, 3))
    main = (float(np.clip(a[0], 0.0, 1.0)) + 1.0) * 0.5 if a[0] > 0.0 else 0.0
    side = float(np.clip(abs(a[1]), 0.5, 1.0)) if abs(a[1]) > 0.5 else 0.0
    return main, side


def fuel_charge(action: Any) -> float:
    """What LunarLander subtracts for the fuel of ``action`` on a step that does not end the episode."""
    main, side = engine_power(action)
    return MAIN_ENGINE_COST * main + SIDE_ENGINE_COST * side


def bonus(shaping: Shaping, obs: np.ndarray, next_obs: np.ndarray, terminated: bool = False,
          action: Any = None) -> float:
    """The reward added for the transition obs -> next_obs under ``action`` (the potential of a terminal
    state is 0; LunarLander's final step pays a flat ±100 without fuel, so it is left as it is)."""
    if shaping.env_id == "LunarLander-v3":
        return 0.0 if terminated else (1.0 - shaping.fuel_cost) * fuel_charge(action)
    if shaping.env_id == "MountainCar-v0":
        phi, phi_next = shaping.weight * height(obs[0]), shaping.weight * height(next_obs[0])
        if not shaping.potential:
            return phi_next
        return shaping.gamma * (0.0 if terminated else phi_next) - phi
    return (-shaping.angle_penalty * abs(float(next_obs[2]))
            - shaping.position_penalty * abs(float(next_obs[0])))


def describe(shaping: Shaping) -> str:
    """The added reward as a formula with its weights."""
    if shaping.env_id == "LunarLander-v3":
        if shaping.fuel_cost == 1.0:
            return "none: fuel costs what the environment charges (0.3 per main-engine step, 0.03 per side)"
        return (f"fuel costs {shaping.fuel_cost:g}× the environment's charge: "
                f"{shaping.fuel_cost * MAIN_ENGINE_COST:.3g} per main-engine step, "
                f"{shaping.fuel_cost * SIDE_ENGINE_COST:.3g} per side-engine step (not potential-based)")
    if shaping.env_id == "MountainCar-v0":
        if not shaping.weight:
            return "none (the environment's reward only)"
        if shaping.potential:
            return f"γΦ(s') − Φ(s), Φ = {shaping.weight:g}·height, γ = {shaping.gamma:g} (potential-based)"
        return f"{shaping.weight:g}·height(s') each step (not potential-based)"
    if not shaping.active:
        return "none (the environment's reward only)"
    return f"−{shaping.angle_penalty:g}·|pole angle| − {shaping.position_penalty:g}·|cart position| each step"


class ShapedReward(gym.Wrapper):
    """Adds :func:`bonus` to every reward; ``info['true_reward']`` keeps the environment's own."""

    def __init__(self, env: gym.Env, shaping: dict[str, Any]) -> None:
        super().__init__(env)
        self.shaping = Shaping(**shaping)
        self._obs: np.ndarray | None = None

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self._obs = obs
        return obs, info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        obs, reward, term, trunc, info = self.env.step(action)
        shaped = float(reward) + bonus(self.shaping, self._obs, obs, term, action)
        self._obs = obs
        return obs, shaped, term, trunc, {**info, "true_reward": float(reward)}


@dataclass(frozen=True)
class ShapedEpisodes:
    """An agent's deterministic episodes, each counted under the environment's own and a reshaped reward."""

    shaping: Shaping
    env_returns: list[float]
    """Returns under the environment's own reward."""
    shaped_returns: list[float]
    """Returns under the reward the learner would see with ``shaping``."""
    lengths: list[int]
    actions: list[list[Any]]
    """The actions of each episode, in order (LunarLander's engine use is counted from them)."""
    last_rewards: list[float]
    """The environment's own reward on each episode's final step (LunarLander: +100 for a landing)."""

    def row(self) -> dict[str, float]:
        """Means over the episodes, as one row of a table."""
        return {"own return": round(float(np.mean(self.env_returns)), 1),
                "reshaped return": round(float(np.mean(self.shaped_returns)), 1),
                "episode length": round(float(np.mean(self.lengths)), 1)}


def play_shaped(agent: Any, rule: Shaping, episodes: int, seed: int) -> ShapedEpisodes:
    """Play ``episodes`` deterministic episodes of ``agent`` reset with seeds ``seed``, ``seed + 1``, ...
    and count each under the environment's own reward and under ``rule``."""
    checks.whole_number(episodes, "Episodes", 1, 100)
    env = ShapedReward(envs.make(rule.env_id), asdict(rule))
    own, shaped, lengths, actions, last = [], [], [], [], []
    try:
        for i in range(int(episodes)):
            obs, _ = env.reset(seed=int(seed) + i)
            totals, taken, done = [0.0, 0.0], [], False
            while not done:
                action, _ = agent.predict(obs, deterministic=True)
                obs, r, term, trunc, info = env.step(action)
                taken.append(action)
                totals[0] += info["true_reward"]
                totals[1] += r
                done = term or trunc
            own.append(totals[0])
            shaped.append(totals[1])
            lengths.append(len(taken))
            actions.append(taken)
            last.append(info["true_reward"] if term else 0.0)  # time running out is not an ending
    finally:
        env.close()
    return ShapedEpisodes(rule, own, shaped, lengths, actions, last)
