"""AppTest of the lecture 1 pages: every control changes what it should (and only that), the URL holds the
view, bad links and absurd settings are answered with defaults or warnings, never a traceback."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.basics import capacity, experiments, information
from tests.helpers import page, texts
from tests.viz.figure_checks import finite_figure, small_text

REG = "apps/pages/l1/regression.py"
INF = "apps/pages/l1/information.py"


def app(path: str, params: dict[str, str] | None = None) -> AppTest:
    return page(path, 60, params)


def array(values: Any) -> np.ndarray:
    """A trace's x or y from a chart spec: a list, or plotly's base64 ``{"dtype", "bdata"}``."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def charts(at: AppTest) -> dict[str, str]:
    """Plotly figure specs by element key."""
    return {e.key: e.proto.spec for e in at.get("plotly_chart")}


def widget(at: AppTest, kind: str, key: str) -> Any:
    return getattr(at, kind)(key=key)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


LIN, LOG, CAP, LR = "Linear regression", "Logistic regression", "Capacity sweep", "Learning rate"
POLY, LOGI, RATES = "run_polynomial", "run_logistic", "lr_comparison"
SWEEP, L2SWEEP = "capacity_sweep", "l2_sweep"
CORE = {POLY: experiments, LOGI: experiments, RATES: experiments, SWEEP: capacity, L2SWEEP: capacity}
"""The core calls of the regression page, by name, and the module the page calls them through."""


def cfg(field: str) -> Callable[..., Any]:
    return lambda config, *_: getattr(config, field)


# (key, widget kind, new value, tab it is shown in, figure that must change,
#  core call it must reach, what that call received, the value expected there)
REG_CONTROLS = [
    ("l1reg_n", "slider", 80, LIN, "l1reg_fig_fit", POLY, cfg("n"), 80),
    ("l1reg_noise", "slider", 0.5, LIN, "l1reg_fig_fit", POLY, cfg("noise"), 0.5),
    ("l1reg_seed", "number_input", 7, CAP, "l1reg_fig_cap", SWEEP, cfg("seed"), 7),
    ("l1reg_train", "slider", 50, LR, "l1reg_fig_lrloss", RATES, cfg("train_frac"), 0.5),
    ("l1reg_val", "slider", 30, CAP, "l1reg_fig_cap", SWEEP, cfg("val_frac"), 0.3),
    ("l1reg_basis", "segmented_control", "monomial", LIN, "l1reg_fig_fit", POLY, cfg("basis"), "monomial"),
    ("l1reg_deg", "slider", 9, LIN, "l1reg_fig_fit", POLY, cfg("degree"), 9),
    ("l1reg_batch", "selectbox", 4, LIN, "l1reg_fig_loss", POLY, cfg("batch_size"), 4),
    ("l1reg_lr", "select_slider", 0.01, LIN, "l1reg_fig_loss", POLY, cfg("lr"), 0.01),
    ("l1reg_epochs", "select_slider", 100, LIN, "l1reg_fig_loss", POLY, cfg("epochs"), 100),
    ("l1reg_l2", "select_slider", 0.1, LIN, "l1reg_fig_fit", POLY, cfg("l2"), 0.1),
    ("l1reg_ds", "selectbox", "circles", LOG, "l1reg_fig_boundary", LOGI, cfg("dataset"), "circles"),
    ("l1reg_lgn", "slider", 500, LOG, "l1reg_fig_boundary", LOGI, cfg("n"), 500),
    ("l1reg_lgnoise", "slider", 0.4, LOG, "l1reg_fig_boundary", LOGI, cfg("noise"), 0.4),
    ("l1reg_lgdeg", "slider", 3, LOG, "l1reg_fig_boundary", LOGI, cfg("degree"), 3),
    ("l1reg_lglr", "select_slider", 0.1, LOG, "l1reg_fig_lgloss", LOGI, cfg("lr"), 0.1),
    ("l1reg_lgepochs", "select_slider", 100, LOG, "l1reg_fig_lgloss", LOGI, cfg("epochs"), 100),
    ("l1reg_lgl2", "select_slider", 0.1, LOG, "l1reg_fig_boundary", LOGI, cfg("l2"), 0.1),
    ("l1reg_capl2", "select_slider", 0.01, CAP, "l1reg_fig_cap", SWEEP, cfg("l2"), 0.01),
    ("l1reg_capdeg", "slider", 9, CAP, "l1reg_fig_l2", L2SWEEP, cfg("degree"), 9),
    ("l1reg_lr1", "select_slider", 0.03, LR, "l1reg_fig_lrloss", RATES, lambda _, lrs: lrs[0], 0.03),
    ("l1reg_lr2", "select_slider", 0.5, LR, "l1reg_fig_lrw", RATES, lambda _, lrs: lrs[1], 0.5),
    ("l1reg_lr3", "select_slider", 0.9, LR, "l1reg_fig_lrloss", RATES, lambda _, lrs: lrs[2], 0.9),
    ("l1reg_lrdeg", "slider", 3, LR, "l1reg_fig_lrloss", RATES, cfg("degree"), 3),
    ("l1reg_lrepochs", "select_slider", 300, LR, "l1reg_fig_lrloss", RATES, cfg("epochs"), 300),
]
REG_IDS = [c[0] for c in REG_CONTROLS]
TAB_FIGURES = {
    LIN: {"l1reg_fig_fit", "l1reg_fig_loss"},
    LOG: {"l1reg_fig_boundary", "l1reg_fig_lgloss"},
    CAP: {"l1reg_fig_cap", "l1reg_fig_bv", "l1reg_fig_l2"},
    LR: {"l1reg_fig_lrloss", "l1reg_fig_lrw"},
}


