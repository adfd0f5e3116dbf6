"""AppTest of the CNN trainer page: every control reaches the config and the URL, absurd networks are refused
before training, a tiny run shows its inspection views, and drawings/uploads are classified."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from tests.helpers import finish_job, page, texts

PAGE = "apps/pages/l3/trainer.py"


def app(params: dict[str, str] | None = None) -> AppTest:
    return page(PAGE, 90, params)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.fixture(scope="module")
def fresh() -> AppTest:
    return app()


def test_default_page_shows_the_network_and_the_shipped_models(fresh: AppTest) -> None:
    shown = captions(fresh)
    assert "CNN 2x[conv3x3, 32-64, BN, ReLU, max-pool]" in shown
    assert "1@28x28 → 32@28x28 → 32@14x14 → 64@14x14 → 64@7x7 → 10 classes" in shown
    assert fresh.button(key="l3tr__start").disabled is False
    assert fresh.radio(key="l3tr_model").options == ["Shipped Fashion-MNIST CNN", "Shipped MNIST CNN"]
    assert "Draw a digit or a garment" in texts(fresh)


# (key, widget kind, new value, text that must then appear in the captions)
CONTROLS: list[tuple[str, str, Any, str]] = [
    ("l3tr_data", "selectbox", "mnist", "\nMNIST: 1 x"),
    ("l3tr_n", "select_slider", 2_000, "1 x 2,000 training images"),
    ("l3tr_epochs", "slider", 3, "3 x 10,000 training images"),
    ("l3tr_blocks", "slider", 3, "32-64-128"),
    ("l3tr_filters", "select_slider", 8, "8-16"),
    ("l3tr_k", "select_slider", 5, "conv5x5"),
    ("l3tr_stride", "slider", 2, "conv3x3/2"),
    ("l3tr_pad", "selectbox", "valid", "32@26x26"),
    ("l3tr_pool", "segmented_control", "avg", "avg-pool"),
    ("l3tr_bn", "toggle", False, "32-64, ReLU"),
    ("l3tr_drop", "slider", 0.5, "dropout 0.5"),
    ("l3tr_opt", "selectbox", "momentum", "momentum with learning rate"),
    ("l3tr_lr", "select_slider", 0.01, "learning rate 0.01,"),
    ("l3tr_bs", "select_slider", 64, "batch 64,"),
    ("l3tr_seed", "number_input", 7, "seed 7"),
]


@pytest.mark.parametrize(("key", "kind", "value", "expected"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_each_control_changes_the_network_or_the_run_and_the_url(
    key: str, kind: str, value: Any, expected: str
) -> None:
    at = app()
    assert expected not in captions(at)
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert expected in captions(at)
    assert at.query_params[key] == (str(int(value)) if isinstance(value, bool) else str(value))


def test_url_round_trip_and_bad_links() -> None:
    at = app({"l3tr_blocks": "3", "l3tr_k": "5", "l3tr_pool": "none", "l3tr_lr": "0.003", "l3tr_pad": "2"})
    assert at.slider(key="l3tr_blocks").value == 3 and at.select_slider(key="l3tr_lr").value == 0.003
    assert at.selectbox(key="l3tr_pad").value == 2
    assert "conv5x5, 32-64-128, BN, ReLU]" in captions(at)
    bad = app({"l3tr_blocks": "99", "l3tr_k": "six", "l3tr_opt": "lbfgs"})
    assert bad.slider(key="l3tr_blocks").value == 2 and bad.select_slider(key="l3tr_k").value == 3
    assert bad.selectbox(key="l3tr_opt").value == "adam"


def test_absurd_network_is_refused_before_training() -> None:
    at = app({"l3tr_blocks": "4", "l3tr_stride": "3"})
    assert any("cannot be trained" in e.value and "below 1x1" in e.value for e in at.error)
    at.button(key="l3tr__start").click().run()
    assert not at.exception
    assert "Cannot start" in texts(at) and "l3tr__job" not in at.session_state
    too_long = app({"l3tr_epochs": "20", "l3tr_n": "60000"})
    assert any("more than this server trains" in e.value for e in too_long.error)


def _png(draw_ring: bool = True) -> bytes:
    im = Image.new("RGB", (280, 280), "white")
    if draw_ring:
        ImageDraw.Draw(im).ellipse([70, 40, 210, 240], outline="black", width=22)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_drawing_on_the_canvas_is_classified_by_a_shipped_model(fresh: AppTest) -> None:
    at = fresh
    at.radio(key="l3tr_model").set_value("Shipped MNIST CNN").run()
    at.session_state["l3tr_canvas"] = {"png": "data:image/png;base64," + base64.b64encode(_png()).decode()}
    at.run()
    assert not at.exception, at.exception
    assert "l3tr_fig_probs" in [c.key for c in at.get("plotly_chart")]
    assert at.image and at.image[0].proto.imgs
    assert at.query_params["l3tr_model"] == "Shipped MNIST CNN"
    at.session_state["l3tr_canvas"] = {
        "png": "data:image/png;base64," + base64.b64encode(_png(False)).decode()
    }
    at.run()
    assert any("blank" in e.value for e in at.error)


def test_uploads_are_classified_and_garbage_is_explained() -> None:
    at = app()
    at.file_uploader(key="l3tr_upload").set_value(("ring.png", _png(), "image/png")).run()
    assert not at.exception, at.exception
    assert "l3tr_fig_probs" in [c.key for c in at.get("plotly_chart")]
    at.file_uploader(key="l3tr_upload").set_value(("x.png", b"not a png at all", "image/png")).run()
    assert not at.exception
    assert any("not an image this app can read" in e.value for e in at.error)


def test_tiny_training_run_shows_results_history_and_classifies_with_the_new_model() -> None:
    at = app({"l3tr_n": "500", "l3tr_filters": "8"})
    at.button(key="l3tr__start").click().run()
    assert not at.exception, at.exception
    finish_job(at, "l3tr", timeout=180)
    assert not at.exception, at.exception
    shown = texts(at)
    assert "finished all epochs" in shown and "Test accuracy" in shown and "Run history" in shown
    charts = {c.key: c.proto.spec for c in at.get("plotly_chart")}
    for key in (
        "l3tr_done_Loss",
        "l3tr_done_Accuracy",
        "l3tr_fig_cm",
        "l3tr_fig_mistakes",
        "l3tr_fig_filters",
        "l3tr_fig_img",
        "l3tr_fig_fmap",
        "l3tr_fig_history",
        "l3tr_fig_ratio",  # CS231n diagnostics recorded by the run
        "l3tr_fig_whist",
    ):
        assert key in charts, key
    assert "Median update/weight ratio: conv 1" in shown and "linear 1" in shown
    cm = json.loads(charts["l3tr_fig_cm"])["data"][0]  # row shares: what part of each true class went where
    assert np.allclose([sum(r) for r in cm["z"] if sum(r)], 1.0) and cm["text"][0][0].endswith("%")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Training images"] == "500"
    assert float(metrics["Test accuracy"].rstrip("%")) > 20
    # the feature-map controls move the figure
    before = charts["l3tr_fig_fmap"]
    at.slider(key="l3tr_img").set_value(5).run()
    at.selectbox(key="l3tr_layer").set_value("block 2 · ReLU").run()
    after = {c.key: c.proto.spec for c in at.get("plotly_chart")}["l3tr_fig_fmap"]
    assert after != before and "block 2 · ReLU" in after
    # the trained model is now offered for drawings
    assert "Your trained model" in at.radio(key="l3tr_model").options
    at.radio(key="l3tr_model").set_value("Your trained model").run()
    at.file_uploader(key="l3tr_upload").set_value(("ring.png", _png(), "image/png")).run()
    assert not at.exception and "l3tr_fig_probs" in [c.key for c in at.get("plotly_chart")]
    assert at.dataframe[0].value["test accuracy"].iloc[0] == pytest.approx(
        float(metrics["Test accuracy"].rstrip("%")) / 100, abs=1e-3
    )
    assert np.isfinite(at.dataframe[0].value["images/s"].iloc[0])


def test_learning_rate_reaches_the_training_and_a_chance_level_run_is_reported_as_failed() -> None:
    """The tiny run above with SGD at learning rate 1.0, batch 16, no batch norm: the page's learning rate
    must reach train_cnn, and the useless result must say 'failed to learn', not 'finished'."""
    at = app({"l3tr_n": "500", "l3tr_filters": "8"})
    at.selectbox(key="l3tr_opt").set_value("sgd")
    at.toggle(key="l3tr_bn").set_value(False)
    at.select_slider(key="l3tr_bs").set_value(16)
    at.select_slider(key="l3tr_lr").set_value(1.0).run()
    at.button(key="l3tr__start").click().run()
    finish_job(at, "l3tr", timeout=180)
    assert not at.exception, at.exception
    run = at.session_state["l3tr__job"].result
    assert run.config.lr == 1.0 and run.config.optimizer == "sgd" and not run.config.batch_norm
    shown = texts(at)
    assert "finished all epochs" not in shown
    assert "failed to learn: test accuracy" in shown and "lower the learning rate" in shown


def test_time_estimate_uses_a_rate_measured_here_and_the_tips_match_measured_runs(fresh: AppTest) -> None:
    shown = captions(fresh)
    assert "2,000 images/s" not in shown and "The rate is measured" in shown
    assert "images/s" in shown
    tips = texts(fresh)
    assert "*sgd* with learning rate 1.0" in tips and "per-pixel fully connected layer" in tips
    assert "a per-pixel MLP)" not in tips
