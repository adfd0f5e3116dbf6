"""URL-bound widgets: a shared link reproduces the view; a bad link falls back to defaults."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from apps.common import state as ui

    lr = ui.select_slider("Learning rate", "t_lr", [0.001, 0.01, 0.1, 1.0], 0.01)
    deg = ui.slider("Degree", "t_deg", 1, 15, 3)
    act = ui.selectbox("Activation", "t_act", ["relu", "tanh"], "relu")
    bn = ui.checkbox("Batch norm", "t_bn", False)
    noise = ui.slider("Noise", "t_noise", 0.0, 1.0, 0.2)
    rate = ui.number_input("Rate", "t_rate", 0.0, 10.0, 1.0)
    st.write(f"state {lr} {deg} {act} {bn} {noise} {rate}")


def _new_widgets() -> None:
    import streamlit as st

    from apps.common import state as ui

    name = ui.text_input("Name", "t_name", "moons", max_chars=20)
    picked = ui.multiselect("Classes", "t_cls", ["cat", "dog", "owl"], ["cat"])
    lo, hi = ui.range_slider("Window", "t_win", 0, 100, (10, 90))
    st.write(f"state {name}|{','.join(picked)}|{lo}-{hi}")


def _dependent_range() -> None:
    import streamlit as st

    from apps.common import state as ui

    size = ui.slider("Image size", "t_size", 4, 32, 28)
    kernel = ui.slider("Kernel", "t_k", 1, size, 5)  # the kernel cannot exceed the image
    lo, hi = ui.range_slider("Crop", "t_crop", 0, size, (2, 20))
    st.write(f"state {size} {kernel} {lo}-{hi}")


def _run(script, params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_function(script)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, at.exception
    return at


def test_widgets_take_their_values_from_the_url() -> None:
    at = _run(_script, {"t_lr": "0.1", "t_deg": "9", "t_act": "tanh", "t_bn": "1", "t_noise": "0.5"})
    assert at.markdown[0].value == "state 0.1 9 tanh True 0.5 1.0"
    assert not at.toast


def test_changes_are_written_back_to_the_url() -> None:
    at = _run(_script)
    at.slider(key="t_deg").set_value(12).run()
    at.selectbox(key="t_act").set_value("tanh").run()
    assert at.query_params["t_deg"] == "12" and at.query_params["t_act"] == "tanh"
    assert at.markdown[0].value == "state 0.01 12 tanh False 0.2 1.0"


def test_malformed_or_out_of_range_values_fall_back_to_defaults() -> None:
    at = _run(_script, {"t_lr": "banana", "t_deg": "99", "t_act": "sigmoid", "t_bn": "maybe"})
    assert at.markdown[0].value == "state 0.01 3 relu False 0.2 1.0"
    assert at.query_params["t_deg"] == "3" and at.query_params["t_act"] == "relu"


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "-INF", "1e999"])
def test_non_finite_numbers_never_pass_the_range_check(bad: str) -> None:
    at = _run(_script, {"t_noise": bad, "t_rate": bad, "t_deg": bad})
    assert at.markdown[0].value == "state 0.01 3 relu False 0.2 1.0"
    # The link is rewritten, so copying the address bar does not pass the bad value on.
    assert at.query_params["t_noise"] == "0.2" and at.query_params["t_rate"] == "1"
    assert at.query_params["t_deg"] == "3"
    assert any("t_noise" in t.value for t in at.toast), "the user is told which value was ignored"


def test_text_multiselect_and_range_slider_take_their_values_from_the_url() -> None:
    at = _run(_new_widgets, {"t_name": "circles", "t_cls": ["dog", "owl"], "t_win": ["25", "75"]})
    assert at.markdown[0].value == "state circles|dog,owl|25-75"


def test_text_multiselect_and_range_slider_write_back_to_the_url() -> None:
    at = _run(_new_widgets)
    at.text_input(key="t_name").input("blobs").run()
    at.multiselect(key="t_cls").select("owl").run()
    at.slider(key="t_win").set_range(30, 40).run()
    assert at.markdown[0].value == "state blobs|cat,owl|30-40"
    assert at.query_params["t_name"] == "blobs"
    assert at.query_params["t_cls"] == ["cat", "owl"]
    assert at.query_params["t_win"] == ["30", "40"]


def test_an_empty_multiselect_survives_the_link() -> None:
    at = _run(_new_widgets)
    at.multiselect(key="t_cls").unselect("cat").run()
    assert at.markdown[0].value == "state moons||10-90"
    shared = _run(_new_widgets, {"t_cls": at.query_params["t_cls"]})
    assert shared.markdown[0].value == "state moons||10-90"


@pytest.mark.parametrize(
    "params",
    [
        {"t_cls": ["dog", "bat"]},  # an unknown option
        {"t_cls": ["dog", "dog"]},  # a duplicate
        {"t_win": ["80", "20"]},  # reversed
        {"t_win": ["10"]},  # one end only
        {"t_win": ["10", "nan"]},
        {"t_win": ["-5", "50"]},  # outside the slider
        {"t_name": "x" * 21},  # longer than the widget allows
    ],
)
def test_bad_multi_values_fall_back_to_defaults(params: dict[str, str | list[str]]) -> None:
    at = _run(_new_widgets, params)
    assert at.markdown[0].value == "state moons|cat|10-90"
    assert at.toast, "the user is told the link value was ignored"


def test_a_slider_keeps_its_value_when_its_range_changes() -> None:
    at = _run(_dependent_range, {"t_k": "7", "t_crop": ["3", "12"]})
    at.slider(key="t_size").set_value(16).run()  # 7 and 3-12 still fit in [1, 16]
    assert at.markdown[0].value == "state 16 7 3-12"
    at.slider(key="t_size").set_value(6).run()  # now they do not: clamp to the new maximum
    assert at.markdown[0].value == "state 6 6 3-6"
    assert at.query_params["t_k"] == "6" and at.query_params["t_crop"] == ["3", "6"]
    at.slider(key="t_size").set_value(28).run()  # growing again keeps the clamped values
    assert at.markdown[0].value == "state 28 6 3-6"
