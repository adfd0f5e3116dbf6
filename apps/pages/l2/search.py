"""Lecture 2 / homework 2: grid search vs random search over regularisers on the same trial budget."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from apps.pages.l2._search_views import conclusions
from core.jobs import Job
from core.mlp import datasets as ds
from core.mlp import search as hpo
from core.mlp import search_controls as sc
from core.mlp.figures import best_so_far_figure, search_scatter_figure


@st.cache_data(max_entries=16, show_spinner=False)
def toy(name: str, n: int, noise: float) -> ds.MLPData:
    return sc.search_data(name, n, noise)


page_header("l2-search")
with st.sidebar:
    st.subheader("Problem")
    name = ui.selectbox("Data set", "l2s_set", sc.DATASETS, sc.DEFAULT_DATASET)
    n = ui.select_slider("Points (60% train, 20% validation, 20% test)", "l2s_n", sc.SIZES, sc.DEFAULT_SIZE)
    noise = ui.slider("Noise", "l2s_noise", *sc.NOISE_RANGE, sc.DEFAULT_NOISE, sc.NOISE_STEP)
    st.subheader("Search")
    budget = ui.slider("Budget (trials per strategy)", "l2s_budget", *sc.BUDGET_RANGE, sc.DEFAULT_BUDGET)
    epochs = ui.select_slider("Epochs per trial (max)", "l2s_epochs", sc.EPOCHS, sc.DEFAULT_EPOCHS)
    seed = ui.number_input("Seed", "l2s_seed", *sc.SEED_RANGE, 0)

data = toy(name, n, noise)
config = sc.search_config(budget, epochs, seed)
shape = hpo.grid_shape(budget, len(config.space))
st.markdown(
    f"Every strategy trains the same 2-64-64 ReLU MLP (Adam, full batch, ≤ {epochs} epochs, same initial "
    f"weights) on **{data.provenance}**, choosing by validation accuracy. The grid fits "
    f"{' × '.join(map(str, shape))} = {len(hpo.grid_points(config.space, budget))} of {budget} trials; "
    f"random search draws all {budget}; TPE (a third curve) draws {budget} guided by the trials so far."
)
space = [{"hyperparameter": d.label, "from": d.low, "to": d.high, "scale": "log" if d.log else "linear",
          "grid values": ", ".join(f"{v:.3g}" for v in d.grid(k))} for d, k in zip(config.space, shape)]
st.dataframe(pd.DataFrame(space), hide_index=True, key="l2s_space")


def make_job():
    return lambda job: hpo.run_search(data, config, job=job)


def live(job: Job) -> None:
    hist = job.history()
    curves = {s: hist[f"{s}_best"] for s in hpo.STRATEGIES if hist.get(f"{s}_best")}
    st.plotly_chart(best_so_far_figure(curves), key="l2s_live_best")


def result(job: Job) -> None:
    res: hpo.SearchResult = job.result
    if res.stopped:
        st.warning(f"Stopped after {len(res.trials)} trials (on request, or at the search's bound of "
                   f"{res.config.time_budget_s:.0f} s); showing those.")
    if res.config != config or res.data != data.provenance:
        st.info("The settings changed since this search: run it again to use them.")
    cols = st.columns(len(res.summary()))
    for col, row in zip(cols, res.summary()):
        col.metric(f"{row['strategy']} search: best validation accuracy ({row['trials']} trials)",
                   f"{row['best val accuracy']:.1%}", f"its test accuracy {row['its test accuracy']:.1%}",
                   delta_color="off", delta_arrow="off")
    curves = {s: res.best_so_far(s) for s in hpo.STRATEGIES}
    expected = {s: res.expected_best(s) for s in hpo.ORDER_FREE}
    st.plotly_chart(best_so_far_figure(curves, expected), key="l2s_best")
    st.plotly_chart(search_scatter_figure(res), key="l2s_scatter")
    conclusions(res, data)
    st.markdown("**Distinct values each strategy tried** (the Bergstra–Bengio argument in one table)")
    st.dataframe(pd.DataFrame(res.summary()).round(4), hide_index=True, key="l2s_summary")
    with st.expander(f"All {len(res.trials)} trials"):
        st.dataframe(pd.DataFrame(res.table()).round(5), hide_index=True, key="l2s_trials")


training_panel("l2s", make_job, label="Run grid, random and TPE search", charts=(), live=live, result=result)

st.markdown(
    "**Why random search wins on the same budget** (Bergstra & Bengio, JMLR 2012). Usually only one or two "
    "hyperparameters matter much, and which ones depends on the problem (a run measures it below). A grid "
    "with k values per axis spends k⁴ trials but tries only k values of the one that matters; random "
    "search tries a new learning rate, L2, dropout and patience in every trial. The dotted curves average "
    "the best-so-far over every order the same trials could have run in, so one lucky draw does not decide "
    "the comparison. "
    "Selection uses the validation split only; the test accuracy of each strategy's choice is reported once."
)
show_source(hpo.run_search, hpo.open_study, hpo.Dimension)
