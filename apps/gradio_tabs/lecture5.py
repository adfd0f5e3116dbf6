"""Gradio tab of lecture 5: the shipped autoencoders and VAEs of MNIST, their latent space as pictures.

Endpoints (the same ranges as the Streamlit page's sliders, from ``core.generative.latent``):
``/traverse`` (model, steps) -> one row per latent dimension, each from -3 to 3;
``/sample`` (model, count, seed) -> decoded draws from the prior; ``/interpolate`` (model, test image A,
test image B, steps) -> the two test images and the decoded line between their codes;
``/sample_mixture`` (model, components, count, seed) -> decoded draws from a Gaussian mixture fitted to
the codes of the test images (the fit, up to half a minute on two shared cores, runs through the job queue
of :mod:`apps.gradio_tabs.jobs` with a Stop button; fitted mixtures are kept and answer at once);
``/encode_drawing`` (model, sketch) -> the drawing as the model sees it beside its reconstruction, the
shipped classifier's probabilities for the drawing, and a note with the code, its place on the latent map
and the classifier's reading of the reconstruction.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Generator
from typing import Any

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import RawSketchpad, decode_upload
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core import checkpoints, data
from core.checks import whole_number
from core.generative import ae_drawing as dr
from core.generative import ae_training as tr
from core.generative import figures as fg
from core.generative import latent as lt

MODELS = tuple(tr.CHECKPOINTS)
MIXTURES_KEPT = 32
"""Fitted mixtures kept (model, components), the oldest dropped first."""
_MIXTURES: dict[tuple[str, int], lt.Mixture] = {}
_MIXTURES_LOCK = threading.Lock()


@functools.lru_cache(maxsize=len(MODELS))
def _shown(name: str) -> tuple[Any, lt.LatentMap, data.Dataset]:
    model = checkpoints.load_model(name)  # read-only, shared by every request
    test = data.load(model.config.dataset, "test")
    return model, lt.latent_map(model, test.X[: lt.MAP_IMAGES], test.y[: lt.MAP_IMAGES]), test


def _load(name: Any) -> tuple[Any, lt.LatentMap, data.Dataset]:
    if name not in MODELS:
        raise gr.Error(f"unknown model; choose one of {', '.join(MODELS)}")
    try:
        return _shown(name)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped model is not available: {exc}") from exc


def _checked(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except ValueError as exc:  # a value outside the sliders' ranges: the message names the range
        raise gr.Error(str(exc)) from exc


def traverse(name: str, steps: Any) -> np.ndarray:
    """One row per latent dimension, that dimension from -3 to 3 and the others at 0 (uint8 picture)."""
    model, lmap, _ = _load(name)
    return fg.image_grid(_checked(lt.traversal, model, lmap, steps), upscale=2)


def sample(name: str, count: Any, seed: Any) -> np.ndarray:
    """``count`` decoded draws from the prior (a Gaussian fitted to the codes for a plain autoencoder)."""
    model, lmap, _ = _load(name)
    return fg.image_grid(_checked(lt.sample, model, lmap, count, seed), cols=8)


def interpolate(name: str, a: Any, b: Any, steps: Any) -> np.ndarray:
    """Test images A and B at the ends, the decoded straight line between their codes in between."""
    model, _, test = _load(name)
    bounds = (0, len(test) - 1)
    i = _checked(whole_number, a, "test image A", *bounds)
    j = _checked(whole_number, b, "test image B", *bounds)
    row = _checked(lt.interpolate, model, test.X[i, 0], test.X[j, 0], steps)
    return fg.image_grid(np.concatenate([test.X[[i], 0], row, test.X[[j], 0]]))


def _fit_mixture(name: str, k: int, job: Any) -> lt.Mixture:
    """EM on the codes (run as a job); the mixture is kept even when the request that asked has gone."""
    job.report(message=f"fitting a {k}-component Gaussian mixture to the codes (EM)")
    mixture = lt.fit_mixture(_shown(name)[1].codes, k)
    with _MIXTURES_LOCK:
        _MIXTURES[(name, k)] = mixture
        while len(_MIXTURES) > MIXTURES_KEPT:
            del _MIXTURES[next(iter(_MIXTURES))]  # dicts keep insertion order: the oldest goes
    return mixture


def sample_mixture(name: str, components: Any, count: Any, seed: Any,
                   progress: gr.Progress = gr.Progress()  # noqa: B008
                   ) -> Generator[Any, None, None]:  # fmt: skip
    """``count`` decoded draws from a ``components``-Gaussian mixture fitted to the test images' codes: the
    last value yielded (before it, "no update" while a mixture not fitted yet is fitted as a job)."""
    model, _, _ = _load(name)
    k = _checked(whole_number, components, "the number of components", *lt.MIXTURE_COMPONENTS)
    _checked(whole_number, count, "the number of samples", *lt.SAMPLE_COUNT)  # before the fit, not after
    _checked(whole_number, seed, "the seed", *lt.SEED_RANGE)
    with _MIXTURES_LOCK:
        mixture = _MIXTURES.get((name, k))
    if mixture is None:
        mixture = yield from run_job(lambda job: _fit_mixture(name, k, job), "gradio-mixture", progress, 1)
    yield fg.image_grid(_checked(lt.mixture_sample, model, mixture, count, seed), cols=8)


@functools.lru_cache(maxsize=len(dr.CLASSIFIERS))
def _classifier(name: str) -> Any:
    return checkpoints.load_model(name)  # read-only, shared by every request


def _picture(value: Any) -> Any:
    """The Sketchpad value (background, layers, composite as file paths) or a plain upload's path."""
    if isinstance(value, dict):
        return value.get("composite") if value.get("composite") is not None else value.get("background")
    return value


