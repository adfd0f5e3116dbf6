"""LunarLander: the shipped PPO lander and how much fuel it burns under a reshaped reward.

``python -m core.train ppo-LunarLander-v3`` trains PPO with the RL Baselines3 Zoo's LunarLander settings
(16 environments, 1,000,000 steps, γ = 0.999, entropy 0.01) within :data:`TRAIN_BUDGET_S` seconds; the steps
actually run are what the manifest records. :func:`fuel_report` plays an agent and counts its engine firings
and what they cost under a fuel-cost weight (:class:`core.rl.shaping.Shaping`'s ``fuel_cost``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.checkpoints import ManifestEntry
from core.registry import TrainContext, register_checkpoint
from core.rl import agents, live, shaping, zoo
from core.training import JobLike

NAME = "ppo-LunarLander-v3"
ENV_ID = "LunarLander-v3"
TRAIN_BUDGET_S = 4500.0
"""Training stops after this many seconds even short of the Zoo's 1,000,000 steps (2 busy CPU cores)."""
QUICK_TIMESTEPS = 600
"""Steps of a smoke-test run (``TrainContext.quick``), on one environment with short rollouts."""
REPORT_EPISODES = 5
"""Episodes :func:`fuel_report` plays by default (a landing takes 200-400 steps: about a second each)."""


class _Printer:
    """Progress of the command-line run, one line a minute (SB3's own loop; the job protocol's shape)."""

    def __init__(self, every_s: float = 60.0) -> None:
        self.every_s, self._last = every_s, time.perf_counter()

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        if time.perf_counter() - self._last >= self.every_s:
            self._last = time.perf_counter()
            print(f"{NAME}: {message}", file=sys.stderr, flush=True)

    def publish(self, key: str, value: Any) -> None:
        pass

    def should_stop(self) -> bool:
        return False


@register_checkpoint(NAME, 7, "PPO on LunarLander-v3 (hyperparameters: RL Baselines3 Zoo)", 2900,
                     measure=agents.measure)
def train_lander(ctx: TrainContext) -> ManifestEntry:
    if ctx.quick:
        cfg = agents.make_config("ppo", ENV_ID, timesteps=QUICK_TIMESTEPS, seed=0, n_envs=1, n_steps=128)
    else:
        cfg = agents.make_config("ppo", ENV_ID, seed=0)
    run = agents.train(cfg, None if ctx.quick else _Printer(), TRAIN_BUDGET_S)
    # Record the steps actually run (the time budget may end the run before the Zoo's step count).
    run.config = replace(cfg, timesteps=int(run.agent.num_timesteps))
    return agents.save_agent(NAME, run, ctx.directory, {"quick": 1} if ctx.quick else None)


# ---------------------------------------------------------------------------------------------------------
# Fuel use under a fuel-cost weight


@dataclass(frozen=True)
class FuelReport:
    """An agent's episodes counted under one fuel-cost weight."""

    fuel_cost: float
    env_returns: list[float]
    """Returns under the environment's own reward (fuel cost 1)."""
    shaped_returns: list[float]
    """Returns under the reshaped reward (fuel cost ``fuel_cost``)."""
    main_frames: list[int]
    """Steps with the main engine firing, per episode."""
    side_frames: list[int]
    """Steps with a side engine firing, per episode."""
    lengths: list[int]
    landed: int
    """Episodes that ended at rest (the +100 ending), not crashed or out of time."""

    def row(self) -> dict[str, float]:
        """Means over the episodes, as one row of a table."""
        return {"fuel cost ×": self.fuel_cost, "own return": round(float(np.mean(self.env_returns)), 1),
                "reshaped return": round(float(np.mean(self.shaped_returns)), 1),
                "main engine steps": round(float(np.mean(self.main_frames)), 1),
                "side engine steps": round(float(np.mean(self.side_frames)), 1),
                "episode length": round(float(np.mean(self.lengths)), 1),
                "landed": f"{self.landed}/{len(self.lengths)}"}  # type: ignore[dict-item]


def fuel_report(agent: Any, fuel_cost: float, episodes: int = REPORT_EPISODES,
                seed: int = agents.EVAL_SEED) -> FuelReport:
    """Play ``episodes`` deterministic held-out episodes and count them under ``fuel_cost``."""
    rule = shaping.Shaping(ENV_ID, fuel_cost=fuel_cost)
    eps = shaping.play_shaped(agent, rule, episodes, seed)
    power = [[shaping.engine_power(a) for a in acts] for acts in eps.actions]
    return FuelReport(rule.fuel_cost, eps.env_returns, eps.shaped_returns,
                      [sum(m > 0 for m, _ in p) for p in power], [sum(s > 0 for _, s in p) for p in power],
                      eps.lengths, sum(r == 100.0 for r in eps.last_rewards))


class EnginesOff:
    """The policy that never fires an engine (action 0): the lander falls and crashes, burning no fuel."""

    def predict(self, obs: Any, deterministic: bool = True) -> tuple[int, None]:
        return 0, None


def against_engines_off(agent: Any, fuel_cost: float, episodes: int = REPORT_EPISODES,
                        seed: int = agents.EVAL_SEED) -> tuple[FuelReport, FuelReport]:
    """``agent`` and :class:`EnginesOff` on the same held-out episodes under ``fuel_cost``: when falling
    scores more than the lander's flight, the reshaped reward no longer pays for landing."""
    return fuel_report(agent, fuel_cost, episodes, seed), fuel_report(EnginesOff(), fuel_cost, episodes, seed)


@dataclass
class ShapedRun:
    """A live run under a reshaped reward and, on LunarLander, the fuel its agent burns."""

    live: live.LiveRun
    fuel: FuelReport | None


def train_shaped(cfg: agents.AgentConfig, job: JobLike | None = None,
                 time_budget_s: float = zoo.TIME_BUDGET_S) -> ShapedRun:
    """:func:`core.rl.live.train_and_show`, then (LunarLander) the agent's fuel use under the run's reward."""
    res = live.train_and_show(cfg, job, time_budget_s)
    if cfg.env_id != ENV_ID:
        return ShapedRun(res, None)
    if job is not None:
        job.report(message="counting engine use")
    return ShapedRun(res, fuel_report(res.run.agent, cfg.hyper.get("shaping", {}).get("fuel_cost", 1.0)))
