"""One GAN training step for the gallery's fit loop, shared by the DCGAN and the 2D GAN.

Goodfellow et al. 2014, with their non-saturating generator loss: ``d_steps`` updates of the
discriminator D on a real batch and fresh fakes, minimising BCE(D(real), 1) + BCE(D(G(z)), 0), then one
update of the generator G, minimising BCE(D(G(z)), 1), i.e. maximising log D(G(z)) instead of minimising
log(1 - D(G(z))), whose gradient vanishes while D still rejects every fake. Both networks have their own
optimiser, stepped here; the fit loop only draws the batches and watches the returned ``loss`` (the sum
of the two, so one NaN in either network ends the run as diverged).

The model needs two submodules, ``generator`` (z -> sample) and ``discriminator`` (sample -> one logit of
"real" per sample); the batch's first tensor holds the real samples.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.training import TrainStep


def gan_step(latent_dim: int, d_steps: int = 1, *, reuse_fakes: bool = False,
             rescale_real: bool = False) -> TrainStep:
    """The fit loop's step: ``d_steps`` discriminator updates, then one generator update.

    ``latent_dim``: size of z ~ N(0, I). ``d_steps``: discriminator updates per generator update (more
    keep D near its optimum, so G follows a better gradient). ``reuse_fakes``: G's update scores the fakes
    of the last D update again, now through the updated D (the DCGAN recipe: one generator pass per batch);
    otherwise G's update draws a fresh z. ``rescale_real``: map data in [0, 1] to a tanh generator's
    range [-1, 1].
    """
    if d_steps < 1:
        raise ValueError(f"the discriminator needs at least one update per step, not {d_steps}")

    def step(model: nn.Module, batch: tuple[Tensor, ...], optimizers: tuple[Any, ...]) -> dict[str, Tensor]:
        opt_g, opt_d = optimizers
        real = batch[0] * 2 - 1 if rescale_real else batch[0]
        ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
        for i in range(d_steps):
            # D's fakes need no graph back into G, unless G's update is to reuse them.
            with torch.set_grad_enabled(reuse_fakes and i == d_steps - 1):
                fake = model.generator(torch.randn(len(real), latent_dim))
            d_loss = (F.binary_cross_entropy_with_logits(model.discriminator(real), ones)
                      + F.binary_cross_entropy_with_logits(model.discriminator(fake.detach()), zeros))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
        if not reuse_fakes:
            fake = model.generator(torch.randn(len(real), latent_dim))
        g_loss = F.binary_cross_entropy_with_logits(model.discriminator(fake), ones)  # non-saturating
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        d, g = d_loss.detach(), g_loss.detach()
        return {"loss": d + g, "d_loss": d, "g_loss": g}

    return TrainStep(step)
