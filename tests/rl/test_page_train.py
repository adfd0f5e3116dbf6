"""AppTest of the live-training page: each control reaches the run's settings and the URL, the shipped
agents are drawn as mean and band over their seeds, and a short run shows its held-out return, the trained
agent playing and its curve over the band of its pair and beside earlier runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.rl import showcase, zoo
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


def chart(at: AppTest, title: str) -> dict[str, Any]:
    """The plotly figure whose title starts with ``title``, as JSON."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if s["layout"]["title"]["text"].replace("<br>", " ").startswith(title)]
    assert found, [s["layout"]["title"]["text"] for s in specs]
    return found[0]


def names(fig: dict[str, Any]) -> list[str]:
    return [t.get("name", "") for t in fig["data"]]


SHIPPED_CARTPOLE = showcase.shipped_pairs()["CartPole-v1"]


def test_the_shipped_agents_are_drawn_as_mean_and_band_over_their_seeds() -> None:
    at = page(PAGE)
    assert at.multiselect(key="l7tr_cmp").value == list(SHIPPED_CARTPOLE)
    fig = chart(at, "Shipped agents on CartPole")
    for algo in SHIPPED_CARTPOLE:
        n = len(showcase.seeds(algo, "CartPole-v1"))
        title = zoo.ALGORITHMS[algo].title
        assert f"{title}: mean of {n} seed{'s' * (n > 1)}" in names(fig)
        assert f"{title}: min-max of {n} seed{'s' * (n > 1)}" in names(fig)
    assert fig["layout"]["shapes"][0]["y0"] == 475  # the solved line


def test_the_compare_picker_reaches_the_plot_and_the_url() -> None:
    at = page(PAGE)
    at.multiselect(key="l7tr_cmp").set_value(["trpo"]).run()
    assert not at.exception, at.exception
    fig = chart(at, "Shipped agents on CartPole")
    assert {n.split(":")[0] for n in names(fig)} == {"TRPO"}
    assert at.query_params["l7tr_cmp"] in ("trpo", ["trpo"])  # one value; several repeat the parameter
    at.multiselect(key="l7tr_cmp").set_value([]).run()
    assert chart(at, "Shipped agents on CartPole")["data"] == []


@pytest.mark.skipif("Pendulum-v1" not in showcase.shipped_pairs(), reason="no Pendulum agent shipped")
def test_another_environment_offers_and_draws_its_own_shipped_agents() -> None:
    at = page(PAGE, params={"l7tr_cmp": "trpo"})
    at.selectbox(key="l7tr_env").set_value("Pendulum-v1").run()
    assert not at.exception, at.exception
    pendulum = showcase.shipped_pairs()["Pendulum-v1"]
    assert at.multiselect(key="l7tr_cmp").value == list(pendulum)
    fig = chart(at, "Shipped agents on Pendulum")
    assert {n.split(":")[0] for n in names(fig)} == {zoo.ALGORITHMS[a].title for a in pendulum}
    assert fig["layout"]["shapes"][0]["y0"] == -200


def test_a_nan_in_the_url_is_ignored() -> None:
    at = page(PAGE, params={"l7tr_lr": "nan", "l7tr_gamma": "inf"})
    assert "learning rate 0.001, γ 0.98" in captions(at)


def test_a_short_run_trains_with_the_chosen_settings_and_shows_the_agent() -> None:
    at = page(PAGE, params={"l7tr_steps": "2000", "l7tr_seed": "5", "l7tr_lr": "0.003", "l7tr_cmp": "vpg"})
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
    fig = chart(at, "This run (solid)")
    # the run over the band of its own pair, even with PPO taken out of the comparison
    assert "mean return" in names(fig) and "PPO: mean of" in " ".join(names(fig))
    run_trace = fig["data"][names(fig).index("mean return")]
    assert run_trace["x"][-1] == res.run.history["timesteps"][-1]
    assert "run 1" in at.dataframe[0].value["run"].tolist()
    # Another environment chosen after the run: the run's own result stays drawn against its own
    # environment's shipped agents (not Pendulum's), so the comparison never mixes scales.
    at.selectbox(key="l7tr_env").set_value("Pendulum-v1").run()
    assert not at.exception, at.exception
    after = " ".join(names(chart(at, "This run (solid)")))
    assert "PPO: mean of" in after and "SAC" not in after and "TD3" not in after
