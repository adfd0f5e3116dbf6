"""Character-level language models: the alphabet, recurrent models (RNN, LSTM, GRU), next-character
probabilities and sampling with temperature and top-k.

A character model reads text one character at a time and outputs, at every position, a distribution over
the next character (Karpathy 2015, "The unreasonable effectiveness of recurrent neural networks"). Its
state after a prefix summarises everything the prefix says about what comes next; generation samples a
character, feeds it back in, and repeats.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.registry import register_builder

ALPHABET = "\n" + "".join(chr(i) for i in range(32, 127))
"""The characters every model here reads and writes: newline and printable ASCII (96)."""
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
CELLS = ("rnn", "lstm", "gru")
MAX_PREFIX_CHARS = 2_000
"""Only the last this many characters of a prefix are read (the state forgets faster than that anyway);
a 20,000-character paste costs what 2,000 do."""
TEMPERATURE = (0.1, 2.0)
LENGTH = (1, 1_000)
TOP_K = (1, len(ALPHABET))
SEED_RANGE = (0, 9_999)


@dataclass(frozen=True)
class CleanText:
    """A text as a model reads it: what was kept, and how much had to be dropped."""

    text: str
    """Characters of :data:`ALPHABET` only (accents stripped, tabs as spaces)."""
    dropped: int
    """Characters the models do not know (emoji, other scripts, control characters), left out."""
    truncated: int
    """Characters cut from the front because the prefix was longer than the limit."""

    def note(self) -> str:
        """One sentence for the page when something was left out; empty otherwise."""
        parts = []
        if self.dropped:
            parts.append(f"{self.dropped:,} character(s) the model does not know (it learnt from plain ASCII "
                         "English) were left out")
        if self.truncated:
            parts.append(f"only the last {MAX_PREFIX_CHARS:,} characters were read ({self.truncated:,} "
                         "earlier ones were not)")
        return ("; ".join(parts) + ".").capitalize() if parts else ""


def clean(text: str, limit: int | None = MAX_PREFIX_CHARS) -> CleanText:
    """Map ``text`` onto the alphabet: decompose accents (é -> e), tabs and other spaces to ' ', CRLF to
    newline; drop the rest. Keep the last ``limit`` characters."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    text = unicodedata.normalize("NFKD", text.replace("\r\n", "\n").replace("\r", "\n"))
    out, dropped = [], 0
    for ch in text:
        if ch in _INDEX:
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif not unicodedata.combining(ch):
            dropped += 1
    kept = "".join(out)
    cut = max(0, len(kept) - limit) if limit is not None else 0
    return CleanText(kept[cut:], dropped, cut)


def encode(text: str) -> Tensor:
    """int64 indices of an already clean text (see :func:`clean`)."""
    return torch.tensor([_INDEX[c] for c in text], dtype=torch.long)


def encode_corpus(text: str) -> Tensor:
    """A whole corpus as uint8 indices (5 MB of text: 5 MB of tensor), cleaned without a length limit."""
    table = torch.full((256,), 255, dtype=torch.uint8)
    for c, i in _INDEX.items():
        table[ord(c)] = i
    table[ord("\t")] = _INDEX[" "]
    raw = torch.frombuffer(bytearray(text.encode("latin-1", "replace")), dtype=torch.uint8).long()
    ids = table[raw]
    return ids[ids != 255].clone()


def decode(ids: Tensor | list[int]) -> str:
    return "".join(ALPHABET[int(i)] for i in ids)


class CharRNN(nn.Module):
    """Embedding -> recurrent layers (RNN with tanh, LSTM or GRU) -> linear read-out of next-char logits.

    ``forward(x)`` maps (B, T) indices to (B, T, V) logits; ``forward(x, state)`` continues from a state
    and :meth:`step` returns it too, for generation one character at a time."""

    def __init__(self, cell: str = "lstm", vocab: str = ALPHABET, embed: int = 32, hidden: int = 192,
                 layers: int = 1, **_training: object) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, not {cell!r}")
        if vocab != ALPHABET:
            raise ValueError("the checkpoint's alphabet is not the one this code reads")
        self.cell, self.vocab_size = cell, len(vocab)
        self.embed = nn.Embedding(self.vocab_size, embed)
        rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn(embed, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, self.vocab_size)

    def step(self, x: Tensor, state: object = None) -> tuple[Tensor, object]:
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state

    def forward(self, x: Tensor, state: object = None) -> Tensor:
        return self.step(x, state)[0]


@register_builder("char-rnn", task="language-model")
def build_char_rnn(**config: object) -> CharRNN:
    """A :class:`CharRNN` from a manifest config (training settings in it are ignored)."""
    return CharRNN(**config)  # type: ignore[arg-type]


def _start(text: str) -> Tensor:
    # An empty prefix starts where every work starts: after a line break.
    return encode(text or "\n").unsqueeze(0)


@torch.no_grad()
def next_char_probs(model: nn.Module, prefix: str) -> Tensor:
    """(V,) probabilities of the character after ``prefix`` (cleaned with :func:`clean`; a model with a
    bounded window reads the end of it)."""
    logits = model.step(_start(clean(prefix).text))[0][0, -1]
    return torch.softmax(logits.double(), -1).float()


def check_sampling(length: object, temperature: object, top_k: object, seed: object) -> tuple[int, float,
                                                                                             int | None, int]:
    """The sampling settings as numbers within the pages' ranges; ValueError naming the range otherwise."""
    def number(name: str, v: object, lo: float, hi: float, integer: bool) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}")
        x = float(v)
        if not (lo <= x <= hi) or (integer and x != int(x)):  # NaN fails the comparison
            kind = "a whole number" if integer else "a number"
            raise ValueError(f"{name} must be {kind} from {lo:g} to {hi:g}")
        return x

    n = int(number("length", length, *LENGTH, True))
    t = number("temperature", temperature, *TEMPERATURE, False)
    k = None if top_k is None else int(number("top-k", top_k, *TOP_K, True))
    s = int(number("seed", seed, *SEED_RANGE, True))
    return n, t, k, s


def filtered_probs(logits: Tensor, temperature: float, top_k: int | None) -> Tensor:
    """softmax(logits / temperature) restricted to the ``top_k`` most likely characters, renormalised."""
    scaled = logits.double() / temperature
    if top_k is not None and top_k < scaled.shape[-1]:
        kth = torch.topk(scaled, top_k, dim=-1).values[..., -1:]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    return torch.softmax(scaled, -1)


@torch.no_grad()
def sample(model: nn.Module, prefix: str, length: int, temperature: float = 1.0, top_k: int | None = None,
           seed: int = 0) -> str:
    """``length`` characters continuing ``prefix``, each drawn from :func:`filtered_probs`; the same seed
    gives the same text. Any model with ``step(x, state) -> (logits, state)``: a recurrent model carries
    its hidden state, the GPT (:mod:`core.text.gpt`) its cached keys and values."""
    length, temperature, top_k, seed = check_sampling(length, temperature, top_k, seed)
    gen = torch.Generator().manual_seed(seed)
    logits, state = model.step(_start(clean(prefix).text))
    out: list[int] = []
    for _ in range(length):
        nxt = int(torch.multinomial(filtered_probs(logits[0, -1], temperature, top_k), 1, generator=gen))
        out.append(nxt)
        logits, state = model.step(torch.tensor([[nxt]]), state)
    return decode(out)
