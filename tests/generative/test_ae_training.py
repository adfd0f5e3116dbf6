"""Training an autoencoder cell through the fit loop: the ELBO terms are logged, a job sees live
reconstructions and can stop the run, and the held-out numbers come with the result."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import torch

from core.generative import ae_training as tr
from core.generative import autoencoders as ae


class Recorder:
    """A stand-in for a job: keeps what the training reports; asks to stop when told to."""

    def __init__(self, stop_after_rows: int | None = None) -> None:
        self.rows: list[dict[str, float]] = []
        self.artifacts: dict[str, Any] = {}
        self.stop_after_rows = stop_after_rows

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        self.rows.append(metrics)

    def publish(self, key: str, value: Any) -> None:
        self.artifacts[key] = value

    def should_stop(self) -> bool:
        return self.stop_after_rows is not None and len(self.rows) >= self.stop_after_rows


SMALL = replace(ae.make_config("vae", "mnist", 2), train_size=256, val_size=64, epochs=2, batch_size=64)


def test_a_short_run_lowers_the_bound_and_reports_both_terms() -> None:
    job = Recorder()
    run = tr.train_autoencoder(SMALL, job, max_images=None, test_limit=100)  # type: ignore[arg-type]
    assert run.fit.status == "completed" and run.n_train == 256 and run.n_val == 64
    hist = run.fit.history
    assert {"train_loss", "train_recon", "train_kl", "val_loss", "val_recon", "val_kl"} <= set(hist)
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    m = run.held_out
    assert m is not None and m["n_test"] == 100 and len(m["kl_dims"]) == 2
    assert math.isclose(m["test_neg_elbo"], m["test_recon"] + m["test_kl"], rel_tol=1e-9)
    pairs = job.artifacts["recon"]
    assert pairs.shape == (2, tr.LIVE_IMAGES, 28, 28) and 0 <= pairs.min() and pairs.max() <= 1


def test_the_same_seed_gives_the_same_model_and_numbers() -> None:
    a = tr.train_autoencoder(replace(SMALL, epochs=1), max_images=None, test_limit=50)
    b = tr.train_autoencoder(replace(SMALL, epochs=1), max_images=None, test_limit=50)
    assert a.held_out == b.held_out
    x = np.zeros((1, 1, 28, 28), np.float32)
    with torch.no_grad():
        assert torch.equal(a.model.encode(torch.from_numpy(x))[0], b.model.encode(torch.from_numpy(x))[0])


def test_a_stop_request_ends_the_run() -> None:
    job = Recorder(stop_after_rows=2)
    run = tr.train_autoencoder(replace(SMALL, epochs=5), job, max_images=None, test_limit=50)  # type: ignore[arg-type]
    assert run.fit.status == "stopped" and run.fit.epochs_run < 5
    assert run.held_out is not None  # the model as it was is still measured and shown


def test_a_plain_autoencoder_has_no_kl_and_no_bound() -> None:
    run = tr.train_autoencoder(replace(SMALL, kind="ae", beta=0.0, epochs=1), max_images=None, test_limit=50)
    assert run.held_out is not None and "test_neg_elbo" not in run.held_out
    assert max(run.fit.history["train_kl"]) == 0.0


def test_shipped_cells_are_found_by_their_settings() -> None:
    assert tr.checkpoint_name(ae.make_config("beta-vae", "mnist", 16)) == "beta-vae-mnist-z16"
    assert tr.checkpoint_name(ae.make_config("beta-vae", "mnist", 16, 8.0)) is None
    assert tr.checkpoint_name(ae.make_config("vae", "fashion-mnist", 2)) == "vae-fashion-mnist-z2"
    assert tr.checkpoint_name(ae.make_config("sbd-vae", "fashion-mnist", 4)) == "sbd-vae-fashion-mnist-z4"
    assert tr.checkpoint_name(ae.make_config("ae", "mnist", 32, epochs=1, lr=1e-3)) == "ae-mnist-z32"


def test_a_float16_checkpoint_is_measured_as_stored_and_loads_into_float32(tmp_path: Any) -> None:
    from core import checkpoints
    from core.registry import TrainContext

    name = "sbd-vae-mnist-z4"
    ent = tr._train_checkpoint(name, TrainContext(directory=tmp_path, quick=True))
    assert ent.config["weights"] == "float16" and ent.metrics["quick"] == 1
    state = checkpoints.load_state(tmp_path / ent.file)
    assert {t.dtype for t in state.values()} == {torch.float16}
    model = checkpoints.load_model(name, tmp_path)
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    # The held-out numbers were measured from the rounded weights: the loaded file gives them again.
    from core import data

    again = tr.held_out(model, tr._tensor(data.load("mnist", "test").X[: ent.metrics["n_test"]]))
    for key in ("test_recon", "test_kl", "test_neg_elbo"):
        assert again[key] == pytest.approx(ent.metrics[key], abs=1e-3), key


def test_a_bad_weight_format_is_refused() -> None:
    with pytest.raises(ValueError, match="float16"):
        ae.make_config("vae", "mnist", 2, weights="int8")
