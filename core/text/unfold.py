"""Unfolding the computational graph: a recurrent cell applied once per character of a text you type.

An RNN is one cell, the same weights at every step, applied along the sequence: unrolled, it is a deep
feed-forward network with one layer per time step and shared weights (Goodfellow, Bengio & Courville,
ch. 10.1). Here the cells of the shipped character models are unrolled by hand, step by step, with the
equations of the papers, so every intermediate value can be shown:

- vanilla RNN (Elman 1990): h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh);
- LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000):
  i, f, o = sigmoid(...), g = tanh(...) from W_ih x_t + W_hh h_{t-1} + b; c_t = f * c_{t-1} + i * g;
  h_t = o * tanh(c_t).

A test checks that the hand-unrolled states equal those of ``torch.nn.RNN`` / ``torch.nn.LSTM``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core.text.lm import ALPHABET, CharRNN, clean, encode

MAX_CHARS = 80
"""Characters unrolled at most: one column each in the heat maps."""
UNITS = (4, 64)
"""How many hidden units the heat maps show (those that vary most along the text)."""
DEFAULT_UNITS = 24
GATES = ("input", "forget", "output")


@dataclass(frozen=True, eq=False)
class Unrolled:
    """Every intermediate value of one cell unrolled over a text."""

    cell: str
    """'rnn' or 'lstm'."""
    chars: str
    """The characters read, one per step (after cleaning, at most :data:`MAX_CHARS`)."""
    hidden: np.ndarray
    """(T, H) hidden state after each step."""
    gates: dict[str, np.ndarray]
    """LSTM only: 'input', 'forget', 'output' gate activations (T, H) in [0, 1], and 'cell' (T, H)."""
    predicted: str
    """The most likely next character after each step."""
    confidence: np.ndarray
    """(T,) its probability."""
    note: str
    """What had to be left out of the typed text, if anything."""


def _parameters(model: CharRNN) -> tuple[Tensor, Tensor, Tensor]:
    rnn = model.rnn
    if rnn.num_layers != 1:
        raise ValueError("only single-layer cells are unrolled here")
    return rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0


@torch.no_grad()
def unroll(model: CharRNN, text: str) -> Unrolled:
    """Run ``model``'s cell over ``text`` one character at a time and keep every intermediate value."""
    if model.cell not in ("rnn", "lstm"):
        raise ValueError("unrolling shows the vanilla RNN and the LSTM")
    cleaned = clean(text, limit=None)
    chars = cleaned.text[:MAX_CHARS] or "\n"
    notes = [cleaned.note().rstrip(".")] if cleaned.dropped else []
    if len(cleaned.text) > MAX_CHARS:
        notes.append(f"only the first {MAX_CHARS} characters are unrolled")
    if not cleaned.text:
        notes.append("nothing left to read, so the cell reads a line break")
    x = model.embed(encode(chars))
    w_ih, w_hh, b = _parameters(model)
    hidden_size = w_hh.shape[1]
    h, c = torch.zeros(hidden_size), torch.zeros(hidden_size)
    hs, record = [], {k: [] for k in (*GATES, "cell")}
    for t in range(len(chars)):
        pre = w_ih @ x[t] + w_hh @ h + b
        if model.cell == "rnn":
            h = torch.tanh(pre)
        else:
            i, f, g, o = pre.chunk(4)  # PyTorch's order of the four blocks
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            for k, v in zip((*GATES, "cell"), (i, f, o, c)):
                record[k].append(v)
        hs.append(h)
    hidden = torch.stack(hs)
    probs = torch.softmax(model.head(hidden), -1)
    conf, idx = probs.max(-1)
    gates = {k: torch.stack(v).numpy() for k, v in record.items() if v}
    note = ("; ".join(notes) + ".").capitalize() if notes else ""
    return Unrolled(model.cell, chars, hidden.numpy(), gates, "".join(ALPHABET[i] for i in idx.tolist()),
                    conf.numpy(), note)


def busiest_units(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` units whose value varies most along the sequence (ties: lower index), sorted."""
    if not UNITS[0] <= n <= UNITS[1]:
        raise ValueError(f"units shown must be from {UNITS[0]} to {UNITS[1]}")
    spread = values.std(0) if len(values) > 1 else np.abs(values[0])
    order = np.argsort(-spread, kind="stable")[: min(n, values.shape[1])]
    return np.sort(order)
