"""Checks on plotly figures that the tests of every subject share."""

from __future__ import annotations

import base64
import json
import math
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