def open_tab(at: AppTest, label: str) -> AppTest:
    """Click a tab (the tabs are bound to the ``l1reg_tab`` query parameter; only the open one runs)."""
    at.session_state["l1reg_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def reg_session() -> Iterator[tuple[AppTest, dict[str, list[tuple[Any, ...]]]]]:
    """One session that the control tests below move one control at a time (a fresh page per control
    would cost a full first run each; every test compares with the view just before its own change),
    with every core call of the page recorded: the arguments it received, newest last."""
    calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in CORE}
    with pytest.MonkeyPatch.context() as mp:
        for name, module in CORE.items():
            real = getattr(module, name)

            def spy(*args: Any, _real: Callable[..., Any] = real, _name: str = name) -> Any:
                calls[_name].append(args)
                return _real(*args)

            mp.setattr(module, name, spy)
        yield app(REG), calls


@pytest.mark.parametrize(("key", "kind", "value", "tab", "changes", "call", "received", "expected"),
                         REG_CONTROLS, ids=REG_IDS)  # fmt: skip
def test_regression_control_reaches_its_core_call_redraws_and_writes_the_url(
    reg_session: tuple[AppTest, dict[str, list[tuple[Any, ...]]]], key: str, kind: str, value: Any, tab: str,
    changes: str, call: str, received: Callable[..., Any], expected: Any,
) -> None:  # fmt: skip
    at, calls = reg_session
    open_tab(at, tab)
    before = charts(at)
    assert received(*calls[call][-1]) != expected  # the control starts elsewhere
    calls[call].clear()
    widget(at, kind, key).set_value(value).run()
    assert not at.exception
    assert calls[call] and received(*calls[call][-1]) == pytest.approx(expected)
    assert charts(at)[changes] != before[changes]
    assert at.query_params[key] == (f"{value:.6g}" if isinstance(value, float) else str(value))


@pytest.mark.parametrize("tab", [LIN, LOG, CAP, LR])
def test_only_the_open_tab_runs_and_a_link_reopens_it(tab: str) -> None:
    at = app(REG, {"l1reg_tab": tab})
    assert set(charts(at)) == TAB_FIGURES[tab]


