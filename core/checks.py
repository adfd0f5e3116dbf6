"""Range checks shared by the subjects, the pages and the Gradio endpoints: one message, one rule.

A value from a slider, a URL or an API call is refused with a ValueError naming the allowed range; NaN,
infinities, booleans and text that is not a number never pass (NaN fails every comparison, so the
finiteness test comes first).
"""

from __future__ import annotations

import math


def whole_number(value: object, name: str, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi]; a ValueError naming the range otherwise (NaN, inf, bools, text)."""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}") from None
    if not math.isfinite(number) or number != int(number) or not lo <= number <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}, not {value!s:.20}")
    return int(number)
