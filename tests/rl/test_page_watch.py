"""AppTest of the watch page: each picker reaches the agent that plays, the seed reaches the episode."""

from __future__ import annotations

import pytest

from core.rl import agents, showcase
from tests.helpers import page, texts

PAGE = "apps/pages/l7/watch.py"
PAIRS = showcase.shipped_pairs()


def test_the_default_agent_plays_a_held_out_episode_and_shows_its_numbers() -> None:
    at = page(PAGE)
    env_id, algo = next(iter(PAIRS)), PAIRS[next(iter(PAIRS))][0]
    ent = showcase.shipped()[showcase.agent_name(algo, env_id)]
    text = texts(at)
    assert f"Agent `{algo}-{env_id}`" in text
    assert f"{ent.metrics['mean_return']:.1f} ± {ent.metrics['std_return']:.1f}" in text
    assert len(at.image) == 1  # the animated episode
    assert len(at.get("plotly_chart")) == 2  # learning curve, rewards of the episode


@pytest.mark.parametrize("algo", PAIRS.get("CartPole-v1", ()))
def test_the_algorithm_picker_reaches_the_agent(algo: str) -> None:
    at = page(PAGE)
    at.selectbox(key="l7w_algo").set_value(algo).run()
    assert not at.exception, at.exception
    assert f"Agent `{algo}-CartPole-v1`" in texts(at)
    assert at.query_params["l7w_algo"] == algo


@pytest.mark.skipif("Pendulum-v1" not in PAIRS, reason="no Pendulum agent shipped")
def test_the_environment_picker_reaches_the_agent() -> None:
    at = page(PAGE)
    at.selectbox(key="l7w_env").set_value("Pendulum-v1").run()
    assert not at.exception, at.exception
    assert f"Agent `{PAIRS['Pendulum-v1'][0]}-Pendulum-v1`" in texts(at)


def test_the_seed_reaches_the_episode() -> None:
    name = showcase.agent_name(PAIRS["CartPole-v1"][0], "CartPole-v1")
    expected = showcase.play(agents.load_agent(name), "CartPole-v1", 7)
    at = page(PAGE)
    at.number_input(key="l7w_seed").set_value(7).run()
    assert not at.exception, at.exception
    caption = at.image[0].proto.imgs[0].caption
    assert f"Seed 7: return {expected.total:.1f} in {expected.length} steps" in caption
    assert at.metric[0].value == f"{expected.total:.1f}"
