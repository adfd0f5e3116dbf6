"""Training the small character GPT on Shakespeare: the shipped ``gpt-shakespeare``.

The same data, split and measures as the recurrent models (:mod:`core.text.lm_training`): random windows
of the 41 training plays, the last 2% of them for validation, held-out bits per character on The Tempest
beside the unigram and bigram counts. The transformer recipe differs from the LSTM's in the usual ways:
a linear warm-up of the learning rate before the cosine decay (attention is unstable at full rate from a
random start), and windows as long as the model's context.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

from core.checkpoints import ManifestEntry, save_checkpoint
from core.registry import TrainContext, register_checkpoint
from core.text.gpt import CharGPT, GPTShape, describe, n_params
from core.text.lm import ALPHABET
from core.text.lm_training import corpus, fit_on_corpus, measure
from core.training import Callback, LRSchedule, TrainedRun, seed_everything, warmup_cosine

NAME = "gpt-shakespeare"


@dataclass(frozen=True)
class GPTConfig:
    """One GPT training run."""

    layers: int = 4
    """Transformer blocks."""
    d_model: int = 128
    """Width of the residual stream."""
    heads: int = 4
    """Attention heads per block."""
    context: int = 128
    """Characters per training window, and the most the model can look back over."""
    batch_size: int = 32
    """Windows per step, drawn at seeded random offsets of the training text."""
    steps: int = 4_000
    """Optimizer steps in all: 16.4 million characters, about as many as the LSTM read (19.2 million).
    At 1,500 steps of 16 windows (3.1 million characters) the GPT stayed behind the LSTM, 2.62 against
    2.36 bits per character held out: the comparison is fair only at a similar amount of reading."""
    lr: float = 2e-3
    """Adam peak learning rate."""
    warmup: int = 200
    """Steps of linear warm-up before the cosine decay to zero."""
    seed: int = 0
    """Seeds the initialisation and the windows."""

    @property
    def shape(self) -> GPTShape:
        return GPTShape(self.layers, self.d_model, self.heads, self.context)


CONFIG = GPTConfig()


def model_config(config: GPTConfig) -> dict:
    """The manifest ``config``: the builder's arguments, and the training settings for the record."""
    return {"vocab": ALPHABET, **asdict(config.shape), "training": asdict(config)}


class GPTRun(TrainedRun[GPTConfig, CharGPT]):
    """A finished GPT run, measured as the recurrent models' :class:`~core.text.lm_training.LMRun`."""


def train_gpt(config: GPTConfig = CONFIG, callbacks: tuple[Callback, ...] = (), *,
              quick: bool = False) -> GPTRun:
    """Train on the Shakespeare training plays; held-out bpc on The Tempest and the count baselines."""
    data = corpus(quick)
    if quick:
        config = replace(config, steps=5, batch_size=4, warmup=2)
    seed_everything(config.seed)
    model = CharGPT(ALPHABET, config.layers, config.d_model, config.heads, config.context)
    return fit_on_corpus(GPTRun, config, model, data, seq_len=config.context, val_batch=32,
                         schedule=LRSchedule(warmup_cosine(config.warmup)), callbacks=callbacks)


@register_checkpoint(NAME, 6, "small character GPT on Shakespeare (41 works; held out: The Tempest)", 2400,
                     measure=measure)
def train_checkpoint(ctx: TrainContext) -> ManifestEntry:
    t0 = time.perf_counter()
    run = train_gpt(CONFIG, tuple(ctx.callbacks), quick=ctx.quick)
    if run.fit.diverged:
        raise RuntimeError(f"{NAME} diverged: {run.fit.message}")
    metrics = {k: round(v, 4) if isinstance(v, float) else v for k, v in (run.held_out or {}).items()}
    return save_checkpoint(
        NAME, run.model, lecture=6, architecture=describe(CONFIG.shape, n_params(run.model)),
        builder="char-gpt", config=model_config(CONFIG),
        dataset=run.dataset_entry("shakespeare", unit="_chars"),
        metrics={**metrics, **({"quick": 1} if ctx.quick else {})},
        train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip
