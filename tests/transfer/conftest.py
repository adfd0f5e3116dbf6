"""A local Hugging Face hub stand-in for lecture 4's online backbone (never the internet)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import save_file

from core.transfer import backbone as bb

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def hub_cache(root: Path, repo: str, state: dict[str, torch.Tensor]) -> Path:
    """A Hugging Face hub cache folder holding ``model.safetensors`` of ``repo`` (what a download leaves:
    ``models--owner--name/snapshots/<commit>/`` and ``refs/main`` naming the commit)."""
    folder = root / f"models--{repo.replace('/', '--')}"
    snap = folder / "snapshots" / COMMIT
    snap.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(snap / "model.safetensors"))
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(COMMIT)
    return root


@pytest.fixture
def resnet18_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[torch.nn.Module]:
    """A randomly initialised timm ResNet-18 in a hub cache the gallery reads (``GALLERY_HUB_CACHE``),
    offline (``HF_HUB_OFFLINE=1``); yields the reference network. The backbone cache is emptied before
    and after, so no other test sees these weights."""
    import timm

    torch.manual_seed(0)
    reference = timm.create_model("resnet18", pretrained=False).eval()
    hub_cache(tmp_path / "hub", bb.BACKBONES["resnet18"].hub_repo or "", reference.state_dict())
    monkeypatch.setenv("GALLERY_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    bb.load_backbone.cache_clear()
    try:
        yield reference
    finally:
        bb.load_backbone.cache_clear()


@pytest.fixture(scope="module")
def detector_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TORCH_HOME holding the torch hub stand-ins of the cheap detection models."""
    from tests.transfer import hub_standin as hs

    home = tmp_path_factory.mktemp("torch-home")
    for name in hs.CHEAP_DETECTORS:
        hs.detector(home, name)
    return home


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty TORCH_HOME with HF_HUB_OFFLINE=1: every torchvision weight file is missing."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records the config of every ``fewshot.run`` (the page's job and the Gradio endpoint make them);
    scores on 100 held-out images to be quick."""
    from core.transfer import fewshot

    seen: list[Any] = []
    real = fewshot.run

    def record(config: Any, job: Any = None, callbacks: Any = ()) -> Any:
        seen.append(config)
        return real(replace(config, n_test=100), job, callbacks)

    monkeypatch.setattr(fewshot, "run", record)
    return seen