def test_defaults_gd_matches_closed_form_and_validation_picks_degree_6() -> None:
    at = app(REG)
    table = next(m.value for m in at.markdown if "Mean squared error" in m.value)
    gd = next(line for line in table.splitlines() if line.startswith("| gradient descent"))
    cf = next(line for line in table.splitlines() if line.startswith("| closed form"))
    assert gd.split("|")[2:] == cf.split("|")[2:]  # 500 epochs on Legendre features reach the optimum
    assert "Validation picks **degree 6**" in texts(open_tab(at, CAP))
    assert [e.value for e in open_tab(at, LR).error] == [
        "η = 1.1: diverged at epoch 40: the objective grew from 0.63 to 6.68e+05 (over 1e+06× its start; "
        "learning rate 1.1 is too large); the error along u is multiplied by -1.2 per step."
    ]


def test_divergence_is_reported_not_drawn() -> None:
    at = app(REG, {"l1reg_deg": "15", "l1reg_lr": "3"})
    assert any("Gradient descent diverged at epoch" in e.value for e in at.error)
    table = next(m.value for m in at.markdown if "Mean squared error" in m.value)
    assert "| gradient descent | diverged | diverged | diverged |" in table
    names = [t.get("name") for t in json.loads(charts(at)["l1reg_fig_fit"])["data"]]
    assert "GD" not in names and "closed form" in names  # no GD curve, the closed form remains
    assert all(finite_figure(spec) for spec in charts(at).values())


def test_sgd_diverging_below_the_full_batch_limit_is_not_blamed_on_that_limit() -> None:
    """Batch 1 diverges at η = 0.3 while 2/λ_max = 0.84: "stable only for η < 0.84" would contradict it."""
    at = app(REG, {"l1reg_batch": "1", "l1reg_lr": "0.3"})
    (error,) = [e.value for e in at.error]
    assert "diverged at epoch" in error and "SGD can diverge below 2/λ_max = 0.84" in error
    assert "stable only" not in error


def test_lr_tab_shows_oscillation_without_divergence_below_the_limit() -> None:
    at = app(REG, {"l1reg_lr3": "0.9", "l1reg_tab": LR})
    assert not at.error
    assert "oscillates" in charts(at)["l1reg_fig_lrloss"]
    assert "diverges** for η > 2/λ_max = 1" in texts(at)


def test_lr_tab_follows_the_steepest_direction_not_one_weight() -> None:
    """"w1 jumps across its optimum" was true at degree 1 only; the error along the top Hessian
    eigenvector flips sign every step above 1/λ_max at every degree, and the chart shows that error."""
    at = app(REG, {"l1reg_tab": LR, "l1reg_lrdeg": "5", "l1reg_lr2": "0.5"})
    text = texts(at)
    assert "w1" not in text and "steepest direction u" in text and "every degree" in text
    limit = float(re.search(r"diverges\*\* for η > 2/λ_max = ([0-9.]+)", text)[1])
    assert limit / 2 < 0.5 < limit  # η = 0.5 oscillates at degree 5 ...
    fig = json.loads(charts(at)["l1reg_fig_lrw"])
    assert fig["layout"]["yaxis"]["title"]["text"] == "u·(θ − θ*)"
    ys = array(next(t for t in fig["data"] if t["name"] == "η = 0.5")["y"])
    ys = ys[:20]  # (later the error is down at rounding level)
    assert np.all(np.sign(ys[1:]) == -np.sign(ys[:-1]))  # ... and the chart flips sign every step
    assert "oscillates" in next(c.value for c in at.caption if c.value.startswith("η = 0.5"))


