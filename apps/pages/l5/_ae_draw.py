"""The autoencoder page's "draw a digit to encode it" view (``autoencoders.py``): a drawing (or an upload)
goes through ``core.data.images`` (the one decoder), is prepared like the data set's images, encoded by
the model shown, marked on its latent map, decoded again and read by the shipped classifier."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import canvas
from apps.pages.l5._ae_parts import Shown, classifier
from core import checkpoints
from core.generative import ae_drawing as dr
from core.generative import figures as fg


def _reading(probs: np.ndarray, classes: tuple[str, ...]) -> str:
    k = int(np.argmax(probs))
    return f"**{classes[k]}** ({probs[k]:.0%})"


def drawing(s: Shown) -> None:
    what = "a digit" if s.model.config.dataset == "mnist" else "a piece of clothing"
    left, right = st.columns(2)
    with left:
        drawn, upload = canvas.draw_or_upload("l5ae", "…or upload a drawing")
    if upload is None and not drawn:
        right.info(f"Draw {what} (dark on light): the model encodes it, marks its code on the latent map and "
                   "decodes it again.", icon=":material/draw:")
        return
    name = dr.CLASSIFIERS[s.model.config.dataset]
    try:
        picture = canvas.picture(drawn, upload)
        enc = dr.encode_drawing(s.model, s.lmap, picture.rgba, classifier(name))
    except checkpoints.CheckpointError as exc:
        right.warning(f"The shipped classifier is not available: {exc}")
        return
    except ValueError as exc:
        right.error(f"Cannot encode this drawing: {exc}.")
        return
    with right:
        st.image(fg.image_grid(np.stack([enc.image, enc.reconstruction])[None], upscale=5),
                 caption="Your drawing as the model sees it (prepared like the training images), and its "
                         "reconstruction from the code",
                 alt="Your drawing, 28 by 28, beside its reconstruction")
        assert enc.probs is not None and enc.recon_probs is not None
        drawn_as, redrawn_as = _reading(enc.probs, s.test.classes), _reading(enc.recon_probs, s.test.classes)
        st.markdown(f"The shipped classifier `{name}` reads your drawing as {drawn_as} and its "
                    f"reconstruction as {redrawn_as}.")
    code = ", ".join(f"{v:.2f}" for v in enc.code[:8]) + (", …" if enc.code.size > 8 else "")
    fig = fg.latent_figure(s.lmap, s.test.classes, [("yours", *enc.point)])
    st.plotly_chart(fig, key="l5ae_fig_drawn")
    where = "" if s.lmap.explained is None else " (projected on the test codes' first two principal axes)"
    st.caption(f"Your drawing's code z = ({code}), ringed among the test images' codes{where}.")
