"""The style page's pickers: a bundled photo or an upload (own label and default), and the network."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from core.data import images
from core.transfer import backbone as bb
from core.transfer import photos, vgg
from core.transfer import style as sy

UPLOAD = "upload"


def pick(label: str, key: str, default: str) -> tuple[images.DecodedImage, str]:
    """The chosen photo decoded by the one decoder, and its caption; stops the page on a bad upload."""
    known = photos.photos()
    names = (*known, UPLOAD)
    titles = {n: p.title for n, p in known.items()} | {UPLOAD: "Your own photo…"}
    start = default if default in known else names[0]
    choice = ui.selectbox(label, key, names, start, format_func=titles.get)
    if choice != UPLOAD:
        return photos.load_photo(choice), f"{label}: {known[choice].title} ({known[choice].source})"
    upload = st.file_uploader(f"{label} (≤ 10 MB)", key=f"{key}_upload")
    if upload is None:
        st.info(f"Upload a photo (PNG, JPEG, GIF, BMP, TIFF or WebP) as the {label.lower()}.")
        st.stop()
    try:
        return images.decode(upload.getvalue(), f"'{upload.name}'"), f"{label}: {upload.name}"
    except images.ImageError as exc:
        st.error(str(exc))
        st.stop()


def pick_network(key: str) -> bb.Backbone:
    """The network chosen for the losses, or the bundled one with the reason shown; which serves, and why."""
    name = ui.radio("Network", key, tuple(sy.NETWORKS), vgg.NAME, format_func=sy.NETWORKS.get,
                    horizontal=True)  # fmt: skip
    spin = "Loading VGG-19 (the first time online, a 548 MB download into the torch hub cache)…"
    with st.spinner(spin if name == vgg.NAME else "Loading the network…"):
        backbone, note = sy.resolve(name)
    if note:
        st.warning(note, icon=":material/cloud_off:")
    why = ("the network of Gatys et al." if backbone.name == vgg.NAME else "bundled, so it needs no "
           "network" if note is None else "VGG-19's weights are not here")  # fmt: skip
    st.caption(f"{backbone.info.title} serves this page ({why}): weights from {backbone.provenance}.")
    return backbone
