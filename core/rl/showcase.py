"""What the "watch a trained agent" views show: the shipped agents, one rendered episode, a learning curve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import checkpoints
from core.rl import agents, envs, figures, zoo

FRAME_EVERY = 2
"""Keep every second frame of an episode: CartPole's 500 steps become a 250-frame GIF of ~1 MB."""
FPS = 25.0
EPISODE_SEED_RANGE = (0, 2**31 - 1)


def shipped(directory: Any = None) -> dict[str, checkpoints.ManifestEntry]:
    """The shipped RL agents by name (manifest entries of task 'rl-agent')."""
    return {n: e for n, e in checkpoints.manifest(directory).items() if e.task == "rl-agent"}


def agent_name(algo: str, env_id: str) -> str:
    """The checkpoint name of ``algo`` on ``env_id`` (``ppo-CartPole-v1``)."""
    return f"{algo}-{env_id}"


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
    seed = int(zoo.check_number("Episode seed", seed, *EPISODE_SEED_RANGE, integer=True))
    r = agents.rollout(agent, env_id, seed=seed, frame_every=FRAME_EVERY)
    return EpisodeView(figures.gif(r.frames, FPS), r.total, len(r.rewards), r.rewards)


def curve(ent: checkpoints.ManifestEntry) -> dict[str, list[float]]:
    """The learning curve the training command kept (mean return of the last 10 episodes by steps)."""
    return {k: list(v) for k, v in ent.config.get("curve", {}).items()}


def summary(ent: checkpoints.ManifestEntry) -> str:
    """One line: held-out return and how the agent was trained."""
    m, c = ent.metrics, ent.config
    return (f"{zoo.ALGORITHMS[c['algo']].title} on {c['env_id']}: mean return {m['mean_return']:.1f} "
            f"± {m['std_return']:.1f} over {m['episodes']} held-out episodes; trained for "
            f"{c['timesteps']:,} steps in {ent.train_seconds:.0f} s with hyperparameters from "
            f"{c['hyper'].get('source', 'the gallery')}.")
