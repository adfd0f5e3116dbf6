"""Gradio tab of the reward-shaping page through the real route: /shaped_return scores the shipped agent
under the weights it is sent, as the core counts it, and refuses what the page's sliders would not offer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.gradio_tabs import lecture7_shaping
from core.rl import agents, lunar, shaping, showcase
from tests.helpers import gradio_tab_client

SEED = agents.EVAL_SEED


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with gradio_tab_client(lecture7_shaping.build) as c:
        yield c


def test_the_cartpole_penalties_lower_only_the_reshaped_return(client: Any) -> None:
    plain = client.predict("CartPole-v1", 0.0, 0.0, 1.0, SEED, api_name="/shaped_return")
    out = client.predict("CartPole-v1", 1.5, 2.0, 1.0, SEED, api_name="/shaped_return")
    rule = shaping.Shaping("CartPole-v1", angle_penalty=1.5, position_penalty=2.0)
    expected = shaping.play_shaped(agents.load_agent("ppo-CartPole-v1"), rule, lunar.REPORT_EPISODES, SEED)
    assert out["shaping"] == shaping.describe(rule) == "−1.5·|pole angle| − 2·|cart position| each step"
    assert out["own_return"] == expected.row()["own return"] == plain["own_return"]  # the same play
    assert out["reshaped_return"] == expected.row()["reshaped return"] < plain["reshaped_return"]
    assert plain["reshaped_return"] == plain["own_return"] and plain["shaping"].startswith("none")
    assert out["seeds"] == [SEED, SEED + lunar.REPORT_EPISODES - 1] and "engines_off" not in out


def test_the_lunar_fuel_cost_scores_the_lander_against_falling(client: Any) -> None:
    if lunar.NAME not in showcase.shipped():
        pytest.skip(f"{lunar.NAME} is not shipped")
    low = client.predict("LunarLander-v3", 0.0, 0.0, 1.0, SEED, api_name="/shaped_return")
    high = client.predict("LunarLander-v3", 0.0, 0.0, 10.0, SEED, api_name="/shaped_return")
    lander, off = lunar.against_engines_off(agents.load_agent(lunar.NAME), 10.0, seed=SEED)
    assert high["shaping"] == shaping.describe(shaping.Shaping("LunarLander-v3", fuel_cost=10.0))
    assert high["reshaped_return"] == lander.row()["reshaped return"]
    assert high["engines_off"]["reshaped_return"] == off.row()["reshaped return"]
    assert high["engines_off"]["main_engine_steps"] == 0 and high["landed"] == lander.landed
    # the flight is the same at every fuel cost; only its score drops, and at ×10 falling scores more
    assert high["own_return"] == low["own_return"] and high["reshaped_return"] < low["reshaped_return"]
    assert high["falling_scores_more"] and not low["falling_scores_more"]


def test_the_episode_seed_chooses_the_episodes(client: Any) -> None:
    out = client.predict("CartPole-v1", 0.0, 2.0, 1.0, 7, api_name="/shaped_return")
    rule = shaping.Shaping("CartPole-v1", position_penalty=2.0)
    expected = shaping.play_shaped(agents.load_agent("ppo-CartPole-v1"), rule, lunar.REPORT_EPISODES, 7)
    assert out["reshaped_return"] == expected.row()["reshaped return"] and out["seeds"] == [7, 11]


@pytest.mark.parametrize(("args", "message"), [
    (("CartPole-v1", "nan", 0.0, 1.0, SEED), "Pole angle penalty a must be a number from 0 to 2"),
    (("CartPole-v1", 0.0, 2.5, 1.0, SEED), "Cart position penalty c must be a number from 0 to 2"),
    (("CartPole-v1", 0.0, "-inf", 1.0, SEED), "Cart position penalty c must be a number from 0 to 2"),
    (("LunarLander-v3", 0.0, 0.0, "inf", SEED), "Fuel cost k must be a number from 0 to 10"),
    (("LunarLander-v3", 0.0, 0.0, 10.5, SEED), "Fuel cost k must be a number from 0 to 10"),
    (("CartPole-v1", 0.0, 0.0, 1.0, "nan"), "Episode seed must be a whole number"),
    (("CartPole-v1", 0.0, 0.0, 1.0, -1), "Episode seed must be a whole number from 0"),
    (("MountainCar-v0", 0.0, 0.0, 1.0, SEED), "Environment must be one of"),
    (("Pendulum-v1", 0.0, 0.0, 1.0, SEED), "Environment must be one of"),
])
def test_bad_input_is_refused_with_a_clear_message(client: Any, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message) as info:
        client.predict(*args, api_name="/shaped_return")
    assert "object at 0x" not in str(info.value)


def test_the_offered_environments_are_the_shaping_ones_with_a_shipped_ppo_agent() -> None:
    pairs = showcase.shipped_pairs()
    assert set(lecture7_shaping.environments()) == {
        e for e in ("CartPole-v1", "LunarLander-v3") if "ppo" in pairs.get(e, ())}
    assert "CartPole-v1" in lecture7_shaping.environments()


def test_lecture7_lists_the_shaping_tab() -> None:
    from apps.gradio_app import tab_modules
    from core import schedule

    expected = ["lecture7", "lecture7_train", "lecture7_pg", "lecture7_shaping", "lecture7_alphazero"]
    assert tab_modules(schedule.lecture(7)) == expected
