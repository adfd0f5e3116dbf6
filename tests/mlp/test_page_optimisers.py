"""AppTest of the optimiser race page: every control changes what is shown, and the URL restores it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.mlp import optimisers as ov
from tests.helpers import ROOT, page, texts

PAGE = "apps/pages/l2/optimisers.py"


def figure(at: AppTest, key: str) -> dict[str, Any]:
    return json.loads(next(e for e in at.get("plotly_chart") if e.key == key).proto.spec)


def rows(at: AppTest) -> dict[str, dict[str, Any]]:
    """The results table, by optimiser label."""
    return {r["optimiser"]: r for r in at.dataframe[0].value.to_dict("records")}


def trace(at: AppTest, name: str) -> dict[str, Any]:
    return next(t for t in figure(at, "l2opt_fig_race")["data"] if t.get("name", "").startswith(name))


@pytest.fixture(scope="module")
def fresh() -> AppTest:
    return page(PAGE)


def test_default_race_shows_four_paths_and_the_rules(fresh: AppTest) -> None:
    assert not fresh.exception
    assert set(rows(fresh)) == {"SGD", "Momentum", "RMSProp", "Adam"}
    names = {t.get("name") for t in figure(fresh, "l2opt_fig_race")["data"]}
    assert {"SGD", "Momentum", "RMSProp", "Adam"} <= names
    assert figure(fresh, "l2opt_fig_loss")["layout"]["yaxis"]["type"] == "log"
    shown = texts(fresh)
    assert "Quadratic bowl" in shown and "bias" in shown.lower() and "ravine" in shown.lower()
    assert any(r"\hat m_t" in e.value for e in fresh.get("latex"))


@pytest.mark.parametrize("name", list(ov.SURFACES))
def test_choosing_a_surface_loads_its_suggested_settings(name: str) -> None:
    at = page(PAGE)
    at.selectbox(key="l2opt_surface").set_value(name).run()
    s = ov.SURFACES[name]
    assert not at.exception and s.title in texts(at)
    assert at.select_slider(key="l2opt_lr").value == s.lr
    assert at.select_slider(key="l2opt_lra").value == s.lr_adaptive
    assert at.slider(key="l2opt_steps").value == s.steps
    assert (at.slider(key="l2opt_x0").value, at.slider(key="l2opt_y0").value) == pytest.approx(s.start)
    assert not at.error  # the suggestions never diverge
    assert ("l2opt_cond" in [w.key for w in at.select_slider]) == ("condition" in s.params)


def test_learning_rates_steps_and_start_reach_the_race() -> None:
    at = page(PAGE)
    at.select_slider(key="l2opt_lr").set_value(0.5).run()  # beyond 2/kappa = 0.04
    assert "SGD diverged" in texts(at) and "Momentum diverged" in texts(at)
    assert "lr < 2/κ = 0.04" in texts(at) and "lr < 2(1+μ)/κ = 0.076" in texts(at)
    assert rows(at)["SGD"]["status"] == "diverged" and "diverged at step" in trace(at, "SGD")["name"]
    at.select_slider(key="l2opt_lra").set_value(0.02).run()
    assert rows(at)["Adam"]["learning rate"] == 0.02
    at.slider(key="l2opt_steps").set_value(30).run()
    assert figure(at, "l2opt_fig_loss")["layout"]["xaxis"]["range"] == [0, 30]
    at.slider(key="l2opt_x0").set_value(1.0)
    at.slider(key="l2opt_y0").set_value(-1.0).run()
    assert (trace(at, "start")["x"], trace(at, "start")["y"]) == ([1.0], [-1.0])
    at.button(key="l2opt_suggest").click().run()
    assert at.select_slider(key="l2opt_lr").value == ov.SURFACES["bowl"].lr and not at.error
    at.slider(key="l2opt_x0").set_value(-4.5).run()
    assert "outside the view box" in texts(at)


def test_condition_number_and_hyperparameters_change_their_racer() -> None:
    at = page(PAGE)
    before = rows(at)
    at.select_slider(key="l2opt_cond").set_value(5).run()
    assert before["SGD"]["y-step reversals"] > 0
    assert rows(at)["SGD"]["y-step reversals"] == 0  # a round bowl: ηκ < 1, no zig-zag
    for key, value, racer in (("l2opt_mom", 0.5, "Momentum"), ("l2opt_b1", 0.5, "Adam")):
        old = rows(at)
        at.slider(key=key).set_value(value).run()
        new = rows(at)
        assert new[racer]["final loss"] != old[racer]["final loss"], key
        assert new["SGD"]["final loss"] == old["SGD"]["final loss"]  # the other racers keep their paths
    for key, value, racer in (("l2opt_alpha", 0.9, "RMSProp"), ("l2opt_b2", 0.9, "Adam")):
        old = rows(at)
        at.select_slider(key=key).set_value(value).run()
        assert rows(at)[racer]["final loss"] != old[racer]["final loss"], key


def test_racer_checkboxes_choose_who_runs() -> None:
    at = page(PAGE)
    at.checkbox(key="l2opt_show_adam").uncheck()
    at.checkbox(key="l2opt_show_rmsprop").uncheck().run()
    assert set(rows(at)) == {"SGD", "Momentum"}
    at.checkbox(key="l2opt_show_sgd").uncheck()
    at.checkbox(key="l2opt_show_momentum").uncheck().run()
    assert not at.exception and "No optimiser selected" in texts(at)


def test_url_restores_every_control() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    url = dict(l2opt_surface="saddle", l2opt_lr="0.02", l2opt_lra="0.2", l2opt_steps="70", l2opt_x0="-1.5",
               l2opt_y0="0.2", l2opt_mom="0.7", l2opt_alpha="0.95", l2opt_b1="0.8", l2opt_b2="0.99",
               l2opt_show_sgd="0", l2opt_show_momentum="1", l2opt_show_rmsprop="1", l2opt_show_adam="1")
    for k, v in url.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.selectbox(key="l2opt_surface").value == "saddle"
    assert at.select_slider(key="l2opt_lr").value == 0.02 and at.select_slider(key="l2opt_lra").value == 0.2
    assert at.slider(key="l2opt_steps").value == 70
    assert (at.slider(key="l2opt_x0").value, at.slider(key="l2opt_y0").value) == (-1.5, 0.2)
    assert at.slider(key="l2opt_mom").value == 0.7 and at.slider(key="l2opt_b1").value == 0.8
    assert at.select_slider(key="l2opt_alpha").value == 0.95
    assert at.select_slider(key="l2opt_b2").value == 0.99
    assert at.checkbox(key="l2opt_show_sgd").value is False
    assert set(rows(at)) == {"Momentum", "RMSProp", "Adam"}
    assert "Saddle point" in texts(at)

    bowl = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    bowl.query_params["l2opt_cond"] = "200"
    bowl.query_params["l2opt_lr"] = "7"  # not an offered value: ignored, the default stays
    bowl.run()
    assert bowl.select_slider(key="l2opt_cond").value == 200
    assert bowl.select_slider(key="l2opt_lr").value == ov.SURFACES["bowl"].lr
    assert bowl.query_params["l2opt_cond"] == ["200"] or bowl.query_params["l2opt_cond"] == "200"


def test_opening_race_shows_sgd_zig_zag_and_momentum_swing(fresh: AppTest) -> None:
    table = rows(fresh)
    assert table["SGD"]["y-step reversals"] >= 0.9 * ov.SURFACES["bowl"].steps  # a zig-zag at every step
    assert table["Momentum"]["y-step reversals"] < table["SGD"]["y-step reversals"] / 2
    assert "zig-zags" in texts(fresh) and "reversals" in texts(fresh)


def test_bowl_shows_momentums_rate_map_with_the_setting_and_the_closed_form_optimum() -> None:
    from core.mlp import momentum_rates as mr

    at = page(PAGE)
    marks = {t.get("name"): t for t in figure(at, "l2opt_fig_rates")["data"]}
    best = mr.optimum(50.0)
    assert marks["optimum"]["x"] == [pytest.approx(best.lr)]
    assert marks["optimum"]["y"] == [pytest.approx(best.momentum)]
    assert marks["your setting"]["x"] == [ov.SURFACES["bowl"].lr] and marks["your setting"]["y"] == [0.9]
    assert f"{best.rate:.4f}" in texts(at) and f"ρ = {0.9 ** 0.5:.4f}" in texts(at)
    eigen = [t["name"] for t in figure(at, "l2opt_fig_eigen")["data"]]
    assert "x (λ = 1)" in eigen and "y (λ = κ = 50)" in eigen
    at.slider(key="l2opt_mom").set_value(0.5).run()
    assert figure(at, "l2opt_fig_rates")["data"][2]["y"] == [0.5]
    at.select_slider(key="l2opt_cond").set_value(200).run()
    assert f"{mr.optimum(200.0).rate:.4f}" in texts(at)
    at.selectbox(key="l2opt_surface").set_value("rosenbrock").run()
    assert not at.exception and "l2opt_fig_rates" not in {e.key for e in at.get("plotly_chart")}
