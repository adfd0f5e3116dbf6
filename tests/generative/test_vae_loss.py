"""The VAE's loss terms against a hand computation, and the beta weighting of the training objective."""

from __future__ import annotations

import math

import pytest
import torch

from core.generative import autoencoders as ae


def test_elbo_terms_match_a_hand_computation() -> None:
    # Two pixels, one latent dimension: every number can be checked on paper.
    logits = torch.tensor([[[[0.0, 2.0]]]])
    x = torch.tensor([[[[1.0, 0.0]]]])
    mu, logvar = torch.tensor([[0.5]]), torch.tensor([[math.log(0.25)]])
    recon, kl = ae.elbo_terms(logits, x, mu, logvar)
    # -log p(x|z) = -log sigmoid(0) - log(1 - sigmoid(2)) = log 2 + log(1 + e^2)
    assert recon.item() == pytest.approx(math.log(2) + math.log(1 + math.e**2), rel=1e-6)
    # KL(N(0.5, 0.25) || N(0, 1)) = 0.5 (0.25 + 0.25 - 1 - log 0.25)
    assert kl.item() == pytest.approx(0.5 * (0.25 + 0.25 - 1 - math.log(0.25)), rel=1e-6)


def test_kl_is_zero_exactly_at_the_prior_and_for_a_plain_autoencoder() -> None:
    zeros = torch.zeros(3, 4)
    assert torch.equal(ae.kl_per_dim(zeros, zeros), torch.zeros(3, 4))
    _, kl = ae.elbo_terms(torch.zeros(3, 1, 2, 2), torch.ones(3, 1, 2, 2), torch.randn(3, 4), None)
    assert torch.equal(kl, torch.zeros(3))


def test_the_objective_weighs_the_kl_by_beta_and_logs_both_terms() -> None:
    torch.manual_seed(0)
    model = ae.AutoEncoder(ae.make_config("beta-vae", "mnist", 2, 4.0))
    x = torch.rand(5, 1, 28, 28)
    values = {}
    for beta in (1.0, 4.0):
        torch.manual_seed(1)  # the same reparameterisation noise for both
        values[beta] = ae.elbo_loss(beta).fn(model, (x,))
    one, four = values[1.0], values[4.0]
    assert torch.allclose(one["recon"], four["recon"]) and torch.allclose(one["kl"], four["kl"])
    assert one["loss"].item() == pytest.approx((one["recon"] + one["kl"]).item(), rel=1e-6)
    assert four["loss"].item() == pytest.approx((four["recon"] + 4 * four["kl"]).item(), rel=1e-6)


@pytest.mark.parametrize("kind", ae.KINDS)
def test_every_kind_keeps_the_contract(kind: str) -> None:
    model = ae.AutoEncoder(ae.make_config(kind, "mnist", 4))
    x = torch.rand(3, 1, 28, 28)
    mu, logvar = model.encode(x)
    assert mu.shape == (3, 4)
    assert (logvar is None) == (kind == "ae")
    assert model.decode(mu).shape == (3, 1, 28, 28)


def test_bad_cells_are_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="latent dimension must be one of 2, 4, 8, 16, 32"):
        ae.make_config("vae", "mnist", 3)
    with pytest.raises(ValueError, match="unknown model"):
        ae.make_config("gan", "mnist", 2)
    with pytest.raises(ValueError, match="beta must be one of"):
        ae.make_config("beta-vae", "mnist", 2, float("nan"))
    with pytest.raises(ValueError, match="more than the 400,000 images"):
        ae.validate_training(ae.make_config("vae", "fashion-mnist", 2, epochs=40, train_size=60_000))


def test_the_broadcast_decoder_computes_what_the_tiled_formulation_does() -> None:
    torch.manual_seed(0)
    model = ae.AutoEncoder(ae.make_config("sbd-vae", "mnist", 8))
    z = torch.randn(5, 8, requires_grad=True)
    fast, tiled = model.decoder(z), model.decoder.tiled(z)
    assert fast.shape == (5, 1, 28, 28) and torch.allclose(fast, tiled, atol=1e-5)
    # The gradients agree too, so training through either is the same training.
    (g_fast,) = torch.autograd.grad(fast.square().sum(), z)
    (g_tiled,) = torch.autograd.grad(tiled.square().sum(), z)
    assert torch.allclose(g_fast, g_tiled, atol=1e-4)
