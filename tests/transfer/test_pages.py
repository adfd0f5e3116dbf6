"""AppTest of lecture 4's pages: every control reaches the core call and changes what the user sees."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.transfer import saliency
from tests.helpers import page, texts

CLASSIFIER = "apps/pages/l4/classifier.py"
SALIENCY = "apps/pages/l4/saliency.py"


def _bars(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return list(spec["data"][0]["y"])


def test_classifier_default_is_chelsea_a_cat() -> None:
    at = page(CLASSIFIER, timeout=180)
    assert at.subheader[0].value.split(" (")[0] in {"tiger cat", "tabby", "Egyptian cat"}
    assert len(_bars(at)) == 5 and "EfficientNet-Lite0" in texts(at)
    captions = " ".join(i.caption for im in at.image for i in im.proto.imgs)
    assert "Chelsea the cat: 451×300 px" in captions and "shorter side to 256 px (384×256)" in captions


def test_classifier_photo_and_top_k_reach_the_classification() -> None:
    at = page(CLASSIFIER, timeout=180, params={"l4cls_photo": "coffee", "l4cls_topk": "3"})
    assert at.subheader[0].value.startswith("espresso") and len(_bars(at)) == 3
    at.slider(key="l4cls_topk").set_value(8).run()
    assert not at.exception and len(_bars(at)) == 8 and _bars(at)[-1] == "espresso"


def test_classifier_online_network_offline_names_the_fallback() -> None:
    at = page(CLASSIFIER, timeout=180)
    at.radio(key="l4cls_backbone").set_value("resnet18").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "ResNet-18 (ImageNet, Hugging Face hub) is unavailable" in warning and "HF_HUB_OFFLINE" in warning


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records the arguments of every saliency.compare call the page makes (the page caches by them)."""
    calls: list[dict[str, Any]] = []
    real = saliency.compare

    def record(image: Any, methods: Any, rank: int = 1, **kw: Any) -> saliency.Comparison:
        calls.append(dict(methods=tuple(methods), rank=rank, **kw))
        return real(image, methods, rank, **kw)

    monkeypatch.setattr(saliency, "compare", record)
    return calls


