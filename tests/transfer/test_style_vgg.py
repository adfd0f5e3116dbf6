"""VGG-19 for the perceptual losses on a local torch hub stand-in (random weights, the real file name and
layout), never the internet: the core path, the style page naming the network that serves, /style_transfer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from gradio_client import Client
from torch import nn

from apps.gradio_tabs import lecture4_style
from core import checkpoints
from core.transfer import photos, vgg
from core.transfer import style as sy
from tests.helpers import finish_job, gradio_tab_client, page, texts
from tests.transfer import hub_standin as hs

STYLE = "apps/pages/l4/style.py"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TORCH_HOME whose hub/checkpoints holds vgg19-dcbb9e9d.pth: a randomly initialised VGG-19 (575 MB)."""
    home = tmp_path_factory.mktemp("torch-home")
    hs.place(home, vgg.WEIGHTS, hs.trained_layout("vgg19", vgg.WEIGHTS).state_dict())
    return home


@pytest.fixture
def online(hub: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(hub))
    return hub


@pytest.fixture(scope="module")
def pictures() -> tuple[np.ndarray, np.ndarray]:
    return sy.resized(photos.load_photo("flower"), 64), sy.resized(photos.load_photo("chelsea"), 64)


def vgg_cfg(**kw: Any) -> sy.StyleConfig:
    return sy.StyleConfig(
        network="vgg19", style_layers=vgg.STYLE_LAYERS, content_layer=vgg.CONTENT_LAYER, **kw
    )


def test_vgg19_is_read_from_the_torch_hub_cache_up_to_conv5_1(online: Path) -> None:
    backbone, note = sy.resolve("vgg19")
    assert note is None and backbone.name == "vgg19" and "torch hub cache" in backbone.provenance
    assert str(online / "hub" / "checkpoints" / "vgg19-dcbb9e9d.pth") in backbone.provenance
    model = backbone.model
    assert len(model) == 30 and isinstance(model[29], nn.ReLU) and not model[29].inplace
    assert not any(p.requires_grad for p in model.parameters()) and not model.training
    # Only the layers up to conv5_1 are built: each holds the cached file's tensor of the same name.
    cached = checkpoints.load_state(online / "hub" / "checkpoints" / "vgg19-dcbb9e9d.pth")
    kept = model.state_dict()
    assert len(kept) == 2 * 13 and all(torch.equal(v, cached[f"features.{k}"]) for k, v in kept.items())


def test_the_feature_maps_are_the_papers_layers(online: Path) -> None:
    backbone, _ = sy.resolve("vgg19")
    x = np.zeros((1, 3, 64, 96), np.float32)
    import torch

    feats = sy.feature_maps(backbone.model, torch.from_numpy(x), ("conv1_1", "conv4_2", "conv5_1"), "vgg19")
    assert feats["conv1_1"].shape == (1, 64, 64, 96) and feats["conv4_2"].shape == (1, 512, 8, 12)
    assert feats["conv5_1"].shape == (1, 512, 4, 6) and float(feats["conv1_1"].min()) >= 0  # ReLU outputs


def test_three_step_style_transfer_on_vgg19_lowers_the_loss(
    online: Path, pictures: tuple[np.ndarray, np.ndarray]
) -> None:
    style, content = pictures
    synth = sy.Synthesis(vgg_cfg(mode="style", size=64, optimiser="adam"), style, content)
    losses = [synth.step()["loss"] for _ in range(3)]
    assert synth.backbone.name == "vgg19" and losses[-1] < losses[0]
    res = sy.run(
        vgg_cfg(mode="texture", size=128, iterations=10, time_budget_s=1e-9), photos.load_photo("flower")
    )
    assert res.network == "VGG-19 (ImageNet, torchvision)" and res.layers.startswith("conv1_1, conv2_1")
    assert res.image.shape == (128, 128, 3) and res.steps == 1


def test_without_the_file_lite0_serves_and_the_reason_names_the_file(offline: Path) -> None:
    backbone, note = sy.resolve("vgg19")
    assert backbone.name == "efficientnet_lite0" and note is not None
    assert (
        "vgg19-dcbb9e9d.pth" in note
        and "HF_HUB_OFFLINE=1 is set" in note
        and "Using EfficientNet-Lite0" in note
    )
    assert str(offline / "hub" / "checkpoints") in note


