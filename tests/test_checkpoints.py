"""Checkpoints: safetensors round trip, sha256 tamper detection, pickle refusal, atomic writes."""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path

import pytest
import torch
from torch import nn

from core import checkpoints as ck
from core import registry


def _tiny(width: int = 4) -> nn.Module:
    return nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Linear(width, 2))


@pytest.fixture()
def builder_module(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(registry._BUILDERS, "tiny-for-tests", _tiny)
    return "tiny-for-tests"


def _save(tmp_path: Path, builder: str, name: str = "tiny") -> nn.Module:
    torch.manual_seed(0)
    model = _tiny(4)
    ck.save_checkpoint(
        name, model, lecture=2, architecture="mlp 2-4-2", builder=builder, config={"width": 4},
        dataset={"name": "moons", "provenance": "generated"}, metrics={"test_accuracy": 0.5},
        train_seconds=1.23, directory=tmp_path,
    )
    return model


def test_round_trip_gives_identical_outputs(tmp_path: Path, builder_module: str) -> None:
    model = _save(tmp_path, builder_module)
    loaded = ck.load_model("tiny", tmp_path)
    assert not loaded.training
    x = torch.randn(5, 2)
    assert torch.equal(model(x), loaded(x))
    entry = ck.manifest(tmp_path)["tiny"]
    for field in ("file", "sha256", "lecture", "architecture", "config", "dataset", "metrics",
                  "train_command", "train_seconds", "created"):
        assert field in entry
    assert entry["sha256"] == ck.sha256_file(tmp_path / "tiny.safetensors")
    assert entry["train_command"] == "python -m core.train tiny"


def test_tampered_file_is_refused_with_advice(tmp_path: Path, builder_module: str) -> None:
    _save(tmp_path, builder_module)
    path = tmp_path / "tiny.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ck.CheckpointCorrupt, match="python -m core.train tiny"):
        ck.load_model("tiny", tmp_path)


def test_missing_file_and_unknown_name(tmp_path: Path, builder_module: str) -> None:
    _save(tmp_path, builder_module)
    with pytest.raises(ck.CheckpointMissing, match="no checkpoint named 'nope'"):
        ck.load_model("nope", tmp_path)
    (tmp_path / "tiny.safetensors").unlink()
    with pytest.raises(ck.CheckpointMissing, match="missing"):
        ck.load_model("tiny", tmp_path)


class _Evil:
    """Unpickling this writes a sentinel file: proof that code ran."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):  # noqa: ANN204
        return (os.system, (f"touch {self.sentinel}",))


@pytest.mark.parametrize("kind", ["raw-pickle", "torch-zip", "disguised-safetensors"])
def test_pickles_are_refused_without_running_code(tmp_path: Path, kind: str) -> None:
    sentinel = tmp_path / "PWNED"
    payload = {"weight": torch.zeros(2), "evil": _Evil(sentinel)}
    if kind == "raw-pickle":
        path = tmp_path / "model.pkl"
        path.write_bytes(pickle.dumps(payload))
        expected: type[Exception] = ck.UnsafeCheckpoint
    elif kind == "torch-zip":
        path = tmp_path / "model.pt"
        torch.save(payload, path)  # a zip container with a malicious data.pkl inside
        assert zipfile.is_zipfile(path)
        expected = ck.UnsafeCheckpoint
    else:
        path = tmp_path / "model.safetensors"
        path.write_bytes(pickle.dumps(payload))
        expected = ck.CheckpointCorrupt
    with pytest.raises(expected):
        ck.load_state(path)
    assert not sentinel.exists(), "loading ran code from the pickle"


def test_weights_only_torch_file_is_accepted(tmp_path: Path) -> None:
    state = _tiny().state_dict()
    torch.save(state, tmp_path / "w.pt")
    loaded = ck.load_state(tmp_path / "w.pt")
    assert set(loaded) == set(state)


def test_writes_are_atomic(tmp_path: Path, builder_module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _save(tmp_path, builder_module)
    before = (tmp_path / "tiny.safetensors").read_bytes()
    manifest_before = (tmp_path / "manifest.json").read_text()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        _save(tmp_path, builder_module)
    monkeypatch.undo()
    assert (tmp_path / "tiny.safetensors").read_bytes() == before
    assert (tmp_path / "manifest.json").read_text() == manifest_before
    assert not list(tmp_path.glob("*.tmp")), "temp files left behind"


def test_only_registered_builders_may_be_named(tmp_path: Path, builder_module: str) -> None:
    _save(tmp_path, builder_module)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["tiny"]["builder"] = "os:system"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ck.CheckpointCorrupt, match="unknown model builder 'os:system'"):
        ck.load_model("tiny", tmp_path)


def test_shipped_checkpoints_match_their_manifest() -> None:
    for name, entry in ck.manifest().items():
        assert ck.verify(name) == "ok"
        assert (ck.PRETRAINED_DIR / entry["file"]).stat().st_size < 10 * 2**20
        assert entry["metrics"], f"{name} has no measured metrics"
