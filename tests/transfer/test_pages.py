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
