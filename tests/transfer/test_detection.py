"""Detection and segmentation (core.transfer.detection) on a local torch hub stand-in, never the internet.

The stand-in weights are random, so no test asserts what is found: they assert the structure a user sees
(boxes inside the picture, scores in [0, 1], masks of its size), that the threshold and the count limit cut
what is shown, and that without the file the answer names exactly what is missing.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from core import checkpoints, data
from core.transfer import detect_figures as df
from core.transfer import detection as dt
from core.transfer import photos, torch_cache
from tests.transfer import hub_standin as hs


@pytest.fixture
def online_hub(detector_hub: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TORCH_HOME", str(detector_hub))
    yield detector_hub


@pytest.fixture(scope="module")
def cat() -> photos.images.DecodedImage:
    return photos.load_photo("chelsea")


@pytest.mark.parametrize("name", ["fasterrcnn_mobilenet_v3_large_320_fpn", "ssdlite320_mobilenet_v3_large"])
def test_boxes_from_the_stand_in_are_well_formed_and_the_threshold_cuts(
    online_hub: Path, cat: photos.images.DecodedImage, name: str
) -> None:
    low = dt.detect(cat, dt.DetectConfig(name, 0.05, 50))
    assert isinstance(low, dt.DetectResult), getattr(low, "message", "")
    h, w = low.image.shape[:2]
    assert (w, h) == (451, 300) and low.count > 0 and "torch hub cache" in low.provenance
    assert np.all(low.boxes[:, 0] >= 0) and np.all(low.boxes[:, 2] <= w) and np.all(low.boxes[:, 1] >= 0)
    assert np.all(low.boxes[:, 3] <= h) and np.all(low.boxes[:, :2] <= low.boxes[:, 2:])
    assert np.all((low.scores >= 0.05) & (low.scores <= 1)) and np.all(np.diff(low.scores) <= 0)
    assert set(low.labels) <= set(dt.DETECTORS[name].categories) and low.masks is None
    high = dt.detect(cat, dt.DetectConfig(name, 0.95, 50))
    assert isinstance(high, dt.DetectResult) and high.count < low.count
    assert high.reused and high.candidates == low.candidates  # the same answer, cut higher
    few = dt.detect(cat, dt.DetectConfig(name, 0.05, 3))
    assert isinstance(few, dt.DetectResult) and few.count == min(3, low.count)
    fig = df.detection_figure(low)
    assert fig.data[0].type == "image" and fig.data[0].source.startswith("data:image/png;base64,")
    assert len(fig.data) == 1 + low.count and len(fig.layout.annotations) == low.count


def test_semantic_segmentation_labels_every_pixel_or_leaves_it_unsure(
    online_hub: Path, cat: photos.images.DecodedImage
) -> None:
    name = "lraspp_mobilenet_v3_large"
    low = dt.detect(cat, dt.DetectConfig(name, 0.05, 20))
    high = dt.detect(cat, dt.DetectConfig(name, 0.95, 20))
    assert isinstance(low, dt.DetectResult) and isinstance(high, dt.DetectResult)
    assert low.segmentation is not None and low.segmentation.shape == (300, 451)
    classes = len(dt.DETECTORS[name].categories)
    assert low.segmentation.min() >= -1 and low.segmentation.max() < classes and low.boxes.shape == (0, 4)
    assert (high.segmentation < 0).sum() > (low.segmentation < 0).sum()  # more pixels left unsure
    assert np.all((low.scores > 0) & (low.scores <= 1)) and "person" in low.labels
    assert df.detection_figure(low).layout.showlegend


def test_mask_rcnn_gives_one_mask_of_the_pictures_size_per_detection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cat: photos.images.DecodedImage
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    hs.detector(tmp_path, "maskrcnn_resnet50_fpn")
    res = dt.detect(cat, dt.DetectConfig("maskrcnn_resnet50_fpn", 0.05, 5))
    assert isinstance(res, dt.DetectResult), getattr(res, "message", "")
    assert res.masks is not None and res.masks.shape == (res.count, 300, 451) and res.masks.dtype == bool
    assert 0 < res.count <= 5 and df.overlay(res).shape == (300, 451, 3)


def test_offline_without_the_file_names_what_is_missing_at_once(
    offline: Path, cat: photos.images.DecodedImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def contacted(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was contacted although HF_HUB_OFFLINE=1")

    monkeypatch.setattr(data, "online", contacted)  # decided from the flag: no probe, no download
    monkeypatch.setattr(torch.hub, "download_url_to_file", contacted)
    res = dt.detect(cat, dt.DetectConfig())
    assert isinstance(res, dt.Unavailable)
    assert res.file == "fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth"
    assert res.path == str(offline / "hub" / "checkpoints" / res.file)
    assert res.url == "https://download.pytorch.org/models/" + res.file and "HF_HUB_OFFLINE=1" in res.reason
    assert res.url in res.command and "hash_prefix='907ea3f9'" in res.command
    assert res.file in res.message and "No detections are shown" in res.message


@pytest.mark.parametrize("force", ["0", "1"])
def test_a_pickle_payload_as_the_weight_file_is_refused_without_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cat: photos.images.DecodedImage, force: str
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", force)  # must not weaken the explicit weights_only
    marker = tmp_path / hs.MARKER
    hs.place_payload(tmp_path / "home", dt.DETECTORS[dt.DEFAULT].weights, marker)
    res = dt.detect(cat, dt.DetectConfig())
    assert isinstance(res, dt.Unavailable) and "refused" in res.reason and "refusing" in res.reason
    assert not marker.exists()


def test_weights_of_another_model_are_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cat: photos.images.DecodedImage
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    ssd = dt.DETECTORS["ssdlite320_mobilenet_v3_large"]
    wrong = hs.trained_layout(ssd.name, ssd.weights)
    hs.place(tmp_path, dt.DETECTORS[dt.DEFAULT].weights, wrong.state_dict())
    res = dt.detect(cat, dt.DetectConfig())
    assert isinstance(res, dt.Unavailable) and "do not fit" in res.reason


def test_the_download_path_caches_the_file_where_torch_hub_does(
    detector_hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cat: photos.images.DecodedImage
) -> None:
    """The online branch with the network replaced by the stand-in: the file lands in the cache, is read."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(data, "offline_reason", lambda: None)
    monkeypatch.setattr(data, "online", lambda host: host == torch_cache.HOST)
    fetched: list[tuple[str, str | None]] = []

    def fake_download(url: str, dst: str, hash_prefix: str | None = None, progress: bool = True) -> None:
        fetched.append((url, hash_prefix))
        shutil.copy(detector_hub / "hub" / "checkpoints" / Path(url).name, dst)

    monkeypatch.setattr(torch.hub, "download_url_to_file", fake_download)
    res = dt.detect(cat, dt.DetectConfig("ssdlite320_mobilenet_v3_large", 0.05, 5))
    assert isinstance(res, dt.DetectResult) and "a download from download.pytorch.org" in res.provenance
    assert fetched == [(dt.DETECTORS["ssdlite320_mobilenet_v3_large"].tv_weights.url, "a79551df")]
    assert (tmp_path / "hub" / "checkpoints" / "ssdlite320_mobilenet_v3_large_coco-a79551df.pth").is_file()

    def failing(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no route")

    monkeypatch.setattr(torch.hub, "download_url_to_file", failing)
    res = dt.detect(cat, dt.DetectConfig("lraspp_mobilenet_v3_large"))
    assert isinstance(res, dt.Unavailable) and "downloading it failed (ConnectionError)" in res.reason


def test_a_huge_picture_is_scaled_down_before_the_model() -> None:
    px = dt.picture(np.zeros((900, 1600, 3), np.uint8))
    assert px.shape == (360, 640, 3) and dt.picture(np.zeros((30, 40, 3), np.uint8)).shape == (30, 40, 3)


def test_the_loader_accepts_only_tensors_that_fit() -> None:
    info = dt.DETECTORS["ssdlite320_mobilenet_v3_large"]
    state = hs.trained_layout(info.name, info.weights).state_dict()
    torch_cache.load_into(dt.build(info), state, info.title)  # the layout torchvision builds for its weights
    with pytest.raises(checkpoints.CheckpointCorrupt, match="do not fit"):
        torch_cache.load_into(dt.build(info), {**state, "extra.weight": torch.zeros(1)}, info.title)


@pytest.mark.parametrize(
    "bad",
    [{"model": "yolo"}, {"score_threshold": math.nan}, {"score_threshold": math.inf},
     {"score_threshold": 0.0}, {"score_threshold": 0.99}, {"max_detections": 0}, {"max_detections": 51},
     {"max_detections": 2.5}],
)  # fmt: skip
def test_out_of_range_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dt.DetectConfig(**bad).checked()  # type: ignore[arg-type]
