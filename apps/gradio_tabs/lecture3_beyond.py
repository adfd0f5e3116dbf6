"""Gradio tab of lecture 3: convolution beyond images, a kernel sliding along a time series and a 3D kernel
over a short video clip.

Endpoints, each with the ranges and choices of the page ``l3-beyond`` (constants of ``core.cnn.conv1d3d``):

- ``/convolve_series`` (noise σ, noise seed, kernel, kernel width, custom weights, padding, dilation,
  kernel position) -> the signal with the kernel's window and the output so far (``series_figure``), the
  numbers (kernel weights, output length, the output at the position) and a note. The series is
  ``time_series``, the kernel ``kernel_1d`` (``custom``: the weights typed, at most ``MAX_TAPS``), the
  convolution ``conv1d``.
- ``/convolve_video`` (moving object, speed, 3D kernel, frame) -> the clip as a film strip, the input and
  output frame with the response over time (``video_figure``), and the numbers (shapes, kernel parameters,
  mean |response| per output frame): ``synthetic_video``, ``kernel_3d``, ``conv3d``.

Both are cheap and deterministic (seeded series, synthetic clip): results are cached on the checked values.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import numpy as np
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, CheckedSlider, choice, number
from core.cnn import conv1d3d as c13

MAX_CUSTOM_CHARS = 24 * c13.MAX_TAPS
"""Longest custom-kernel text accepted: room for MAX_TAPS weights written out in full, no more to parse."""
Series = tuple[go.Figure, dict[str, Any], str]
Video = tuple[np.ndarray, go.Figure, dict[str, Any], str]


@functools.lru_cache(maxsize=32)
def _series(noise: float, seed: int, kernel: str, width: int, custom: str, padding: str, dilation: int,
            position: int) -> Series:
    signal = c13.time_series(c13.SERIES_LENGTH, noise, seed)
    try:
        weights = c13.kernel_1d(kernel, width, custom)
        out = c13.conv1d(signal, weights, padding, dilation)
    except ValueError as exc:
        raise gr.Error(f"Cannot apply this kernel: {exc}") from None
    shown = min(position, len(out) - 1)
    numbers = {"kernel": [round(float(w), 6) for w in weights], "taps": len(weights), "padding": padding,
               "dilation": dilation, "input_length": len(signal), "output_length": len(out),
               "position": shown, "output_at_position": round(float(out[shown]), 6)}  # fmt: skip
    note = (f"Kernel ({len(weights)} taps): `{', '.join(f'{w:.3g}' for w in weights)}`. Output length "
            f"{len(out)} (input {len(signal)}, {padding} padding); y[{shown}] = {out[shown]:.3f}. The same "
            f"{len(weights)} weights are used at every time step: weight sharing along time.")
    return c13.series_figure(signal, out, weights, position, padding, dilation), numbers, note


def convolve_series(noise: Any, seed: Any, kernel: Any, width: Any, custom: Any, padding: Any, dilation: Any,
                    position: Any) -> Series:
    """Convolve the seeded noisy time series with a 1D kernel: the sliding-window figure, numbers and a note.

    ``custom`` holds the weights (commas or spaces between them) and is read only for the kernel "custom";
    ``width`` is then ignored, as the page disables its slider."""
    k = choice("Kernel", kernel, c13.KERNELS_1D)
    text = custom if isinstance(custom, str) else ""
    if k == "custom" and len(text) > MAX_CUSTOM_CHARS:
        raise gr.Error(f"Custom kernel: at most {MAX_CUSTOM_CHARS} characters ({c13.MAX_TAPS} weights), "
                       f"not {len(text):,}")
    return _series(
        number("Noise σ", noise, *c13.NOISE[:2], integer=False),
        number("Noise seed", seed, *c13.NOISE_SEED[:2]),
        k,
        number("Kernel width (taps)", width, *c13.TAPS[:2]),
        text if k == "custom" else "",
        choice("Padding", padding, c13.PADDINGS),
        number("Dilation", dilation, *c13.DILATION[:2]),
        number("Kernel position", position, 0, c13.SERIES_LENGTH - 1),
    )


@functools.lru_cache(maxsize=32)
def _video(shape: str, speed: int, kernel: str, frame: int) -> Video:
    video = c13.synthetic_video(c13.FRAMES, c13.FRAME_SIZE, shape, speed)
    weights = c13.kernel_3d(kernel)
    response = c13.conv3d(video, weights)
    energy = c13.motion_energy(response)
    numbers = {"input_shape": list(video.shape), "kernel_shape": list(weights.shape),
               "output_shape": list(response.shape), "kernel_parameters": c13.kernel_params(weights),
               "frame": min(frame, len(response) - 1),
               "mean_abs_response": [round(float(e), 6) for e in energy]}  # fmt: skip
    note = (f"Shapes: {c13.shape_text(video, weights)}. The kernel has {c13.kernel_params(weights)} "
            "parameters (with bias), shared across all positions *and* frames. The temporal difference "
            "fires only where something moves and is exactly zero on the static background or at speed 0; "
            "a spatial edge kernel fires on every edge, moving or not.")
    return c13.filmstrip(video), c13.video_figure(video, response, frame), numbers, note


def convolve_video(shape: Any, speed: Any, kernel: Any, frame: Any) -> Video:
    """A 3D kernel over the synthetic clip: film strip, input/output frame and response over time, numbers,
    a note. A frame past the output's last (a kernel longer than one frame in time) shows the last."""
    return _video(
        choice("Moving object", shape, c13.SHAPES),
        number("Speed (pixels per frame)", speed, *c13.SPEED[:2]),
        choice("3D kernel", kernel, c13.KERNELS_3D),
        number("Frame", frame, 0, c13.FRAMES - 1),
    )


