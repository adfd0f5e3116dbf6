"""AppTest of the live-training page: each control reaches the run's settings and the URL, and a short run
shows its held-out return, the trained agent playing and its curve beside earlier runs."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import finish_job, page, texts

PAGE = "apps/pages/l7/train.py"


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_the_defaults_are_the_zoo_settings() -> None:
    at = page(PAGE)
    assert ("PPO on CartPole-v1: learning rate 0.001, γ 0.98, entropy coefficient 0; 100,000 steps, seed 0. "
            "Other settings from RL Baselines3 Zoo.") in captions(at)


# (widget key, kind, value, text the run's settings line then shows, settings before it)
CONTROLS: list[tuple[str, str, Any, str, dict[str, str]]] = [
    ("l7tr_lr", "select_slider", 0.03, "learning rate 0.03,", {}),
    ("l7tr_gamma", "select_slider", 0.9, "γ 0.9,", {}),
    ("l7tr_ent", "select_slider", 0.01, "entropy coefficient 0.01;", {}),
    ("l7tr_steps", "select_slider", 5_000, "; 5,000 steps,", {}),
    ("l7tr_seed", "number_input", 42, "seed 42.", {}),
    ("l7tr_algo", "selectbox", "trpo", "TRPO on CartPole-v1", {}),
    ("l7tr_algo", "selectbox", "vpg", "Vanilla policy gradient (REINFORCE) on CartPole-v1", {}),
    ("l7tr_env", "selectbox", "Acrobot-v1", "PPO on Acrobot-v1", {}),
    ("l7tr_noise", "slider", 0.3, "action noise 0.3;", {"l7tr_env": "Pendulum-v1", "l7tr_algo": "td3"}),
    ("l7tr_algo", "selectbox", "sac", "SAC on Pendulum-v1", {"l7tr_env": "Pendulum-v1"}),
]


@pytest.mark.parametrize(("key", "kind", "value", "expected", "params"), CONTROLS,
                         ids=[f"{c[0]}={c[2]}" for c in CONTROLS])
def test_each_control_reaches_the_run_and_the_url(key: str, kind: str, value: Any, expected: str,
                                                  params: dict[str, str]) -> None:
    at = page(PAGE, params=params)
    assert expected not in captions(at)
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert expected in captions(at)
    assert str(at.query_params[key]) in (str(value), f"{value:g}" if isinstance(value, float) else str(value))


def test_only_the_algorithms_an_environment_allows_are_offered() -> None:
    at = page(PAGE)
    assert "sac" not in at.selectbox(key="l7tr_algo").options
    at = page(PAGE, params={"l7tr_env": "Pendulum-v1"})
    assert {"SAC", "TD3", "DDPG"} <= set(at.selectbox(key="l7tr_algo").options)


def test_a_nan_in_the_url_is_ignored() -> None:
    at = page(PAGE, params={"l7tr_lr": "nan", "l7tr_gamma": "inf"})
    assert "learning rate 0.001, γ 0.98" in captions(at)


def test_a_short_run_trains_with_the_chosen_settings_and_shows_the_agent() -> None:
    at = page(PAGE, params={"l7tr_steps": "2000", "l7tr_seed": "5", "l7tr_lr": "0.003"})
    at.button(key="l7tr__start").click().run()
    finish_job(at, "l7tr", timeout=300)
    assert not at.exception, at.exception
    res = at.session_state["l7tr__job"].result
    cfg = res.run.config
    assert (cfg.algo, cfg.timesteps, cfg.seed, cfg.hyper["learning_rate"]) == ("ppo", 2_000, 5, 0.003)
    assert res.run.history["timesteps"][-1] <= 2_000 + 256
    text = texts(at)
    assert f"Mean return over 5 held-out episodes {res.mean_return:.1f}" in text
    assert len(at.image) == 1
    assert "The trained agent, one held-out episode" in at.image[0].proto.imgs[0].caption
    assert any("This run (solid)" in str(c.proto.spec) for c in at.get("plotly_chart"))
    assert "run 1" in at.dataframe[0].value["run"].tolist()
