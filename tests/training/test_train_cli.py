"""`python -m core.train`: every registered checkpoint can be rebuilt (quick mode) and loaded back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core import checkpoints
from core.registry import TrainContext, specs
from tests.helpers import ROOT

SPECS = specs()


def test_list_names_every_registered_checkpoint() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "core.train", "--list"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    for name in SPECS:
        assert name in out.stdout


def test_unknown_name_is_a_clear_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "core.train", "no-such-model"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "unknown checkpoint" in out.stderr


@pytest.mark.parametrize("name", sorted(SPECS))
def test_quick_rebuild_writes_a_loadable_checkpoint(name: str, tmp_path: Path) -> None:
    entry = SPECS[name].fn(TrainContext(directory=tmp_path, quick=True))
    assert (tmp_path / entry["file"]).is_file()
    assert entry["sha256"] == checkpoints.sha256_file(tmp_path / entry["file"])
    assert entry["dataset"].get("provenance"), "the manifest must say where the training data came from"
    model = checkpoints.load_model(name, tmp_path)
    assert not model.training


@pytest.mark.parametrize("name", sorted(SPECS))
def test_shipped_checkpoint_exists_for_every_registered_one(name: str) -> None:
    assert name in checkpoints.manifest(), (
        f"{name} is registered but not shipped: run python -m core.train {name}"
    )
    assert checkpoints.verify(name) == "ok"
