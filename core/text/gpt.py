"""A small GPT over characters: a decoder-only transformer beside the recurrent models of :mod:`core.text.lm`.

The architecture is GPT's (Radford et al. 2018, "Improving language understanding by generative
pre-training"; GPT-2's pre-LayerNorm blocks, Radford et al. 2019): token and learned position embeddings,
``layers`` blocks of causal multi-head self-attention (Vaswani et al. 2017, "Attention is all you need")
and a 4x MLP, each behind a LayerNorm with a residual connection, a final LayerNorm, and the output
layer tied to the token embedding. Where a recurrent model squeezes the past into one state vector, every
position here looks back at each of the previous ``context`` characters directly.

It reads and writes the same 96 characters as the recurrent models, so the public API
(:func:`core.text.next_token_probs`, :func:`core.text.generate`) and the held-out bits per character are
comparable. Generation keeps the keys and values of the characters already read (a KV cache), so each new
character costs one position's worth of work; when the window is full the last half is re-read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.registry import register_builder
from core.text.lm import ALPHABET, clean, encode

Cache = tuple[Tensor, list[tuple[Tensor, Tensor]]]
"""Generation state: the (1, P) ids read so far in the window, and each layer's (keys, values)."""


@dataclass(frozen=True)
class GPTShape:
    """The size of a :class:`CharGPT`."""

    layers: int = 4
    """Transformer blocks."""
    d_model: int = 128
    """Width of the residual stream (the embedding size)."""
    heads: int = 4
    """Attention heads per block (d_model must divide evenly)."""
    context: int = 128
    """Longest window of characters one position can look back over (learned positions: no more)."""


class SelfAttention(nn.Module):
    """Causal multi-head self-attention; :meth:`forward` takes and returns cached keys and values."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model {d_model} is not divisible by {heads} heads")
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def _split(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        return q, k, v  # each (B, H, T, d_head)

    def forward(self, x: Tensor, past: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor,
                                                                                                   Tensor]]:
        b, t, d = x.shape
        q, k, v = self._split(x)
        if past is None:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
            p = k.shape[2] - t
            # Query i sits at position p + i and sees keys 0 .. p + i (is_causal would align at the top left).
            mask = None if t == 1 else torch.ones(t, p + t, dtype=torch.bool).tril(p)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.proj(out.transpose(1, 2).reshape(b, t, d)), (k, v)

    def weights(self, x: Tensor) -> Tensor:
        """(B, H, T, T) attention weights, formed explicitly for plots (the forward pass never forms them)."""
        q, k, _ = self._split(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        t = x.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        return torch.softmax(scores.masked_fill(~causal, float("-inf")), -1)


class Block(nn.Module):
    """x + attention(LN(x)), then x + MLP(LN(x)) (pre-LayerNorm, as in GPT-2)."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, heads)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x: Tensor, past: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor,
                                                                                                   Tensor]]:
        a, kv = self.attn(self.ln1(x), past)
        x = x + a
        return x + self.mlp(self.ln2(x)), kv


