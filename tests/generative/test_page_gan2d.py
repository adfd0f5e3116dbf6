"""AppTest of the 2D GAN page: every control reaches the run's settings and the URL, and a short run shows
the generator's samples, the modes it covers and both losses."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import finish_job, page

PAGE = "apps/pages/l5/gan2d.py"


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_before_training_the_page_shows_the_data() -> None:
    at = page(PAGE)
    assert "G 0.001 / D 0.001; 1 D update(s)" in captions(at)
    assert at.button(key="l5gan__start").disabled is False


CONTROLS: list[tuple[str, str, Any, str]] = [
    ("l5gan_steps", "select_slider", 500, "500 G updates"),
    ("l5gan_lrg", "select_slider", 0.01, "G 0.01 /"),
    ("l5gan_lrd", "select_slider", 0.0001, "/ D 0.0001;"),
    ("l5gan_k", "slider", 5, "5 D update(s)"),
    ("l5gan_seed", "number_input", 3, "seed 3."),
]


@pytest.mark.parametrize(("key", "kind", "value", "expected"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_each_control_reaches_the_run_and_the_url(key: str, kind: str, value: Any, expected: str) -> None:
    at = page(PAGE)
    assert expected not in captions(at)
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert expected in captions(at)
    assert at.query_params[key] == (f"{value:g}" if isinstance(value, float) else str(value))


def test_the_target_reaches_the_run() -> None:
    at = page(PAGE, params={"l5gan_target": "grid", "l5gan_steps": "500"})
    at.button(key="l5gan__start").click().run()
    finish_job(at, "l5gan", timeout=300)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Modes covered by the generator"].endswith("of 25")
    assert at.session_state["l5gan__job"].result.fit.steps == 500
