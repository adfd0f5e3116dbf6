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
from core.text.lm_training import LMRun, Windows, corpus, held_out_metrics, measure, next_char_loss
from core.training import Callback, FitConfig, LRSchedule, fit, make_optimizer, seed_everything, warmup_cosine

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
    batch_size: int = 16
    """Windows per step, drawn at seeded random offsets of the training text."""
    steps: int = 1_500
    """Optimizer steps in all (3 million characters; about 25 minutes of one loaded CPU thread)."""
    lr: float = 2e-3
    """Adam peak learning rate."""
    warmup: int = 100
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


def train_gpt(config: GPTConfig = CONFIG, callbacks: tuple[Callback, ...] = (), *,
              quick: bool = False) -> LMRun:
    """Train on the Shakespeare training plays; held-out bpc on The Tempest and the count baselines."""
    data = corpus(quick)
    if quick:
        config = replace(config, steps=5, batch_size=4, warmup=2)
    seed_everything(config.seed)
    model = CharGPT(ALPHABET, config.layers, config.d_model, config.heads, config.context)
    opt = make_optimizer("adam", model.parameters(), config.lr)
    passes = 10
    steps = config.steps // passes
    train_batches = Windows(data.train, config.context, config.batch_size, steps, config.seed)
    val_batches = Windows(data.val, config.context, 32, 4, config.seed + 1)
    fit_cfg = FitConfig(epochs=passes, seed=config.seed, max_grad_norm=1.0)
    result = fit(model, next_char_loss, opt, train_batches, val_batches, fit_cfg,
                 [LRSchedule(warmup_cosine(config.warmup)), *callbacks])
    return LMRun(config, model, result, held_out_metrics(model, data), data.provenance)  # type: ignore[arg-type]


@register_checkpoint(NAME, 6, "small character GPT on Shakespeare (41 works; held out: The Tempest)", 1500,
                     measure=measure)
def train_checkpoint(ctx: TrainContext) -> ManifestEntry:
    t0 = time.perf_counter()
    run = train_gpt(CONFIG, tuple(ctx.callbacks), quick=ctx.quick)
    if run.fit.diverged:
        raise RuntimeError(f"{NAME} diverged: {run.fit.message}")
    metrics = {k: round(v, 4) if isinstance(v, float) else v for k, v in run.metrics.items()}
    return save_checkpoint(
        NAME, run.model, lecture=6, architecture=describe(CONFIG.shape, n_params(run.model)),
        builder="char-gpt", config=model_config(CONFIG), dataset=run.provenance,
        metrics={**metrics, **({"quick": 1} if ctx.quick else {})},
        train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip
