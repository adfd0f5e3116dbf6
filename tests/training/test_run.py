"""core.training.TrainedRun: the one record of a finished run, and the manifest entry it writes."""

from __future__ import annotations

import dataclasses

import pytest

from core.training import TrainedRun


class _Run(TrainedRun[dict, object]):
    """A subject's named run: a subclass that binds the type parameters."""


def _run(held_out: dict | None, **counts: int) -> _Run:
    return _Run({"lr": 0.1}, object(), None, held_out, counts.get("n_train", 900), counts.get("n_val", 100),
                "train split (offline copy)", "test split (offline copy)", ("package", "system"))


def test_dataset_entry_records_provenance_sources_and_split_sizes() -> None:
    entry = _run({"test_loss": 0.5, "n_test": 250}).dataset_entry("mnist", binarised_above=0.5)
    assert entry == {"name": "mnist", "binarised_above": 0.5, "provenance": "train split (offline copy)",
                     "test_provenance": "test split (offline copy)", "source": "package",
                     "test_source": "system", "n_train": 900, "n_val": 100, "n_test": 250}


def test_dataset_entry_counts_in_the_given_unit() -> None:
    entry = _run({"test_bpc": 2.3, "n_test_chars": 5_000}).dataset_entry("shakespeare", unit="_chars")
    assert (entry["n_train_chars"], entry["n_val_chars"], entry["n_test_chars"]) == (900, 100, 5_000)
    assert "n_train" not in entry


def test_a_diverged_run_has_no_dataset_entry_to_write() -> None:
    with pytest.raises(ValueError, match="diverged"):
        _run(None).dataset_entry("mnist")


def test_the_record_is_frozen_and_a_subclass_answers_isinstance() -> None:
    run = _run({"n_test": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.n_train = 5  # type: ignore[misc]
    assert isinstance(run, _Run) and isinstance(run, TrainedRun)
    assert [f.name for f in dataclasses.fields(run)][:4] == ["config", "model", "fit", "held_out"]
