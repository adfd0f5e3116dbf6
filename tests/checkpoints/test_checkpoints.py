"""Checkpoints: safetensors round trip, typed manifest entries, sha256 tamper detection, every load failure
as a checkpoint error that names the checkpoint and its rebuild command, pickle refusal, atomic writes."""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from core import checkpoints as ck
from core import registry

REBUILD = "python -m core.train tiny"


def _tiny(width: int = 4) -> nn.Module:
    if width < 1:
        raise ValueError(f"width must be >= 1, got {width}")
    return nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Linear(width, 2))


@pytest.fixture()
def builder(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(registry._BUILDERS, "tiny-for-tests", registry.Builder("tiny-for-tests", _tiny))
    return "tiny-for-tests"


def _save(folder: Path, builder: str, name: str = "tiny", **overrides: Any) -> nn.Module:
    torch.manual_seed(0)
    model = _tiny(4)
    kwargs: dict[str, Any] = dict(
        lecture=2, architecture="mlp 2-4-2", builder=builder, config={"width": 4},
        dataset={"name": "moons", "provenance": "generated"}, metrics={"test_accuracy": 0.5},
        train_seconds=1.23, directory=folder,
    )  # fmt: skip
    ck.save_checkpoint(name, model, **{**kwargs, **overrides})
    return model


def _edit_manifest(folder: Path, name: str, **changes: Any) -> None:
    raw = json.loads((folder / "manifest.json").read_text())
    raw[name].update(changes)
    (folder / "manifest.json").write_text(json.dumps(raw))


def test_round_trip_gives_identical_outputs_and_a_typed_entry(tmp_path: Path, builder: str) -> None:
    model = _save(tmp_path, builder)
    loaded = ck.load_model("tiny", tmp_path)
    assert not loaded.training
    x = torch.randn(5, 2)
    assert torch.equal(model(x), loaded(x))
    ent = ck.manifest(tmp_path)["tiny"]
    assert isinstance(ent, ck.ManifestEntry)
    assert ent.sha256 == ck.sha256_file(tmp_path / "tiny.safetensors")
    assert (ent.task, ent.train_command, ent.params, ent.train_seconds) == ("classifier", REBUILD, 22, 1.2)
    assert ent.dataset["provenance"] == "generated" and ent.metrics == {"test_accuracy": 0.5}


def test_entry_task_follows_the_builder_registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._BUILDERS, "tiny-vae", registry.Builder("tiny-vae", _tiny, task="vae"))
    _save(tmp_path, "tiny-vae")
    assert ck.entry("tiny", tmp_path).task == "vae"
    with pytest.raises(ValueError, match="unknown task 'regressor'"):
        registry.register_builder("tiny-regressor", task="regressor")


def test_entries_are_written_back_in_the_same_json_shape(tmp_path: Path, builder: str) -> None:
    _save(tmp_path, builder, "first")
    first = json.loads((tmp_path / "manifest.json").read_text())["first"]
    _save(tmp_path, builder, "second")
    raw = json.loads((tmp_path / "manifest.json").read_text())
    assert raw["first"] == first and list(raw) == ["first", "second"]
    assert list(first) == [f for f in ck.ManifestEntry.__dataclass_fields__]
    assert ck.entry("first", tmp_path).to_json() == first


def test_the_shipped_manifest_parses_and_serialises_to_its_own_text() -> None:
    path = ck.PRETRAINED_DIR / ck.MANIFEST
    entries = ck.manifest(ck.PRETRAINED_DIR)
    assert entries and all(e.task in ck.TASKS for e in entries.values())
    text = json.dumps({k: v.to_json() for k, v in entries.items()}, indent=2) + "\n"
    assert text == path.read_text()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("task", "regressor"),
        ("sha256", "abc"),
        ("file", "../../etc/passwd.safetensors"),
        ("lecture", "2"),
        ("lecture", True),
        ("metrics", {"test_accuracy": "high"}),
        ("dataset", {"name": "moons"}),
        ("created", "yesterday"),
        ("params", -1),
    ],
)
def test_a_malformed_entry_is_corrupt_and_names_the_field(tmp_path: Path, builder: str, field: str,
                                                         value: Any) -> None:
    _save(tmp_path, builder)
    _edit_manifest(tmp_path, "tiny", **{field: value})
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny' field '{field}'") as err:
        ck.load_model("tiny", tmp_path)
    assert REBUILD in str(err.value)


