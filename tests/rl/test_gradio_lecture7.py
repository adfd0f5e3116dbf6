"""Gradio tab of lecture 7 through the real route: /agent_episode plays the shipped agent it names, and
refuses what the page would not offer with a message a user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.gradio_tabs import lecture7
from core.rl import agents, showcase
from tests.helpers import gradio_tab_client


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with gradio_tab_client(lecture7.build) as c:
        yield c


def test_agent_episode_plays_the_shipped_agent_from_the_seed(client: Any) -> None:
    html, summary = client.predict("CartPole-v1", "ppo", 11, api_name="/agent_episode")
    expected = showcase.play(agents.load_agent("ppo-CartPole-v1"), "CartPole-v1", 11)
    assert html.startswith('<img alt="ppo-CartPole-v1, seed 11"') and "data:image/gif;base64," in html
    assert summary["return"] == round(expected.total, 3) and summary["length"] == expected.length
    ent = showcase.shipped()["ppo-CartPole-v1"]
    assert summary["held_out_mean_return"] == ent.metrics["mean_return"]


@pytest.mark.parametrize(("args", "message"), [
    (("CartPole-v1", "ppo", "nan"), "Episode seed must be a whole number"),
    (("CartPole-v1", "ppo", -1), "Episode seed must be a whole number from 0"),
    (("CartPole-v1", "ppo", "1e12"), "Episode seed must be a whole number"),
    (("CartPole-v1", "dqn", 0), "Algorithm must be one of"),
    (("Breakout-v5", "ppo", 0), "Environment must be one of"),
])
def test_bad_input_is_refused_with_a_clear_message(client: Any, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message) as info:
        client.predict(*args, api_name="/agent_episode")
    assert "object at 0x" not in str(info.value)


def test_the_algorithm_choices_follow_the_environment(client: Any) -> None:
    update = client.predict("CartPole-v1", api_name="/agent_algorithms")
    values = [c[1] if isinstance(c, (list, tuple)) else c for c in update["choices"]]
    assert set(values) == set(showcase.shipped_pairs()["CartPole-v1"])
