"""The photo and backbone pickers that lecture 4's pages share."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from core.data import images
from core.transfer import backbone as bb
from core.transfer import photos

UPLOAD = "upload"


def pick_photo(prefix: str) -> tuple[images.DecodedImage, str]:
    """A bundled photo or an upload, decoded by the one decoder, and its caption; stops the page with a
    clear message when there is nothing usable."""
    known = photos.photos()
    names = (*known, UPLOAD)
    titles = {n: p.title for n, p in known.items()} | {UPLOAD: "Your own photo…"}
    choice = ui.selectbox(
        "Photo",
        f"{prefix}_photo",
        names,
        "chelsea" if "chelsea" in known else names[0],
        format_func=titles.get,
    )
    if choice == UPLOAD:
        upload = st.file_uploader("Your photo (≤ 10 MB)", type=None, key=f"{prefix}_upload")
        if upload is None:
            st.info("Upload a photo (PNG, JPEG, GIF, BMP, TIFF or WebP) to classify it.")
            st.stop()
        try:
            decoded = images.decode(upload.getvalue(), f"'{upload.name}'")
        except images.ImageError as exc:
            st.error(str(exc))
            st.stop()
        return decoded, f"{upload.name}: {decoded.width}×{decoded.height} px ({decoded.format})"
    photo = known[choice]
    decoded = photos.load_photo(choice)
    return decoded, f"{photo.title}: {decoded.width}×{decoded.height} px, from {photo.source}"


def pick_backbone(prefix: str) -> bb.Backbone:
    """The backbone chosen (or the bundled one, saying why); stops the page if none can be loaded."""
    name = ui.radio(
        "Network",
        f"{prefix}_backbone",
        tuple(bb.BACKBONES),
        bb.DEFAULT,
        format_func=lambda n: bb.BACKBONES[n].title,
        horizontal=True,
    )
    try:
        with st.spinner("Loading the network…"):
            backbone, note = bb.resolve(name)
    except bb.BackboneUnavailable as exc:
        st.error(f"No ImageNet network is available: {exc}")
        st.stop()
    if note:
        st.warning(note)
    st.caption(f"{backbone.info.title}: weights from {backbone.provenance}.")
    return backbone
