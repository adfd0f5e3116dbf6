"""Gradio inputs whose values reach the endpoint undecoded and unchecked, so that the endpoint checks them.

Why not Gradio's own handling: an Image or Sketchpad input decodes the whole picture before the endpoint
runs (a 21 KB PNG claiming 400 million pixels took 8 GB and 18 s), a Slider lets NaN through its range
check and answers a string with a TypeError, and a Radio refuses a value with a message that shows Python
types. Here images arrive as file paths for :mod:`core.data.images` (the one decoder, which reads the
header first), and numbers and choices are checked by :func:`number` and :func:`choice` with the same
ranges as the Streamlit sliders and a message a user can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr
from gradio.data_classes import FileData

from core import checks
from core.checks import shown
from core.data import images


class _StockFrontEnd:
    """Drawn in the browser by the stock Gradio component it extends; only the server side differs.

    Gradio names a component's browser code after its class (``checkedslider``) unless the class says it
    is a template of its base; no such code exists, so the browser asked for it, got 404s, and showed
    no slider, radio or dropdown at all. The name is the stock component's (a Sketchpad's is its base's,
    ``imageeditor``, as Gradio's own templates are named)."""

    def get_block_name(self) -> str:
        stock = next(c for c in type(self).__mro__ if c.__module__.startswith("gradio."))
        return (stock.__base__ if hasattr(stock, "is_template") else stock).__name__.lower()

    def get_block_class(self) -> str:
        return self.get_block_name()


class RawImage(_StockFrontEnd, gr.Image):
    """An image upload handed to the endpoint as its temporary file path, never decoded by Gradio."""

    def preprocess(self, payload: Any) -> str | None:  # type: ignore[override]
        if payload is None:
            return None
        url = getattr(payload, "url", None)
        if isinstance(url, str) and url.startswith("data:"):
            return url  # decoded by core.data.images.decode_data_url
        return getattr(payload, "path", None)


class RawSketchpad(_StockFrontEnd, gr.Sketchpad):
    """A Sketchpad whose background, layers and composite arrive as file paths, never decoded by Gradio."""

    def convert_and_format_image(self, file: Any, flatten_on_white: bool = False) -> Any:  # type: ignore[override]
        if file is None:
            return None
        return file.path if isinstance(file, FileData) else bytes(file)


class CheckedSlider(_StockFrontEnd, gr.Slider):
    """A slider whose value reaches the endpoint as sent; the endpoint checks it with :func:`number`."""

    def preprocess(self, payload: Any) -> Any:  # type: ignore[override]
        return payload


class CheckedRadio(_StockFrontEnd, gr.Radio):
    """A radio whose value reaches the endpoint as sent; the endpoint checks it with :func:`choice`."""

    def preprocess(self, payload: Any) -> Any:  # type: ignore[override]
        return payload


class CheckedNumber(_StockFrontEnd, gr.Number):
    """A number box whose value reaches the endpoint as sent; the endpoint checks it with :func:`number`."""

    def preprocess(self, payload: Any) -> Any:  # type: ignore[override]
        return payload


class CheckedDropdown(_StockFrontEnd, gr.Dropdown):
    """A single-choice dropdown whose value reaches the endpoint as sent (checked with :func:`choice`)."""

    def preprocess(self, payload: Any) -> Any:  # type: ignore[override]
        return payload


def photo_picker(names: Sequence[str], default: str, label: str = "Photo",
                 upload_label: str = "…or upload one (≤ 10 MB)") -> tuple[CheckedDropdown, RawImage]:
    """A bundled-photo dropdown (``default`` when bundled, else the first photo) and an upload under it; the
    endpoint uses the upload instead when one is given."""
    photo = CheckedDropdown(list(names), value=default if default in names else names[0], label=label)
    return photo, RawImage(type="filepath", image_mode=None, label=upload_label, sources=["upload"])


def number(name: str, value: Any, lo: float, hi: float, integer: bool = True) -> Any:
    """``value`` (a number, or a string holding one) as an int (or float) in [lo, hi]; gr.Error otherwise.

    The rule and the message are :mod:`core.checks`' (NaN and infinities are refused, whatever the range)."""
    try:
        return checks.whole_number(value, name, lo, hi) if integer else checks.number(value, name, lo, hi)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None


def choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """The option equal to ``value`` (:func:`core.checks.choice`: 3 names "3", "0.01" names 0.01); gr.Error
    otherwise."""
    try:
        return checks.choice(value, name, options)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None


def decode_upload(path_or_url: str | bytes, max_side: int = images.DEFAULT_MAX_SIDE) -> images.DecodedImage:
    """A RawImage / RawSketchpad value decoded by the one decoder; gr.Error with its message otherwise."""
    try:
        if isinstance(path_or_url, bytes):
            return images.decode(path_or_url, "the image", max_side)
        if isinstance(path_or_url, str) and path_or_url.startswith("data:"):
            return images.decode_data_url(path_or_url, max_side)
        if not isinstance(path_or_url, str):
            raise images.ImageError(f"the image arrived as {shown(path_or_url)}, not as a file")
        return images.decode_file(path_or_url, max_side=max_side)
    except images.ImageError as exc:
        raise gr.Error(str(exc)) from None