def test_capacity_tab_explains_validation_below_the_noise() -> None:
    """On 8 validation points (the old default of 40 points), the picked degree's validation MSE fell
    below σ², which no model reaches in expectation; the page says why, with the numbers."""
    at = app(REG, {"l1reg_tab": CAP, "l1reg_n": "40"})
    text = texts(at)
    assert "Validation picks **degree 3** (validation MSE 0.0300)" in text
    assert "σ² = 0.0625" in text and "on 8 points" in text and "σ²·√(2/8) = 0.0312" in text
    assert "*selection optimism*: here 0.0300 < σ²" in text
    assert "here 0.0" not in texts(app(REG, {"l1reg_tab": CAP}))  # 20 points: 0.0946, above σ²
    names = [t["name"] for t in json.loads(charts(at)["l1reg_fig_bv"])["data"]]
    assert names == ["bias²", "variance", "expected", "measured", "σ²"]


@pytest.mark.parametrize("tab", [LIN, LOG, CAP, LR])
def test_every_chart_is_readable_on_a_projector(tab: str) -> None:
    at = app(REG, {"l1reg_tab": tab})
    assert {key: small_text(spec) for key, spec in charts(at).items()} == {k: [] for k in TAB_FIGURES[tab]}


def test_shares_leaving_no_test_set_are_corrected_with_a_warning() -> None:
    at = app(REG)
    at.slider(key="l1reg_train").set_value(80).run()
    at.slider(key="l1reg_val").set_value(40).run()
    assert not at.exception
    assert any("validation cut to 10%" in w.value for w in at.warning)
    assert "Test share: 10%" in texts(at)


def test_impossible_split_warns_and_the_rest_of_the_page_works() -> None:
    at = app(REG, {"l1reg_n": "10", "l1reg_val": "5"})
    for tab in (LIN, CAP, LR):
        warnings = [w.value for w in open_tab(at, tab).warning]
        assert len(warnings) == 1 and "Cannot split the data" in warnings[0] and not charts(at)
    open_tab(at, LOG)  # the logistic tab has its own data
    assert "l1reg_fig_boundary" in charts(at) and "train accuracy" in metrics(at)


def test_circles_need_polynomial_features() -> None:
    at = app(REG, {"l1reg_ds": "circles", "l1reg_lgnoise": "0.1", "l1reg_tab": LOG})
    assert float(metrics(at)["test accuracy"].rstrip("%")) < 70
    at.slider(key="l1reg_lgdeg").set_value(2).run()
    assert float(metrics(at)["test accuracy"].rstrip("%")) > 95


def test_url_sets_every_kind_of_widget() -> None:
    params = {"l1reg_deg": "9", "l1reg_lr": "0.3", "l1reg_basis": "monomial", "l1reg_batch": "4",
              "l1reg_seed": "5", "l1reg_noise": "0.5", "l1reg_l2": "0.001", "l1reg_ds": "xor"}  # fmt: skip
    at = app(REG, params)
    assert at.slider(key="l1reg_deg").value == 9
    assert at.select_slider(key="l1reg_lr").value == 0.3
    assert at.segmented_control(key="l1reg_basis").value == "monomial"
    assert at.selectbox(key="l1reg_batch").value == 4
    assert at.number_input(key="l1reg_seed").value == 5
    assert at.slider(key="l1reg_noise").value == 0.5
    assert at.select_slider(key="l1reg_l2").value == 0.001
    assert "Degree 9 polynomial" in charts(at)["l1reg_fig_fit"]
    # Kept in the URL while its tab was closed:
    assert open_tab(at, LOG).selectbox(key="l1reg_ds").value == "xor"


