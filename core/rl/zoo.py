"""Algorithms, their default hyperparameters per environment, and the ranges the pages and the API allow.

Defaults are the published, tuned values of RL Baselines3 Zoo (DLR-RM/rl-baselines3-zoo,
``hyperparams/ppo.yml``, ``sac.yml``, ``td3.yml``, ``ddpg.yml``, ``trpo.yml``), so a run with the defaults
is the Zoo's run. Where the Zoo normalises observations (``normalize: true``, VecNormalize) the gallery
does not; :func:`defaults` says so in ``notes``. Vanilla policy gradient is the gallery's own
(:mod:`core.rl.vpg`); its defaults are ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.rl import envs


@dataclass(frozen=True)
class Algorithm:
    """One algorithm of the lecture."""

    key: str
    """Short name used in checkpoint names (``ppo-CartPole-v1``) and URLs."""
    title: str
    """Name for people."""
    continuous_only: bool
    """DDPG, TD3 and SAC act in continuous action spaces only."""
    paper: str
    """Where it comes from."""


ALGORITHMS: dict[str, Algorithm] = {a.key: a for a in (
    Algorithm("vpg", "Vanilla policy gradient (REINFORCE)", False, "Williams 1992"),
    Algorithm("trpo", "TRPO", False, "Schulman et al. 2015"),
    Algorithm("ppo", "PPO", False, "Schulman et al. 2017"),
    Algorithm("ddpg", "DDPG", True, "Lillicrap et al. 2016"),
    Algorithm("td3", "TD3", True, "Fujimoto et al. 2018"),
    Algorithm("sac", "SAC", True, "Haarnoja et al. 2018"),
)}  # fmt: skip

OFF_POLICY = ("ddpg", "td3", "sac")

# Ranges of the pages' sliders, enforced again by every core entry point and Gradio endpoint.
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
LR_RANGE = (1e-5, 3e-2)
GAMMA_RANGE = (0.8, 0.9999)
GAMMAS = (0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999)
ENT_COEF_RANGE = (0.0, 0.1)
ENT_COEFS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
ENTROPY_ALGOS = ("ppo", "vpg")
"""Algorithms whose entropy coefficient is a control (SAC tunes its own)."""
NOISE_ALGOS = ("td3", "ddpg")
"""Algorithms whose Gaussian action noise is a control."""
ACTION_NOISE_RANGE = (0.0, 1.0)
TIMESTEPS = (2_000, 5_000, 10_000, 20_000, 30_000, 50_000, 100_000, 200_000)
TIMESTEPS_RANGE = (TIMESTEPS[0], TIMESTEPS[-1])
SEED_RANGE = (0, 10_000)
TIME_BUDGET_S = 240.0
"""A live run stops after this many seconds of training, whatever its timestep count."""

# Zoo values, keyed by (algorithm, environment). "lin" schedules decay linearly to 0 over the run.
_ZOO: dict[tuple[str, str], dict[str, Any]] = {
    # ppo.yml
    ("ppo", "CartPole-v1"): dict(n_envs=8, n_timesteps=100_000, n_steps=32, batch_size=256, gae_lambda=0.8,
                                 gamma=0.98, n_epochs=20, ent_coef=0.0, learning_rate=1e-3,
                                 lr_schedule="linear", clip_range=0.2, clip_schedule="linear"),
    ("ppo", "Acrobot-v1"): dict(n_envs=16, n_timesteps=1_000_000, n_steps=256, gae_lambda=0.94, gamma=0.99,
                                n_epochs=4, ent_coef=0.0, normalize=True),
    ("ppo", "MountainCar-v0"): dict(n_envs=16, n_timesteps=1_000_000, n_steps=16, gae_lambda=0.98,
                                    gamma=0.99, n_epochs=4, ent_coef=0.0, normalize=True),
    ("ppo", "LunarLander-v3"): dict(n_envs=16, n_timesteps=1_000_000, n_steps=1024, batch_size=64,
                                    gae_lambda=0.98, gamma=0.999, n_epochs=4, ent_coef=0.01),
    ("ppo", "Pendulum-v1"): dict(n_envs=4, n_timesteps=100_000, n_steps=1024, gae_lambda=0.95, gamma=0.9,
                                 n_epochs=10, ent_coef=0.0, learning_rate=1e-3, clip_range=0.2,
                                 use_sde=True, sde_sample_freq=4),
    # trpo.yml
    ("trpo", "CartPole-v1"): dict(n_envs=2, n_timesteps=100_000, n_steps=512, batch_size=512, cg_damping=1e-3,
                                  gae_lambda=0.98, gamma=0.99, learning_rate=1e-3, n_critic_updates=20),
    ("trpo", "Pendulum-v1"): dict(n_envs=2, n_timesteps=100_000, n_steps=1024, gamma=0.9, n_critic_updates=15,
                                  use_sde=True, sde_sample_freq=4),
    ("trpo", "LunarLander-v3"): dict(n_envs=2, n_timesteps=200_000, n_steps=512, cg_damping=0.01,
                                     gae_lambda=0.98, gamma=0.99, learning_rate=1e-3, n_critic_updates=15),
    ("trpo", "Acrobot-v1"): dict(normalize=True, n_envs=2, n_timesteps=100_000, n_steps=1024),
    ("trpo", "MountainCar-v0"): dict(normalize=True, n_envs=2, n_timesteps=100_000, n_steps=1024,
                                     n_critic_updates=20),
    # sac.yml, td3.yml, ddpg.yml
    ("sac", "Pendulum-v1"): dict(n_timesteps=20_000, learning_rate=1e-3),
    ("td3", "Pendulum-v1"): dict(n_timesteps=20_000, gamma=0.98, buffer_size=200_000, learning_starts=10_000,
                                 action_noise=0.1, learning_rate=1e-3, net_arch=[400, 300]),
    ("ddpg", "Pendulum-v1"): dict(n_timesteps=20_000, gamma=0.98, buffer_size=200_000,
                                  learning_starts=10_000, action_noise=0.1, learning_rate=1e-3,
                                  net_arch=[400, 300]),
}

# SB3's own defaults for what the Zoo leaves unset (and that the pages show).
_SB3: dict[str, dict[str, Any]] = {
    "ppo": dict(n_envs=1, n_steps=2048, batch_size=64, n_epochs=10, gamma=0.99, gae_lambda=0.95,
                ent_coef=0.0, learning_rate=3e-4, clip_range=0.2),
    "trpo": dict(n_envs=1, n_steps=2048, batch_size=128, gamma=0.99, gae_lambda=0.95, learning_rate=1e-3,
                 n_critic_updates=10, cg_max_steps=15, cg_damping=0.1, target_kl=0.01),
    "sac": dict(n_envs=1, learning_rate=3e-4, buffer_size=1_000_000, learning_starts=100, batch_size=256,
                tau=0.005, gamma=0.99, ent_coef="auto"),
    "td3": dict(n_envs=1, learning_rate=1e-3, buffer_size=1_000_000, learning_starts=100, batch_size=256,
                tau=0.005, gamma=0.99, action_noise=0.1),
    "ddpg": dict(n_envs=1, learning_rate=1e-3, buffer_size=1_000_000, learning_starts=100, batch_size=256,
                 tau=0.005, gamma=0.99, action_noise=0.1),
    "vpg": dict(n_envs=1, learning_rate=1e-2, gamma=0.99, ent_coef=0.0, baseline=True, episodes_per_batch=8),
}
_VPG_TIMESTEPS = {"CartPole-v1": 150_000, "Acrobot-v1": 200_000, "MountainCar-v0": 200_000,
                  "LunarLander-v3": 200_000, "Pendulum-v1": 200_000}


def check_pair(algo: str, env_id: str) -> None:
    """ValueError unless ``algo`` is known and can act in ``env_id``."""
    if not isinstance(algo, str) or algo not in ALGORITHMS:
        raise ValueError(f"unknown algorithm; choose one of {', '.join(ALGORITHMS)}")
    env = envs.info(env_id)
    if ALGORITHMS[algo].continuous_only and not env.continuous:
        raise ValueError(f"{ALGORITHMS[algo].title} needs continuous actions; {env.title} has discrete ones "
                         f"(choose {', '.join(e for e, i in envs.ENVS.items() if i.continuous)})")


def algorithms_for(env_id: str) -> tuple[str, ...]:
    """The algorithms that can act in ``env_id``."""
    cont = envs.info(env_id).continuous
    return tuple(k for k, a in ALGORITHMS.items() if cont or not a.continuous_only)


def defaults(algo: str, env_id: str) -> dict[str, Any]:
    """Hyperparameters for ``algo`` on ``env_id``: the Zoo's where it publishes some, else SB3's defaults.

    ``source`` says which; ``notes`` lists what the gallery leaves out (observation normalisation).
    """
    check_pair(algo, env_id)
    hp = dict(_SB3[algo])
    zoo = _ZOO.get((algo, env_id))
    if zoo is not None:
        hp.update(zoo)
    hp.setdefault("n_timesteps", _VPG_TIMESTEPS[env_id] if algo == "vpg" else 50_000)
    notes = []
    if hp.pop("normalize", False):
        notes.append("the Zoo also normalises observations (VecNormalize); the gallery does not")
    if hp.pop("use_sde", False):
        hp.pop("sde_sample_freq", None)
        notes.append("the Zoo uses state-dependent exploration (gSDE); the gallery samples plain Gaussians")
    hp["source"] = ("RL Baselines3 Zoo" if zoo is not None else "Stable-Baselines3 defaults"
                    if algo != "vpg" else "the gallery")
    hp["notes"] = "; ".join(notes)
    return hp