def test_a_missing_or_unknown_field_is_corrupt(tmp_path: Path, builder: str) -> None:
    _save(tmp_path, builder)
    raw = json.loads((tmp_path / "manifest.json").read_text())
    del raw["tiny"]["task"]
    (tmp_path / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(ck.CheckpointCorrupt, match="'tiny' has no field 'task'"):
        ck.manifest(tmp_path)
    raw["tiny"].update(task="classifier", builder_kwargs={"x": 1})
    (tmp_path / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(ck.CheckpointCorrupt, match="unknown field 'builder_kwargs'"):
        ck.entry("tiny", tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ck.CheckpointCorrupt, match="cannot be read as JSON"):
        ck.manifest(tmp_path)


def test_an_entry_that_would_not_validate_is_not_written(tmp_path: Path, builder: str) -> None:
    with pytest.raises(ValueError, match="'metrics' must map names to finite numbers"):
        _save(tmp_path, builder, metrics={"test_loss": float("nan")})
    assert not list(tmp_path.iterdir()), "nothing may be written for a refused entry"
    with pytest.raises(ValueError, match="no registered model builder 'nope'"):
        _save(tmp_path, "nope")


def test_tampered_file_is_refused_with_advice(tmp_path: Path, builder: str) -> None:
    _save(tmp_path, builder)
    path = tmp_path / "tiny.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny'.*does not match the manifest.*{REBUILD}"):
        ck.load_model("tiny", tmp_path)


def test_missing_file_and_unknown_name(tmp_path: Path, builder: str) -> None:
    with pytest.raises(ck.CheckpointMissing, match="no checkpoint named 'tiny'.*shipped: none"):
        ck.load_model("tiny", tmp_path)  # no manifest at all
    _save(tmp_path, builder)
    with pytest.raises(ck.CheckpointMissing, match="no checkpoint named 'nope'.*python -m core.train nope"):
        ck.load_model("nope", tmp_path)
    (tmp_path / "tiny.safetensors").unlink()
    with pytest.raises(ck.CheckpointMissing, match=f"'tiny'.*is missing.*{REBUILD}"):
        ck.load_model("tiny", tmp_path)


def test_only_registered_builders_may_be_named(tmp_path: Path, builder: str) -> None:
    _save(tmp_path, builder)
    _edit_manifest(tmp_path, "tiny", builder="os:system")
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny'.*unknown model builder 'os:system'.*{REBUILD}"):
        ck.load_model("tiny", tmp_path)


@pytest.mark.parametrize(("config", "why"),
                         [({"widht": 4}, "unexpected keyword"), ({"width": 0}, "width must")])
def test_a_builder_refusing_its_config_is_a_checkpoint_error(tmp_path: Path, builder: str,
                                                             config: dict, why: str) -> None:
    _save(tmp_path, builder)
    _edit_manifest(tmp_path, "tiny", config=config)
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny'.*refuses its config.*{why}.*{REBUILD}"):
        ck.load_model("tiny", tmp_path)


def test_weights_of_another_shape_are_a_checkpoint_error(tmp_path: Path, builder: str) -> None:
    _save(tmp_path, builder)
    _edit_manifest(tmp_path, "tiny", config={"width": 8})
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny'.*does not fit its architecture.*{REBUILD}") as e:
        ck.load_model("tiny", tmp_path)
    assert "0x" not in str(e.value)


def test_a_task_other_than_the_builders_is_a_checkpoint_error(tmp_path: Path, builder: str) -> None:
    _save(tmp_path, builder)
    _edit_manifest(tmp_path, "tiny", task="gan")
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny' says task 'gan'.*a 'classifier'.*{REBUILD}"):
        ck.load_model("tiny", tmp_path)


def test_an_unreadable_file_is_a_checkpoint_error(tmp_path: Path, builder: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _save(tmp_path, builder)
    junk = b"\x00" * 64  # right digest in the manifest, but not safetensors
    (tmp_path / "tiny.safetensors").write_bytes(junk)
    _edit_manifest(tmp_path, "tiny", sha256=ck.sha256_file(tmp_path / "tiny.safetensors"))
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny'.*not a readable safetensors file.*{REBUILD}"):
        ck.load_model("tiny", tmp_path)

    def denied(path: Any) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ck, "sha256_file", denied)
    with pytest.raises(ck.CheckpointCorrupt, match=f"'tiny'.*cannot be read \\(Permission denied.*{REBUILD}"):
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
    assert set(loaded) == set(state) and all(torch.equal(loaded[k], state[k]) for k in state)


def test_writes_are_atomic(tmp_path: Path, builder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _save(tmp_path, builder)
    before = (tmp_path / "tiny.safetensors").read_bytes()
    manifest_before = (tmp_path / "manifest.json").read_text()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        torch.manual_seed(1)
        ck.save_checkpoint("tiny", _tiny(4), lecture=2, architecture="a", builder=builder,
                           config={"width": 4}, dataset={"name": "moons", "provenance": "p"}, metrics={},
                           train_seconds=1, directory=tmp_path)
    monkeypatch.undo()
    assert (tmp_path / "tiny.safetensors").read_bytes() == before
    assert (tmp_path / "manifest.json").read_text() == manifest_before
    assert not list(tmp_path.glob("*.tmp")), "temp files left behind"


def test_pretrained_dir_follows_the_environment(tmp_path: Path, builder: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GALLERY_PRETRAINED_DIR", str(tmp_path))
    assert ck.pretrained_dir() == tmp_path and ck.manifest() == {}
    _save(tmp_path, builder)
    assert list(ck.manifest()) == ["tiny"] and ck.verify("tiny") == "ok"
