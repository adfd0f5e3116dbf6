"""Lecture 6, recurrent networks and text: the computational graph unfolded, vanishing gradients on a
long-range memory task, character-level language models that generate text.

Modules: ``lm`` (the alphabet, character models, next-character probabilities, sampling), ``lm_training``
(training on Shakespeare, held-out bits per character, the shipped checkpoints), ``unfold`` (a cell
unrolled over a typed text, every intermediate value kept), ``memory`` (the memory task, gradient norms
per step, the three cells trained side by side), ``figures`` (plots).

Public API (DESIGN.md): :func:`next_token_probs` and :func:`generate` on a shipped language model by
name (``char-lstm-shakespeare``, ``char-rnn-shakespeare``).
"""

from __future__ import annotations

import functools
from typing import Any

LANGUAGE_MODELS = ("char-lstm-shakespeare", "char-rnn-shakespeare")


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

