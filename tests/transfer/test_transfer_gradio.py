"""Gradio /transfer on the homework's network: ResNet-18 from a local hub cache, or the bundled network
named as the fallback (the endpoint's other inputs are tested with the page's ranges in test_gradio.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture4_transfer
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue


@pytest.fixture
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture4_transfer.build) as c:
        yield c


def test_transfer_trains_on_resnet18_from_the_hub_cache(resnet18_hub: Any, runs: list[Any],
                                                        client: Client) -> None:  # fmt: skip
    fig, note = client.predict(1, "probe", 0.003, 2, "none", 0, "resnet18", api_name="/transfer")
    assert runs[-1].backbone == "resnet18"
    assert "Network: ResNet-18 (ImageNet, Hugging Face hub), weights from the local Hugging Face" in note
    names = [t.get("name") for t in plot_json(fig)["data"]]
    assert "linear probe (frozen features): your runs" in names and "fine-tune all layers" in names


def test_transfer_offline_names_the_bundled_network(tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
                                                    runs: list[Any], client: Client) -> None:  # fmt: skip
    from core.transfer import backbone as bb

    monkeypatch.setenv("GALLERY_HUB_CACHE", str(tmp_path))  # an empty hub cache, offline
    bb.load_backbone.cache_clear()
    try:
        _, note = client.predict(1, "probe", 0.003, 2, "none", 0, "resnet18", api_name="/transfer")
    finally:
        bb.load_backbone.cache_clear()
    assert runs[-1].backbone == "efficientnet_lite0"
    assert "ResNet-18 (ImageNet, Hugging Face hub) is unavailable" in note
    assert "Using EfficientNet-Lite0" in note
    with pytest.raises(Exception, match="Network must be one of efficientnet_lite0, resnet18"):
        client.predict(1, "probe", 0.003, 2, "none", 0, "vgg99", api_name="/transfer")


def test_a_cancelled_request_stops_its_training(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    # The CNN from scratch on 100 images per class for 100 epochs: it would run into its time budget.
    request = client.submit(100, "scratch", 0.003, 100, "none", 0, api_name="/transfer")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop() and job.name == "gradio-transfer"
    assert job.result.fit.status == "stopped"  # not "time_budget": the stop ended it
