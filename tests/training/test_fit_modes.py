"""The fit loop's other families: streamed and token batches, a custom (VAE) loss, a two-optimiser step."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from core.training import BatchLoss, FitConfig, TrainStep, accuracy, fit

pytestmark = pytest.mark.timeout(60)


def _xor(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    return X, (X[:, 0] * X[:, 1] > 0).long()


def test_streamed_dataloader_batches_train_and_validate() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))
    train = DataLoader(
        TensorDataset(*_xor(400, 0)), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    val = DataLoader(TensorDataset(*_xor(200, 1)), batch_size=64)
    res = fit(
        model,
        F.cross_entropy,
        torch.optim.Adam(model.parameters(), 0.02),
        train,
        val,
        FitConfig(epochs=40),
        metrics={"accuracy": accuracy},
    )
    assert res.status == "completed" and res.steps == 40 * len(train)
    assert res.final("val_accuracy") > 0.9
    assert len(res.history["val_loss"]) == len(res.history["train_accuracy"]) == 40


def test_variable_length_token_batches_with_a_collate_fn() -> None:
    # Label: does token 1 occur in the sequence? Sequences of 3..12 tokens, padded per batch by collate.
    g = torch.Generator().manual_seed(0)
    seqs = [
        torch.randint(2, 20, (int(torch.randint(3, 13, (), generator=g)),), generator=g) for _ in range(300)
    ]
    labels = torch.randint(0, 2, (300,), generator=g)
    for s, lab in zip(seqs, labels):
        if lab:
            s[int(torch.randint(0, len(s), (), generator=g))] = 1

    def collate(
        items: list[tuple[torch.Tensor, torch.Tensor]],
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        tokens = nn.utils.rnn.pad_sequence([t for t, _ in items], batch_first=True)
        return tokens, torch.tensor([len(t) for t, _ in items]), torch.stack([y for _, y in items])

    class BagOfTokens(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb, self.out = nn.Embedding(20, 16, padding_idx=0), nn.Linear(16, 2)

        def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            return self.out(self.emb(tokens).amax(dim=1))

    torch.manual_seed(0)
    model = BagOfTokens()
    pairs = list(zip(seqs, labels))
    loader = DataLoader(
        pairs, batch_size=16, shuffle=True, collate_fn=collate, generator=torch.Generator().manual_seed(0)
    )
    res = fit(
        model,
        F.cross_entropy,
        torch.optim.Adam(model.parameters(), 0.05),
        loader,
        DataLoader(pairs, batch_size=100, collate_fn=collate),
        FitConfig(epochs=15),
        metrics={"accuracy": accuracy},
    )
    assert res.status == "completed"
    assert res.final("val_accuracy") > 0.95


class _TinyVAE(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.enc, self.dec = nn.Linear(8, 4), nn.Linear(2, 8)

    def loss(self, batch: tuple[torch.Tensor]) -> dict[str, torch.Tensor]:
        (x,) = batch
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        recon = F.mse_loss(self.dec(z), x, reduction="none").sum(1).mean()
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()
        return {"recon": recon, "kl": kl}


def test_custom_loss_logs_each_named_loss_and_minimises_their_sum() -> None:
    torch.manual_seed(0)
    X = torch.randn(256, 2) @ torch.randn(2, 8)  # data on a 2D plane: a 2D latent can reconstruct it
    model = _TinyVAE()
    res = fit(
        model,
        BatchLoss(lambda m, b: m.loss(b)),
        torch.optim.Adam(model.parameters(), 0.01),
        (X,),
        (X[:64],),
        FitConfig(epochs=150, batch_size=64),
    )
    h = res.history
    assert res.status == "completed"
    assert {"train_recon", "train_kl", "train_loss", "val_recon", "val_kl", "val_loss"} <= set(h)
    for r, k, total in zip(h["train_recon"], h["train_kl"], h["train_loss"]):
        assert math.isclose(r + k, total, rel_tol=1e-5)
    assert h["train_recon"][-1] < 0.3 * h["train_recon"][0], "the reconstruction error goes down"


def test_own_step_with_two_optimisers_updates_both_networks() -> None:
    torch.manual_seed(0)
    gan = nn.ModuleDict(
        {
            "G": nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1)),
            "D": nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1)),
        }
    )
    opt_g = torch.optim.Adam(gan["G"].parameters(), 0.01)
    opt_d = torch.optim.Adam(gan["D"].parameters(), 0.01)
    before = {k: [p.detach().clone() for p in gan[k].parameters()] for k in "GD"}
    seen: list[int] = []

    def step(model: nn.ModuleDict, batch: tuple[torch.Tensor], opts: tuple) -> dict[str, torch.Tensor]:
        g_opt, d_opt = opts
        seen.append(len(opts))
        (real,) = batch
        fake = model["G"](torch.randn(len(real), 1))
        ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
        d_loss = F.binary_cross_entropy_with_logits(
            model["D"](real), ones
        ) + F.binary_cross_entropy_with_logits(model["D"](fake.detach()), zeros)
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = F.binary_cross_entropy_with_logits(model["D"](fake), ones)
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        return {"d_loss": d_loss, "g_loss": g_loss}

    real = 3.0 + 0.5 * torch.randn(512, 1)
    res = fit(gan, TrainStep(step), (opt_g, opt_d), (real,), config=FitConfig(epochs=5, batch_size=64))
    assert res.status == "completed" and res.steps == 40 and seen == [2] * 40
    assert len(res.history["train_d_loss"]) == len(res.history["train_g_loss"]) == 5
    for k in "GD":
        assert any(not torch.equal(a, b) for a, b in zip(before[k], gan[k].parameters())), (
            f"{k} was not trained"
        )


def test_own_step_refuses_validation_it_cannot_score() -> None:
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="evaluate"):
        fit(
            model,
            TrainStep(lambda m, b, o: {"loss": 0.0}),
            torch.optim.SGD(model.parameters(), 0.1),
            (torch.zeros(4, 1),),
            (torch.zeros(4, 1),),
        )
