"""Gradio tab of lecture 6: the shipped character-level models of Shakespeare (two recurrent, one small GPT).

Endpoints (the same ranges as the Streamlit pages, from ``core.text.lm`` and ``core.text.unfold``):
``/generate_text`` (model, prefix, length, temperature, top_k, seed) -> the continuation;
``/next_token`` (model, prefix) -> bars of the likeliest next characters;
``/unfold`` (model, text, units) -> hidden state (and LSTM gates) per character (recurrent models only).
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedSlider, choice, number, shown
from core import checkpoints
from core import text as lm_api
from core.text import figures as fg
from core.text import lm
from core.text import unfold as uf

MODELS = lm_api.LANGUAGE_MODELS
MAX_TEXT = 20_000
"""Longest text an endpoint accepts at all; only the last ``lm.MAX_PREFIX_CHARS`` are read."""


def _model(name: Any, models: tuple[str, ...] = MODELS) -> Any:
    name = choice("model", name, models)
    try:
        return name, lm_api.shipped(name)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped model is not available: {exc}") from None


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise gr.Error(f"{what} must be text, not {shown(value)}")
    if len(value) > MAX_TEXT:
        raise gr.Error(f"{what} is {len(value):,} characters long; at most {MAX_TEXT:,} are accepted")
    return value


def generate_text(name: Any, prefix: Any, length: Any, temperature: Any, top_k: Any, seed: Any) -> str:
    """``length`` characters continuing ``prefix``; top_k 96 means every character."""
    name, _ = _model(name)
    prefix = _text(prefix, "the prefix")
    n = number("length", length, *lm.LENGTH)
    t = number("temperature", temperature, *lm.TEMPERATURE, integer=False)
    k = number("top-k", top_k, *lm.TOP_K)
    s = number("seed", seed, *lm.SEED_RANGE)
    return lm_api.generate(name, prefix, n, t, None if k >= lm.TOP_K[1] else k, s)


def next_token(name: Any, prefix: Any) -> go.Figure:
    """The likeliest characters after ``prefix``."""
    _, model = _model(name)
    probs = lm.next_char_probs(model, _text(prefix, "the prefix"))
    return fg.next_char_figure(probs.numpy(), lm.ALPHABET)


def unfold(name: Any, text: Any, units: Any) -> tuple[go.Figure, go.Figure | None]:
    """The cell unrolled over ``text``: hidden state per character, and the LSTM's gates."""
    _, model = _model(name, lm_api.RECURRENT_MODELS)
    u = uf.unroll(model, _text(text, "the text"))
    n = number("units shown", units, *uf.UNITS)
    return fg.hidden_figure(u, n), fg.gates_figure(u, n) if u.cell == "lstm" else None


def build() -> None:
    """Lay out the character-model demos inside the current Blocks/Tab."""
    gr.Markdown("### Character-level models of Shakespeare\nAn LSTM, a vanilla RNN and a small GPT (the "
                "gallery's own: GPT-2's weights cannot be downloaded offline) trained on 41 works (The "
                "Tempest held out). Generate text, see the next-character odds, unroll a recurrent cell.")
    model = CheckedDropdown(list(MODELS), value=MODELS[0], label="Model")
    prefix = gr.Textbox(value="ROMEO.\nBut soft, what light", label="Prefix / text", lines=2)
    with gr.Row():
        length = CheckedSlider(*lm.LENGTH, value=300, step=1, label="Characters to generate")
        temperature = CheckedSlider(*lm.TEMPERATURE, value=0.8, step=0.05, label="Temperature")
        top_k = CheckedSlider(*lm.TOP_K, value=lm.TOP_K[1], step=1, label="Top-k (96 = all)")
        seed = CheckedSlider(*lm.SEED_RANGE, value=0, step=1, label="Seed")
    with gr.Row():
        g_button = gr.Button("Generate", variant="primary")
        n_button = gr.Button("Next-character odds")
    g_out = gr.Textbox(label="Continuation", lines=6)
    n_out = gr.Plot(label="Next character")
    units = CheckedSlider(*uf.UNITS, value=uf.DEFAULT_UNITS, step=1, label="Hidden units shown")
    u_button = gr.Button("Unroll the cell over the text")
    h_out, gates_out = gr.Plot(label="Hidden state per character"), gr.Plot(label="LSTM gates")
    gr.on([g_button.click], generate_text, [model, prefix, length, temperature, top_k, seed], g_out,
          api_name="generate_text")
    gr.on([n_button.click], next_token, [model, prefix], n_out, api_name="next_token")
    gr.on([u_button.click], unfold, [model, prefix, units], [h_out, gates_out], api_name="unfold")
