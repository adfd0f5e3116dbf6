"""URL-bound widgets: a shared link reproduces the view; a bad link falls back to defaults."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from apps.common import state as ui

    lr = ui.select_slider("Learning rate", "t_lr", [0.001, 0.01, 0.1, 1.0], 0.01)
    deg = ui.slider("Degree", "t_deg", 1, 15, 3)
    act = ui.selectbox("Activation", "t_act", ["relu", "tanh"], "relu")
    bn = ui.checkbox("Batch norm", "t_bn", False)
    st.write(f"state {lr} {deg} {act} {bn}")


def test_widgets_take_their_values_from_the_url() -> None:
    at = AppTest.from_function(_script)
    at.query_params.update({"t_lr": "0.1", "t_deg": "9", "t_act": "tanh", "t_bn": "1"})
    at.run()
    assert not at.exception
    assert at.markdown[0].value == "state 0.1 9 tanh True"


def test_changes_are_written_back_to_the_url() -> None:
    at = AppTest.from_function(_script)
    at.run()
    at.slider(key="t_deg").set_value(12).run()
    at.selectbox(key="t_act").set_value("tanh").run()
    assert at.query_params["t_deg"] == "12" and at.query_params["t_act"] == "tanh"
    assert at.markdown[0].value == "state 0.01 12 tanh False"


def test_malformed_or_out_of_range_values_fall_back_to_defaults() -> None:
    at = AppTest.from_function(_script)
    at.query_params.update({"t_lr": "banana", "t_deg": "99", "t_act": "sigmoid", "t_bn": "maybe"})
    at.run()
    assert not at.exception
    assert at.markdown[0].value == "state 0.01 3 relu False"
