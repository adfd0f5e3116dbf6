"""The page l4-detect and the Gradio endpoint /detect, with a local torch hub stand-in or with nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture4_detect
from core.transfer import detection as dt
from tests.helpers import gradio_tab_client, page, plot_json, texts

DETECT = "apps/pages/l4/detect.py"


@pytest.fixture
def online(detector_hub: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(detector_hub))
    return detector_hub


def counted(at: object) -> tuple[int, int]:
    """(shown, returned) from the caption '3 of 50 detections at score ≥ 0.50, ...'."""
    match = re.search(r"(\d+) of (\d+) (detections|classes) at score", texts(at))  # type: ignore[arg-type]
    assert match, texts(at)  # type: ignore[arg-type]
    return int(match.group(1)), int(match.group(2))


def test_offline_page_says_which_file_is_missing_and_draws_nothing(offline: Path) -> None:
    at = page(DETECT, timeout=120)
    assert not at.error
    error = " ".join(e.value for e in at.warning)
    assert "Weights missing" in error and "fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth" in error
    assert str(offline / "hub" / "checkpoints") in error and "HF_HUB_OFFLINE=1 is set" in error
    assert "download.pytorch.org/models/fasterrcnn" in at.code[0].value and not at.get("plotly_chart")
    at.radio(key="l4det_model").set_value("lraspp_mobilenet_v3_large").run()
    assert "lraspp_mobilenet_v3_large-d234d4ea.pth" in " ".join(e.value for e in at.warning)


def test_every_control_changes_what_the_page_shows(online: Path) -> None:
    at = page(DETECT, timeout=120)
    assert not at.error and len(at.get("plotly_chart")) == 1
    shown = texts(at)
    assert "Faster R-CNN" in shown and "torch hub cache" in shown and "box AP 22.8" in shown
    assert "Astronaut" in shown
    at.slider(key="l4det_threshold").set_value(0.05).run()
    low = counted(at)
    assert low[0] > 0
    at.slider(key="l4det_threshold").set_value(0.95).run()
    assert counted(at)[0] < low[0] and "lower the threshold" in texts(at)
    at.slider(key="l4det_threshold").set_value(0.05).run()
    at.slider(key="l4det_max").set_value(2).run()
    assert counted(at)[0] == min(2, low[0]) and len(at.dataframe[0].value) == counted(at)[0]
    at.selectbox(key="l4det_photo").set_value("chelsea").run()
    assert "Chelsea" in texts(at)
    fig = plot_json(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["xaxis"]["range"] == [0, 451]  # the figure is Chelsea's, 451 × 300 px
    at.radio(key="l4det_model").set_value("lraspp_mobilenet_v3_large").run()
    assert not at.exception and "classes at score" in texts(at) and "share of the pixels" in str(
        at.dataframe[0].value.columns.tolist())


def test_a_bad_upload_is_refused_plainly(online: Path) -> None:
    at = page(DETECT, timeout=120)
    at.selectbox(key="l4det_photo").set_value("upload").run()
    assert "Upload a photo" in texts(at) and not at.get("plotly_chart")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture4_detect.build) as c:
        yield c


GOOD = {"photo": "chelsea", "upload": None, "model": dt.DEFAULT, "threshold": 0.05, "max_detections": 4}


def test_endpoint_detects_with_the_stand_in_and_says_what_is_missing_without(
    client: Client, online: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    figure, rows, note = client.predict(*GOOD.values(), api_name="/detect")
    assert figure is not None and len(rows["data"]) == 4 and "4 of" in note and "torch hub cache" in note
    assert all(0 <= r[2] <= r[4] <= 451 and 0.05 <= r[1] <= 1 for r in rows["data"])
    assert plot_json(figure)["data"][0]["type"] == "image"
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    figure, rows, note = client.predict(*GOOD.values(), api_name="/detect")
    assert figure is None and not rows["data"] and "Weights missing" in note and "907ea3f9.pth" in note


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("threshold", "nan", "Score threshold must be"), ("threshold", "inf", "Score threshold must be"),
     ("threshold", 0.0, "Score threshold must be"), ("threshold", 1.5, "Score threshold must be"),
     ("max_detections", 51, "Max detections must be"), ("max_detections", "nan", "Max detections must be"),
     ("model", "yolo", "Model must be"), ("photo", "nowhere", "Photo must be")],
)  # fmt: skip
def test_out_of_range_values_are_refused(client: Client, field: str, value: object, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*{**GOOD, field: value}.values(), api_name="/detect")
