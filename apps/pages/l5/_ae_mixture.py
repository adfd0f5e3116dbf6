"""The autoencoder page's mixture view (``autoencoders.py``): a Gaussian mixture fitted to the codes of the
test images, its draws beside the prior's."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from apps.pages.l5._ae_parts import Shown
from core.generative import figures as fg
from core.generative import latent as lt


@st.cache_data(show_spinner="Fitting the mixture…", max_entries=32)
def _mixture(codes: np.ndarray, k: int) -> lt.Mixture:
    return lt.fit_mixture(codes, k)


def mixture(s: Shown) -> None:
    # EM (and scikit-learn's import) takes seconds: fitted on request, so the page opens fast.
    if not ui.toggle("Fit a Gaussian mixture to the codes", "l5ae_mix"):
        st.caption("A mixture of Gaussians fitted to the codes, against the prior: switch it on to compare "
                   "their draws.")
        return
    a, b = st.columns(2)
    with a:
        k = ui.slider("Mixture components", "l5ae_k", *lt.MIXTURE_COMPONENTS, lt.DEFAULT_COMPONENTS)
    with b:
        seed = ui.number_input("Draw seed", "l5ae_gseed", *lt.SEED_RANGE, 0)
    mix = _mixture(s.lmap.codes, k)
    n = 32
    left, right = st.columns(2)
    left.image(fg.image_grid(lt.mixture_sample(s.model, mix, n, seed), cols=8, upscale=2),
               caption=f"{n} draws from a {k}-component Gaussian mixture fitted to the codes",
               alt=f"{n} digits decoded from mixture draws")
    right.image(fg.image_grid(lt.sample(s.model, s.lmap, n, seed), cols=8, upscale=2),
                caption="As many draws from the prior N(0, I)" if s.model.config.variational else
                "As many draws from one Gaussian fitted to the codes",
                alt=f"{n} digits decoded from prior draws")
    if s.model.latent_dim == 2:
        fig = fg.latent_figure(s.lmap, s.test.classes)
        fig.add_scatter(x=mix.means[:, 0], y=mix.means[:, 1], mode="markers", name="component means",
                        marker={"symbol": "x", "size": 11, "color": "#000"})
        st.plotly_chart(fig, key="l5ae_fig_mixture")
    st.caption(f"Fitted by EM (scikit-learn) to the posterior means of {len(s.lmap.codes):,} test images: "
               f"{mix.mean_log_likelihood:.2f} nats per code on them. The prior covers the gaps between "
               "classes too, and those decode to blends; the mixture puts its mass where the codes are.")
