"""Homework 6 online: transfer from BERT / DistilBERT / GPT-2 to SST-2, IMDb or AG News, from the hub.

The encoders are read with transformers from the local Hugging Face hub cache (safetensors only; a
repository that offers only a pickled ``pytorch_model.bin`` is refused), or downloaded into it when no
offline flag is set and the hub answers a 2 s probe (:func:`core.data.text.hub_file`): an offline machine
never waits. The data sets come through :func:`core.data.load` (``sst2``, ``imdb``, ``ag-news``: the hub
repositories' parquet files).

What a probe learns is the same as on the offline page: one linear layer on the encoder's sentence
vector (the mean of its last hidden states over the real tokens, L2-normalised, as all-MiniLM-L6-v2's).
For GPT-2 the mean runs over causal states, each of which has seen only the words before it.

When a model or data set is not to be had, :func:`plan` says so and names what serves instead: the
bundled all-MiniLM-L6-v2 and the offline sentiment tweets (:data:`FALLBACK_MODEL`, :data:`FALLBACK_SET`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import checks
from core.data import text as text_data
from core.jobs import Job
from core.text import minilm
from core.text.words import clean
from core.training import FitConfig, JobProgress, accuracy, fit, seed_everything
from core.training.optim import make_optimizer

MODELS = {"distilbert-base-uncased": "DistilBERT base (uncased)", "bert-base-uncased": "BERT base (uncased)",
          "gpt2": "GPT-2 (124 M)"}
"""Hub repositories of the online encoders (their historical ids, which the hub still serves)."""
MODEL_FILES = ("config.json", "model.safetensors")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json", "merges.txt",
                   "special_tokens_map.json")
"""Read when cached; a tokenizer needs only some of them (BERT: vocab.txt; GPT-2: vocab.json, merges)."""
SETS = tuple(text_data.HUB_SETS)
FALLBACK_MODEL, FALLBACK_SET = "all-MiniLM-L6-v2", "sentiment-tweets"
MAX_TOKENS = 128
N_LABELS, N_TEST = (30, 5_000, 500), (50, 2_000, 500)
"""Labelled training texts and held-out texts of an online probe (min, max, default)."""
N_CHOICES = (30, 100, 300, 1_000, 3_000)
"""The labelled-text counts the page and the Gradio tab offer (within N_LABELS)."""
EPOCHS, LR, BATCH = 40, 1e-2, 64
TIME_BUDGET_S = 120.0


class OnlineUnavailable(RuntimeError):
    """An online model or data set is not here; the message says which file is missing and why."""


@dataclass(frozen=True)
class Plan:
    """What a probe will run on, and why, when something asked for is not to be had."""

    model: str
    """The encoder that will serve: the one asked for, or :data:`FALLBACK_MODEL`."""
    dataset: str
    """The data set that will serve: the one asked for, or :data:`FALLBACK_SET`."""
    notes: tuple[str, ...]
    """One line per substitution: what is missing, why, what serves instead."""


def model_snapshot(name: str) -> tuple[Path, str]:
    """(folder with the model's files, where they came from); OnlineUnavailable if not to be had."""
    if name not in MODELS:
        raise ValueError(f"unknown online model {name!r}; choose one of {', '.join(MODELS)}")
    try:
        paths = [text_data.hub_file(name, f) for f in MODEL_FILES]
    except text_data.TextUnavailable as exc:
        raise OnlineUnavailable(str(exc)) from None
    for f in TOKENIZER_FILES:  # optional files: only those the repository has are fetched
        try:
            text_data.hub_file(name, f)
        except text_data.TextUnavailable:
            pass
    return paths[0][0].parent, paths[-1][1]


def model_available(name: str) -> str | None:
    """None if ``name`` is cached (or can be downloaded now), else why not; touches the network only
    when no offline flag is set, and then for 2 s at most."""
    if all(text_data.hub_cached(name, f) for f in MODEL_FILES):
        return None
    try:
        text_data.hub_file(name, MODEL_FILES[0])  # the small config: decides cached / offline / reachable
    except text_data.TextUnavailable as exc:
        return str(exc)
    return None


def set_available(name: str) -> str | None:
    """None if the data set's files are cached (or downloadable now), else why not."""
    hs = text_data.HUB_SETS[name]
    try:
        for f in hs.files.values():
            text_data.hub_file(hs.repo, f, "dataset")
    except text_data.TextUnavailable as exc:
        return str(exc)
    return None


def plan(model: str, dataset: str) -> Plan:
    """The encoder and data set a probe will use: those asked for when they are here, else the fallbacks."""
    notes = []
    if model not in (*MODELS, FALLBACK_MODEL):
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join((*MODELS, FALLBACK_MODEL))}")
    if dataset not in (*SETS, FALLBACK_SET):
        raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join((*SETS, FALLBACK_SET))}")
    if model in MODELS and (why := model_available(model)):
        notes.append(f"{MODELS[model]}: {why}. Serving the bundled {FALLBACK_MODEL} instead.")
        model = FALLBACK_MODEL
    if dataset in SETS and (why := set_available(dataset)):
        notes.append(f"{text_data.HUB_SETS[dataset].title}: {why}. Serving the offline sentiment tweets "
                     "instead.")
        dataset = FALLBACK_SET
    return Plan(model, dataset, tuple(notes))


