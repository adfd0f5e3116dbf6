"""LunarLander on the shaping page: the shipped lander and an engines-off policy scored under the chosen fuel
cost, the lander's rendered flight, and the fuel a freshly trained agent burns."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.pages.l7._shared import episode, shipped_agent
from core.rl import agents, lunar, showcase, zoo


@st.cache_data(show_spinner="Playing the shipped lander and the engines-off policy…", max_entries=24)
def _compare(fuel_cost: float) -> tuple[dict, dict]:
    lander, off = lunar.against_engines_off(shipped_agent(lunar.NAME), fuel_cost)
    return lander.row(), off.row()


def shipped_section(fuel_cost: float) -> None:
    """The shipped lander (trained at fuel cost ×1) and falling with engines off, scored at ``fuel_cost``."""
    st.subheader(f"The shipped lander scored at fuel cost ×{fuel_cost:g}")
    if lunar.NAME not in showcase.shipped():
        st.info(f"`{lunar.NAME}` is not shipped with this copy of the gallery: build it with "
                f"`python -m core.train {lunar.NAME}`. Live training below works without it.")
        return
    lander, off = _compare(fuel_cost)
    n = lunar.REPORT_EPISODES
    st.dataframe(pd.DataFrame([{"policy": "shipped lander (trained at ×1)", **lander},
                               {"policy": "engines off (falls)", **off}]).set_index("policy"))
    a, b = lander["reshaped return"], off["reshaped return"]
    if b > a:
        st.warning(f"At ×{fuel_cost:g}, falling with the engines off scores {b:.1f}, more than the lander's "
                   f"{a:.1f} (means of the same {n} held-out episodes): under this reward the landing is no "
                   "longer the best behaviour, and a learner trained on it is pushed towards crashing.")
    else:
        st.success(f"At ×{fuel_cost:g}, the lander's flight still scores more than falling ({a:.1f} against "
                   f"{b:.1f}, means of the same {n} held-out episodes): landing is worth its fuel.")
    view = episode(lunar.NAME, agents.EVAL_SEED)
    st.image(view.gif, width=300, alt="Animation of the shipped lander's flight on one held-out episode",
             caption=f"The shipped lander, held-out seed {agents.EVAL_SEED}: own return {view.total:.1f}. "
             "Its flight is the same at every fuel cost (it learnt at ×1); only its score changes. Train "
             "below to see what a learner makes of this reward.")
    st.caption(f"A live run stops after {zoo.TIME_BUDGET_S:.0f} s: on these CPUs that is a fraction of "
               "the Zoo's 1,000,000 steps, so expect the start of learning under this reward, not a finished "
               "lander.")


def fuel_metrics(report: lunar.FuelReport | None) -> None:
    """The engine use of a freshly trained agent on the held-out episodes."""
    if report is None:
        return
    row = report.row()
    st.caption(f"Engine use of the trained agent over {len(report.lengths)} held-out episodes: "
               f"{row['main engine steps']:g} main-engine and {row['side engine steps']:g} side-engine steps "
               f"per episode of {row['episode length']:g}; return under the run's reward "
               f"{row['reshaped return']:.1f}; landed {row['landed']}.")