def test_saliency_default_shows_two_timed_maps_and_deletion_curves(spy: list[dict[str, Any]]) -> None:
    at = page(SALIENCY, timeout=300, params={"l4sal_photo": "coffee"})
    assert "Why “espresso”" in at.subheader[0].value
    assert len(at.image) == 2 and [m.label for m in at.metric] == [
        "Saliency (gradient): time",
        "Grad-CAM: time",
    ]
    names = [t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert any(n.startswith("random order") for n in names) and len(names) == 3


def test_saliency_every_control_reaches_the_core_call(spy: list[dict[str, Any]]) -> None:
    params = {"l4sal_photo": "rocket", "l4sal_deletion": "0", "l4sal_methods": "occlusion"}
    at = page(SALIENCY, timeout=300, params=params)
    assert spy[-1]["methods"] == ("occlusion",) and spy[-1]["faithfulness"] is False
    at.slider(key="l4sal_window").set_value(112).run()
    at.slider(key="l4sal_stride").set_value(56).run()
    assert spy[-1]["window"] == 112 and spy[-1]["stride"] == 56
    at.multiselect(key="l4sal_methods").set_value(["integrated_gradients"]).run()
    at.slider(key="l4sal_steps").set_value(8).run()
    assert spy[-1]["methods"] == ("integrated_gradients",) and spy[-1]["steps"] == 8
    at.multiselect(key="l4sal_methods").set_value(["gradcam"]).run()
    at.selectbox(key="l4sal_layer_efficientnet_lite0").set_value("blocks.4").run()
    assert spy[-1]["layer"] == "blocks.4"
    first = at.subheader[0].value
    at.select_slider(key="l4sal_rank").set_value(2).run()
    assert spy[-1]["rank"] == 2 and "ranked 2" in at.subheader[0].value and at.subheader[0].value != first
    assert not at.exception and not at.error


def test_saliency_without_methods_asks_for_one() -> None:
    at = page(SALIENCY, timeout=300, params={"l4sal_deletion": "0"})
    at.multiselect(key="l4sal_methods").set_value([]).run()
    assert not at.exception and "Choose at least one method" in texts(at)


TRANSFER = "apps/pages/l4/transfer.py"


def _curve_names(at: AppTest) -> list[str]:
    return [t.get("name", "") for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]


def test_transfer_page_answers_with_the_shipped_curve_at_once() -> None:
    from core import checkpoints
    from core.transfer import curve

    at = page(TRANSFER, timeout=300, params={"l4tr_map_n": "100"})
    names = _curve_names(at)
    assert {"CNN from scratch", "linear probe (frozen features)", "fine-tune last block + head",
            "fine-tune all layers"} <= set(names)  # fmt: skip
    full = next(t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
                if t.get("name") == "fine-tune all layers")  # fmt: skip
    metrics = checkpoints.entry(curve.NAME).metrics
    assert full["x"] == list(curve.GRID) and full["y"] == [metrics[f"full_k{k}"] for k in curve.GRID]
    text = texts(at)
    assert "With 1 label per class the probe reaches" in text and "fine-tuning all layers" in text
    assert "1: 30 / 5: 15 / 20: 6 / 100: 2 (labels per class: epochs)" in text
    assert "networks are not shipped" in text and f"python -m core.train {curve.NAME}" in text
    assert "EfficientNet-Lite0 (ImageNet, bundled): weights from the bundled weights" in text
    assert "deep features: 5-NN accuracy" in at.get("plotly_chart")[1].proto.spec



def test_transfer_every_control_reaches_the_training_run(runs: list[Any]) -> None:
    from tests.helpers import finish_job

    at = page(TRANSFER, timeout=300, params={"l4tr_map_n": "100"})
    at.radio(key="l4tr_method").set_value("last_block").run()
    at.slider(key="l4tr_k").set_value(2).run()
    at.slider(key="l4tr_epochs").set_value(2).run()
    at.select_slider(key="l4tr_lr_last_block").set_value(3e-4).run()
    at.segmented_control(key="l4tr_aug").set_value("flip").run()
    at.number_input(key="l4tr_seed").set_value(7).run()
    at.button(key="l4tr__start").click().run()
    finish_job(at, "l4tr", timeout=240)
    assert not at.exception
    cfg = runs[-1]
    got = (cfg.method, cfg.labels_per_class, cfg.epochs, cfg.lr, cfg.augmentation, cfg.seed)
    assert got == ("last_block", 2, 2, 3e-4, "flip", 7)
    assert "Test accuracy" in texts(at)
    assert "fine-tune last block + head: your runs" in _curve_names(at)


def test_transfer_full_fine_tuning_quotes_its_measured_cost() -> None:
    at = page(TRANSFER, timeout=300, params={"l4tr_map_n": "100", "l4tr_method": "full", "l4tr_k": "100"})
    text = texts(at)
    assert "Fine-tuning all layers of EfficientNet-Lite0 costs about" in text
    assert "stops training after 120 s" in text and "head steps 10× faster" in text


def test_transfer_a_full_fine_tuning_point_trains_live_and_is_a_star(runs: list[Any]) -> None:
    from tests.helpers import finish_job

    params = {"l4tr_map_n": "100", "l4tr_method": "full", "l4tr_k": "1", "l4tr_epochs": "1"}
    at = page(TRANSFER, timeout=300, params=params)
    at.button(key="l4tr__start").click().run()
    finish_job(at, "l4tr", timeout=240)
    assert not at.exception and runs[-1].method == "full" and runs[-1].lr == 1e-4
    assert "Test accuracy" in texts(at) and "fine-tune all layers: your runs" in _curve_names(at)


def test_transfer_a_long_full_fine_tuning_run_shows_progress_and_stops(runs: list[Any]) -> None:
    import time

    from tests.helpers import finish_job

    params = {"l4tr_map_n": "100", "l4tr_method": "full", "l4tr_k": "100", "l4tr_epochs": "100"}
    at = page(TRANSFER, timeout=300, params=params)
    at.button(key="l4tr__start").click().run()
    job = at.session_state["l4tr__job"]
    for _ in range(600):  # until the training thread has started
        if job.status == "running":
            break
        time.sleep(0.1)
    at.run()
    assert at.get("progress") and at.button(key="l4tr__stop")
    at.button(key="l4tr__stop").click().run()
    finish_job(at, "l4tr", timeout=240)
    assert not at.exception and job.result.fit.status == "stopped"
    assert "Test accuracy not scored" in texts(at)
    assert "fine-tune all layers: your runs" not in _curve_names(at)  # nothing scored, no star


def test_transfer_runs_on_resnet18_from_the_hub_cache(resnet18_hub: Any, runs: list[Any]) -> None:
    from tests.helpers import finish_job

    params = {"l4tr_map_n": "100", "l4tr_backbone": "resnet18", "l4tr_k": "1", "l4tr_epochs": "2"}
    at = page(TRANSFER, timeout=300, params=params)
    text = texts(at)
    assert "ResNet-18 (ImageNet, Hugging Face hub): weights from the local Hugging Face cache" in text
    assert not at.warning and "512 pooled ResNet-18 features" in text
    at.button(key="l4tr__start").click().run()
    finish_job(at, "l4tr", timeout=240)
    assert not at.exception and runs[-1].backbone == "resnet18" and runs[-1].method == "probe"
    assert "ResNet-18 (ImageNet, Hugging Face hub), weights from the local Hugging Face cache" in texts(at)
    assert "linear probe (frozen features): your runs" in _curve_names(at)


def test_transfer_resnet18_offline_names_the_fallback(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.transfer import backbone as bb

    monkeypatch.setenv("GALLERY_HUB_CACHE", str(tmp_path))  # an empty hub cache, offline
    bb.load_backbone.cache_clear()
    try:
        at = page(TRANSFER, timeout=300, params={"l4tr_map_n": "100", "l4tr_backbone": "resnet18"})
    finally:
        bb.load_backbone.cache_clear()
    warning = " ".join(w.value for w in at.warning)
    assert "ResNet-18 (ImageNet, Hugging Face hub) is unavailable" in warning and "HF_HUB_OFFLINE" in warning
    assert "Using EfficientNet-Lite0" in warning and "1,280 pooled EfficientNet-Lite0 features" in texts(at)


def _points(spec: dict[str, Any]) -> int:
    """Points in a figure's traces (plotly sends numpy arrays as base64 typed arrays)."""
    import base64

    import numpy as np

    def count(x: Any) -> int:
        return len(np.frombuffer(base64.b64decode(x["bdata"]), x["dtype"])) if isinstance(x, dict) else len(x)

    return sum(count(t["x"]) for t in spec["data"])


def test_transfer_map_controls_change_the_projection_and_the_points() -> None:
    at = page(TRANSFER, timeout=300, params={"l4tr_map_n": "100"})
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert _points(spec) == 200  # 100 images, pixels and deep features
    at.segmented_control(key="l4tr_map_proj").set_value("tsne").run()
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert not at.exception and spec["layout"]["xaxis"]["title"]["text"] == "t-SNE 1"
    assert "t-SNE (scikit-learn, seed 0" in texts(at) and "of the variance" not in texts(at)
    at.select_slider(key="l4tr_map_n").set_value(300).run()
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert not at.exception and _points(spec) == 600
