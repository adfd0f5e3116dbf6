"""AppTest of the grid-vs-random search page: every control shapes the search, a run shows both
strategies' best-so-far curves, the per-hyperparameter scatter and the trial table."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import finish_job, page, texts

PAGE = "apps/pages/l2/search.py"


def figure(at: AppTest, key: str) -> dict[str, Any]:
    return json.loads(next(e for e in at.get("plotly_chart") if e.key == key).proto.spec)


@pytest.fixture(scope="module")
def fresh() -> AppTest:
    return page(PAGE)


def test_default_page_explains_the_space_and_the_budget(fresh: AppTest) -> None:
    assert not fresh.exception
    shown = texts(fresh)
    assert "2 × 2 × 2 × 2 = 16 of 16 trials" in shown and "spirals: 400 generated points" in shown
    space = fresh.dataframe[0].value
    assert list(space["hyperparameter"]) == ["learning rate", "L2 strength", "dropout", "patience (epochs)"]
    assert "Bergstra" in shown


@pytest.mark.parametrize("key, value, shown", [
    ("l2s_budget", 30, "3 × 2 × 2 × 2 = 24 of 30 trials"),
    ("l2s_set", "xor", "xor: 400 generated points"),
    ("l2s_n", 200, "spirals: 200 generated points"),
    ("l2s_noise", 0.5, "noise=0.5"),
    ("l2s_epochs", 50, "≤ 50 epochs"),
])  # fmt: skip
def test_controls_change_the_search_and_the_url(key: str, value: Any, shown: str) -> None:
    at = page(PAGE)
    kinds = ("slider", "select_slider", "selectbox")
    widget = next(w for kind in kinds for w in getattr(at, kind) if w.key == key)
    widget.set_value(value).run()
    assert not at.exception and shown in texts(at)
    assert at.query_params[key] == str(value)


def test_running_both_searches_shows_curves_scatter_and_trials() -> None:
    at = page(PAGE)
    at.slider(key="l2s_budget").set_value(4)
    at.select_slider(key="l2s_n").set_value(200)
    at.select_slider(key="l2s_epochs").set_value(50)
    at.number_input(key="l2s_seed").set_value(3).run()
    assert at.query_params["l2s_seed"] == "3"
    at.button(key="l2s__start").click().run()
    finish_job(at, "l2s")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == [f"{s} search: best validation accuracy (4 trials)" for s in ("grid", "random", "tpe")]
    names = [t["name"] for t in figure(at, "l2s_best")["data"]]
    assert names == ["grid search", "random search", "tpe search", "grid: expected over run orders",
                     "random: expected over run orders"]
    scatter = figure(at, "l2s_scatter")
    assert len(scatter["data"]) == 12 and scatter["layout"]["xaxis"]["type"] == "log"
    summary, trials = at.dataframe[1].value, at.dataframe[2].value
    assert list(summary["distinct lr"])[:2] == [2, 4]  # the grid sees 2 learning rates, random search 4
    assert len(trials) == 12 and set(trials["strategy"]) == {"grid", "random", "tpe"}
    # Every control reached the search: seed, budget, epochs per trial, points.
    res = at.session_state["l2s__job"].result
    assert res.config.seed == 3 and res.config.budget == 4 and res.config.base.epochs == 50
    assert max(trials["epochs"]) <= 50 and "spirals: 200 generated points" in res.data
    # Changing a setting afterwards keeps the result but says it is stale.
    at.slider(key="l2s_budget").set_value(5).run()
    assert "settings changed since this search" in texts(at)


def test_importance_is_measured_not_stated_and_the_winners_optimism_is_shown() -> None:
    at = page(PAGE)
    assert "mostly the learning rate" not in texts(at)  # which one matters is measured after a run
    at.slider(key="l2s_budget").set_value(4)
    at.select_slider(key="l2s_n").set_value(200)
    at.select_slider(key="l2s_epochs").set_value(50).run()
    at.button(key="l2s__start").click().run()
    finish_job(at, "l2s")
    assert not at.exception
    bars = figure(at, "l2s_importance")["data"][0]
    assert set(bars["y"]) == {"learning rate", "L2 strength", "dropout", "patience (epochs)"}
    assert sum(bars["x"]) == pytest.approx(1.0)
    shown = texts(at)
    assert "fANOVA" in shown and "of the variance of validation accuracy" in shown
    assert "40 validation points" in shown and "test points" in shown and "optimism" in shown
