"""AppTest of the perceptron page: step-through buttons, every control, and the URL round trip."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from core.mlp import perceptron as pc
from tests.helpers import ROOT, page, texts

PAGE = "apps/pages/l2/perceptron.py"


def figure(at: AppTest, key: str = "l2perc_fig") -> dict[str, Any]:
    return json.loads(next(e for e in at.get("plotly_chart") if e.key == key).proto.spec)


def step(at: AppTest) -> int:
    return at.slider(key="l2perc_step").value


def test_default_page_converges_and_explains() -> None:
    at = page(PAGE)
    assert not at.exception
    n = pc.run(pc.PerceptronConfig()).n_updates
    assert step(at) == 0 and at.success and "Converged" in at.success[0].value
    assert {m.label: m.value for m in at.metric}["Updates in all"] == str(n)
    shown = texts(at)
    assert "Novikoff" in shown and "XOR is not linearly separable" in shown
    assert "Step 0" in figure(at)["layout"]["title"]["text"]


def test_step_buttons_move_through_the_updates_and_the_url() -> None:
    at = page(PAGE)
    n = pc.run(pc.PerceptronConfig()).n_updates
    at.button(key="l2perc_next").click().run()
    at.button(key="l2perc_next").click().run()
    assert step(at) == 2 and at.query_params["l2perc_step"] in ("2", ["2"])
    assert "Step 2/" in figure(at)["layout"]["title"]["text"] and "Update 2" in texts(at)
    at.button(key="l2perc_prev").click().run()
    assert step(at) == 1
    at.button(key="l2perc_last").click().run()
    assert step(at) == n and {m.label: m.value for m in at.metric}["Misclassified now"] == "0"
    at.button(key="l2perc_next").click().run()
    assert step(at) == n  # no step beyond the last update
    at.button(key="l2perc_first").click().run()
    assert step(at) == 0
    at.slider(key="l2perc_step").set_value(7).run()
    assert "Step 7/" in figure(at)["layout"]["title"]["text"]


def test_xor_shows_the_cycle_and_clusters_show_no_convergence() -> None:
    at = page(PAGE)
    at.selectbox(key="l2perc_data").set_value("xor").run()
    assert at.error and "Cycle" in at.error[0].value and "never reach 0" in at.error[0].value
    assert "cycle" in figure(at, "l2perc_fig_mistakes")["layout"]["title"]["text"]
    at.selectbox(key="l2perc_data").set_value("xor-clusters").run()
    assert at.error and "No convergence" in at.error[0].value


def test_learning_rate_epochs_init_and_seed_reach_the_run() -> None:
    at = page(PAGE)
    at.select_slider(key="l2perc_lr").set_value(0.1).run()
    at.button(key="l2perc_next").click().run()
    assert any(r"0.1\cdot" in e.value for e in at.latex)  # the update equation uses η
    at.button(key="l2perc_last").click().run()
    at.slider(key="l2perc_epochs").set_value(2).run()
    n = pc.run(pc.PerceptronConfig(lr=0.1, max_epochs=2)).n_updates
    assert at.warning and "Not converged after 2 epochs" in at.warning[0].value
    assert step(at) == n  # the step stays within the shorter run
    at.checkbox(key="l2perc_random").check().run()
    at.button(key="l2perc_first").click().run()
    w0 = pc.run(pc.PerceptronConfig(lr=0.1, max_epochs=2, init="random")).w0
    assert f"{w0[0]:.2f}" in texts(at)
    before = figure(at)["data"]
    at.number_input(key="l2perc_seed").set_value(5).run()
    assert not at.exception and figure(at)["data"] != before


def test_url_restores_every_control() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    for k, v in dict(l2perc_data="and", l2perc_lr="0.5", l2perc_epochs="30", l2perc_random="1",
                     l2perc_seed="4", l2perc_step="3").items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.selectbox(key="l2perc_data").value == "and" and at.select_slider(key="l2perc_lr").value == 0.5
    assert at.slider(key="l2perc_epochs").value == 30 and at.checkbox(key="l2perc_random").value is True
    assert at.number_input(key="l2perc_seed").value == 4 and step(at) == 3
    assert "Step 3/" in figure(at)["layout"]["title"]["text"]
    far = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    far.query_params["l2perc_step"] = "100000"  # beyond the run: ignored
    far.run()
    assert not far.exception and step(far) == 0