def encoder(name: str) -> tuple[Any, nn.Module, str]:
    """(tokenizer, model in eval mode, provenance) of an online encoder; read-only, cached per process and
    hub cache folder."""
    return _encoder(name, text_data.hub_cache() or "")


@functools.lru_cache(maxsize=2)
def _encoder(name: str, cache: str) -> tuple[Any, nn.Module, str]:
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    folder, where = model_snapshot(name)
    logging.set_verbosity_error()
    tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    if tok.pad_token is None:  # GPT-2 has none; padded positions are masked out of the mean anyway
        tok.pad_token = tok.eos_token
    model = AutoModel.from_pretrained(str(folder), local_files_only=True, use_safetensors=True).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return tok, model, f"{MODELS[name]} from {where}"


def embed(name: str, texts: Sequence[str], job: Job | None = None) -> np.ndarray:
    """(N, hidden) mean-pooled L2-normalised sentence vectors of ``texts`` by encoder ``name`` (the
    bundled MiniLM for :data:`FALLBACK_MODEL`)."""
    if name == FALLBACK_MODEL:
        return minilm.embed(texts)
    tok, model, _ = encoder(name)
    # GPT-2's tokenizer adds no [CLS]/[SEP]: an empty text would be no token at all, so it reads <|endoftext|>
    empty = "" if tok("")["input_ids"] else tok.eos_token
    cleaned = [clean(t) if clean(t).strip() else empty for t in texts]
    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), 32):
            batch = tok(cleaned[i : i + 32], padding=True, truncation=True,
                        max_length=MAX_TOKENS, return_tensors="pt")  # fmt: skip
            mask = batch["attention_mask"]
            hidden = model(input_ids=batch["input_ids"], attention_mask=mask).last_hidden_state
            out.append(minilm.pool(hidden, mask).float().numpy())
            if job is not None:
                done = i + len(out[-1])
                job.report(message=f"{name}: sentence vectors of {done:,} of {len(texts):,} texts")
                if job.should_stop():
                    raise StopIteration("stopped while encoding")
    return np.concatenate(out) if out else np.zeros((0, model.config.hidden_size), np.float32)


def _sample(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` indices drawn at random (seeded), sorted: the classes keep their shares on average."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.permutation(len(y))[: min(n, len(y))])


@dataclass(frozen=True)
class ProbeResult:
    plan: Plan
    test_accuracy: float
    """On ``n_test`` held-out texts of the served data set's test split."""
    n_train: int
    n_test: int
    classes: tuple[str, ...]
    seconds: float
    provenance: str
    history: dict[str, list[float]]


def probe(model: str, dataset: str, n_labels: int = N_LABELS[2], n_test: int = N_TEST[2], seed: int = 0,
          job: Job | None = None) -> ProbeResult:  # fmt: skip
    """A linear probe on encoder ``model``'s vectors of ``n_labels`` texts of ``dataset``, scored on
    ``n_test`` held-out texts; the fallbacks serve what is missing (the result's plan says so)."""
    n_labels = checks.whole_number(n_labels, "labelled texts", *N_LABELS[:2])
    n_test = checks.whole_number(n_test, "held-out texts", *N_TEST[:2])
    t0 = time.perf_counter()
    p = plan(model, dataset)
    from core.data import load

    train, test = load(p.dataset, "train"), load(p.dataset, "test")
    ytr_all, yte_all = np.asarray(train.y), np.asarray(test.y)
    tr, te = _sample(ytr_all, n_labels, seed), _sample(yte_all, n_test, seed + 1)
    X = embed(p.model, [train.X[i] for i in tr], job)
    Xt = embed(p.model, [test.X[i] for i in te], job)
    seed_everything(seed)
    head = nn.Linear(X.shape[1], len(train.classes))
    opt = make_optimizer("adam", head.parameters(), LR, kernel="single")
    cbs = [JobProgress(job)] if job is not None else []
    stop = job.should_stop if job is not None else None
    cfg = FitConfig(epochs=EPOCHS, seed=seed, batch_size=BATCH, time_budget_s=TIME_BUDGET_S)
    result = fit(head, F.cross_entropy, opt, (torch.from_numpy(X), torch.from_numpy(ytr_all[tr])), None,
                 cfg, cbs, {"accuracy": accuracy}, should_stop=stop)  # fmt: skip
    with torch.no_grad():
        acc = float((head(torch.from_numpy(Xt)).argmax(1).numpy() == yte_all[te]).mean())
    where = minilm.PACKAGE if p.model == FALLBACK_MODEL else encoder(p.model)[2]
    return ProbeResult(p, acc, len(tr), len(te), tuple(train.classes), time.perf_counter() - t0,
                       f"{train.provenance}; held out: {test.provenance}; encoder: {where}", result.history)