class CharGPT(nn.Module):
    """(B, T) character indices -> (B, T, V) next-character logits, T at most ``context``."""

    def __init__(self, vocab: str = ALPHABET, layers: int = 4, d_model: int = 128, heads: int = 4,
                 context: int = 128, **_training: object) -> None:
        super().__init__()
        if vocab != ALPHABET:
            raise ValueError("the checkpoint's alphabet is not the one this code reads")
        self.shape = GPTShape(layers, d_model, heads, context)
        self.context, self.vocab_size = context, len(vocab)
        self.tok = nn.Embedding(self.vocab_size, d_model)
        self.pos = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(Block(d_model, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.apply(self._init)
        for block in self.blocks:  # GPT-2: residual projections scaled down by the depth
            for w in (block.attn.proj.weight, block.mlp[2].weight):
                nn.init.normal_(w, 0.0, 0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def _embed(self, x: Tensor, start: int = 0) -> Tensor:
        t = x.shape[1]
        if start + t > self.context:
            raise ValueError(f"the model reads at most {self.context} characters at once, not {start + t}")
        return self.tok(x) + self.pos(torch.arange(start, start + t, device=x.device))

    def hidden(self, x: Tensor) -> Tensor:
        """(B, T, d_model) final hidden states (after the last LayerNorm)."""
        h = self._embed(x)
        for block in self.blocks:
            h = block(h)[0]
        return self.ln_f(h)

    def forward(self, x: Tensor) -> Tensor:
        # Weight tying (Press & Wolf 2017): the read-out is the transposed token embedding.
        return self.hidden(x) @ self.tok.weight.T

    def step(self, x: Tensor, state: Cache | None = None) -> tuple[Tensor, Cache]:
        """Logits of the (1, T) new characters ``x`` after those in ``state``, and the state extended.
        When the window would overflow, the last half of it (at least T) is re-read from scratch."""
        t = x.shape[1]
        ids = x if state is None else torch.cat([state[0], x], 1)
        if state is not None and ids.shape[1] <= self.context:
            h, past = self._embed(x, state[0].shape[1]), state[1]
        else:
            ids = ids[:, -min(self.context, max(t, self.context // 2)):]
            h, past = self._embed(ids), [None] * len(self.blocks)
        cache = []
        for block, kv in zip(self.blocks, past):
            h, kv = block(h, kv)
            cache.append(kv)
        logits = self.ln_f(h) @ self.tok.weight.T
        return logits[:, -t:], (ids, cache)

    @torch.no_grad()
    def attention(self, x: Tensor, layer: int = -1) -> Tensor:
        """(H, T, T) attention weights of block ``layer`` for one (1, T) text."""
        h = self._embed(x)
        blocks = list(self.blocks)
        for block in blocks[: len(blocks) + layer if layer < 0 else layer]:
            h = block(h)[0]
        return blocks[layer].attn.weights(blocks[layer].ln1(h))[0]


@register_builder("char-gpt", task="language-model")
def build_char_gpt(**config: object) -> CharGPT:
    """A :class:`CharGPT` from a manifest config (training settings in it are ignored)."""
    return CharGPT(**config)  # type: ignore[arg-type]


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def describe(shape: GPTShape, params: int) -> str:
    """One line for the manifest and the page."""
    return (f"char GPT: {shape.layers} layers, d_model {shape.d_model}, {shape.heads} heads, context "
            f"{shape.context}, tied {len(ALPHABET)}-way softmax; {params:,} parameters")


@torch.no_grad()
def attention_map(model: CharGPT, prefix: str, layer: int = -1,
                  chars: int | None = None) -> tuple[str, Tensor]:
    """The last ``chars`` (at most ``context``) characters of ``prefix``, cleaned, read on their own, and
    block ``layer``'s (H, T, T) attention weights over them: row i is where position i looked."""
    keep = model.context if chars is None else max(1, min(int(chars), model.context))
    text = clean(prefix).text[-keep:] or "\n"
    return text, model.attention(encode(text).unsqueeze(0), layer)


@torch.no_grad()
def sentence_features(model: CharGPT, texts: list[str], batch_size: int = 64) -> Tensor:
    """(N, d_model) mean of the final hidden states over each text's characters, for a classifier on top.

    Texts are cleaned like a prefix (:func:`core.text.lm.clean`) and clipped to the first ``context``
    characters; an empty text reads as one line break. Texts of a batch are padded on the right, which
    changes nothing: attention is causal, so no real character looks at the padding after it."""
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts must be a list of strings")
    out = []
    for i in range(0, len(texts), batch_size):
        ids = [encode(clean(t, None).text[: model.context] or "\n") for t in texts[i : i + batch_size]]
        lengths = torch.tensor([len(x) for x in ids])
        x = nn.utils.rnn.pad_sequence(ids, batch_first=True)
        keep = (torch.arange(x.shape[1]) < lengths[:, None]).unsqueeze(-1)
        out.append((model.hidden(x) * keep).sum(1) / lengths[:, None])
    return torch.cat(out) if out else torch.zeros(0, model.shape.d_model)
