"""The default hyperparameters are the RL Baselines3 Zoo's, value for value.

PINNED is transcribed from DLR-RM/rl-baselines3-zoo at commit 22e3ff2450fd92033f7f032915e1f64894a09584
(2026-04-23): hyperparams/ppo.yml, trpo.yml, sac.yml, td3.yml and ddpg.yml, the entries of the lecture's
environments, written as the YAML writes them (``lin_0.001`` is a linear schedule from 0.001, ``noise_std``
the std of normal action noise, ``policy_kwargs`` the network). What an entry leaves out is the library's
default, so the table's fallbacks are pinned to the installed Stable-Baselines3 / sb3-contrib signatures.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from core.rl import agents, zoo

_NET = "dict(net_arch=[400, 300])"
_OFF = dict(n_timesteps=20000, gamma=0.98, buffer_size=200000, learning_starts=10000, noise_type="normal",
            noise_std=0.1, gradient_steps=1, train_freq=1, learning_rate=1e-3, policy_kwargs=_NET)
PINNED: dict[tuple[str, str], dict[str, Any]] = {
    # ppo.yml
    ("ppo", "CartPole-v1"): dict(n_envs=8, n_timesteps=1e5, n_steps=32, batch_size=256, gae_lambda=0.8,
                                 gamma=0.98, n_epochs=20, ent_coef=0.0, learning_rate="lin_0.001",
                                 clip_range="lin_0.2"),
    ("ppo", "Pendulum-v1"): dict(n_envs=4, n_timesteps=1e5, n_steps=1024, gae_lambda=0.95, gamma=0.9,
                                 n_epochs=10, ent_coef=0.0, learning_rate=1e-3, clip_range=0.2, use_sde=True,
                                 sde_sample_freq=4),
    ("ppo", "LunarLander-v3"): dict(n_envs=16, n_timesteps=1e6, n_steps=1024, batch_size=64, gae_lambda=0.98,
                                    gamma=0.999, n_epochs=4, ent_coef=0.01),
    ("ppo", "Acrobot-v1"): dict(normalize=True, n_envs=16, n_timesteps=1e6, n_steps=256, gae_lambda=0.94,
                                gamma=0.99, n_epochs=4, ent_coef=0.0),
    ("ppo", "MountainCar-v0"): dict(normalize=True, n_envs=16, n_timesteps=1e6, n_steps=16, gae_lambda=0.98,
                                    gamma=0.99, n_epochs=4, ent_coef=0.0),
    # trpo.yml
    ("trpo", "CartPole-v1"): dict(n_envs=2, n_timesteps=1e5, n_steps=512, batch_size=512, cg_damping=1e-3,
                                  gae_lambda=0.98, gamma=0.99, learning_rate=1e-3, n_critic_updates=20),
    ("trpo", "Pendulum-v1"): dict(n_envs=2, n_timesteps=1e5, n_steps=1024, gamma=0.9, n_critic_updates=15,
                                  use_sde=True, sde_sample_freq=4),
    ("trpo", "LunarLander-v3"): dict(n_envs=2, n_timesteps=2e5, n_steps=512, cg_damping=0.01, gae_lambda=0.98,
                                     gamma=0.99, learning_rate=1e-3, n_critic_updates=15),
    ("trpo", "Acrobot-v1"): dict(normalize=True, n_envs=2, n_timesteps=1e5, n_steps=1024),
    ("trpo", "MountainCar-v0"): dict(normalize=True, n_envs=2, n_timesteps=1e5, n_steps=1024,
                                     n_critic_updates=20),
    # sac.yml, td3.yml, ddpg.yml
    ("sac", "Pendulum-v1"): dict(n_timesteps=20000, learning_rate=1e-3),
    ("td3", "Pendulum-v1"): _OFF,
    ("ddpg", "Pendulum-v1"): _OFF,
}
# Settings the gallery does not expose, at the values the Zoo entries give them (the libraries' defaults).
LIBRARY_ONLY = {"train_freq": 1, "gradient_steps": 1}


def gallery_form(yml: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A Zoo entry as :func:`core.rl.zoo.defaults` writes it, and the notes it must carry."""
    out, notes = {}, []
    for key, value in yml.items():
        if key in ("learning_rate", "clip_range") and isinstance(value, str):
            out[key] = float(value.removeprefix("lin_"))
            out["lr_schedule" if key == "learning_rate" else "clip_schedule"] = "linear"
        elif key == "policy_kwargs":
            out["net_arch"] = [400, 300] if value == _NET else pytest.fail(f"unexpected {value}")
        elif key == "noise_std":
            out["action_noise"] = value
        elif key == "noise_type":
            assert value == "normal"  # the gallery's NormalActionNoise
        elif key in ("normalize", "use_sde"):
            notes.append("VecNormalize" if key == "normalize" else "gSDE")
        elif key == "sde_sample_freq" or key in LIBRARY_ONLY:
            assert key == "sde_sample_freq" or value == LIBRARY_ONLY[key]
        else:
            out[key] = int(value) if key == "n_timesteps" else value
    return out, notes


@pytest.mark.parametrize(("algo", "env_id"), list(PINNED), ids=[f"{a}-{e}" for a, e in PINNED])
def test_every_zoo_value_is_the_default(algo: str, env_id: str) -> None:
    expected, notes = gallery_form(PINNED[(algo, env_id)])
    hp = zoo.defaults(algo, env_id)
    assert {k: hp.get(k) for k in expected} == expected
    assert hp["source"] == "RL Baselines3 Zoo"
    for note in notes:
        assert note in hp["notes"]
    if not notes:
        assert hp["notes"] == ""
    # what the entry leaves out is the library's own default
    for key, value in hp.items():
        if key not in expected and key not in ("source", "notes", "n_envs"):
            assert value == zoo._SB3[algo][key], key


def _library(algo: str) -> type:
    from sb3_contrib import TRPO
    from stable_baselines3 import DDPG, PPO, SAC, TD3

    return {"ppo": PPO, "trpo": TRPO, "sac": SAC, "td3": TD3, "ddpg": DDPG}[algo]


@pytest.mark.parametrize("algo", ["ppo", "trpo", "sac", "td3", "ddpg"])
def test_the_fallbacks_are_the_installed_libraries_defaults(algo: str) -> None:
    params = inspect.signature(_library(algo).__init__).parameters
    for key, value in zoo._SB3[algo].items():
        if key == "n_envs":
            assert value == 1  # the Zoo's default: one environment
        elif key == "action_noise":
            assert params[key].default is None and value == 0.1  # the Zoo's noise_std of these entries
        else:
            assert params[key].default == value, key
    for key, value in LIBRARY_ONLY.items():
        if key in params:
            assert params[key].default == value


def test_trpo_builds_with_the_zoo_damping() -> None:
    model = agents.build_model(agents.make_config("trpo", "CartPole-v1", timesteps=1024), inference=True)
    assert (model.cg_damping, model.gae_lambda, model.n_critic_updates) == (1e-3, 0.98, 20)
