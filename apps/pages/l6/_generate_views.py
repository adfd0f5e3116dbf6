"""Views of the text-generation page (``generate.py``): the held-out table and the GPT's attention."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from apps.common import state as ui
from core import checkpoints
from core.text import figures as fg
from core.text import gpt, lm
from core.viz.style import fast_figure

LABELS = {"char-lstm-shakespeare": "LSTM", "char-rnn-shakespeare": "Vanilla RNN",
          "gpt-shakespeare": "Small GPT"}
ATTENTION_CHARS = 48
"""The heat map shows the attention over the last this many characters of the prefix (more are unreadable)."""


def held_out_table(names: tuple[str, ...]) -> None:
    """Bits per character and perplexity on The Tempest of every shipped model and the count baselines."""
    rows, base = [], None
    for name in names:
        try:
            ent = checkpoints.entry(name)
        except checkpoints.CheckpointError:
            continue  # a model whose entry is missing is left out of the table, not guessed
        base = ent.metrics
        rows.append((LABELS.get(name, name), f"{ent.params:,}", ent.metrics["test_bpc"]))
    if base is not None:
        rows += [("bigram counts", "", base["bigram_bpc"]), ("unigram counts", "", base["unigram_bpc"])]
    rows.append((f"uniform over {len(lm.ALPHABET)}", "", math.log2(len(lm.ALPHABET))))
    st.plotly_chart(fg.bpc_figure([(r[0], r[2]) for r in rows]), key="l6gen_bpc")
    st.dataframe([{"model": m, "parameters": p, "bits per character": round(b, 3),
                   "perplexity": round(2**b, 2)} for m, p, b in rows], hide_index=True)


def _chars_seen(ent: checkpoints.ManifestEntry) -> int:
    t = ent.config["training"]
    return int(t["steps"] * t["batch_size"] * t.get("seq_len", t.get("context", 0)))


def gpt_note(name: str, rival: str = "char-lstm-shakespeare") -> None:
    """Why the GPT here is the gallery's own, its size, and how it compares with the LSTM held out."""
    ent = checkpoints.entry(name)
    text = (f"GPT-2's weights cannot be downloaded here (the gallery runs offline), so the GPT-style model "
            f"is the gallery's own small GPT, trained on the same plays with `python -m core.train {name}`: "
            f"{ent.architecture} (GPT-2 small: 124 million, reading word pieces, not characters).")
    try:
        other = checkpoints.entry(rival)
    except checkpoints.CheckpointError:
        other = None
    if other is not None:
        mine, lstm = ent.metrics["test_bpc"], other.metrics["test_bpc"]
        text += (f" Held out it is {'better' if mine < lstm else 'worse'} than the LSTM ({mine:.2f} against "
                 f"{lstm:.2f} bits per character). It read {_chars_seen(ent) / 1e6:.1f} million training "
                 f"characters in {ent.train_seconds / 60:.0f} minutes of CPU, the LSTM "
                 f"{_chars_seen(other) / 1e6:.1f} million in {other.train_seconds / 60:.0f}: four "
                 "transformer layers cost far more per character than one recurrent step.")
    st.info(text, icon=":material/info:")


def attention(model: gpt.CharGPT, prefix: str) -> None:
    """The last block's attention over the end of the prefix, one head (or their mean) at a time."""
    heads = model.shape.heads
    options = ("mean", *(str(h) for h in range(1, heads + 1)))
    head = ui.segmented("Attention head (last layer)", "l6gen_head", options, "mean",
                        format_func=lambda h: "mean of heads" if h == "mean" else f"head {h}")
    text, w = gpt.attention_map(model, prefix, chars=ATTENTION_CHARS)
    z = w.mean(0) if head == "mean" else w[int(head) - 1]
    st.plotly_chart(attention_figure(text, z.numpy()), key="l6gen_attn")
    st.caption(f"Row i: how much the character at position i looked at each earlier character in the last "
               f"of {model.shape.layers} layers (rows sum to 1; nothing above the diagonal: attention is "
               f"causal). The last {len(text)} characters of your prefix, read on their own.")


def attention_figure(text: str, weights: np.ndarray) -> go.Figure:
    labels = [f"{i + 1}:{fg.shown_char(c)}" for i, c in enumerate(text)]
    ticks = {"tickmode": "array", "tickvals": labels, "ticktext": [fg.shown_char(c) for c in text],
             "tickangle": 0}
    trace = {"type": "heatmap", "z": np.asarray(weights).round(3).tolist(), "x": labels, "y": labels,
             "colorscale": "Blues", "zmin": 0, "hovertemplate": "%{y} looks at %{x}: %{z:.3f}<extra></extra>"}
    return fast_figure([trace], "Where each character looks (last layer)", height=520, light=True,
                       xaxis={**ticks, "title": {"text": "looked at (key)"}},
                       yaxis={**ticks, "autorange": "reversed", "title": {"text": "looking (query)"}})
