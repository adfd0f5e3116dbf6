"""The shipped agents: rebuilt from their files they act in their environment and reach the Zoo's level,
re-measured on the same held-out episodes the training command used."""

from __future__ import annotations

import numpy as np
import pytest

from core.rl import agents, envs, load_agent, showcase

SHIPPED = showcase.shipped()
ZOO_LEVEL = {"CartPole-v1": 475.0, "Pendulum-v1": -200.0}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_agent_reaches_the_zoo_level_again_from_its_file(name: str) -> None:
    ent = SHIPPED[name]
    env_id = ent.config["env_id"]
    agent = load_agent(name)
    env = envs.make(env_id)
    obs, _ = env.reset(seed=0)
    action, _ = agent.predict(obs, deterministic=True)
    assert env.action_space.contains(np.asarray(action, dtype=env.action_space.dtype))
    returns = agents.evaluate(agent, env_id, ent.metrics["episodes"], ent.dataset["eval_seed"])
    assert ent.metrics["episodes"] >= 20
    assert agents.return_metrics(returns) == pytest.approx(
        {k: ent.metrics[k] for k in ("mean_return", "std_return", "episodes")}, abs=1e-3)
    assert np.mean(returns) >= ZOO_LEVEL[env_id]


def test_the_required_agents_are_shipped() -> None:
    assert {"ppo-CartPole-v1", "vpg-CartPole-v1"} <= set(SHIPPED)
