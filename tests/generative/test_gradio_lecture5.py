"""The lecture 5 Gradio tab over HTTP: /traverse, /sample and /interpolate answer with pictures of the
expected layout and refuse values outside the page's slider ranges with a clear message; /encode_drawing
encodes a Sketchpad drawing."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from apps.gradio_tabs import lecture5
from core.generative import ae_drawing as dr
from tests.helpers import gradio_tab_client
from tests.job_requests import cancel_when_running, recording_queue


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture5.build, "Lecture 5") as c:
        yield c


def picture(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def test_endpoints_are_published(client: Client) -> None:
    names = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/traverse", "/sample", "/interpolate", "/sample_mixture", "/encode_drawing"} <= set(names)


def test_traverse_has_one_row_per_latent_dimension(client: Client) -> None:
    # 28 px tiles with 2 px gaps, drawn 2x: rows x (28 + 2) - 2, times 2.
    two = picture(client.predict("vae-mnist-z2", 5, api_name="/traverse"))
    sixteen = picture(client.predict("vae-mnist-z16", 5, api_name="/traverse"))
    assert two.shape == (2 * (2 * 30 - 2), 2 * (5 * 30 - 2))
    assert sixteen.shape == (2 * (16 * 30 - 2), 2 * (5 * 30 - 2))


def test_sample_is_seeded(client: Client) -> None:
    a = picture(client.predict("vae-mnist-z2", 8, 1, api_name="/sample"))
    b = picture(client.predict("vae-mnist-z2", 8, 1, api_name="/sample"))
    c = picture(client.predict("vae-mnist-z2", 8, 2, api_name="/sample"))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_mixture_draws_are_seeded(client: Client) -> None:
    a = picture(client.predict("vae-mnist-z2", 5, 8, 1, api_name="/sample_mixture"))
    b = picture(client.predict("vae-mnist-z2", 5, 8, 1, api_name="/sample_mixture"))
    c = picture(client.predict("vae-mnist-z2", 5, 8, 2, api_name="/sample_mixture"))
    assert a.shape == (3 * 28, 3 * (8 * 30 - 2)) and np.array_equal(a, b) and not np.array_equal(a, c)


def test_a_mixture_is_fitted_as_one_job_of_the_queue_then_kept(client: Client,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    monkeypatch.setattr(lecture5, "_MIXTURES", {})
    a = picture(client.predict("vae-mnist-z2", 3, 4, 0, api_name="/sample_mixture"))
    assert [j.name for j in jobs] == ["gradio-mixture"] and jobs[0].status == "done"
    assert set(lecture5._MIXTURES) == {("vae-mnist-z2", 3)}
    b = picture(client.predict("vae-mnist-z2", 3, 4, 0, api_name="/sample_mixture"))
    assert len(jobs) == 1 and np.array_equal(a, b)  # the kept mixture answers without a job
    with pytest.raises(Exception, match="maximum value 64"):  # the slider's bound, over HTTP
        client.predict("vae-mnist-z2", 4, 65, 0, api_name="/sample_mixture")
    assert len(jobs) == 1  # refused before any fit


def test_a_cancelled_mixture_request_asks_its_job_to_stop(client: Client,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    monkeypatch.setattr(lecture5, "_MIXTURES", {})
    fit = lecture5._fit_mixture

    def slow_fit(name: str, k: int, job: Any) -> Any:  # a fit that lasts until the stop request reaches it
        deadline = time.monotonic() + 60
        while not job.should_stop() and time.monotonic() < deadline:
            time.sleep(0.05)
        return fit(name, k, job)

    monkeypatch.setattr(lecture5, "_fit_mixture", slow_fit)
    request = client.submit("vae-mnist-z2", 2, 8, 0, api_name="/sample_mixture")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop() and job.name == "gradio-mixture"
    # EM cannot be cut short: the fit ends, and is kept for the next request.
    assert ("vae-mnist-z2", 2) in lecture5._MIXTURES


def test_interpolate_shows_both_ends_and_the_steps(client: Client) -> None:
    row = picture(client.predict("ae-mnist-z16", 0, 1, 6, api_name="/interpolate"))
    assert row.shape == (3 * 28, 3 * ((6 + 2) * 30 - 2))


@pytest.mark.parametrize(("api", "args", "message"), [
    ("/traverse", ("vae-mnist-z2", 1000), "maximum value 15"),
    ("/sample", ("vae-mnist-z2", 100000, 0), "maximum value 64"),
    ("/sample", ("vae-mnist-z2", 8, -1), "minimum value 0"),
    ("/interpolate", ("vae-mnist-z2", 0, 5000, 5), "test image B must be a whole number from 0 to 999"),
    ("/interpolate", ("vae-mnist-z2", 0, 1, 99), "maximum value 16"),
    ("/traverse", ("no-such-model", 5), "not in the list of choices"),
    ("/sample_mixture", ("vae-mnist-z2", 30, 8, 0), "maximum value 20"),
])
def test_values_outside_the_sliders_are_refused(client: Client, api: str, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api)


@pytest.mark.parametrize(("fn", "args", "message"), [
    (lecture5.traverse, ("vae-mnist-z2", 1000), "from 3 to 15"),
    (lecture5.traverse, ("vae-mnist-z2", float("nan")), "whole number"),
    (lecture5.sample, ("vae-mnist-z2", 100000, 0), "from 1 to 64"),
    (lecture5.sample, ("vae-mnist-z2", 8, 1.5), "the seed must be a whole number"),
    (lecture5.interpolate, ("vae-mnist-z2", -1, 1, 5), "test image A"),
    (lecture5.interpolate, ("vae-mnist-z2", 0, 1, 99), "from 2 to 16"),
    (lecture5.traverse, ("no-such-model", 5), "unknown model"),
    (lecture5.sample_mixture, ("vae-mnist-z2", 21, 8, 0), "components must be a whole number from 1 to 20"),
    (lecture5.sample_mixture, ("vae-mnist-z2", float("nan"), 8, 0), "components must be a whole number"),
    (lecture5.sample_mixture, ("vae-mnist-z2", 3, 65, 0), "from 1 to 64"),
])
def test_the_endpoints_check_the_ranges_themselves(fn: Callable[..., Any], args: tuple, message: str) -> None:
    # The components' own bounds come first over HTTP; the functions refuse as well, with the page's ranges.
    with pytest.raises(gr.Error, match=message):
        out = fn(*args)
        if inspect.isgenerator(out):  # an endpoint that may train: it checks before its first yield
            next(out)


def _sketch(tmp_path: Any, points: list | None) -> dict:
    """A Sketchpad value as the browser sends it: black ink on a transparent 280x280 canvas."""
    ink = 1.0 - dr.stroke_image(points) if points else np.zeros((280, 280), np.float32)
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = (ink * 255).astype(np.uint8)
    path = tmp_path / "sketch.png"
    Image.fromarray(rgba, "RGBA").save(path)
    return {"background": None, "layers": [], "composite": handle_file(str(path))}


@pytest.mark.parametrize("name", ["vae-mnist-z2", "sbd-vae-mnist-z8"])
def test_a_drawn_one_is_encoded_and_read(client: Client, tmp_path: Any, name: str) -> None:
    pic, label, note = client.predict(name, _sketch(tmp_path, [(0.5, 0.15), (0.5, 0.85)]),
                                      api_name="/encode_drawing")
    assert picture(pic).shape == (5 * 28, 5 * (2 * 30 - 2))  # the drawing and its reconstruction
    assert label["label"] == "1"
    assert note.startswith("Code z = (") and "on the latent map" in note


def test_a_blank_drawing_gets_a_note_and_a_bad_model_an_error(client: Client, tmp_path: Any) -> None:
    pic, label, note = client.predict("vae-mnist-z2", _sketch(tmp_path, None), api_name="/encode_drawing")
    assert pic is None and not label and "blank" in note
    with pytest.raises(gr.Error, match="unknown model"):
        lecture5.encode_drawing("no-such-model", None)
