"""A live training run as the pages start it: train within the time budget, then measure and render."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.rl import agents, envs, figures, showcase, zoo
from core.training import JobLike

EVAL_EPISODES = 5
"""Held-out episodes played by a freshly trained agent (the shipped ones are measured on 20)."""


@dataclass
class LiveRun:
    """A finished live run: the run, its held-out returns and one rendered episode."""

    run: agents.AgentRun
    returns: list[float]
    view: showcase.EpisodeView

    @property
    def mean_return(self) -> float:
        return float(np.mean(self.returns))


def train_and_show(cfg: agents.AgentConfig, job: JobLike | None = None,
                   time_budget_s: float = zoo.TIME_BUDGET_S) -> LiveRun:
    """Train ``cfg`` (progress, live returns and Stop through ``job``), then evaluate and render it."""
    run = agents.train(cfg, job, time_budget_s)
    if job is not None:
        job.report(message="playing held-out episodes")
    returns = agents.evaluate(run.agent, cfg.env_id, EVAL_EPISODES)
    return LiveRun(run, returns, showcase.play(run.agent, cfg.env_id, agents.EVAL_SEED))


def nearest(options: Sequence[float], value: Any) -> float:
    """The option closest to ``value`` (a default that is not on the slider's grid)."""
    return min(options, key=lambda o: abs(float(o) - float(value)))


def default_timesteps(algo: str, env_id: str) -> int:
    """The Zoo's step count, capped to the largest the page offers, on the slider's grid."""
    return int(nearest(zoo.TIMESTEPS, min(zoo.defaults(algo, env_id)["n_timesteps"], zoo.TIMESTEPS[-1])))


def describe(cfg: agents.AgentConfig) -> str:
    """One line with every setting the run uses (what the page's controls changed)."""
    h = cfg.hyper
    parts = [f"learning rate {h['learning_rate']:g}", f"γ {h['gamma']:g}"]
    if cfg.algo in zoo.ENTROPY_ALGOS:
        parts.append(f"entropy coefficient {h['ent_coef']:g}")
    if cfg.algo in zoo.NOISE_ALGOS:
        parts.append(f"action noise {h['action_noise']:g}")
    if cfg.algo == "sac":
        parts.append("entropy coefficient tuned automatically")
    notes = f" ({h['notes']})" if h.get("notes") else ""
    return (f"{zoo.ALGORITHMS[cfg.algo].title} on {cfg.env_id}: {', '.join(parts)}; {cfg.timesteps:,} steps, "
            f"seed {cfg.seed}. Other settings from {h['source']}{notes}.")


def table_row(cfg: agents.AgentConfig) -> dict[str, Any]:
    """The settings of a run as columns of the run-history table."""
    h = cfg.hyper
    return {"algorithm": cfg.algo, "env": cfg.env_id, "lr": h["learning_rate"], "gamma": h["gamma"],
            "ent_coef": h.get("ent_coef", ""), "action_noise": h.get("action_noise", ""),
            "steps": cfg.timesteps, "seed": cfg.seed}


def comparison(env_id: str, bands: Sequence[showcase.SeedBand], title: str,
               history: dict[str, list[float]] | None = None,
               extra: dict[str, dict[str, list[float]]] | None = None) -> go.Figure:
    """A run's learning curve (solid) over earlier runs (dotted) and shipped agents of ``env_id`` as mean
    and min-max band over their training seeds (:func:`core.rl.showcase.seed_bands`), against steps."""
    return figures.learning_curve(history or {}, title, envs.ENVS[env_id].solved, extra, bands=bands)
