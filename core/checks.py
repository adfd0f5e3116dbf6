"""Range checks shared by the subjects, the pages and the Gradio endpoints: one message, one rule.

A value from a slider, a URL or an API call is refused with a ValueError naming the allowed range or
choices and showing what arrived; NaN, infinities, booleans and text that is not a number never pass
(NaN fails every comparison, so the finiteness test comes first). A number may arrive as text ("0.01",
"5"), as JSON and URLs send it, and a whole number may arrive as 5.0.

- :func:`number`: a finite decimal in [lo, hi] (or (lo, hi]);
- :func:`whole_number`: an int in [lo, hi];
- :func:`choice`: one entry of a list of choices.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any


def shown(value: object) -> str:
    """``value`` as a message may show it: numbers and short text as they are, anything else by kind."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, numbers.Real):
        return f"{float(value):g}" if not isinstance(value, numbers.Integral) else str(int(value))
    if isinstance(value, str):
        return repr(value[:40] + ("…" if len(value) > 40 else ""))
    return f"a {type(value).__name__} value"


def _as_float(value: object) -> float | None:
    """``value`` as a float when it is a real number or text holding one (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
        return None
    try:
        return float(value)
    except (ValueError, OverflowError):  # "abc"; an int too large for a float
        return None


def number(value: object, name: str, lo: float, hi: float, above: bool = False) -> float:
    """``value`` as a finite float in [lo, hi] (in (lo, hi] if ``above``: a learning rate or a time budget
    of 0 means nothing); a ValueError naming the range otherwise."""
    x = _as_float(value)
    if x is None or not math.isfinite(x) or not (lo < x if above else lo <= x) or not x <= hi:
        span = f"above {lo:g} and at most {hi:g}" if above else f"from {lo:g} to {hi:g}"
        raise ValueError(f"{name} must be a number {span}, not {shown(value)}")
    return x


def whole_number(value: object, name: str, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi] (5.0 and "5" count as 5); a ValueError naming the range otherwise."""
    x = _as_float(value)
    if x is None or not math.isfinite(x) or x != int(x) or not lo <= x <= hi:
        raise ValueError(f"{name} must be a whole number from {int(lo)} to {int(hi)}, not {shown(value)}")
    # An int keeps every digit (a float would round values past 2**53; the range makes that moot today).
    return int(value) if isinstance(value, numbers.Integral) else int(x)


def _option(option: object) -> str:
    return f"{option:g}" if isinstance(option, (int, float)) and not isinstance(option, bool) else str(option)


def choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """The entry of ``choices`` that ``value`` names; a ValueError listing the choices otherwise.

    A number may arrive as text or as a float ("0.01", 64.0 for 64), and a number may name a choice
    written as text (3 for "3"). Booleans name no number: True is not the choice 1."""
    options = list(choices)
    x = _as_float(value)
    x = x if x is not None and math.isfinite(x) else None  # NaN and infinities name no choice
    for option in options:
        if isinstance(option, bool) or isinstance(value, bool):
            if option is value:
                return option
        elif isinstance(option, numbers.Real):
            # isclose: a value that went through text or JSON may differ in the last bits
            if x is not None and math.isclose(x, float(option), rel_tol=1e-9, abs_tol=1e-15):
                return option
        elif isinstance(value, str) or value is None:
            if value == option:
                return option
        elif x is not None and str(option) in (str(value), f"{x:g}"):
            return option
    raise ValueError(f"{name} must be one of {', '.join(map(_option, options))}; got {shown(value)}")
