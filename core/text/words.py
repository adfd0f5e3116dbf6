"""Word-level tokenisation for the LSTM classifier: the rules, the vocabulary, variable-length batches.

Tweets are lower-cased; links become ``<url>``, user names ``<user>``, numbers ``<num>``; a word is a run
of letters (any script), digits or apostrophes; any other visible character (punctuation, an emoji) is a
token of its own. The vocabulary is the most frequent words of the training texts; the rest map to
``<unk>``. The LSTM reads token ids, so a sentence in another language or of emoji only is mostly
``<unk>``: the page shows the tokens so that this is visible.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import torch
from torch import Tensor

PAD, UNK = "<pad>", "<unk>"
SPECIALS = (PAD, UNK, "<url>", "<user>", "<num>")
MAX_TOKENS = 64
"""Tokens read per text; a tweet has at most ~50, and a longer text is cut (the page says so)."""
MAX_CHARS = 20_000
"""Characters read per text before tokenising (a longer text is cut first)."""
_TOKEN = re.compile(r"https?://\S+|www\.\S+|@\w+|\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*|\S", re.UNICODE)


def clean(text: str) -> str:
    """``text`` with control characters (tabs, NULs, escape codes) as spaces, cut to :data:`MAX_CHARS`."""
    text = text[:MAX_CHARS]
    return "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)


def tokenize(text: str) -> list[str]:
    """The word-level tokens of ``text`` (at most :data:`MAX_TOKENS`)."""
    out = []
    for m in _TOKEN.finditer(clean(text).lower()):
        tok = m.group()
        if tok.startswith(("http://", "https://", "www.")):
            tok = "<url>"
        elif tok.startswith("@") and len(tok) > 1:
            tok = "<user>"
        elif tok[0].isdigit():
            tok = "<num>"
        out.append(tok)
        if len(out) == MAX_TOKENS:
            break
    return out


def build_vocab(texts: Iterable[str], size: int, min_count: int = 2) -> tuple[str, ...]:
    """:data:`SPECIALS` then the ``size - len(SPECIALS)`` most frequent tokens seen ``min_count`` times
    (ties broken alphabetically, so the same texts give the same vocabulary)."""
    counts = Counter(t for text in texts for t in tokenize(text))
    words = sorted((w for w, c in counts.items() if c >= min_count and w not in SPECIALS),
                   key=lambda w: (-counts[w], w))
    return SPECIALS + tuple(words[: max(0, size - len(SPECIALS))])


class Vocab:
    """Token <-> id; unknown tokens map to ``<unk>`` (id 1), padding is id 0."""

    def __init__(self, words: Sequence[str]) -> None:
        if tuple(words[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary starts with {SPECIALS}")
        self.words = tuple(words)
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; an empty text reads as one ``<unk>`` (the LSTM needs a step)."""
        ids = [self.index.get(t, 1) for t in tokenize(text)]
        return ids or [1]

    def to_bytes(self) -> Tensor:
        """The words as one uint8 tensor (UTF-8, newline-separated): stored in the weights file."""
        return torch.frombuffer(bytearray("\n".join(self.words).encode("utf-8")), dtype=torch.uint8)

    @classmethod
    def from_bytes(cls, data: Tensor) -> Vocab:
        return cls(bytes(data.tolist()).decode("utf-8").split("\n"))


def collate(ids: Sequence[Sequence[int]]) -> tuple[Tensor, Tensor]:
    """Pad a list of id sequences to (B, T_max) with 0 and return it with the (B,) lengths."""
    lengths = torch.tensor([len(s) for s in ids], dtype=torch.long)
    out = torch.zeros(len(ids), int(lengths.max()), dtype=torch.long)
    for i, s in enumerate(ids):
        out[i, : len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out, lengths


class TokenBatches:
    """Seeded shuffled mini-batches of variable-length texts, each padded only to its longest member:
    ``(tokens, lengths, labels)`` for :func:`core.training.fit`'s streamed-batch mode."""

    def __init__(self, ids: Sequence[Sequence[int]], labels: Tensor, batch_size: int,
                 seed: int | None) -> None:  # fmt: skip
        self.ids, self.labels, self.batch_size = list(ids), labels, batch_size
        self.gen = None if seed is None else torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.ids) // self.batch_size)

    def __iter__(self):  # noqa: ANN204
        n = len(self.ids)
        order = torch.randperm(n, generator=self.gen) if self.gen is not None else torch.arange(n)
        for i in range(0, n, self.batch_size):
            idx = order[i : i + self.batch_size]
            tokens, lengths = collate([self.ids[j] for j in idx.tolist()])
            yield tokens, lengths, self.labels[idx]
