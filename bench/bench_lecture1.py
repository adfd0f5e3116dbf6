"""Lecture 1 benchmark: recompute time of every interaction on the two pages, core timings, and the numpy
gradient descent next to scikit-learn's solvers.

Run: ``python bench/bench_lecture1.py [--repeats 7] [--only page core figures sklearn]``.
Prints Markdown tables (median of the repeats).

Interactions are timed through Streamlit's AppTest on the real page files, with the control's tab open
(only the open tab runs). For each control the bench alternates between two values and, before each
rerun, clears the memo of the experiments that control feeds, so every timed rerun really recomputes
what the interaction changes. Columns: the page script's wall time (what the user waits for), its CPU
time (what it costs, even while other processes compete for the two cores), and AppTest's whole
``run()`` (adds AppTest's own message polling). In the browser each tab is also a ``st.fragment``: a
control inside a tab reruns that tab without the page header and sidebar, so the script column is an
upper bound.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from core.basics import capacity, experiments, linear  # noqa: E402
from core.basics import figures as fg  # noqa: E402
from core.basics import information as infotheory  # noqa: E402
from core.basics.features import Standardizer  # noqa: E402
from core.viz.style import fast_figure  # noqa: E402

TIMES: list[tuple[float, float]] = []
"""(wall, CPU) seconds of each page-script run: CPU time of the script thread is what a run costs
even when other processes compete for the two cores; wall time is what the user waits for."""
sys.modules["l1_bench_times"] = TIMES  # type: ignore[assignment]  # the wrapper script appends here

WRAPPER = """
import runpy, sys, time
t, c = time.perf_counter(), time.thread_time()
runpy.run_path({page!r}, run_name="__main__")
sys.modules["l1_bench_times"].append((time.perf_counter() - t, time.thread_time() - c))
"""

POLY = (experiments.run_polynomial,)
SWEEPS = (capacity.capacity_sweep, capacity.l2_sweep)
LR = (experiments.lr_comparison,)
ALL_1D = POLY + SWEEPS + LR
# (label, widget kind, key, (another value, the default), memoised experiments the control feeds)
REG_CONTROLS: list[tuple[str, str, str, tuple[Any, Any], tuple[Callable[..., Any], ...]]] = [
    ("sidebar: number of points", "slider", "l1reg_n", (101, 100), ALL_1D),
    ("sidebar: noise", "slider", "l1reg_noise", (0.3, 0.25), ALL_1D),
    ("sidebar: data seed", "number_input", "l1reg_seed", (1, 0), ALL_1D + (experiments.run_logistic,)),
    ("sidebar: training share", "slider", "l1reg_train", (55, 60), ALL_1D),
    ("sidebar: validation share", "slider", "l1reg_val", (25, 20), ALL_1D),
    ("sidebar: feature basis", "segmented_control", "l1reg_basis", ("monomial", "legendre"), ALL_1D),
    ("linear: degree", "slider", "l1reg_deg", (4, 3), POLY),
    ("linear: batch size (SGD 4)", "selectbox", "l1reg_batch", (4, 0), POLY),
    ("linear: batch size 1 (SGD, 12,000 steps: the slowest setting)", "selectbox", "l1reg_batch", (1, 0),
     POLY),
    ("linear: learning rate", "select_slider", "l1reg_lr", (0.2, 0.1), POLY),
    ("linear: epochs", "select_slider", "l1reg_epochs", (300, 500), POLY),
    ("linear: L2", "select_slider", "l1reg_l2", (0.001, 0.0), POLY),
    ("logistic: data set", "selectbox", "l1reg_ds", ("circles", "moons"), (experiments.run_logistic,)),
    ("logistic: points", "slider", "l1reg_lgn", (350, 300), (experiments.run_logistic,)),
    ("logistic: noise", "slider", "l1reg_lgnoise", (0.25, 0.2), (experiments.run_logistic,)),
    ("logistic: feature degree", "slider", "l1reg_lgdeg", (2, 1), (experiments.run_logistic,)),
    ("logistic: learning rate", "select_slider", "l1reg_lglr", (0.5, 1.0), (experiments.run_logistic,)),
    ("logistic: epochs", "select_slider", "l1reg_lgepochs", (100, 300), (experiments.run_logistic,)),
    ("logistic: L2", "select_slider", "l1reg_lgl2", (0.001, 0.0), (experiments.run_logistic,)),
    ("capacity: λ of the degree sweep", "select_slider", "l1reg_capl2", (0.001, 0.0), SWEEPS),
    ("capacity: degree of the λ sweep", "slider", "l1reg_capdeg", (14, 15), SWEEPS),
    ("learning rate: η small", "select_slider", "l1reg_lr1", (0.03, 0.01), LR),
    ("learning rate: η good", "select_slider", "l1reg_lr2", (0.5, 0.3), LR),
    ("learning rate: η large", "select_slider", "l1reg_lr3", (0.9, 1.1), LR),
    ("learning rate: degree", "slider", "l1reg_lrdeg", (2, 1), LR),
    ("learning rate: epochs", "select_slider", "l1reg_lrepochs", (300, 100), LR),
]
INF_CONTROLS = [
    ("information: outcomes", "slider", "l1inf_k", (5, 4)),
    ("information: unit", "segmented_control", "l1inf_unit", ("nats", "bits")),
    ("information: p weight", "slider", "l1inf_p1", (5, 9)),
    ("information: q weight", "slider", "l1inf_q1", (0, 1)),
]


def _session(page: str, tmp: Path) -> AppTest:
    wrapper = tmp / f"wrap_{Path(page).stem}.py"
    wrapper.write_text(WRAPPER.format(page=str(ROOT / page)))
    at = AppTest.from_file(str(wrapper), default_timeout=120)
    at.run()
    at.run()
    assert not at.exception, at.exception
    return at


TAB_OF = {"linear": "Linear regression", "logistic": "Logistic regression", "capacity": "Capacity sweep",
          "learning rate": "Learning rate", "sidebar": "Linear regression"}  # fmt: skip
"""The tab each control is timed in (label prefix -> tab); sidebar controls rerun the open tab."""


def _open_tab(at: AppTest, label: str) -> None:
    at.session_state["l1reg_tab"] = label
    at.run()


Memo = tuple[Callable[..., Any], ...]


def _time_control(
    at: AppTest, kind: str, key: str, values: tuple[Any, Any], memo: Memo, repeats: int
) -> tuple[float, float, float]:
    """Median (script wall, script CPU, AppTest run) in ms of reruns that alternate the control's value."""
    script, cpu, whole = [], [], []
    for i in range(repeats):
        for fn in memo:
            fn.cache_clear()  # type: ignore[attr-defined]
        getattr(at, kind)(key=key).set_value(values[i % 2])
        t = time.perf_counter()
        at.run()
        whole.append(time.perf_counter() - t)
        script.append(TIMES[-1][0])
        cpu.append(TIMES[-1][1])
        assert not at.exception, at.exception
    getattr(at, kind)(key=key).set_value(values[1]).run()  # back to the default for the next control
    return statistics.median(script) * 1e3, statistics.median(cpu) * 1e3, statistics.median(whole) * 1e3