def build() -> None:
    """Lay out the 1D and 3D convolutions inside the current Blocks/Tab."""
    gr.Markdown("### 1D and 3D convolution\nThe same operation as in a 2D CNN, with the kernel sliding "
                "along time (a noisy series with a step: smoothing blurs it, derivatives spike on it) or "
                "along time × height × width (a short synthetic video: a temporal kernel sees only what "
                "moves).")
    with gr.Row():
        noise = CheckedSlider(*c13.NOISE[:2], value=c13.NOISE[2], step=c13.NOISE_STEP, label="Noise σ")
        seed = CheckedSlider(*c13.NOISE_SEED[:2], value=c13.NOISE_SEED[2], step=1, label="Noise seed")
        kernel = CheckedDropdown(list(c13.KERNELS_1D), value="moving average", label="Kernel")
        width = CheckedSlider(*c13.TAPS[:2], value=c13.TAPS[2], step=1, label="Kernel width (taps)")
    with gr.Row():
        custom = gr.Textbox(value="1, 0, -1", max_length=MAX_CUSTOM_CHARS,
                            label="Custom kernel: weights separated by commas (kernel 'custom')")
        padding = CheckedRadio(list(c13.PADDINGS), value="same", label="Padding")
        dilation = CheckedSlider(*c13.DILATION[:2], value=c13.DILATION[2], step=1, label="Dilation")
        position = CheckedSlider(0, c13.SERIES_LENGTH - 1, value=c13.SERIES_LENGTH // 2, step=1,
                                 label="Kernel position (output step)")
    series_in = [noise, seed, kernel, width, custom, padding, dilation, position]
    first = convolve_series(*(c.value for c in series_in))
    series_out = [gr.Plot(first[0], label="The kernel sliding along the signal"),
                  gr.JSON(first[1], label="Numbers"), gr.Markdown(first[2])]
    triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in series_in]
    gr.on(triggers, convolve_series, series_in, series_out, api_name="convolve_series")

    with gr.Row():
        shape = CheckedDropdown(list(c13.SHAPES), value="ball", label="Moving object")
        speed = CheckedSlider(*c13.SPEED[:2], value=c13.SPEED[2], step=1, label="Speed (pixels per frame)")
        k3 = CheckedDropdown(list(c13.KERNELS_3D), value="temporal difference", label="3D kernel")
        frame = CheckedSlider(0, c13.FRAMES - 1, value=4, step=1, label="Frame")
    video_in = [shape, speed, k3, frame]
    strip, fig, numbers, note = convolve_video(*(c.value for c in video_in))
    video_out = [gr.Image(strip, label=f"The clip: every second frame of {c13.FRAMES}", image_mode="L"),
                 gr.Plot(fig, label="Input frame, output frame, response over time"),
                 gr.JSON(numbers, label="Numbers"), gr.Markdown(note)]
    triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in video_in]
    gr.on(triggers, convolve_video, video_in, video_out, api_name="convolve_video")
