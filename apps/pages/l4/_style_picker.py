"""A bundled photo or an upload for the style page, with its own label and default."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from core.data import images
from core.transfer import photos

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