def test_invalid_url_values_fall_back_to_defaults() -> None:
    bad = {"l1reg_deg": "abc", "l1reg_lr": "0.35", "l1reg_n": "100000", "l1reg_basis": "cubic",
           "l1reg_ds": "mnist", "l1reg_batch": "-1", "l1reg_seed": "1e99", "l1reg_capdeg": "0",
           "l1reg_tab": "Nope"}  # fmt: skip
    at = app(REG, bad)
    assert set(charts(at)) == TAB_FIGURES[LIN]  # an unknown tab opens the first one
    assert at.slider(key="l1reg_deg").value == 3
    assert at.select_slider(key="l1reg_lr").value == 0.1
    assert at.slider(key="l1reg_n").value == 100
    assert at.segmented_control(key="l1reg_basis").value == "legendre"
    assert at.selectbox(key="l1reg_batch").value == 0
    assert at.number_input(key="l1reg_seed").value == 0
    assert open_tab(at, LOG).selectbox(key="l1reg_ds").value == "moons"
    assert open_tab(at, CAP).slider(key="l1reg_capdeg").value == 15


def test_a_shared_link_reproduces_the_view() -> None:
    at = app(REG)
    at.slider(key="l1reg_deg").set_value(12).run()
    at.select_slider(key="l1reg_l2").set_value(0.01).run()
    open_tab(at, LOG).selectbox(key="l1reg_ds").set_value("spirals").run()
    link = dict(at.query_params) | {"l1reg_tab": LOG}  # the browser's address bar also holds the tab
    assert charts(app(REG, link)) == charts(at)
    assert charts(app(REG, link | {"l1reg_tab": LIN})) == charts(open_tab(at, LIN))


# ---------------------------------------------------------------------------------------------- information


def kl_values(at: AppTest) -> tuple[str, str]:
    m = metrics(at)
    unit = "bits" if "KL(p‖q) [bits]" in m else "nats"
    return m[f"KL(p‖q) [{unit}]"], m[f"KL(q‖p) [{unit}]"]


INF_CONTROLS = [(f"l1inf_{d}{i}", 5) for d in "pq" for i in range(1, 5)]


def test_information_defaults_show_kl_asymmetry() -> None:
    at = app(INF)
    assert kl_values(at) == ("1.718", "1.373")
    m = metrics(at)
    assert m["H(p,q) [bits]"] == f"{float(m['H(p) [bits]']) + 1.718:.3f}"  # H(p,q) = H(p) + KL(p‖q)
    assert len(at.slider) == 1 + 2 * 4  # outcomes + four p and four q weights


def test_information_text_has_no_stray_underscores_and_the_formulas_fit() -> None:
    """"−log p_i" showed its underscore, and the three definitions on one line ran past the right edge
    of the page at 1280-1400 px: one definition a line, aligned, none over 40 symbols."""
    at = app(INF)
    prose = re.sub(r"\$[^$]+\$|`[^`]+`", "", texts(at))  # inline math and code spans are not prose
    assert not re.search(r"[A-Za-z]_[A-Za-z0-9{]", prose), prose
    (formula,) = [e.value for e in at.latex]
    assert r"\begin{aligned}" in formula and formula.count(r"\\") == 2
    for line in formula.split(r"\\"):
        symbols = re.sub(r"\$\$|\\(begin|end)\{aligned\}|[{}&\s]|\\[,;!]", "", line)
        symbols = re.sub(r"\\[A-Za-z]+", "#", symbols)  # a command (\sum, \log, \frac) is one symbol
        assert len(symbols) <= 40, line
    assert charts(at) and all(small_text(spec) == [] for spec in charts(at).values())


@pytest.fixture(scope="module")
def inf_session() -> Iterator[tuple[AppTest, list[tuple[Any, ...]]]]:
    """The information page, with the arguments of each ``summary(p, q, unit)`` call recorded."""
    calls: list[tuple[Any, ...]] = []
    real = information.summary
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(information, "summary", lambda *args: calls.append(args) or real(*args))
        yield app(INF), calls


