"""The views of the autoencoder page (``autoencoders.py``) below its metrics: reconstructions and prior
samples, traversals, interpolation, the latent map and the ELBO terms of the model shown."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from apps.pages.l5._ae_parts import Shown
from core.generative import ae_training as tr
from core.generative import figures as fg
from core.generative import latent as lt


def reconstructions(s: Shown) -> None:
    idx = [int(np.flatnonzero(s.test.y == k)[0]) for k in range(s.test.n_classes)]
    pairs = np.stack([s.test.X[idx, 0], lt.reconstruct(s.model, s.test.X[idx])])
    st.image(fg.image_grid(pairs), caption="Test images (top), reconstructed from their codes (bottom)",
             alt="One test digit per class above its reconstruction")
    a, b = st.columns(2)
    with a:
        n = ui.slider("Samples", "l5ae_ns", *lt.SAMPLE_COUNT, lt.DEFAULT_SAMPLES)
    with b:
        seed = ui.number_input("Sample seed", "l5ae_sseed", *lt.SEED_RANGE, 0)
    prior = "the prior N(0, I)" if s.model.config.variational else (
        "a Gaussian with the mean and spread of the codes (an autoencoder has no prior)")
    st.image(fg.image_grid(lt.sample(s.model, s.lmap, n, seed), cols=16),
             caption=f"Decoded draws from {prior}", alt=f"{n} decoded samples")


def traversals(s: Shown) -> None:
    d = s.model.latent_dim
    steps = ui.slider("Steps from −3 to 3", "l5ae_steps", *lt.TRAVERSAL_STEPS, lt.DEFAULT_TRAVERSAL_STEPS)
    u: list[float] = []
    with st.expander("A slider per latent dimension: the point every row passes through", expanded=d <= 4):
        cols = st.columns(4)
        for i in range(d):
            with cols[i % 4]:
                u.append(ui.slider(f"z{i + 1}", f"l5ae_u{i}", *lt.Z_RANGE, 0.0, 0.1))
    unit = "prior standard deviations" if s.model.config.variational else "standard deviations of the codes"
    left, right = st.columns([4, 1])
    left.image(fg.image_grid(lt.traversal(s.model, s.lmap, steps, u), upscale=2),
               caption=f"Row i varies z_i from −3 to 3 ({unit}); the other dimensions stay at the sliders",
               alt=f"Latent traversals: {d} rows of {steps} decoded digits")
    right.image(fg.image_grid(lt.decode_point(s.model, s.lmap, u)[None], upscale=5),
                caption="The sliders' point", alt="The digit decoded at the sliders' point")


def interpolation(s: Shown) -> tuple[int, int]:
    last = len(s.test) - 1
    a, b, c = st.columns(3)
    with a:
        i = ui.number_input("Test image A", "l5ae_a", 0, last, 0)
    with b:
        j = ui.number_input("Test image B", "l5ae_b", 0, last, 1)
    with c:
        steps = ui.slider("Steps", "l5ae_isteps", *lt.INTERPOLATION_STEPS, lt.DEFAULT_INTERPOLATION_STEPS)
    row = lt.interpolate(s.model, s.test.X[i, 0], s.test.X[j, 0], steps)
    ends = f"A ({s.test.classes[s.test.y[i]]}) and B ({s.test.classes[s.test.y[j]]})"
    st.image(fg.image_grid(np.concatenate([s.test.X[[i], 0], row, s.test.X[[j], 0]])),
             caption=f"Test images {ends} at the ends; between them, decoded points on the straight line "
                     "between their codes (A and B are marked on the latent map)",
             alt=f"Interpolation from test image {i} to test image {j} in {steps} steps")
    return int(i), int(j)


@st.cache_data(show_spinner="Laying out the codes with t-SNE…", max_entries=16)
def _tsne(_lmap: lt.LatentMap, codes: np.ndarray) -> lt.LatentMap:
    return lt.tsne_map(_lmap)  # cached by the codes (hashed), not by the map object


def latent_space(s: Shown, ends: tuple[int, int]) -> None:
    lmap, how = s.lmap, "the codes themselves"
    if s.lmap.explained is not None:
        how = "their first two principal components"
        if ui.segmented("Projection", "l5ae_proj", ("PCA", "t-SNE"), "PCA") == "t-SNE":
            lmap, how = _tsne(s.lmap, s.lmap.codes), "t-SNE"
    if lmap.method == "pca":
        xy = lt.place(s.model, lmap, s.test.X[list(ends)])
        marks = [("A", *xy[0]), ("B", *xy[1])]
    else:  # t-SNE places only the codes it laid out
        marks = [(m, *lmap.coords[i]) for m, i in zip("AB", ends, strict=True) if i < len(lmap.coords)]
    st.plotly_chart(fg.latent_figure(lmap, s.test.classes, marks), key="l5ae_fig_latent")
    st.caption(f"The posterior means of {len(lmap.codes):,} test images, coloured by class: {how}.")


def elbo(s: Shown) -> None:
    if not s.model.config.variational:
        st.info("A plain autoencoder has no posterior and no prior: only its reconstruction is measured.")
        return
    st.plotly_chart(fg.kl_figure(s.metrics["kl_dims"], tr.ACTIVE_KL_NATS), key="l5ae_fig_kl")
    m = s.metrics
    st.markdown(
        f"On held-out images, −ELBO = reconstruction + KL = {m['test_recon']:.1f} + {m['test_kl']:.1f} = "
        f"**{m['test_neg_elbo']:.1f} nats per image**, an upper bound on −log p(x). Grey bars: dimensions "
        f"with under {tr.ACTIVE_KL_NATS} nats, which the decoder ignores (their posterior stays the prior)."
    )
