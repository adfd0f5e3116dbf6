"""AppTest of the DCGAN page: every control changes what is shown, the labels under the samples are the
shipped classifier's, the readout shows the live and the shipped numbers, and a rerun or a move of the
other section's sliders recomputes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from apps.pages.l5 import _dcgan_parts as parts
from core import checkpoints
from core.generative import dcgan as dc
from core.generative import dcgan_training as dt
from tests.helpers import page, texts

PAGE = "apps/pages/l5/dcgan.py"


def app(params: dict[str, str] | None = None) -> AppTest:
    return page(PAGE, 60, params)


def captions(at: AppTest) -> list[list[str]]:
    """Each st.image call's captions: the samples' labels, then the interpolation's."""
    return [e.captions for e in at.get("image")]


def counted(fn: Callable[..., Any], name: str, calls: Counter[str]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        calls[name] += 1
        return fn(*args)

    return wrapper


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_shows_sixteen_labelled_samples_and_the_shipped_numbers() -> None:
    at = app()
    grid, path = captions(at)
    assert len(grid) == 16 and len(path) == 8
    gan = checkpoints.load_model(dt.CHECKPOINT)
    q = dc.judge(checkpoints.load_model("cnn-fashion-mnist"), dc.sample(gan, 0, 16))
    m = metrics(at)
    assert m["Confident (> 90%), these 16"] == f"{q.confident_share:.0%}"
    assert m["Classes covered, these"] == f"{q.classes_covered} / 10"
    shipped = checkpoints.entry(dt.CHECKPOINT).metrics
    assert m["Confident, 1,000 samples"] == f"{shipped['sample_confident_share']:.1%}"
    assert "seeds 0–15" in texts(at)


@pytest.mark.parametrize(("key", "value", "which"), [("l5dc_seed", 100, 0), ("l5dc_n", 8, 0),
                                                     ("l5dc_a", 7, 1), ("l5dc_b", 300, 1),
                                                     ("l5dc_steps", 12, 1)])
def test_every_slider_changes_what_is_shown(key: str, value: int, which: int) -> None:
    at = app()
    before = at.get("image")[which].value
    at.slider(key=key).set_value(value).run()
    assert not at.exception
    assert at.get("image")[which].value != before
    if key == "l5dc_n":
        assert len(captions(at)[0]) == 8
    if key == "l5dc_steps":
        assert len(captions(at)[1]) == 12


def test_seed_from_the_url_is_used() -> None:
    at = app({"l5dc_seed": "42"})
    assert at.slider(key="l5dc_seed").value == 42 and "seeds 42–57" in texts(at)


def test_reruns_and_the_other_section_reuse_what_was_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[str] = Counter()
    for name in ("judged_samples", "judged_interpolation"):
        monkeypatch.setattr(dc, name, counted(getattr(dc, name), name, calls))
    parts.sampled.clear()
    parts.interpolated.clear()
    at = app()
    grid = at.get("image")[0].value
    assert calls == {"judged_samples": 1, "judged_interpolation": 1}
    at.run()
    assert calls == {"judged_samples": 1, "judged_interpolation": 1}
    at.slider(key="l5dc_b").set_value(5).run()  # the interpolation's slider: the samples stay cached
    assert calls == {"judged_samples": 1, "judged_interpolation": 2}
    at.slider(key="l5dc_b").set_value(1).run()  # back to the first state: the same figure, from the cache
    assert calls == {"judged_samples": 1, "judged_interpolation": 2}
    assert not at.exception and at.get("image")[0].value == grid
