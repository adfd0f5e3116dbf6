"""Lecture 6, recurrent networks and text: the computational graph unfolded, vanishing gradients on a
long-range memory task, character-level language models that generate text.

Modules: ``lm`` (the alphabet, character models, next-character probabilities, sampling), ``lm_training``
(training on Shakespeare, held-out bits per character, the shipped checkpoints), ``gpt`` and
``gpt_training`` (a small character-level GPT, trained the same way; sentence features), ``unfold`` (a cell
unrolled over a typed text, every intermediate value kept), ``memory`` (the memory task, gradient norms
per step, the three cells trained side by side), ``figures`` (plots).

Homework 6 (text classification): ``words`` (word-level tokens, vocabulary, padded batches),
``minilm`` (the frozen all-MiniLM-L6-v2 encoder, cached sentence vectors), ``sentiment`` (LSTM and linear
probe trained on a chosen number of labelled tweets), ``sentiment_curve`` (the shipped models and the
accuracy-vs-labels curve), ``explain`` (a typed sentence, every model, Integrated-Gradients attributions).

Public API (DESIGN.md): :func:`next_token_probs` and :func:`generate` on a shipped language model by
name (``char-lstm-shakespeare``, ``char-rnn-shakespeare``, ``gpt-shakespeare``); :func:`classify` on a
shipped text classifier (``lstm-sentiment-tweets``, ``minilm-probe-sentiment-tweets``).
"""

from __future__ import annotations

import functools
from typing import Any

RECURRENT_MODELS = ("char-lstm-shakespeare", "char-rnn-shakespeare")
"""The shipped language models with a recurrent cell (what the unfolding page can unroll)."""
LANGUAGE_MODELS = (*RECURRENT_MODELS, "gpt-shakespeare")
TEXT_CLASSIFIERS = ("lstm-sentiment-tweets", "minilm-probe-sentiment-tweets", "gpt-probe-sentiment-tweets")


@functools.lru_cache(maxsize=8)
def shipped(name: str) -> Any:
    """The shipped model ``name`` (read-only, shared by every caller); CheckpointError if unusable."""
    from core import checkpoints

    return checkpoints.load_model(name)


def _language_model(name: str) -> Any:
    from core import checkpoints

    if not isinstance(name, str) or checkpoints.manifest().get(name) is None:
        raise ValueError(f"unknown language model {name!r}; shipped: {', '.join(LANGUAGE_MODELS)}")
    if checkpoints.entry(name).task != "language-model":
        raise ValueError(f"{name} is not a language model")
    return shipped(name)


def next_token_probs(name: str, prefix: str) -> dict[str, float]:
    """Probability of each character of the model's alphabet coming after ``prefix`` (sums to 1).
    Characters outside the alphabet are left out of the prefix; an empty prefix means a new line."""
    from core.text.lm import ALPHABET, next_char_probs

    probs = next_char_probs(_language_model(name), prefix).double()
    probs = probs / probs.sum()
    return dict(zip(ALPHABET, probs.tolist()))


def generate(name: str, prefix: str, length: int, temperature: float = 1.0, top_k: int | None = None,
             seed: int = 0) -> str:
    """``length`` characters that continue ``prefix`` (the continuation only), sampled with ``temperature``
    and, if given, from the ``top_k`` most likely characters at each step; the same seed, the same text."""
    from core.text.lm import check_sampling, sample

    check_sampling(length, temperature, top_k, seed)  # bad settings fail before the model is loaded
    return sample(_language_model(name), prefix, length, temperature, top_k, seed)



def shipped_classifier(name: str) -> Any:
    """The shipped text classifier ``name``; ValueError if it is not one."""
    from core import checkpoints

    if not isinstance(name, str) or checkpoints.manifest().get(name) is None:
        raise ValueError(f"unknown text classifier {name!r}; shipped: {', '.join(TEXT_CLASSIFIERS)}")
    if checkpoints.entry(name).task != "text-classifier":
        raise ValueError(f"{name} is not a text classifier")
    return shipped(name)


def classify(name: str, texts: list[str]) -> Any:
    """(N, C) class probabilities (rows sum to 1) of the shipped text classifier ``name`` for ``texts``,
    classes in the order of the manifest's ``config.classes``. Control characters count as spaces; an
    empty text is classified as it is (the LSTM reads one unknown word, MiniLM only [CLS] [SEP])."""
    import numpy as np
    import torch

    from core.text import minilm, sentiment

    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts must be a list of strings")
    model = shipped_classifier(name)
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 256):
            chunk = list(texts[i : i + 256])
            if isinstance(model, sentiment.ProbeBank):
                logits = model(torch.from_numpy(minilm.embed(chunk)))
            else:
                logits = model(*model.encode(chunk))
            out.append(torch.softmax(logits.double(), 1).numpy())
    n_classes = len(checkpoints_classes(name))
    return np.concatenate(out) if out else np.zeros((0, n_classes))


def checkpoints_classes(name: str) -> tuple[str, ...]:
    """The class names of text classifier ``name``, in the order of its outputs."""
    from core import checkpoints

    return tuple(checkpoints.entry(name).config["classes"])
