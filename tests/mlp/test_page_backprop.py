"""AppTest of the backprop page: every control reaches the network, and the URL restores the view."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from core.mlp import backprop as bp
from tests.helpers import ROOT, page, texts

PAGE = "apps/pages/l2/backprop.py"


def figure(at: AppTest) -> dict[str, Any]:
    return json.loads(next(e for e in at.get("plotly_chart") if e.key == "l2bp_fig").proto.spec)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def latex(at: AppTest) -> str:
    return "\n".join(e.value for e in at.latex)


def test_default_page_shows_forward_backward_and_the_autograd_check() -> None:
    at = page(PAGE)
    assert not at.exception
    s = bp.step_through(bp.BackpropConfig())
    assert at.success and "Autograd check" in at.success[0].value and "exact" in at.success[0].value
    table = at.dataframe[0].value
    assert list(table["parameter"]) == [bp.UNICODE[k] for k in bp.PARAMS]
    assert (table["∂L/∂θ by hand"] - table["∂L/∂θ autograd"]).abs().max() < 1e-12
    assert r"\partial w_{12}" in latex(at) and f"{s.forward.loss:.4g}" in latex(at)
    assert metrics(at)["Loss before"] == f"{s.forward.loss:.5f}"
    assert "chain rule" in texts(at)


def test_inputs_target_seed_and_lr_change_the_numbers() -> None:
    at = page(PAGE)
    for kind, key, value in (("slider", "l2bp_x1", -1.5), ("slider", "l2bp_x2", 1.2),
                             ("slider", "l2bp_t", 0.25), ("number_input", "l2bp_seed", 7)):
        before = latex(at)
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception and latex(at) != before, key
    cfg = bp.BackpropConfig(x1=-1.5, x2=1.2, target=0.25, seed=7)
    assert metrics(at)["Loss before"] == f"{bp.step_through(cfg).forward.loss:.5f}"
    at.select_slider(key="l2bp_lr").set_value(0.01).run()
    cfg = bp.BackpropConfig(x1=-1.5, x2=1.2, target=0.25, seed=7, lr=0.01)
    after = bp.step_through(cfg).forward_after.loss
    assert metrics(at)["Loss after θ ← θ − η ∂L/∂θ"] == f"{after:.5f}"


def test_activation_and_loss_switch_the_chain_rule() -> None:
    at = page(PAGE)
    at.segmented_control(key="l2bp_act").set_value("tanh").run()
    assert "(1-h_1^2)" in latex(at) and r"\tanh(z_1)" in latex(at)
    at.segmented_control(key="l2bp_act").set_value("relu").run()
    assert r"\mathbb{1}[z_1>0]" in latex(at)
    at.segmented_control(key="l2bp_loss").set_value("bce").run()
    assert r"\frac{t}{\hat y}" in latex(at) and "sigmoid's slope cancels" in texts(at)
    assert at.success and not at.exception


def test_followed_parameter_moves_the_highlight() -> None:
    at = page(PAGE)
    at.selectbox(key="l2bp_param").set_value("v2").run()
    assert r"\partial v_2}" in latex(at) and "h_2" in latex(at)
    red = [t for t in figure(at)["data"] if t.get("line", {}).get("color") == "#D62728"]
    assert len(red) == 2  # v2 and the loss edge
    at.selectbox(key="l2bp_param").set_value("b1").run()
    assert r"\partial b_1}" in latex(at)


def test_too_large_a_step_is_called_out() -> None:
    at = page(PAGE)
    at.slider(key="l2bp_t").set_value(0.5).run()
    at.select_slider(key="l2bp_lr").set_value(20.0).run()
    assert at.warning and "increased the loss" in at.warning[0].value


def test_url_restores_every_control() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    url = dict(l2bp_x1="-0.3", l2bp_x2="1.7", l2bp_t="0.4", l2bp_seed="12", l2bp_act="relu", l2bp_loss="bce",
               l2bp_lr="2", l2bp_param="w21")
    for k, v in url.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert [at.slider(key=k).value for k in ("l2bp_x1", "l2bp_x2", "l2bp_t")] == [-0.3, 1.7, 0.4]
    assert at.number_input(key="l2bp_seed").value == 12 and at.select_slider(key="l2bp_lr").value == 2.0
    assert at.segmented_control(key="l2bp_act").value == "relu"
    assert at.segmented_control(key="l2bp_loss").value == "bce"
    assert at.selectbox(key="l2bp_param").value == "w21" and r"\partial w_{21}" in latex(at)
    s = bp.step_through(bp.BackpropConfig(-0.3, 1.7, 0.4, 12, "relu", "bce", 2.0))
    assert metrics(at)["Loss before"] == f"{s.forward.loss:.5f}"


def test_bce_with_the_largest_step_shows_finite_numbers() -> None:
    at = page(PAGE)
    for key, value in (("l2bp_x1", -2.0), ("l2bp_x2", -2.0)):
        at.slider(key=key).set_value(value)
    at.segmented_control(key="l2bp_loss").set_value("bce")
    at.select_slider(key="l2bp_lr").set_value(bp.LEARNING_RATES[-1]).run()
    assert not at.exception
    assert "nan" not in metrics(at)["Loss after θ ← θ − η ∂L/∂θ"].lower()
    assert at.success  # the autograd check still agrees