def test_a_pickle_payload_as_vgg19_is_refused_without_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    marker = tmp_path / hs.MARKER
    hs.place_payload(tmp_path / "home", vgg.WEIGHTS, marker)
    backbone, note = sy.resolve("vgg19")
    assert backbone.name == "efficientnet_lite0" and note is not None and "refusing" in note
    assert not marker.exists()


@pytest.mark.parametrize(
    "bad",
    [
        dict(network="vgg19"),
        dict(network="vgg16"),
        dict(style_layers=("conv1_1",)),
        dict(content_layer="conv4_2"),
    ],
)
def test_layers_must_be_the_networks_own(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sy.StyleConfig(**bad).checked()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[sy.StyleConfig]:
    calls: list[sy.StyleConfig] = []
    real = sy.run

    def record(cfg: sy.StyleConfig, style: Any, content: Any = None, job: Any = None) -> sy.StyleResult:
        calls.append(cfg)
        return real(
            dataclasses.replace(cfg, size=sy.SIZE[0], iterations=sy.ITERATIONS[0]), style, content, job
        )

    monkeypatch.setattr(sy, "run", record)
    return calls


def test_style_page_says_vgg19_serves_it_and_offers_its_layers(
    online: Path, spy: list[sy.StyleConfig]
) -> None:
    at = page(STYLE, timeout=180)
    assert "VGG-19 (ImageNet, torchvision) serves this page (the network of Gatys et al.)" in texts(at)
    assert not at.warning
    layers = at.multiselect(key="l4st_layers_vgg19")
    assert list(layers.value) == list(vgg.STYLE_LAYERS) and "conv4_2" in layers.options[6]
    assert at.selectbox(key="l4st_content_layer_vgg19").value == "conv4_2"
    layers.set_value(["conv1_1", "conv3_1"]).run()
    at.button(key="l4st__start").click().run()
    finish_job(at, "l4st", timeout=180)
    assert not at.exception and spy[-1].network == "vgg19" and spy[-1].style_layers == ("conv1_1", "conv3_1")
    captions = " ".join(i.caption for im in at.image for i in im.proto.imgs)
    assert "VGG-19 (ImageNet, torchvision) layers used: conv1_1, conv3_1, conv4_2" in captions
    at.radio(key="l4st_network").set_value("efficientnet_lite0").run()
    assert "EfficientNet-Lite0 (ImageNet, bundled) serves this page (bundled" in texts(at)
    assert at.multiselect(key="l4st_layers").value == list(sy.STYLE_LAYERS)


def test_style_page_offline_says_vgg19_is_missing_and_runs_on_lite0(offline: Path) -> None:
    at = page(STYLE, timeout=180)
    warning = " ".join(w.value for w in at.warning)
    assert "VGG-19 is unavailable" in warning and "vgg19-dcbb9e9d.pth" in warning
    assert "serves this page (VGG-19's weights are not here)" in texts(at)
    assert at.multiselect(key="l4st_layers").value == list(sy.STYLE_LAYERS)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture4_style.build) as c:
        yield c


ARGS = {"mode": "texture", "style_photo": "flower", "style_upload": None, "content_photo": "chelsea",
        "content_upload": None, "size": 128, "iterations": 10, "optimiser": "adam", "style_weight": 10.0,
        "content_weight": 1.0, "style_layers": ["conv1_1", "conv2_1"], "content_layer": "conv4_2", "seed": 0,
        "network": "vgg19"}  # fmt: skip


def test_endpoint_runs_on_the_vgg19_stand_in_or_says_why_not(
    client: Client, online: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, note = client.predict(*{**ARGS, "iterations": 10}.values(), api_name="/style_transfer")
    assert "on VGG-19 (ImageNet, torchvision) (conv1_1, conv2_1)" in note and "torch hub cache" in note
    with pytest.raises(Exception, match="Style layer must be one of conv1_1"):
        client.predict(*{**ARGS, "style_layers": ["blocks.0"]}.values(), api_name="/style_transfer")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _, note = client.predict(*ARGS.values(), api_name="/style_transfer")
    assert (
        "EfficientNet-Lite0" in note
        and "VGG-19 is unavailable" in note
        and "Its default layers serve" in note
    )
