"""The playground's look inside the network: every unit's picture, and training one step at a time."""

from __future__ import annotations

import streamlit as st

from core.mlp import training as tr
from core.mlp.config import MLPConfig
from core.mlp.datasets import MLPData
from core.mlp.figures import decision_map_figure
from core.mlp.network_figure import network_figure
from core.mlp.neurons import Stepper, neuron_maps

INSIDE = ("Each picture is one unit's output over the input plane (blue positive, orange negative, white 0); "
          "an edge's width is its |weight|, its colour the weight's sign. The first layer's units are "
          "weighted sums of the inputs, so on x1, x2 alone they can only split the plane along a line; "
          "x1², x1·x2 or sin x1 as inputs give curved pieces from the start.")


def network(run: tr.MLPRun) -> None:
    """The diagram of a finished run's model."""
    st.plotly_chart(network_figure(neuron_maps(run.model, run.data.bounds())), key="l2pg_network_run")
    st.caption(INSIDE)


def _stepper(config: MLPConfig, data: MLPData, fresh: bool = False) -> Stepper:
    s = st.session_state.get("l2pg_stepper")
    if fresh or s is None or s.config != config or s.data.provenance != data.provenance:
        s = st.session_state["l2pg_stepper"] = Stepper(config, data)  # the settings changed: start over
    return s


def step_panel(config: MLPConfig, data: MLPData) -> None:
    """One optimiser step per press (or ten), with the network and the decision map after it."""
    st.caption("The same initial weights, optimiser, batches and step as Train, one step at a time "
               "(full batch: one step is one epoch). Changing a setting starts over.")
    s = _stepper(config, data)
    c1, c2, c3 = st.columns(3)
    if c1.button("One step", key="l2pg_step1", icon=":material/skip_next:"):
        s.step(1)
    if c2.button("Ten steps", key="l2pg_step10", icon=":material/fast_forward:"):
        s.step(10)
    if c3.button("Start over", key="l2pg_step_reset", icon=":material/restart_alt:"):
        s = _stepper(config, data, fresh=True)
    if s.diverged:
        st.warning("The loss is no longer a finite number: this learning rate diverged. Start over lower.")
        return
    sc = s.scores()
    m1, m2, m3 = st.columns(3)
    m1.metric("optimiser steps", s.steps)
    m2.metric("train loss (dropout off)", f"{sc['train_loss']:.4f}")
    m3.metric("validation accuracy", f"{sc['val_accuracy']:.1%}")
    left, right = st.columns([3, 2])
    left.plotly_chart(network_figure(s.maps(), f"After {s.steps} step{'s' * (s.steps != 1)}"),
                      key="l2pg_network_step")
    right.plotly_chart(decision_map_figure(s.decision_map(), data), key="l2pg_step_map")
    st.caption(INSIDE)
