"""Gradio tab of lecture 6: classify a text with a shipped sentiment model and see the words behind it.

Endpoint ``/classify_text`` (text, model) -> class probabilities, the Integrated-Gradients attribution
of each token, and a note on what was cut or unknown. The models are those of the page
(``core.text.explain.CLASSIFIERS``); texts longer than ``core.text.words.MAX_CHARS`` are cut as on the page.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, choice
from core.text import explain as ex
from core.text import figures as fg
from core.text import words

LABELS = {"lstm-sentiment-tweets": "LSTM from scratch", "minilm-probe-sentiment-tweets": "MiniLM probe",
          "gpt-probe-sentiment-tweets": "GPT-features probe"}


def classify_text(text: Any, model: Any) -> tuple[dict[str, float], go.Figure, str]:
    """Probabilities of negative / neutral / positive, each token's attribution, and a note."""
    name = choice("model", model, ex.CLASSIFIERS)
    try:
        e = ex.explain(name, text)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    probs = {c: float(p) for c, p in zip(e.classes, e.probs)}
    figure = fg.attribution_figure(e.tokens, e.attributions, f"{LABELS[name]}: why '{e.label}'")
    return probs, figure, e.note


def build() -> None:
    gr.Markdown("### Classifying text\nSentiment of a tweet-like text by an LSTM trained from scratch, a "
                "linear probe on frozen all-MiniLM-L6-v2 or one on the character GPT's features, with the "
                "words (characters, for the GPT) that drove the decision (Integrated Gradients on the token "
                "embeddings).")
    with gr.Row():
        text = gr.Textbox(value="I can't believe how good this new phone is!", label="Text", lines=2,
                          max_length=words.MAX_CHARS)
        model = CheckedDropdown(list(ex.CLASSIFIERS), value=ex.CLASSIFIERS[1], label="Model")
    button = gr.Button("Classify", variant="primary")
    probs, figure = gr.Label(label="Sentiment"), gr.Plot(label="Words behind it")
    note = gr.Textbox(label="Note")
    gr.on([button.click], classify_text, [text, model], [probs, figure, note], api_name="classify_text")
