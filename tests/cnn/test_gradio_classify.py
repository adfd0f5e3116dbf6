"""The lecture 3 drawing classifier over HTTP: a Sketchpad image sent with gradio_client to ``/classify``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from apps.gradio_tabs import lecture3_classify
from core import data, schedule
from tests.helpers import gradio_tab_client


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture3_classify.build, "Lecture 3") as c:
        yield c


def _drawing(tmp_path: Path, dataset: str, index: int) -> tuple[str, str]:
    """A test image re-drawn as a user would: dark ink on a 280x280 transparent canvas, off-centre."""
    test = data.load(dataset, "test")
    big = np.asarray(Image.fromarray((test.X[index, 0] * 255).astype(np.uint8)).resize((200, 200)))
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[50:250, 10:210, 3] = big  # black ink whose opacity is the stroke
    path = tmp_path / f"{dataset}-{index}.png"
    Image.fromarray(rgba, "RGBA").save(path)
    return str(path), test.classes[test.y[index]]


def _sketch(path: str) -> dict:
    return {"background": None, "layers": [], "composite": handle_file(path)}


def test_classify_endpoint_is_published(client: Client) -> None:
    assert "/classify" in client.view_api(return_format="dict", print_info=False)["named_endpoints"]


@pytest.mark.parametrize(
    ("model", "dataset"), [("MNIST CNN", "mnist"), ("Fashion-MNIST CNN", "fashion-mnist")]
)
def test_a_drawing_is_classified_with_top5_probabilities(
    client: Client, tmp_path: Path, model: str, dataset: str
) -> None:
    path, truth = _drawing(tmp_path, dataset, 0)
    label, seen, note = client.predict(_sketch(path), model, api_name="/classify")
    assert label["label"] == truth and truth in note
    confidences = label["confidences"]
    assert len(confidences) == 5 and confidences[0]["confidence"] >= confidences[-1]["confidence"]
    assert 0 < sum(c["confidence"] for c in confidences) <= 1 + 1e-6
    image = np.asarray(Image.open(seen))
    assert image.shape[:2] == (28, 28)


def test_blank_drawing_gets_a_note_not_a_crash(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGBA", (280, 280), (255, 255, 255, 255)).save(path)
    label, seen, note = client.predict(_sketch(str(path)), "MNIST CNN", api_name="/classify")
    assert not label and seen is None and "blank" in note


def test_unknown_model_is_an_error(client: Client, tmp_path: Path) -> None:
    path, _ = _drawing(tmp_path, "mnist", 1)
    with pytest.raises(Exception, match="Model must be one of Fashion-MNIST CNN, MNIST CNN; got 'ResNet-1"):
        client.predict(_sketch(path), "ResNet-1000", api_name="/classify")


def test_the_gallery_app_mounts_this_tab() -> None:
    from apps.gradio_app import tab_modules

    assert "lecture3_classify" in tab_modules(schedule.lecture(3))


@pytest.mark.parametrize("garbage", [b"", b"GIF89a but not really", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_unreadable_files_get_a_note_without_object_reprs(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "odd.png"
    path.write_bytes(garbage)
    probs, seen, note = lecture3_classify.classify({"composite": str(path), "background": None, "layers": []},
                                                   "MNIST CNN")  # fmt: skip
    assert probs is None and seen is None and note.startswith("Cannot classify this image")
    assert "object at 0x" not in note and "<class" not in note and "Traceback" not in note
