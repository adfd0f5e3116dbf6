"""AppTest of the autoencoder page: every control reaches the model cell, the training plan or the core
call it drives; every shipped cell answers with its own model and held-out numbers; a drawing is encoded,
redrawn and read by the classifier; a short live run replaces the shipped model."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import checkpoints, data
from core.generative import ae_drawing as dr
from core.generative import latent as lt
from tests.helpers import finish_job, page, texts

PAGE = "apps/pages/l5/autoencoders.py"


def app(params: dict[str, str] | None = None) -> AppTest:
    return page(PAGE, 120, params)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    """The arguments of every call the page makes to the latent-space functions."""
    seen: dict[str, list[tuple]] = {}
    for name in ("traversal", "sample", "interpolate", "decode_point", "mixture_sample"):
        real: Callable[..., Any] = getattr(lt, name)

        def spy(*args: Any, _real: Callable[..., Any] = real, _name: str = name) -> Any:
            seen.setdefault(_name, []).append(args)
            return _real(*args)

        monkeypatch.setattr(lt, name, spy)
    return seen


def test_the_default_cell_is_the_shipped_2d_vae() -> None:
    at = app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Active latent dimensions"] == "2 of 2"
    assert float(metrics["−ELBO, held-out"].split()[0]) < 200
    assert "shipped checkpoint `vae-mnist-z2`" in captions(at)
    assert "coloured by class: the codes themselves" in captions(at)


# (key, widget kind, value, text that must then appear in the captions and info boxes)
CELL: list[tuple[str, str, Any, str]] = [
    ("l5ae_data", "selectbox", "fashion-mnist", "fashion-mnist images"),
    ("l5ae_kind", "segmented_control", "ae", "Conv autoencoder: conv 16-32"),
    ("l5ae_z", "select_slider", 16, "z in R^16"),
    ("l5ae_lr", "select_slider", 0.001, "learning rate 0.001,"),
    ("l5ae_epochs", "slider", 3, "Training: 3 epochs"),
    ("l5ae_n", "select_slider", 1_000, "up to 1,000 mnist images"),
    ("l5ae_seed", "number_input", 7, "seed 7;"),
]


@pytest.mark.parametrize(("key", "kind", "value", "expected"), CELL, ids=[c[0] for c in CELL])
def test_each_cell_or_training_control_reaches_the_config_and_the_url(
    key: str, kind: str, value: Any, expected: str
) -> None:
    at = app()
    assert expected not in captions(at)
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert expected in captions(at)
    assert at.query_params[key] == str(value)


@pytest.mark.parametrize(("params", "name"), [
    ({"l5ae_data": "fashion-mnist"}, "vae-fashion-mnist-z2"),
    ({"l5ae_kind": "sbd-vae"}, "sbd-vae-mnist-z2"),
    ({"l5ae_z": "8"}, "vae-mnist-z8"),
    ({"l5ae_kind": "ae", "l5ae_z": "32", "l5ae_data": "fashion-mnist"}, "ae-fashion-mnist-z32"),
    ({"l5ae_kind": "beta-vae", "l5ae_z": "4"}, "beta-vae-mnist-z4"),
])
def test_every_shipped_cell_answers_with_its_own_model_and_numbers(params: dict[str, str], name: str) -> None:
    at = app(params)
    assert not at.exception, at.exception
    assert f"shipped checkpoint `{name}`" in captions(at)
    m = checkpoints.entry(name).metrics
    shown = {x.label: x.value for x in at.metric}
    assert shown["Reconstruction −log p(x|z)"] == f"{m['test_recon']:.1f} nats"
    if "test_neg_elbo" in m:
        assert shown["−ELBO, held-out"] == f"{m['test_neg_elbo']:.1f} nats"
    if params.get("l5ae_z", "2") != "2":
        assert "their first two principal components" in captions(at)


def _png(points: list | None) -> str:
    sheet = dr.stroke_image(points) if points else np.ones((280, 280), np.float32)
    buf = io.BytesIO()
    Image.fromarray((sheet * 255).astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_a_drawn_one_is_encoded_redrawn_marked_and_read_by_the_classifier() -> None:
    at = app()
    assert any("Draw a digit" in i.value for i in at.info)
    at.session_state["l5ae_canvas"] = {"png": _png([(0.5, 0.15), (0.5, 0.85)])}
    at.run()
    assert not at.exception, at.exception
    reading = " ".join(m.value for m in at.markdown if "classifier" in m.value)
    assert "`cnn-mnist` reads your drawing as **1**" in reading and "reconstruction as **1**" in reading
    assert "Your drawing's code z = (" in captions(at)
    assert any(c.proto.spec and '"yours"' in c.proto.spec for c in at.get("plotly_chart"))


def test_a_blank_drawing_is_explained_not_encoded() -> None:
    at = app()
    at.session_state["l5ae_canvas"] = {"png": _png(None)}
    at.run()
    assert not at.exception, at.exception
    assert any("Cannot encode this drawing" in e.value and "blank" in e.value for e in at.error)


def test_the_projection_control_lays_the_codes_out_by_t_sne(monkeypatch: pytest.MonkeyPatch) -> None:
    laid_out: list[int] = []

    def quick(lmap: lt.LatentMap, seed: object = 0) -> lt.LatentMap:  # t-SNE itself is tested in core
        laid_out.append(len(lmap.codes))
        return replace(lmap, coords=lmap.coords[:, ::-1].copy(), explained=None, origin=None, axes=None,
                       method="tsne")

    monkeypatch.setattr(lt, "tsne_map", quick)
    at = app({"l5ae_z": "16", "l5ae_kind": "ae"})
    assert "coloured by class: their first two principal components" in captions(at)
    at.segmented_control(key="l5ae_proj").set_value("t-SNE").run()
    assert not at.exception, at.exception
    assert "coloured by class: t-SNE" in captions(at) and laid_out == [1000]
    assert at.query_params["l5ae_proj"] == "t-SNE"


def test_beta_reaches_the_beta_vae_and_an_unshipped_beta_asks_for_training() -> None:
    at = app({"l5ae_kind": "beta-vae"})
    assert "beta-VAE, beta 4" in captions(at) and "`beta-vae-mnist-z2`" in captions(at)
    at.select_slider(key="l5ae_beta").set_value(8.0).run()
    assert "beta-VAE, beta 8" in captions(at)
    assert "No shipped model for this cell" in texts(at) and not at.metric


@pytest.mark.parametrize(("key", "kind", "value", "call", "check"), [
    ("l5ae_steps", "slider", 5, "traversal", lambda a: a[2] == 5),
    ("l5ae_u0", "slider", 1.5, "traversal", lambda a: a[3][0] == 1.5),
    ("l5ae_u1", "slider", -2.0, "decode_point", lambda a: a[2][1] == -2.0),
    ("l5ae_ns", "slider", 10, "sample", lambda a: a[2] == 10),
    ("l5ae_sseed", "number_input", 5, "sample", lambda a: a[3] == 5),
    ("l5ae_isteps", "slider", 4, "interpolate", lambda a: a[3] == 4),
    ("l5ae_a", "number_input", 17, "interpolate",
     lambda a: np.array_equal(a[1], data.load("mnist", "test").X[17, 0])),
    ("l5ae_b", "number_input", 42, "interpolate",
     lambda a: np.array_equal(a[2], data.load("mnist", "test").X[42, 0])),
    ("l5ae_k", "slider", 3, "mixture_sample", lambda a: a[1].weights.shape == (3,)),
    ("l5ae_gseed", "number_input", 5, "mixture_sample", lambda a: a[3] == 5),
], ids=lambda v: v if isinstance(v, str) and v.startswith("l5") else "")
def test_each_view_control_reaches_its_core_call(
    calls: dict[str, list[tuple]], key: str, kind: str, value: Any, call: str, check: Callable[[tuple], bool]
) -> None:
    at = app()
    if call == "mixture_sample":  # the mixture is fitted on request only
        assert call not in calls
        at.toggle(key="l5ae_mix").set_value(True).run()
    assert not check(calls[call][-1])
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert check(calls[call][-1])


def test_bad_links_fall_back_to_defaults() -> None:
    at = app({"l5ae_z": "3", "l5ae_u0": "nan", "l5ae_kind": "gan", "l5ae_a": "99999"})
    assert at.select_slider(key="l5ae_z").value == 2 and at.slider(key="l5ae_u0").value == 0.0
    assert at.segmented_control(key="l5ae_kind").value == "vae"
    assert at.number_input(key="l5ae_a").value == 0


def test_a_short_live_run_replaces_the_shipped_model_and_is_recorded() -> None:
    at = app({"l5ae_epochs": "1", "l5ae_n": "1000"})
    at.button(key="l5ae__start").click().run()
    finish_job(at, "l5ae", timeout=300)
    assert not at.exception, at.exception
    assert "your run (this session)" in captions(at)
    assert "Run history" in texts(at)
    assert float({m.label: m.value for m in at.metric}["−ELBO, held-out"].split()[0]) > 0
