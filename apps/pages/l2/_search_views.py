"""The search page's measured conclusions: which hyperparameter mattered, and the winner's optimism."""

from __future__ import annotations

import streamlit as st

from core.mlp import search as hpo
from core.mlp import search_importance as si
from core.mlp.datasets import MLPData
from core.mlp.figures import importance_figure


def _importances(res: hpo.SearchResult) -> dict[str, float]:
    # fANOVA fits a random forest (~0.5 s): once per finished search, not on every rerun.
    cache = st.session_state.setdefault("l2s_importance_cache", {})
    if id(res) not in cache:
        cache.clear()
        cache[id(res)] = (res, si.importances(res))
    return cache[id(res)][1]


def conclusions(res: hpo.SearchResult, data: MLPData) -> None:
    """The importance chart and the selection-optimism paragraph for a finished search."""
    labels = {d.name: d.label for d in res.config.space}
    imp = _importances(res)
    if imp:
        st.plotly_chart(importance_figure(imp, labels), key="l2s_importance")
        top, share = next(iter(imp.items()))
        st.markdown(
            f"**Which hyperparameter mattered, measured.** On this search {labels[top]} explains "
            f"{share:.0%} of the variance of validation accuracy, "
            + ", ".join(f"{labels[k]} {v:.0%}" for k, v in list(imp.items())[1:])
            + f" (Optuna's fANOVA importance over all {len(res.trials)} trials, Hutter et al. 2014). "
            "Another data set, noise level or epoch budget can rank them differently: that is why "
            "random search, which varies every hyperparameter in every trial, is the safer bet."
        )
    o = si.optimism(res, len(data.y_val), len(data.y_test))
    if o is None:
        return
    st.markdown(
        f"**The winner's optimism.** The chosen trial ({o.chosen.strategy} #{o.chosen.index}) scored "
        f"{o.chosen.val_accuracy:.1%} on {o.n_val} validation points and {o.chosen.test_accuracy:.1%} on "
        f"{o.n_test} test points, never used to choose: validation − test = {o.gap:+.1%}. Over all "
        f"{o.trials} trials that difference averages {o.mean_gap:+.1%}. One accuracy on {o.n_val} points "
        f"has a standard error of about {o.standard_error:.1%}, and the best of {o.trials} such estimates "
        f"is partly the luckiest: here selection added {o.gap - o.mean_gap:+.1%} of optimism. Quote the "
        "test accuracy of the choice, measured once."
    )
