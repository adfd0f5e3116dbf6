"""The lecture 2 MLP playground Gradio tab over HTTP: /train_mlp and /train_mlp_csv answer with figures,
numbers and a weights file that loads back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from apps.gradio_tabs import lecture2
from core.mlp import datasets as ds
from core.mlp import training as tr
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue

#    layers width activation optimizer lr batch epochs l1 l2 dropout patience seed
NET = (2, 16, "relu", "adam", 0.03, 0, 60, 0.0, 0.0, 0.0, 0, 0)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture2.build, "Lecture 2") as c:
        yield c


def test_both_endpoints_are_published(client: Client) -> None:
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/train_mlp", "/train_mlp_csv"} <= set(named)


def test_train_mlp_returns_map_curves_confusion_numbers_and_weights(client: Client) -> None:
    fig, curves, cm, nums, weights = client.predict("blobs", 300, 0.5, 3, 0, *NET, api_name="/train_mlp")
    assert nums["status"] == "completed" and nums["epochs"] == 60
    assert nums["accuracy"]["test"] > 0.9 and nums["classes"] == ["0", "1", "2"]
    assert sum(map(sum, nums["confusion_test"])) == 60  # 20% of 300 points
    types = [t["type"] for t in plot_json(fig)["data"]]
    assert types[0] == "heatmap" and types.count("scatter") == 3
    assert [t["name"] for t in plot_json(curves)["data"]] == ["train loss", "val loss"]
    assert plot_json(cm)["data"][0]["z"] == nums["confusion_test"]
    model = tr.load_exported(Path(weights).read_bytes())
    assert model.layers.out.out_features == 3


def test_huge_learning_rate_reports_divergence(client: Client) -> None:
    net = list(NET)
    net[4] = 10.0  # Adam at lr 10: the loss explodes within two epochs
    *_, nums, _ = client.predict("moons", 300, 0.2, 2, 0, *net, api_name="/train_mlp")
    assert nums["status"] == "diverged" and "diverged" in nums["message"]
    assert nums["accuracy"]["test"] is None or nums["accuracy"]["test"] < 0.9


def test_csv_endpoint_trains_on_an_upload_and_names_bad_files(client: Client, tmp_path: Path) -> None:
    good = tmp_path / "mine.csv"
    good.write_bytes(ds.example_csv("xor", n=200))
    *_, nums, _ = client.predict(handle_file(str(good)), *NET, api_name="/train_mlp_csv")
    assert nums["data"].startswith("mine.csv: 200 rows") and nums["accuracy"]["train"] > 0.8
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,a\n1,oops,b\n")
    with pytest.raises(Exception, match="not a number"):
        client.predict(handle_file(str(bad)), *NET, api_name="/train_mlp_csv")


def test_dropdowns_take_documented_numbers_and_name_the_control_for_others(client: Client) -> None:
    # Widths, learning rates, batch sizes and strengths sent as plain numbers (64.0 for 64, "0.03" as text)
    net = (1, 8.0, "relu", "adam", "0.03", 32, 20, 1e-4, "0.001", 0.0, 0, 0)
    *_, nums, _ = client.predict("moons", 300, 0.2, 2, 0, *net, api_name="/train_mlp")
    cfg = nums["config"]
    assert (cfg["hidden"], cfg["lr"], cfg["batch_size"], cfg["l1"], cfg["l2"]) == ([8], 0.03, 32, 1e-4, 0.001)
    with pytest.raises(Exception, match="neurons per layer must be one of") as err:
        client.predict("moons", 300, 0.2, 2, 0, 1, 7, *net[2:], api_name="/train_mlp")
    assert "list of choices" not in str(err.value)


# Six layers of 256 in batches of 8 for 5000 epochs: it would run into its time budget.
LONG = (6, 256, "relu", "adam", 0.001, 8, 5000, 0.0, 0.0, 0.0, 0, 0)


def test_a_cancelled_request_stops_its_training(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    request = client.submit("moons", 5000, 0.2, 2, 0, *LONG, api_name="/train_mlp")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop() and job.name == "gradio-mlp"
    assert job.result.fit.status == "stopped"  # not "time_budget": the stop ended it


def test_a_cancelled_csv_request_stops_its_training(client: Client, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:  # fmt: skip
    jobs = recording_queue(monkeypatch)
    big = tmp_path / "big.csv"
    big.write_bytes(ds.example_csv("moons", n=5000))
    request = client.submit(handle_file(str(big)), *LONG, api_name="/train_mlp_csv")
    job = cancel_when_running(request, jobs)
    assert job.status == "stopped" and job.result.fit.status == "stopped"
