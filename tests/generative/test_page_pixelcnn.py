"""AppTest of the PixelCNN page: the likelihoods are shown beside the VAE's bound, and every control
reaches the core call it drives (sampling, the replay step, completion, the dependency map)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import checkpoints, data
from core.generative import pixelcnn as pc
from core.generative import pixelcnn_training as pt
from tests.helpers import page, texts

PAGE = "apps/pages/l5/pixelcnn.py"


def app(params: dict[str, str] | None = None) -> AppTest:
    return page(PAGE, 180, params)


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    """The arguments of every sampling, completion and dependency call the page makes (caches cleared,
    so that each run reaches the core)."""
    st.cache_data.clear()
    seen: dict[str, list[tuple]] = {}
    for name in ("sample", "complete", "dependency_map"):
        real: Callable[..., Any] = getattr(pc, name)

        def spy(*args: Any, _real: Callable[..., Any] = real, _name: str = name) -> Any:
            seen.setdefault(_name, []).append(args)
            return _real(*args)

        monkeypatch.setattr(pc, name, spy)
    return seen


def test_the_likelihoods_sit_beside_the_vae_bound() -> None:
    at = app()
    metrics = {m.label: m.value for m in at.metric}
    shipped = checkpoints.entry(pt.CHECKPOINT).metrics["test_nll"]
    assert metrics["PixelCNN −log p(x), held-out"] == f"{shipped:.1f} nats"
    vae = float(metrics["VAE (16-D) −ELBO, same images"].split()[0])
    assert shipped < vae < 543
    assert "VAE −ELBO in its manifest" in metrics
    assert "Blind spot: earlier pixels within reach it never sees" in metrics


@pytest.mark.parametrize(("key", "kind", "value", "call", "check"), [
    ("l5px_t", "slider", 0.5, "sample", lambda a: a[2] == 0.5),
    ("l5px_t", "slider", 1.5, "complete", lambda a: a[3] == 1.5),
    ("l5px_n", "slider", 3, "sample", lambda a: a[1] == 3),
    ("l5px_seed", "number_input", 7, "sample", lambda a: a[3] == 7),
    ("l5px_img", "number_input", 17, "complete",
     lambda a: np.array_equal(a[1], data.load("mnist", "test").X[17])),
    ("l5px_nc", "slider", 2, "complete", lambda a: a[2] == 2),
    ("l5px_cseed", "number_input", 9, "complete", lambda a: a[4] == 9),
    ("l5px_row", "slider", 5, "dependency_map", lambda a: a[1] == 5),
    ("l5px_col", "slider", 20, "dependency_map", lambda a: a[2] == 20),
    ("l5px_depth", "slider", 2, "dependency_map", lambda a: a[3] == 2),
], ids=lambda v: v if isinstance(v, str) and v.startswith("l5") else "")
def test_each_control_reaches_its_core_call_and_the_url(
    calls: dict[str, list[tuple]], key: str, kind: str, value: Any, call: str, check: Callable[[tuple], bool]
) -> None:
    at = app()
    assert not check(calls[call][-1])
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert check(calls[call][-1])
    assert at.query_params[key] == str(value)


def test_the_replay_step_names_the_pixel_and_its_probabilities() -> None:
    at = app({"l5px_n": "2"})
    at.slider(key="l5px_step").set_value(30).run()
    assert not at.exception, at.exception
    line = next(c.value for c in at.caption if c.value.startswith("Pixel 30 "))
    assert "(row 1, column 2)" in line
    probs = [float(p) for p in line.split("= ")[1].split(", ")]
    assert len(probs) == 2 and all(0.0 <= p <= 1.0 for p in probs)
    at.slider(key="l5px_step").set_value(pc.PIXELS).run()
    assert not any(c.value.startswith("Pixel ") for c in at.caption)


def test_bad_links_fall_back_to_defaults() -> None:
    at = app({"l5px_t": "nan", "l5px_n": "99", "l5px_img": "-4", "l5px_depth": "0"})
    assert at.slider(key="l5px_t").value == 1.0 and at.slider(key="l5px_n").value == pc.DEFAULT_SAMPLES
    assert at.number_input(key="l5px_img").value == 0 and at.slider(key="l5px_depth").value >= 1
    assert "Blind spot: earlier pixels within reach it never sees" in texts(at)
