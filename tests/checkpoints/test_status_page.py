"""The Checkpoints & data page: task, metrics and provenance per checkpoint; a corrupted or missing file is
named as such with its rebuild command, and the rebuild runs as a job from the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core import checkpoints as ck
from tests.helpers import finish_job, page, texts

PAGE = "apps/status.py"


@pytest.fixture()
def pretrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of pretrained/ that the page (and any rebuild it starts) uses instead of the shipped one."""
    folder = tmp_path / "pretrained"
    shutil.copytree(ck.PRETRAINED_DIR, folder)
    monkeypatch.setenv("GALLERY_PRETRAINED_DIR", str(folder))
    return folder


def _table(at) -> dict[str, dict]:
    return {r["checkpoint"]: r for r in at.dataframe[0].value.to_dict("records")}


def test_every_checkpoint_shows_task_metrics_and_provenance(pretrained: Path) -> None:
    at = page(PAGE, timeout=120)
    rows = _table(at)
    assert set(rows) >= {"cnn-fashion-mnist", "cnn-mnist", "mlp-playground"}
    for name, ent in ck.manifest(pretrained).items():
        row = rows[name]
        assert (row["status"], row["task"]) == ("ok", ent.task)
        at.selectbox(key="status_details").set_value(name).run()  # long texts: one checkpoint at a time
        details = " ".join(str(m.value) for m in at.markdown)
        assert ent.dataset["provenance"] in details
        assert ent.metrics and all(f"{k} {v}" in details for k, v in ent.metrics.items())
    shown = " ".join(str(w.value) for w in at.warning) + " ".join(b.label for b in at.button)
    flagged = [n for n in ck.manifest(pretrained) if f"**{n}**" in shown or f"Rebuild {n} (" in shown]
    assert not flagged, "an intact checkpoint is flagged"


def test_a_corrupted_checkpoint_is_named_and_rebuilt_from_the_page(pretrained: Path) -> None:
    path = pretrained / "mlp-playground.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    (pretrained / "cnn-mnist.safetensors").unlink()
    at = page(PAGE, timeout=120)
    rows = _table(at)
    assert rows["mlp-playground"]["status"] == "corrupted" and rows["cnn-mnist"]["status"] == "missing"
    assert rows["cnn-fashion-mnist"]["status"] == "ok"
    shown = texts(at)
    assert "mlp-playground** is corrupted" in shown and "does not match the manifest" in shown
    assert "cnn-mnist** is missing" in shown and "python -m core.train cnn-mnist" in shown
    labels = [b.label for b in at.button]
    assert any(label.startswith("Rebuild cnn-mnist") for label in labels)

    rebuild = next(b for b in at.button if b.label.startswith("Rebuild mlp-playground"))
    rebuild.click().run()
    finish_job(at, "status_mlp-playground", timeout=300)
    assert not at.exception
    assert ck.verify("mlp-playground", pretrained) == "ok"  # the copy was rebuilt, not pretrained/
    assert _table(at)["mlp-playground"]["status"] == "ok"
    assert ck.verify("mlp-playground", ck.PRETRAINED_DIR) == "ok"


def test_a_broken_manifest_is_reported_not_raised(pretrained: Path) -> None:
    (pretrained / ck.MANIFEST).write_text('{"cnn-mnist": {"file": "cnn-mnist.safetensors"}}')
    at = page(PAGE, timeout=120)
    assert "'cnn-mnist' has no field 'sha256'" in texts(at)
    assert "restore" in texts(at)