@pytest.mark.parametrize(("key", "value"), INF_CONTROLS, ids=[c[0] for c in INF_CONTROLS])
def test_each_weight_slider_reaches_its_distribution_and_changes_the_divergences(
    inf_session: tuple[AppTest, list[tuple[Any, ...]]], key: str, value: int
) -> None:
    at, calls = inf_session
    before, figs = kl_values(at), charts(at)
    at.slider(key=key).set_value(value).run()
    weights = [at.slider(key=f"{key[:-1]}{i}").value for i in range(1, 5)]
    p, q, _ = calls[-1]
    assert weights[int(key[-1]) - 1] == value
    assert list({"p": p, "q": q}[key[-2]]) == pytest.approx([v / sum(weights) for v in weights])
    assert kl_values(at) != before and charts(at)["l1inf_fig_dist"] != figs["l1inf_fig_dist"]
    assert at.query_params[key] == str(value)


def test_more_outcomes_add_sliders_that_count() -> None:
    at = app(INF)
    at.slider(key="l1inf_k").set_value(6).run()
    assert at.slider(key="l1inf_p6").value == 1 and at.slider(key="l1inf_q6").value == 3
    before = kl_values(at)
    at.slider(key="l1inf_p6").set_value(10).run()
    assert kl_values(at) != before
    assert metrics(at)["H(p) [bits]"] != metrics(app(INF))["H(p) [bits]"]


def test_unit_switch_converts_bits_to_nats() -> None:
    at = app(INF)
    bits = float(kl_values(at)[0])
    at.segmented_control(key="l1inf_unit").set_value("nats").run()
    assert float(kl_values(at)[0]) == pytest.approx(bits * math.log(2), abs=2e-3)


def test_zero_mass_gives_infinite_kl_in_one_direction() -> None:
    at = app(INF)
    at.slider(key="l1inf_q1").set_value(0).run()
    assert kl_values(at)[0] == "∞" and kl_values(at)[1] != "∞"
    assert "∞" in charts(at)["l1inf_fig_kl"]


def test_swap_button_exchanges_p_and_q() -> None:
    at = app(INF)
    kl_pq, kl_qp = kl_values(at)
    at.button(key="l1inf_swap").click().run()
    assert kl_values(at) == (kl_qp, kl_pq)
    assert at.slider(key="l1inf_p1").value == 1 and at.query_params["l1inf_p1"] == "1"


def test_information_url_round_trip_and_fallbacks() -> None:
    at = app(INF, {"l1inf_k": "6", "l1inf_p6": "10", "l1inf_unit": "nats"})
    assert at.slider(key="l1inf_k").value == 6 and at.slider(key="l1inf_p6").value == 10
    assert at.segmented_control(key="l1inf_unit").value == "nats"
    bad = app(INF, {"l1inf_k": "9", "l1inf_p1": "11", "l1inf_unit": "dB", "l1inf_q2": "x"})
    assert bad.slider(key="l1inf_k").value == 4 and bad.slider(key="l1inf_p1").value == 9
    assert bad.segmented_control(key="l1inf_unit").value == "bits" and bad.slider(key="l1inf_q2").value == 3


def test_all_zero_weights_warn_and_use_uniform() -> None:
    at = app(INF, {"l1inf_k": "2", "l1inf_q1": "0", "l1inf_q2": "0"})
    assert any("taken as uniform" in w.value for w in at.warning)
    assert metrics(at)["H(q) [bits]"] == "1.000"


def test_non_finite_url_values_fall_back_to_defaults() -> None:
    at = app(REG, {"l1reg_noise": "nan", "l1reg_n": "inf", "l1reg_lr": "nan", "l1reg_seed": "-inf"})
    assert at.slider(key="l1reg_noise").value == 0.25 and at.slider(key="l1reg_n").value == 100
    assert at.select_slider(key="l1reg_lr").value == 0.1 and at.number_input(key="l1reg_seed").value == 0
    assert all(finite_figure(spec) for spec in charts(at).values())
    inf = app(INF, {"l1inf_k": "nan", "l1inf_p1": "inf"})
    assert inf.slider(key="l1inf_k").value == 4 and inf.slider(key="l1inf_p1").value == 9