def encode_drawing(name: str, sketch: Any) -> tuple[np.ndarray | None, dict[str, float] | None, str]:
    """Encode a drawing (dark ink on a light or transparent canvas) with a shipped model: the drawing as
    the model sees it beside its reconstruction, the classifier's probabilities, and a note."""
    model, lmap, test = _load(name)
    picture = _picture(sketch)
    if picture is None:
        return None, None, "Draw a digit (or a garment for a Fashion-MNIST model), then press Encode."
    try:
        clf = _classifier(dr.CLASSIFIERS[model.config.dataset])
        enc = dr.encode_drawing(model, lmap, decode_upload(picture).rgba, clf)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped classifier is not available: {exc}") from exc
    except gr.Error as exc:
        return None, None, f"Cannot encode this drawing: {exc.message}."
    except ValueError as exc:
        return None, None, f"Cannot encode this drawing: {exc}."
    assert enc.probs is not None and enc.recon_probs is not None
    probs = {c: float(p) for c, p in zip(test.classes, enc.probs, strict=True)}
    k = int(enc.recon_probs.argmax())
    axes = "z1, z2" if lmap.explained is None else "PC1, PC2 of the test codes"
    note = (f"Code z = ({', '.join(f'{v:.2f}' for v in enc.code)}); on the latent map ({axes}) at "
            f"({enc.point[0]:.2f}, {enc.point[1]:.2f}). The classifier reads the reconstruction as "
            f"**{test.classes[k]}** ({enc.recon_probs[k]:.0%}).")
    return fg.image_grid(np.stack([enc.image, enc.reconstruction])[None], upscale=5), probs, note


def build() -> None:
    """Lay out the latent-space explorer inside the current Blocks/Tab."""
    gr.Markdown(
        "### Autoencoders and VAEs on MNIST and Fashion-MNIST\nShipped models: a conv autoencoder (`ae`), a "
        "VAE, a beta-VAE (beta 4) and a VAE with a spatial broadcast decoder (`sbd-vae`), each with a 2- to "
        "32-dimensional code on both data sets. Traverse one dimension at a time, sample the prior, walk "
        "between two test images through the latent space, or draw a digit and encode it."
    )
    model = gr.Dropdown(list(MODELS), value="vae-mnist-z2", label="Model")
    with gr.Row():
        with gr.Column():
            steps = gr.Slider(*lt.TRAVERSAL_STEPS, value=lt.DEFAULT_TRAVERSAL_STEPS, step=1,
                              label="Traversal steps from -3 to 3")
            t_button = gr.Button("Traverse", variant="primary")
            t_out = gr.Image(label="Row i: z_i from -3 to 3", image_mode="L")
        with gr.Column():
            count = gr.Slider(*lt.SAMPLE_COUNT, value=lt.DEFAULT_SAMPLES, step=1, label="Samples")
            seed = gr.Slider(*lt.SEED_RANGE, value=0, step=1, label="Seed")
            s_button = gr.Button("Sample", variant="primary")
            s_out = gr.Image(label="Decoded draws from the prior", image_mode="L")
    with gr.Row():
        a = gr.Number(value=0, precision=0, label="Test image A (index in the test split)")
        b = gr.Number(value=1, precision=0, label="Test image B (index in the test split)")
        i_steps = gr.Slider(*lt.INTERPOLATION_STEPS, value=lt.DEFAULT_INTERPOLATION_STEPS, step=1,
                            label="Interpolation steps")
    i_button = gr.Button("Interpolate", variant="primary")
    i_out = gr.Image(label="A, the line between their codes, B", image_mode="L")
    gr.on([t_button.click], traverse, [model, steps], t_out, api_name="traverse")
    gr.on([s_button.click], sample, [model, count, seed], s_out, api_name="sample")
    k = gr.Slider(*lt.MIXTURE_COMPONENTS, value=lt.DEFAULT_COMPONENTS, step=1, label="Mixture components")
    m_start, m_stop = start_stop("Sample the mixture")
    m_out = gr.Image(label="Decoded draws from a Gaussian mixture fitted to the codes", image_mode="L")
    gr.on([i_button.click], interpolate, [model, a, b, i_steps], i_out, api_name="interpolate")
    wire(m_start, m_stop, sample_mixture, [model, k, count, seed], [m_out], "sample_mixture")
    with gr.Row():
        with gr.Column():
            sketch = RawSketchpad(label="Draw a digit (or a garment)", type="filepath", image_mode="RGBA",
                                  sources=("upload",), canvas_size=(280, 280), format="png",
                                  brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"))
            e_button = gr.Button("Encode", variant="primary")
        with gr.Column():
            e_out = gr.Image(label="As the model sees it, and its reconstruction", image_mode="L")
            e_probs = gr.Label(num_top_classes=3, label="The shipped classifier's reading of the drawing")
            e_note = gr.Markdown()
    gr.on([e_button.click], encode_drawing, [model, sketch], [e_out, e_probs, e_note],
          api_name="encode_drawing")
