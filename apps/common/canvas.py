"""The pages' drawing canvas (Streamlit has no native one): white paper, black ink, exported as a PNG data
URL when a stroke ends. Inline HTML and JavaScript through ``st.components.v2``: nothing is fetched from a
CDN or the network. The data URL goes through ``core.data.images`` (the one decoder) like any upload.

A test feeds a drawing through session state: ``at.session_state[key] = {"png": "data:image/png;base64,…"}``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.data import images

UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "bmp", "gif")
"""What the upload beside a canvas accepts (the decoder reads each from its header)."""

CANVAS = st.components.v2.component(
    "gallery_canvas",
    html='<canvas width="280" height="280" style="border:1px solid #999;touch-action:none;cursor:crosshair">'
    '</canvas><br><button type="button">Clear</button>',
    js="""
export default function({ parentElement, setStateValue }) {
  const cv = parentElement.querySelector('canvas'), ctx = cv.getContext('2d');
  const clear = () => { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, cv.width, cv.height); };
  clear(); let down = false, last = null;
  ctx.lineWidth = 20; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#000';
  const at = (e) => { const r = cv.getBoundingClientRect();
    return [(e.clientX - r.left) * cv.width / r.width, (e.clientY - r.top) * cv.height / r.height]; };
  cv.onpointerdown = (e) => { down = true; last = at(e); cv.setPointerCapture(e.pointerId); };
  cv.onpointermove = (e) => { if (!down) return; const p = at(e);
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke(); last = p; };
  cv.onpointerup = () => { if (down) setStateValue('png', cv.toDataURL('image/png')); down = false; };
  parentElement.querySelector('button').onclick = () => { clear(); setStateValue('png', ''); };
}""",
)


def draw(key: str) -> str:
    """Show a canvas; the PNG data URL of what is drawn on it ('' while it is empty)."""
    return CANVAS(key=key, default={"png": ""}, on_png_change=lambda: None).png


def draw_or_upload(prefix: str, upload_label: str) -> tuple[str, Any]:
    """A canvas (key ``<prefix>_canvas``) with an upload under it (``<prefix>_upload``): (drawing, upload)."""
    return draw(f"{prefix}_canvas"), st.file_uploader(upload_label, type=list(UPLOAD_TYPES),
                                                      key=f"{prefix}_upload")


def picture(drawn: str, upload: Any) -> images.DecodedImage:
    """The upload if there is one, else the drawing, through the one decoder (ValueError saying why not)."""
    if upload is not None:
        return images.decode(upload.getvalue(), f"'{upload.name}'")
    return images.decode_data_url(drawn)
