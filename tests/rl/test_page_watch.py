"""AppTest of the watch page: each picker reaches the agent that plays, the seed reaches the episode, the
training seed picks the shipped agent of that seed and its learning curve over the band of all seeds."""

from __future__ import annotations

import json

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
    assert f"Over {len(showcase.seeds(algo, env_id))} training seeds (seed 0: " in text


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


def test_the_training_seed_picker_reaches_the_agent_and_its_curve_over_the_band() -> None:
    algo = max(PAIRS["CartPole-v1"], key=lambda a: len(showcase.seeds(a, "CartPole-v1")))
    seeds = showcase.seeds(algo, "CartPole-v1")
    if len(seeds) < 2:
        pytest.skip("one training seed shipped")
    seed = list(seeds)[-1]
    at = page(PAGE, params={"l7w_algo": algo})
    at.selectbox(key="l7w_train_seed").set_value(seed).run()
    assert not at.exception, at.exception
    name = showcase.agent_name(algo, "CartPole-v1", seed)
    assert f"Agent `{name}`" in texts(at) and str(at.query_params["l7w_train_seed"]) == str(seed)
    expected = showcase.play(agents.load_agent(name), "CartPole-v1", agents.EVAL_SEED)
    assert f"return {expected.total:.1f} in {expected.length} steps" in at.image[0].proto.imgs[0].caption
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    curve = fig["data"][-1]
    assert curve["x"] == showcase.curve(seeds[seed])["timesteps"]  # this seed's run, solid, over the band
    assert any(f"mean of {len(seeds)} seeds" in t.get("name", "") for t in fig["data"])
