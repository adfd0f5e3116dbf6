"""Lecture 1 homework: linear and logistic regression with hand-written gradient descent (numpy)."""

from __future__ import annotations

import streamlit as st

from apps.common.layout import page_header
from apps.pages.l1 import _hyperparameter_tabs as hyper
from apps.pages.l1 import _regression_tabs as tabs
from apps.pages.l1 import _widgets as w
from core.basics import controls as c
from core.basics import experiments as ex

page_header("l1-regression")
st.markdown(
    "**Supervised learning** fits a function f(x) ≈ y from labelled examples. **Empirical risk "
    "minimisation:** we cannot minimise the expected loss over the true data distribution, so we minimise "
    "its average over the *training* set, plus a penalty. Whether that generalises is measured on data the "
    "fit never saw: the **validation** set chooses degree, λ and η; the **test** set is looked at once, to "
    "report the chosen model's error."
)
with st.sidebar:
    st.subheader("1D regression data")
    n, noise = w.slider(c.POINTS, "l1reg_n"), w.slider(c.NOISE, "l1reg_noise")
    seed = w.number(c.SEED, "l1reg_seed")
    train, val = w.slider(c.TRAIN_PCT, "l1reg_train"), w.slider(c.VAL_PCT, "l1reg_val")
    if train + val > 100 - c.MIN_TEST_PCT:
        st.warning(f"Training {train}% + validation {val}% leaves under {c.MIN_TEST_PCT}% to test on; "
                   f"validation cut to {100 - c.MIN_TEST_PCT - train}%.")  # fmt: skip
        val = 100 - c.MIN_TEST_PCT - train
    basis = w.segmented(c.BASIS, "l1reg_basis")
    st.caption(f"Test share: {100 - train - val}%. Targets: sin(2πx) + N(0, σ²), x ~ U[0, 1].")
data = dict(n=n, noise=noise, seed=seed, basis=basis, train_frac=train / 100, val_frac=val / 100)
problem = ex.split_problem(ex.PolyConfig(**data))

TABS = {"Linear regression": lambda: tabs.linear_tab(data, problem),
        "Logistic regression": lambda: tabs.logistic_tab(seed),
        "Capacity sweep": lambda: hyper.capacity_tab(data, problem),
        "Learning rate": lambda: hyper.lr_tab(data, problem)}  # fmt: skip
# Only the open tab runs: the tabs are bound to the URL (a link reopens the same tab), and switching
# tabs reruns the page. Each tab is a fragment, so a control inside it reruns that tab alone.
for tab, body in zip(st.tabs(list(TABS), key="l1reg_tab", bind="query-params"), TABS.values()):
    if tab.open:
        with tab:
            body()
