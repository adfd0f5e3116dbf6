"""Every shipped checkpoint: intact, small, loadable, and its held-out metrics re-measured from the file.

Parametrised over the manifest and measured through the registry, so a new checkpoint is covered by
being shipped (a task without a way to re-measure it fails here until one is registered).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from core import checkpoints as ck
from core import registry

SHIPPED = ck.manifest(ck.PRETRAINED_DIR)
#: Metrics are rounded to 4 digits when written, and batching may move the last one; counts are exact.
TOLERANCE = {"test_accuracy": 0.0015, "test_loss": 0.002}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_held_out_metrics_are_remeasured_from_the_shipped_file(name: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GALLERY_PRETRAINED_DIR", raising=False)
    ent = SHIPPED[name]
    try:
        measured = registry.remeasure(name)
    except registry.NotComparable as exc:
        pytest.skip(f"{name}: {exc}")
    common = set(measured) & set(ent.metrics)
    assert "test_accuracy" in common or ent.task != "classifier", f"{name} has no test_accuracy to check"
    assert common, f"{name}: nothing re-measured matches the manifest's metrics {sorted(ent.metrics)}"
    for key in sorted(common):
        expected = ent.metrics[key]
        if isinstance(expected, int):
            assert measured[key] == expected, key
        else:
            assert measured[key] == pytest.approx(expected, rel=1e-3, abs=TOLERANCE.get(key, 1e-4)), key


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_file_is_intact_small_and_rebuildable(name: str) -> None:
    ent = SHIPPED[name]
    assert ck.verify(name, ck.PRETRAINED_DIR) == "ok"
    assert (ck.PRETRAINED_DIR / ent.file).stat().st_size < 10 * 2**20
    assert registry.builders()[ent.builder].task == ent.task
    assert name in registry.specs(), f"{name} is shipped but no module can rebuild it"
    assert ent.dataset["provenance"] and ent.train_command == f"python -m core.train {name}"


def test_all_shipped_files_stay_under_60_mb() -> None:
    assert sum((ck.PRETRAINED_DIR / e.file).stat().st_size for e in SHIPPED.values()) < 60 * 2**20


def test_a_task_without_a_measure_cannot_pass_unchecked(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    gan = registry.Builder("tiny-gan", lambda: nn.Linear(2, 2), "gan")
    monkeypatch.setitem(registry._BUILDERS, "tiny-gan", gan)
    torch.manual_seed(0)
    ck.save_checkpoint("tiny-gan", nn.Linear(2, 2), lecture=5, architecture="linear", builder="tiny-gan",
                       config={}, dataset={"name": "mnist", "provenance": "p"}, metrics={}, train_seconds=0,
                       directory=tmp_path)
    with pytest.raises(LookupError, match="no way to re-measure a 'gan' checkpoint"):
        registry.remeasure("tiny-gan", tmp_path)
