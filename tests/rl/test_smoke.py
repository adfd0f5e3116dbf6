"""A few hundred steps of every algorithm on an environment it can act in: it runs, reports episodes and
acts; every environment of the lecture builds and renders offline."""

from __future__ import annotations

import numpy as np
import pytest

from core.rl import agents, envs, zoo

PAIRS = [("vpg", "CartPole-v1"), ("vpg", "Pendulum-v1"), ("ppo", "Acrobot-v1"), ("trpo", "MountainCar-v0"),
         ("ddpg", "Pendulum-v1"), ("td3", "Pendulum-v1"), ("sac", "Pendulum-v1")]


@pytest.mark.parametrize(("algo", "env_id"), PAIRS, ids=[f"{a}-{e}" for a, e in PAIRS])
def test_a_few_hundred_steps_train_and_act(algo: str, env_id: str) -> None:
    overrides = {"learning_starts": 100} if algo in zoo.OFF_POLICY else {}
    cfg = agents.make_config(algo, env_id, timesteps=400, seed=0, **overrides)
    if algo in ("ppo", "trpo"):  # one small rollout instead of the Zoo's thousands of steps
        cfg = agents.with_overrides(cfg, n_envs=1, n_steps=128, batch_size=64)
    run = agents.train(cfg)
    assert run.status == "completed"
    assert run.history["timesteps"], "no episode was reported"
    env = envs.make(env_id)
    obs, _ = env.reset(seed=1)
    action, _ = run.agent.predict(obs, deterministic=True)
    assert env.action_space.contains(np.asarray(action, dtype=env.action_space.dtype).reshape(
        env.action_space.shape))


@pytest.mark.parametrize("env_id", list(envs.ENVS))
def test_every_environment_builds_and_renders_offline(env_id: str) -> None:
    env = envs.make(env_id, render=True)
    env.reset(seed=0)
    frame = env.render()
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.std() > 0
    env.close()
