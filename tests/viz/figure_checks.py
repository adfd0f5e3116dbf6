"""Checks on plotly figures that the tests of every subject share."""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

import numpy as np


def finite_figure(spec: str) -> bool:
    """True when a plotly JSON spec holds no NaN or ±inf: no bare NaN/Infinity token, and no non-finite
    number inside the base64 ("bdata") arrays plotly writes for numpy data. (A plain substring search
    for "NaN" would also hit base64 text.)"""

    def reject(token: str) -> float:
        raise ValueError(token)

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            if "bdata" in node and "dtype" in node:
                arr = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
                return bool(np.all(np.isfinite(arr))) if arr.dtype.kind == "f" else True
            return all(walk(v) for v in node.values())
        if isinstance(node, list):  # plotly writes a non-finite list entry as null
            return all(v is not None and walk(v) for v in node)
        return not (isinstance(node, float) and not math.isfinite(node))

    try:
        return walk(json.loads(spec, parse_constant=reject))
    except ValueError:
        return False


STREAMLIT_THEME_PX = 13.5
"""What Streamlit's chart theme draws ticks, legends and axis titles at when a figure sets no size."""
_AXIS = re.compile(r"^[xy]axis\d*$")


def small_text(fig: Any, min_px: float = 18.0) -> list[str]:
    """Every place a figure draws text below ``min_px``, as 'where: size' strings (empty when none).

    ``fig`` is a figure, a dict or a JSON spec. Ticks, axis titles, the title and the legend that set no
    size count at Streamlit's theme size (it fills them in); annotations, trace text and colour bars
    inherit ``layout.font``. Log axes must label every tick in full: plotly's minor-tick mantissas are
    3/4 size, and its powers of ten put the exponent in a smaller superscript."""
    spec = json.loads(fig) if isinstance(fig, str) else fig if isinstance(fig, dict) else fig.to_plotly_json()
    layout, problems = spec.get("layout", {}), []
    base = (layout.get("font") or {}).get("size", 12)

    def check(where: str, font: Any, default: float) -> None:
        size = (font or {}).get("size", default) if isinstance(font, dict) else default
        if size < min_px:
            problems.append(f"{where}: {size}")

    def title_font(node: Any) -> Any:
        return node.get("font") if isinstance(node, dict) else None

    check("layout.font", layout.get("font"), 12)
    if _text(layout.get("title")):
        check("title", title_font(layout["title"]), STREAMLIT_THEME_PX)
    if layout.get("showlegend", True) and any(t.get("showlegend", True) and t.get("name")
                                              for t in spec.get("data", [])):  # fmt: skip
        check("legend", (layout.get("legend") or {}).get("font"), STREAMLIT_THEME_PX)
    axes = {k for k in layout if _AXIS.match(k)}
    axes |= {f"{c}axis{ref[1:]}" for t in spec.get("data", []) for c in "xy"
             if isinstance(ref := t.get(f"{c}axis", c), str)}  # fmt: skip
    for name in sorted(axes):
        axis = layout.get(name) or {}
        if axis.get("showticklabels", True) and axis.get("visible", True):
            check(f"{name}.tickfont", axis.get("tickfont"), STREAMLIT_THEME_PX)
        if _text(axis.get("title")):
            check(f"{name}.title", title_font(axis["title"]), STREAMLIT_THEME_PX)
        if axis.get("type") == "log":
            labels = " ".join(map(str, axis.get("ticktext") or []))
            if not (axis.get("tickformat") or axis.get("tickmode") == "array") or "<sup>" in labels:
                problems.append(f"{name}: log ticks with small mantissas or superscripts")
    for i, note in enumerate(layout.get("annotations") or []):
        check(f"annotations[{i}]", note.get("font"), base)
    for i, trace in enumerate(spec.get("data", [])):
        if trace.get("text") is not None or trace.get("texttemplate"):
            check(f"data[{i}].textfont", trace.get("textfont"), base)
        bar = trace.get("colorbar") or (trace.get("marker") or {}).get("colorbar")
        if bar is not None or trace.get("type") in ("heatmap", "contour") and trace.get("showscale", True):
            check(f"data[{i}].colorbar.tickfont", (bar or {}).get("tickfont"), base)
            if _text((bar or {}).get("title")):
                check(f"data[{i}].colorbar.title", title_font(bar["title"]), base)
    return problems


def _text(title: Any) -> str:
    if isinstance(title, dict):
        return title.get("text") or ""
    return title if isinstance(title, str) else ""
