"""Classifying a typed sentence with every shipped sentiment model, and the words that drove each decision.

Attributions are Integrated Gradients (Sundararajan et al. 2017) on the token-embedding layer (captum's
LayerIntegratedGradients): the path runs from the all-padding input (the zero vector for the LSTM; the
[PAD] embedding for MiniLM, with [CLS] and [SEP] kept; a line of spaces for the character GPT, whose tokens
are characters) to the sentence, and each token's share of the
predicted class's logit is the sum over its embedding dimensions. Positive: pushed towards the class.
The shares add up to the logit's change along the path (the completeness axiom), which is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core.text import minilm
from core.text.words import MAX_CHARS, MAX_TOKENS, clean, tokenize

CLASSIFIERS = ("lstm-sentiment-tweets", "minilm-probe-sentiment-tweets", "gpt-probe-sentiment-tweets")
IG_STEPS = 32


@dataclass(frozen=True)
class Explanation:
    """One model's answer for one text."""

    model: str
    probs: np.ndarray
    """(C,) class probabilities."""
    classes: tuple[str, ...]
    tokens: list[str]
    """What the model read (word-level tokens, or WordPieces with [CLS]/[SEP])."""
    attributions: np.ndarray
    """(len(tokens),) each token's share of the predicted class's logit."""
    delta: float
    """Completeness gap: logit change minus the sum of the shares (small when IG has enough steps)."""
    note: str
    """What was left out or unknown, for the page (empty if nothing)."""

    @property
    def label(self) -> str:
        return self.classes[int(self.probs.argmax())]


def check_text(text: object) -> str:
    """``text`` ready for the models; ValueError with a message for input that cannot be classified."""
    if not isinstance(text, str):
        raise ValueError("type a sentence (text)")
    if not clean(text).strip():
        raise ValueError("the text is empty: type a sentence to classify")
    return text


def _note(text: str, n_read: int, unknown: int, limit: int, what: str) -> str:
    parts = []
    if len(text) > MAX_CHARS:
        parts.append(f"only the first {MAX_CHARS:,} of {len(text):,} characters were read")
    if n_read >= limit:
        parts.append(f"only the first {limit} {what} were read")
    if unknown:
        parts.append(f"{unknown} of {n_read} {what} are unknown to this model")
    return "; ".join(parts)


def _lstm(model: torch.nn.Module, text: str) -> tuple[Tensor, list[str], np.ndarray, float, str]:
    from captum.attr import LayerIntegratedGradients

    tokens = tokenize(text) or ["<unk>"]
    ids, lengths = model.encode([text])
    with torch.no_grad():
        logits = model(ids, lengths)[0]
    target = int(logits.argmax())
    lig = LayerIntegratedGradients(lambda t, n: model(t, n), model.embedding)
    attr, delta = lig.attribute(ids, torch.zeros_like(ids), additional_forward_args=(lengths,), target=target,
                                n_steps=IG_STEPS, return_convergence_delta=True)  # fmt: skip
    unknown = int((ids == 1).sum())
    note = _note(text, len(tokens), unknown, MAX_TOKENS, "words")
    return logits, tokens, attr.sum(-1)[0].detach().numpy(), float(delta), note


def _probe(model: torch.nn.Module, text: str,
           bert: torch.nn.Module | None = None) -> tuple[Tensor, list[str], np.ndarray, float, str]:
    """``model`` reads the sentence vector of ``bert`` (default: the frozen bundled MiniLM)."""
    from captum.attr import LayerIntegratedGradients

    tok, frozen = minilm.encoder()
    bert = frozen if bert is None else bert
    batch = minilm.tokenize([text])
    ids, mask = batch["input_ids"], batch["attention_mask"]

    def forward(input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        out = bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return model(minilm.pool(out, attention_mask))

    with torch.no_grad():
        logits = forward(ids, mask)[0]
    target = int(logits.argmax())
    base = torch.full_like(ids, tok.pad_token_id)
    base[:, 0], base[:, -1] = ids[:, 0], ids[:, -1]  # keep [CLS] and [SEP]: only the words are varied
    lig = LayerIntegratedGradients(forward, bert.embeddings.word_embeddings)
    attr, delta = lig.attribute(ids, base, additional_forward_args=(mask,), target=target, n_steps=IG_STEPS,
                                internal_batch_size=IG_STEPS, return_convergence_delta=True)  # fmt: skip
    pieces = tok.convert_ids_to_tokens(ids[0].tolist())
    unknown = sum(p == tok.unk_token for p in pieces)
    note = _note(text, len(pieces), unknown, minilm.MAX_WORDPIECES, "WordPiece tokens")
    return logits, pieces, attr.sum(-1)[0].detach().numpy(), float(delta), note


def _gpt(model: torch.nn.Module, text: str) -> tuple[Tensor, list[str], np.ndarray, float, str]:
    from captum.attr import LayerIntegratedGradients

    from core.text import finetune_gpt, shipped
    from core.text.lm import ALPHABET, encode
    from core.text.lm import clean as to_alphabet

    net = shipped(finetune_gpt.GPT)
    mapped = to_alphabet(text, None)
    cleaned = mapped.text
    read = cleaned[: net.context] or "\n"  # what sentence_features reads
    ids = encode(read)[None]

    def forward(x: Tensor) -> Tensor:
        return model(net.hidden(x).mean(1))

    with torch.no_grad():
        logits = forward(ids)[0]
    target = int(logits.argmax())
    base = torch.full_like(ids, ALPHABET.index(" "))  # a line of spaces: the characters are what varies
    lig = LayerIntegratedGradients(forward, net.tok)
    attr, delta = lig.attribute(ids, base, target=target, n_steps=IG_STEPS, internal_batch_size=IG_STEPS,
                                return_convergence_delta=True)  # fmt: skip
    parts = [f"only the first {net.context} characters were read"] if len(cleaned) > net.context else []
    if mapped.dropped:
        n, many = mapped.dropped, mapped.dropped > 1
        verb = "were" if many else "was"
        parts.append(f"{n} character{'s' * many} outside the GPT's alphabet {verb} left out")
    return logits, list(read), attr.sum(-1)[0].detach().numpy(), float(delta), "; ".join(parts)


def explain(name: str, text: str) -> Explanation:
    """The shipped model ``name``'s probabilities for ``text`` and each token's attribution."""
    from core.text import shipped_classifier

    text = check_text(text)
    model = shipped_classifier(name)
    with torch.enable_grad():
        how = {CLASSIFIERS[0]: _lstm, CLASSIFIERS[1]: _probe}.get(name, _gpt)
        logits, tokens, attr, delta, note = how(model, text)
    from core import checkpoints

    classes = tuple(checkpoints.entry(name).config["classes"])
    probs = torch.softmax(logits.detach().double(), 0).numpy()
    return Explanation(name, probs, classes, tokens, attr, delta, note)


def explain_finetuned(model: torch.nn.Module, text: str) -> Explanation:
    """A MiniLM fine-tuned in this session (:class:`core.text.finetune.FineTunedMiniLM`, not shipped): its
    probabilities for ``text`` and each WordPiece's attribution, as for the shipped models."""
    text = check_text(text)
    model.eval()
    with torch.enable_grad():
        logits, tokens, attr, delta, note = _probe(model.head, text, model.encoder)
    from core.data.text import TWEET_CLASSES

    probs = torch.softmax(logits.detach().double(), 0).numpy()
    return Explanation("minilm-finetuned (this session)", probs, TWEET_CLASSES, tokens, attr, delta, note)
