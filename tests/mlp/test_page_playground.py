"""AppTest of the MLP playground: every control reaches the run, live training stops on request,
divergence and early stopping are reported, CSV uploads are checked, runs stay for comparison."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.mlp import datasets as ds
from core.mlp import model as md
from tests.helpers import finish_job, page, texts

PAGE = "apps/pages/l2/playground.py"
KEY = "l2pg"


def figure(at: AppTest, key: str) -> dict[str, Any]:
    return json.loads(next(e for e in at.get("plotly_chart") if e.key == key).proto.spec)


def chart_keys(at: AppTest) -> set[str]:
    return {e.key for e in at.get("plotly_chart")}


def train(at: AppTest, **widgets: Any) -> AppTest:
    for key, value in widgets.items():
        widget = next(w for kind in ("slider", "select_slider", "selectbox", "toggle", "number_input")
                      for w in getattr(at, kind) if w.key == key)
        widget.set_value(value)
    at.run()
    at.button(key=f"{KEY}__start").click().run()
    return finish_job(at, KEY)


def history(at: AppTest) -> list[dict[str, Any]]:
    """The run-history table (the one with a ``run`` column), as rows."""
    tables = [d.value for d in at.dataframe if "run" in d.value.columns]
    return tables[0].to_dict("records") if tables else []


@pytest.fixture(scope="module")
def fresh() -> AppTest:
    return page(PAGE)


def test_default_page_shows_the_data_or_the_shipped_model(fresh: AppTest) -> None:
    assert not fresh.exception
    assert "moons: 1,000 generated points (noise=0.2, seed=0)" in texts(fresh)
    if "l2pg_map" in chart_keys(fresh):  # the shipped checkpoint for the default settings
        assert "shipped model" in texts(fresh) and "test accuracy" in texts(fresh)
        assert figure(fresh, "l2pg_map")["data"][0]["type"] == "heatmap"
    else:
        assert "l2pg_data_map" in chart_keys(fresh)


@pytest.mark.parametrize("key, value, shown", [
    ("l2pg_set", "spirals", "spirals: 1,000 generated points (noise=0.15, seed=0, classes=3)"),
    ("l2pg_noise", 0.5, "noise=0.5"),
    ("l2pg_n", 300, "moons: 300 generated points"),
    ("l2pg_dseed", 7, "seed=7"),
])  # fmt: skip
def test_data_controls_change_the_data_and_the_url(key: str, value: Any, shown: str) -> None:
    at = page(PAGE)
    kinds = ("selectbox", "slider", "select_slider", "number_input")
    widget = next(w for kind in kinds for w in getattr(at, kind) if w.key == key)
    widget.set_value(value).run()
    assert not at.exception and shown in texts(at)
    assert at.query_params[key] == str(value)
    assert "l2pg_data_map" in chart_keys(at)  # changed data: no shipped model, the points to train on


def test_multiclass_sets_get_a_classes_slider() -> None:
    at = page(PAGE)
    assert "l2pg_classes" not in [s.key for s in at.slider]
    at.selectbox(key="l2pg_set").set_value("blobs").run()
    at.slider(key="l2pg_classes").set_value(5).run()
    assert "classes=5" in texts(at) and not at.exception
    legend = {t.get("name") for t in figure(at, "l2pg_data_map")["data"]}
    assert {f"class {c} (train)" for c in "01234"} <= legend


def test_every_training_control_reaches_the_run_and_runs_are_kept() -> None:
    at = page(PAGE)
    at.toggle(key="l2pg_early").set_value(True).run()  # enables the patience slider
    train(at, l2pg_n=300, l2pg_layers=3, l2pg_width=8, l2pg_act="tanh", l2pg_opt="momentum", l2pg_lr=0.1,
          l2pg_batch=32, l2pg_epochs=10, l2pg_seed=5, l2pg_l1=1e-4, l2pg_l2=0.001, l2pg_dropout=0.1,
          l2pg_patience=50)  # fmt: skip
    assert not at.exception
    row = history(at)[0]
    assert row["net"] == "2-8-8-8-2 tanh" and row["optimizer"] == "momentum" and row["lr"] == 0.1
    regs = (row["batch"], row["L1"], row["L2"], row["dropout"], row["patience"])
    assert regs == ("32", 1e-4, 0.001, 0.1, "50")
    assert row["epochs"] == 10 and row["data"] == "moons"
    # ...and into the computation itself, not only into the table: the trained model and its optimizer.
    run = at.session_state[f"{KEY}__job"].result
    assert [type(m).__name__ for m in run.model.layers][:3] == ["Linear", "Tanh", "Dropout"]
    assert run.model.layers.drop1.p == 0.1 and run.model.layers.fc1.out_features == 8
    assert len(run.data.y_train) == 180 and run.fit.history["epoch"][-1] <= 10
    opt = md.make_optimizer(run.model, run.config)
    assert type(opt).__name__ == "SGD" and opt.param_groups[0]["lr"] == 0.1
    assert opt.param_groups[0]["momentum"] == 0.9 and opt.param_groups[0]["weight_decay"] == 0.001
    assert at.query_params["l2pg_opt"] == "momentum" and at.query_params["l2pg_seed"] == "5"
    assert {"l2pg_map", "l2pg_confusion", "l2pg_Loss", "l2pg_Accuracy"} <= chart_keys(at)
    assert {"train accuracy", "validation accuracy", "test accuracy"} <= {m.label for m in at.metric}
    assert {b.key for b in at.get("download_button")} >= {"l2pg_dl_weights", "l2pg_dl_config"}
    # A second run: two rows, and the first run's curves overlaid (dotted) on the second's.
    train(at, l2pg_opt="adam", l2pg_lr=0.01)
    assert [r["optimizer"] for r in history(at)] == ["momentum", "adam"]
    names = [t["name"] for t in figure(at, "l2pg_Loss")["data"]]
    assert "run 1: train loss (dropout on)" in names and "train loss (dropout off)" in names  # dropout 0.1
    at.segmented_control(key="l2pg_points").set_value("train + test").run()
    assert "class 0 (test)" in {t.get("name") for t in figure(at, "l2pg_map")["data"]}
    at.button(key="l2pg_clear").click().run()
    assert not at.exception and [r["run"] for r in history(at)] == ["run 2"]


def test_live_view_shows_map_and_curves_and_stop_keeps_the_model() -> None:
    at = page(PAGE)
    at.select_slider(key="l2pg_batch").set_value(8)
    at.select_slider(key="l2pg_epochs").set_value(5000).run()
    at.button(key=f"{KEY}__start").click().run()
    job = at.session_state[f"{KEY}__job"]
    for _ in range(100):  # until a few epochs are in
        if len(job.history().get("train_loss", [])) >= 2:
            break
        time.sleep(0.05)
    at.run()
    live = at.get("image")
    assert live and "Decision regions after epoch" in live[0].proto.imgs[0].caption
    assert len(at.get("vega_lite_chart")) == 2  # loss and accuracy, updating in place
    at.button(key=f"{KEY}__stop").click().run()
    finish_job(at, KEY, timeout=30)
    assert "stopped on request" in texts(at) and "Showing the model as it was" in texts(at)
    assert "l2pg_map" in chart_keys(at) and history(at)[0]["status"] == "stopped"


def test_huge_learning_rate_is_reported_as_divergence() -> None:
    at = train(page(PAGE), l2pg_lr=10.0, l2pg_epochs=100)
    assert not at.exception
    assert any("Diverged" in e.value and "learning rate" in e.value for e in at.error)
    assert "weights are no longer finite" in texts(at)


def test_early_stopping_is_reported() -> None:
    at = page(PAGE)
    at.toggle(key="l2pg_early").set_value(True).run()
    train(at, l2pg_patience=5, l2pg_epochs=2000, l2pg_lr=0.03, l2pg_n=300)
    assert "stopped early" in texts(at) and history(at)[0]["status"] == "early_stopped"
    assert history(at)[0]["epochs"] < 2000


def test_csv_upload_trains_on_the_file_and_bad_files_get_a_message() -> None:
    at = page(PAGE)
    at.segmented_control(key="l2pg_source").set_value("CSV file").run()
    assert "Upload a CSV file" in texts(at) and not at.exception
    assert "l2pg_example" in {b.key for b in at.get("download_button")}  # a template of the format
    at.get("file_uploader")[0].set_value(("pets.csv", b"x1,x2,label\n1,2,cat\n3,x,dog\n", "text/csv")).run()
    assert any("Cannot use pets.csv" in e.value and "'x' is not a number" in e.value for e in at.error)
    at.get("file_uploader")[0].set_value(("mine.csv", ds.example_csv("xor", n=200), "text/csv")).run()
    assert "mine.csv: 200 rows, 2 classes" in texts(at) and not at.error
    train(at, l2pg_epochs=50)
    assert history(at)[0]["data"] == "mine.csv" and not at.exception


def test_regulariser_words_say_what_is_measured() -> None:
    at = page(PAGE)
    shown = texts(at)
    assert "exactly zero" not in shown.replace("not exactly zero", "")
    assert "1/(1−p)" in shown and "proximal" in shown
    train(at, l2pg_epochs=10, l2pg_l1=0.003, l2pg_dropout=0.3)
    assert not at.exception
    weights = next(m for m in at.metric if m.label.startswith("weights with |w| < 10⁻³"))
    assert weights.value.endswith("of 4,352")
    names = [t["name"] for t in figure(at, "l2pg_Loss")["data"]]
    assert names == ["train loss (dropout on)", "train loss (dropout off)", "val loss"]


def test_feature_toggles_reach_the_model_and_the_network_is_drawn_unit_by_unit() -> None:
    at = page(PAGE)
    at.multiselect(key="l2pg_features").set_value(["x1", "x2", "x1²", "sin x1"]).run()
    train(at, l2pg_layers=1, l2pg_width=8, l2pg_epochs=10)
    assert not at.exception
    run = at.session_state["l2pg__job"].result
    assert run.model.features.names == ("x1", "x2", "x1²", "sin x1") and run.model.layers.fc1.in_features == 4
    assert at.query_params["l2pg_features"] == ["x1", "x2", "x1²", "sin x1"]
    net = figure(at, "l2pg_network_run")
    assert len(net["layout"]["images"]) == 4 + 8  # four inputs, eight hidden units
    assert {a["text"] for a in net["layout"]["annotations"]} >= {"x1²", "sin x1", "h1.8", "inputs"}


def test_single_steps_move_the_model_one_optimiser_step_at_a_time() -> None:
    at = page(PAGE)
    at.toggle(key="l2pg_stepping").set_value(True).run()
    steps = lambda: next(m.value for m in at.metric if m.label == "optimiser steps")  # noqa: E731
    assert not at.exception and steps() == "0"
    before = figure(at, "l2pg_network_step")
    at.button(key="l2pg_step1").click().run()
    after = figure(at, "l2pg_network_step")
    assert steps() == "1" and after["layout"]["images"] != before["layout"]["images"]
    at.button(key="l2pg_step10").click().run()
    assert steps() == "11" and "After 11 steps" in json.dumps(figure(at, "l2pg_network_step")["layout"])
    at.select_slider(key="l2pg_lr").set_value(0.1).run()  # a new setting starts over
    assert steps() == "0"
    at.button(key="l2pg_step1").click().run()
    at.button(key="l2pg_step_reset").click().run()
    assert steps() == "0" and not at.exception
