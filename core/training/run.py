"""The record of a finished training run: the one shape every subject's trainer returns to its page and
writes to the manifest.

A subject names its run with a subclass that binds the two type parameters, e.g.
``class AERun(TrainedRun[AEConfig, AutoEncoder])``: a real class, so a page can still ask
``isinstance(job.result, AERun)`` (a subscripted alias cannot answer that). A subclass adds fields only
when its page shows more than this (the CNN's test predictions, for instance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # the record needs no torch of its own
    from core.training.loop import FitResult

ConfigT = TypeVar("ConfigT")
ModelT = TypeVar("ModelT")


@dataclass(frozen=True)
class TrainedRun(Generic[ConfigT, ModelT]):
    """A finished (or stopped, or diverged) run: the model, how the fit went, how it does held out, and
    the data it saw."""

    config: ConfigT
    """The settings it trained with."""
    model: ModelT
    """The trained model, in eval mode."""
    fit: FitResult
    """The fit loop's result (status, history, steps, seconds); a live page may keep a finer history."""
    held_out: dict[str, Any] | None
    """Metrics on the held-out test split, its size among them (``n_test`` or ``n_test<unit>``, see
    :meth:`dataset_entry`); None when the run diverged and nothing was measured."""
    n_train: int
    """Training examples actually used (images, or characters of text)."""
    n_val: int
    """Validation examples, held back from the training split."""
    provenance: str
    """Where the training split came from (core.data's provenance string)."""
    test_provenance: str
    """Where the test split came from."""
    sources: tuple[str, str]
    """Short ids of the sources that served the training and the test split ('system', 'package', ...)."""

    def dataset_entry(self, name: str, unit: str = "", **extra: Any) -> dict[str, Any]:
        """The manifest's ``dataset`` entry: the data set ``name``, ``extra`` facts about it, both
        provenances and sources, and the split sizes as ``n_train<unit>``, ``n_val<unit>`` and
        ``n_test<unit>`` (``unit="_chars"`` for text). The test size is read from :attr:`held_out`, so a
        diverged run, which has nothing held out to record, raises ValueError."""
        if self.held_out is None:
            raise ValueError("the run diverged: nothing was measured on the test split")
        return {"name": name, **extra, "provenance": self.provenance, "test_provenance": self.test_provenance,
                "source": self.sources[0], "test_source": self.sources[1], f"n_train{unit}": self.n_train,
                f"n_val{unit}": self.n_val, f"n_test{unit}": int(self.held_out[f"n_test{unit}"])}
