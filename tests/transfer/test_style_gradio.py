"""The Gradio endpoint /style_transfer over HTTP: a real run, and the page's ranges enforced."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from apps.gradio_tabs import lecture4_style
from tests.helpers import gradio_tab_client
from tests.job_requests import cancel_when_running, recording_queue


@pytest.fixture(autouse=True)
def no_vgg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No VGG-19 weights and no network (as in a lecture hall): the bundled Lite0 serves, saying why."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path_factory.mktemp("empty-torch-home")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


GOOD = {
    "mode": "texture",
    "style_photo": "flower",
    "style_upload": None,
    "content_photo": "chelsea",
    "content_upload": None,
    "size": 128,
    "iterations": 10,
    "optimiser": "adam",
    "style_weight": 10.0,
    "content_weight": 1.0,
    "style_layers": ["blocks.0", "blocks.1"],
    "content_layer": "blocks.3",
    "seed": 0,
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture4_style.build) as c:
        yield c


def test_style_transfer_returns_the_image_and_names_the_network(client: Client) -> None:
    image, note = client.predict(*{**GOOD, "mode": "style"}.values(), api_name="/style_transfer")
    assert np.asarray(Image.open(image)).shape == (85, 128, 3)  # Chelsea's 451x300 at 128 px
    assert "Chelsea the cat in the style of A flower" in note and "10 steps" in note
    assert "on EfficientNet-Lite0 (ImageNet, bundled) (stage 1, stage 2, stage 4)" in note  # those asked for
    assert "VGG-19 is unavailable" in note


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("size", "nan", "Image size must be"),
        ("size", "inf", "Image size must be"),
        ("size", 512, "Image size must be"),
        ("iterations", "nan", "Iterations must be"),
        ("iterations", 301, "Iterations must be"),
        ("seed", "-inf", "Seed must be"),
        ("style_weight", 3.0, "Style weight must be"),
        ("style_layers", [], "at least one style layer"),
        ("mode", "paint", "Mode must be"),
    ],
)
def test_out_of_range_values_are_refused(client: Client, field: str, value: object, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*{**GOOD, field: value}.values(), api_name="/style_transfer")


def test_a_cancelled_request_stops_its_synthesis(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    # The largest image for the most iterations: it would run into its time budget.
    request = client.submit(*{**GOOD, "mode": "style", "size": 256, "iterations": 300}.values(),
                            api_name="/style_transfer")  # fmt: skip
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop() and job.name == "gradio-style"
    assert job.result.status == "stopped" and job.result.steps < 300  # not "time limit": the stop ended it
