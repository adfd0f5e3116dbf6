"""Inside vanilla policy gradient: one episode's returns-to-go, baseline and advantage, and the variance of
the gradient estimate with and without a baseline, measured."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from core.rl import figures, internals, vpg, zoo

page_header("l7-pg")
st.markdown(
    r"REINFORCE pushes up the log-probability of each action taken, weighted by what followed it: "
    r"$\nabla J \approx \frac{1}{N}\sum_{\text{episodes}}\sum_t"
    r" \nabla\log\pi_\theta(a_t|s_t)\,(G_t - b(s_t))$ "
    r"with the return-to-go $G_t=\sum_{k\ge t}\gamma^{k-t}r_k$. Any baseline $b$ that ignores the action "
    "leaves the expectation unchanged; a good one shrinks the variance of the estimate."
)
c1, c2, c3 = st.columns(3)
with c1:
    which = ui.selectbox("Policy", "l7pg_policy", tuple(internals.POLICIES), "vpg-CartPole-v1",
                         format_func=internals.POLICIES.get,
                         help="The shipped REINFORCE agent is trained, with its value baseline; the "
                         "untrained policy's value network is untrained too.")
    gamma = ui.select_slider("Discount γ", "l7pg_gamma", zoo.GAMMAS, 0.99, format_func="{:g}".format)
with c2:
    batches = ui.slider("Independent batches", "l7pg_batches", *internals.BATCHES, 8)
    episodes = ui.slider("Episodes per batch", "l7pg_episodes", *internals.EPISODES_PER_BATCH, 1)
with c3:
    seed = ui.number_input("Seed", "l7pg_seed", *zoo.SEED_RANGE, 0)


@st.cache_resource(show_spinner="Loading the policy…", max_entries=4)
def net_of(name: str) -> vpg.PolicyValueNet:
    return internals.policy(name)


@st.cache_data(show_spinner="Sampling episodes and measuring gradients…", max_entries=16)
def measured(name: str, gamma: float, batches: int, episodes: int,
             seed: int) -> dict[str, internals.Variance]:
    return internals.gradient_variance(net_of(name), gamma, batches, episodes, seed)


parts = internals.breakdown(net_of(which), gamma, int(seed))
title = f"One sampled episode ({len(parts['rewards'])} steps, γ = {gamma:g})"
st.plotly_chart(figures.pg_breakdown(parts, title), key="l7pg_episode")
st.caption(f"Episode of seed {int(seed)}: return {parts['rewards'].sum():.0f}; "
           f"G_0 = {parts['returns_to_go'][0]:.2f}, V(s_0) = {parts['baseline'][0]:.2f}. "
           "Early steps have large returns-to-go whatever the action; the advantage keeps only what the "
           "action changed.")
var = measured(which, gamma, batches, episodes, int(seed))
st.plotly_chart(figures.variance_bars({internals.ESTIMATORS[k]: v.total for k, v in var.items()},
                                      f"Variance over {batches} batches of {episodes} episode(s)"),
                key="l7pg_variance")
st.dataframe(pd.DataFrame(internals.variance_table(var)).round(3), hide_index=True, key="l7pg_table",
             width="stretch")
st.caption("The same sampled episodes feed all three estimators (a paired comparison). The variance "
           "is summed over the policy's weights; the mean gradient is what the batches agree on.")
st.markdown(
    "**Things to try.** With the trained agent every episode lasts 500 steps and $G_t$ is large everywhere: "
    "without a baseline the estimate is dominated by that common offset. The untrained policy's value "
    "network knows nothing yet, so its learned baseline helps little; more episodes per batch shrink every "
    "estimator's variance roughly as 1/N."
)
show_source(vpg.returns_to_go, vpg.policy_loss, internals.gradient_variance)