def _median_ms(fn: Callable[[], Any], repeats: int, before: Callable[[], Any] | None = None) -> float:
    out = []
    for _ in range(repeats):
        if before:
            before()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out) * 1e3


def _row(label: str, wall: float, cpu: float, whole: float) -> None:
    print(f"| {label} | {wall:.1f} | {cpu:.1f} | {whole:.1f} | {'yes' if wall < 100 else 'NO'} |")


def _rerun_row(at: AppTest, label: str, repeats: int, before: Callable[[], Any] | None = None) -> None:
    whole = _median_ms(at.run, repeats, before)
    last = TIMES[-repeats:]
    wall, cpu = (statistics.median(t[i] for t in last) * 1e3 for i in (0, 1))
    _row(label, wall, cpu, whole)


def page_table(repeats: int) -> None:
    print("## Page recompute per interaction (default sizes, median ms)\n")
    print("| interaction | script wall | script CPU | AppTest run | < 100 ms |\n|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        reg = _session("apps/pages/l1/regression.py", Path(tmp))
        for label, kind, key, values, memo in REG_CONTROLS:
            _open_tab(reg, TAB_OF[label.split(":")[0]])
            _row(label, *_time_control(reg, kind, key, values, memo, repeats))
        _open_tab(reg, "Linear regression")
        clear_all = lambda: [f.cache_clear() for f in ALL_1D + (experiments.run_logistic,)]  # noqa: E731
        _rerun_row(reg, "regression page, first view (open tab recomputed)", repeats, clear_all)
        _rerun_row(reg, "regression page, nothing recomputed (rerun floor)", repeats)
        inf = _session("apps/pages/l1/information.py", Path(tmp))
        for label, kind, key, values in INF_CONTROLS:
            _row(label, *_time_control(inf, kind, key, values, (), repeats))


def core_table(repeats: int) -> None:
    print("\n## Core calls at default sizes (median ms, memo cleared)\n")
    print("| call | ms |\n|---|---:|")
    cfg, lcfg = experiments.PolyConfig(), experiments.LogisticConfig()
    cfg15, cfg_lr = experiments.PolyConfig(degree=15), experiments.PolyConfig(degree=1, epochs=100)
    lrs = (0.01, 0.3, 1.1)
    poly, cap, reg = experiments.run_polynomial(cfg), capacity.capacity_sweep(cfg), capacity.l2_sweep(cfg15)
    cmp, log = experiments.lr_comparison(cfg_lr, lrs), experiments.run_logistic(lcfg)
    p, q = infotheory.normalise([9, 1, 1, 1]), infotheory.normalise([1, 3, 3, 3])
    rows: list[tuple[str, Callable[[], Any], Callable[[], Any] | None]] = [
        ("run_polynomial (degree 3, 500 epochs, 100 points)", lambda: experiments.run_polynomial(cfg),
         experiments.run_polynomial.cache_clear),
        ("capacity_sweep (degrees 1-15, 200 fresh data sets)", lambda: capacity.capacity_sweep(cfg),
         capacity.capacity_sweep.cache_clear),
        ("l2_sweep (25 λ values, degree 15)", lambda: capacity.l2_sweep(cfg15),
         capacity.l2_sweep.cache_clear),
        ("lr_comparison (3 rates, 100 epochs)", lambda: experiments.lr_comparison(cfg_lr, lrs),
         experiments.lr_comparison.cache_clear),
        ("run_logistic (moons, 300 points, 300 epochs, 80x80 map)", lambda: experiments.run_logistic(lcfg),
         experiments.run_logistic.cache_clear),
        ("polynomial_figure + loss_figure", lambda: (fg.polynomial_figure(poly), fg.loss_figure(poly)), None),
        ("capacity_figure + bias_variance_figure + l2_figure",
         lambda: (fg.capacity_figure(cap), fg.bias_variance_figure(cap), fg.l2_figure(reg)), None),
        ("lr_loss_figure + lr_steepest_figure", lambda: (fg.lr_loss_figure(cmp), fg.lr_steepest_figure(cmp)),
         None),
        ("decision_figure + loss_figure", lambda: (fg.decision_figure(log), fg.loss_figure(log)), None),
        ("infotheory.summary + 2 figures",
         lambda: (infotheory.summary(p, q), infotheory.distributions_figure(p, q),
                  infotheory.kl_terms_figure(p, q)), None),
    ]  # fmt: skip
    for label, fn, before in rows:
        print(f"| {label} | {_median_ms(fn, repeats, before):.1f} |")


Solver = Callable[[], tuple[np.ndarray, float]]


def sklearn_table(repeats: int) -> None:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    print("\n## numpy gradient descent vs scikit-learn (same data, same objective; median ms)\n")
    print("| problem | solver | ms | train loss | validation loss |\n|---|---|---:|---:|---:|")
    run = experiments.run_polynomial(experiments.PolyConfig())
    F, Fv = run.features(run.split.X_train), run.features(run.split.X_val)
    y, yv = run.split.y_train, run.split.y_val

    def gd() -> tuple[np.ndarray, float]:
        r = linear.fit_linear_gd(F, y, 0.1, 500)
        return r.w, r.b

    def sk() -> tuple[np.ndarray, float]:
        m = LinearRegression().fit(F, y)
        return m.coef_, float(m.intercept_)

    rows: list[tuple[str, Solver]] = [
        ("numpy GD, 500 epochs", gd),
        ("sklearn LinearRegression", sk),
        ("closed form (normal equations)", lambda: linear.ridge_closed_form(F, y)),
    ]
    for name, fn in rows:
        ms, (w, b) = _median_ms(fn, repeats), fn()
        train, val = linear.mse(y, F @ w + b), linear.mse(yv, Fv @ w + b)
        print(f"| sine, degree 3, 24 train points (MSE) | {name} | {ms:.2f} | {train:.5f} | {val:.5f} |")
    log = experiments.run_logistic(experiments.LogisticConfig())
    (X, yl), (Xv, yvl) = log.data["train"], log.data["val"]
    sc = Standardizer.fit(X)
    Z, Zv = sc.transform(X), sc.transform(Xv)
    bce = lambda Z_, y_, w, b: linear.bce_and_grad(Z_ @ w + b, y_.astype(float))[0]  # noqa: E731

    def log_gd(epochs: int) -> Solver:
        return lambda: (lambda r: (r.w, r.b))(linear.fit_logistic_gd(Z, yl, 1.0, epochs))

    def log_sk() -> tuple[np.ndarray, float]:
        m = LogisticRegression(C=np.inf).fit(Z, yl)  # C = ∞: no penalty, as λ = 0
        return m.coef_[0], float(m.intercept_[0])

    lrows: list[tuple[str, Solver]] = [
        ("numpy GD, 300 epochs", log_gd(300)),
        ("numpy GD, 3000 epochs", log_gd(3000)),
        ("sklearn LogisticRegression (lbfgs)", log_sk),
    ]
    for name, fn in lrows:
        ms, (w, b) = _median_ms(fn, repeats), fn()
        train, val = bce(Z, yl, w, b), bce(Zv, yvl, w, b)
        print(f"| moons, 180 train points (cross-entropy) | {name} | {ms:.2f} | {train:.5f} | {val:.5f} |")


def figure_table(repeats: int) -> None:
    """The light look against the plotly_white template, same traces: build + serialise (what a rerun
    pays per figure before the browser sees it)."""
    print("\n## Figure build + to_json, light look vs the plotly_white template (median ms)\n")
    print("| figure | light | template | ratio |\n|---|---:|---:|---:|")
    poly = experiments.run_polynomial(experiments.PolyConfig())
    cap = capacity.capacity_sweep(experiments.PolyConfig())
    for name, build in (("polynomial_figure", lambda: fg.polynomial_figure(poly)),
                        ("capacity_figure", lambda: fg.capacity_figure(cap))):  # fmt: skip
        fig = build()
        traces = [t.to_plotly_json() for t in fig.data]
        layout = {k: v for k, v in fig.layout.to_plotly_json().items() if k not in ("template", "height")}
        light = _median_ms(lambda: build().to_json(), repeats)
        full = _median_ms(lambda: fast_figure(traces, height=fig.layout.height, **layout).to_json(), repeats)
        print(f"| {name} | {light:.2f} | {full:.2f} | {full / light:.1f}x |")


SECTIONS = {"page": page_table, "core": core_table, "figures": figure_table, "sklearn": sklearn_table}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=sorted(SECTIONS), nargs="*", help="run these tables only")
    args = parser.parse_args()
    print(f"CPU cores visible: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}\n")
    for name in args.only or SECTIONS:
        SECTIONS[name](args.repeats)


if __name__ == "__main__":
    main()
