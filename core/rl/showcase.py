"""What the "watch a trained agent" views show: the shipped agents, one rendered episode, a learning curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core import checkpoints, checks
from core.rl import agents, envs, figures, zoo

FRAME_EVERY = 2
"""Keep every second frame of an episode: CartPole's 500 steps become a 250-frame GIF of ~1 MB."""
FPS = 25.0
EPISODE_SEED_RANGE = (0, 2**31 - 1)


def shipped(directory: Any = None) -> dict[str, checkpoints.ManifestEntry]:
    """The shipped RL agents by name (manifest entries of task 'rl-agent')."""
    return {n: e for n, e in checkpoints.manifest(directory).items() if e.task == "rl-agent"}


def agent_name(algo: str, env_id: str, seed: int = 0) -> str:
    """The checkpoint name of ``algo`` on ``env_id`` trained with ``seed`` (``ppo-CartPole-v1``,
    ``ppo-CartPole-v1-s1``)."""
    return f"{algo}-{env_id}" + (f"-s{seed}" if seed else "")


def shipped_pairs(directory: Any = None) -> dict[str, tuple[str, ...]]:
    """Environment -> the algorithms shipped for it (in the lecture's order)."""
    names = shipped(directory)
    out: dict[str, tuple[str, ...]] = {}
    for env_id in envs.ENVS:
        algos = tuple(a for a in zoo.ALGORITHMS if agent_name(a, env_id) in names)
        if algos:
            out[env_id] = algos
    return out


@dataclass(frozen=True)
class EpisodeView:
    """One rendered episode of an agent."""

    gif: bytes
    """Animated GIF of the episode (every FRAME_EVERY-th step)."""
    total: float
    """Its return (sum of rewards)."""
    length: int
    """Steps until the episode ended."""
    rewards: list[float]


def play(agent: Any, env_id: str, seed: int) -> EpisodeView:
    """One deterministic episode of ``agent``, reset with ``seed``, rendered offline."""
    seed = checks.whole_number(seed, "Episode seed", *EPISODE_SEED_RANGE)
    r = agents.rollout(agent, env_id, seed=seed, frame_every=FRAME_EVERY)
    return EpisodeView(figures.gif(r.frames, FPS), r.total, len(r.rewards), r.rewards)


def curve(ent: checkpoints.ManifestEntry) -> dict[str, list[float]]:
    """The learning curve the training command kept (mean return of the last 10 episodes by steps)."""
    return {k: list(v) for k, v in ent.config.get("curve", {}).items()}


def seeds(algo: str, env_id: str, directory: Any = None) -> dict[int, checkpoints.ManifestEntry]:
    """Training seed -> shipped entry of ``algo`` on ``env_id`` (``ppo-CartPole-v1``, ``...-s1``, ...)."""
    out = {}
    for name, ent in shipped(directory).items():
        seed = int(ent.config.get("seed", 0))
        if name == agent_name(algo, env_id, seed) and ent.config.get("env_id") == env_id:
            out[seed] = ent
    return dict(sorted(out.items()))


BAND_POINTS = 100
"""Points of the common timestep grid the seeds' curves are interpolated onto."""


@dataclass(frozen=True)
class SeedBand:
    """The learning curves of one shipped pair over its training seeds, on one timestep grid."""

    label: str
    """Name for the legend (the algorithm's title)."""
    seeds: tuple[int, ...]
    """Training seeds whose curves went in."""
    timesteps: list[float]
    """The grid: from the latest first point to the earliest last point of the seeds' curves."""
    mean: list[float]
    """Mean over the seeds of the last-10-episode mean return, linearly interpolated onto the grid."""
    lo: list[float]
    """Lowest seed at each grid point."""
    hi: list[float]
    """Highest seed at each grid point."""


def band(label: str, curves: dict[int, dict[str, list[float]]], points: int = BAND_POINTS) -> SeedBand:
    """Mean and min-max of ``curves`` (seed -> ``timesteps``, ``mean_return``) on a common grid.

    The grid covers only the steps every curve covers, so no seed is extrapolated; with three seeds a
    standard deviation says little, so the band is the range of the seeds themselves.
    """
    usable = {s: c for s, c in curves.items() if len(c.get("timesteps", ())) >= 2}
    if not usable:
        raise ValueError(f"{label}: no learning curve with two points or more")
    start = max(c["timesteps"][0] for c in usable.values())
    stop = min(c["timesteps"][-1] for c in usable.values())
    grid = np.linspace(start, stop, points) if stop > start else np.array([stop])
    ys = np.stack([np.interp(grid, c["timesteps"], c["mean_return"]) for c in usable.values()])
    return SeedBand(label, tuple(usable), *(np.round(a, 2).tolist() for a in (grid, ys.mean(0), ys.min(0),
                                                                              ys.max(0))))


def seed_band(algo: str, env_id: str, directory: Any = None) -> SeedBand | None:
    """The band of every shipped seed of ``algo`` on ``env_id`` (None if none is shipped)."""
    ents = seeds(algo, env_id, directory)
    curves = {s: curve(e) for s, e in ents.items() if curve(e)}
    return band(zoo.ALGORITHMS[algo].title, curves) if curves else None


def seed_bands(env_id: str, algos: Sequence[str], directory: Any = None) -> list[SeedBand]:
    """The bands of the shipped ``algos`` on ``env_id``, in that order (those not shipped left out)."""
    return [b for a in algos if (b := seed_band(a, env_id, directory)) is not None]


def seeds_summary(algo: str, env_id: str, directory: Any = None) -> str:
    """One line: each shipped seed's held-out mean return and the mean over seeds."""
    ents = seeds(algo, env_id, directory)
    if not ents:
        return ""
    means = [e.metrics["mean_return"] for e in ents.values()]
    each = ", ".join(f"seed {s}: {m:.1f}" for s, m in zip(ents, means))
    return (f"Over {len(ents)} training seeds ({each}) the held-out mean return averages "
            f"{np.mean(means):.1f}.")


def summary(ent: checkpoints.ManifestEntry) -> str:
    """One line: held-out return and how the agent was trained."""
    m, c = ent.metrics, ent.config
    return (f"{zoo.ALGORITHMS[c['algo']].title} on {c['env_id']}: mean return {m['mean_return']:.1f} "
            f"± {m['std_return']:.1f} over {m['episodes']} held-out episodes; trained for "
            f"{c['timesteps']:,} steps in {ent.train_seconds:.0f} s with hyperparameters from "
            f"{c['hyper'].get('source', 'the gallery')}.")
