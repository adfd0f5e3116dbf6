"""IDX files (the MNIST family's format), atomic verified downloads, and a fast online check.

IDX (http://yann.lecun.com/exdb/mnist/, bottom of the page): two zero bytes, one byte for the element
type, one byte for the number of dimensions, then one big-endian int32 per dimension, then the data.
We read it with numpy alone so that no torchvision import (seconds) is needed to show a data set.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import socket
import struct
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

# IDX type byte -> numpy dtype; multi-byte types are big-endian in the file.
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

#: Seconds before a socket gives up: short, so a dead or captive network fails while the page waits.
SOCKET_TIMEOUT_S = 3.0

#: Environment variables that mean "do not even try the network" (HF's is set in tests and CI).
OFFLINE_FLAGS = ("GALLERY_OFFLINE", "HF_HUB_OFFLINE")


class CorruptDataError(ValueError):
    """A data file exists but is not a valid (gzip-compressed) IDX file."""


class DownloadError(OSError):
    """A download failed or did not match its expected md5 (nothing is left in the cache then)."""


#: Largest IDX payload we read (the full 60,000-image train split is 47 MB): a header that claims more,
#: or a gzip stream that holds more than its header says (a decompression bomb), is refused unread.
MAX_IDX_BYTES = 256 * 2**20
#: Largest file a download may bring (MNIST-family .gz files are 10-30 MB) and the most seconds one may
#: take: a mirror that drips bytes forever must not hold a page.
MAX_DOWNLOAD_BYTES = 64 * 2**20
DOWNLOAD_DEADLINE_S = 300.0


def read_idx(path: str | os.PathLike, max_bytes: int | None = None) -> np.ndarray:
    """Read a .gz (or plain) IDX file into an array of its own shape; CorruptDataError names the file.

    Streams the file: the header is checked against ``max_bytes`` (default MAX_IDX_BYTES) before any
    data is decompressed, and no more than the header's size is ever held in memory.
    """
    path = Path(path)
    limit = MAX_IDX_BYTES if max_bytes is None else max_bytes
    advice = f"delete {path} (or reinstall the package that owns it) and load again"
    try:
        with open(path, "rb") as raw:
            # Sniff the gzip magic rather than trusting the suffix: caches sometimes hold unpacked files.
            packed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) if packed else contextlib.nullcontext(raw) as f:
                return _read_idx_stream(f, path, limit, advice)
    except (OSError, EOFError, zlib.error) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise CorruptDataError(f"{path} is not a readable gzip file ({err}); {advice}") from err


def _read_idx_stream(f: BinaryIO, path: Path, limit: int, advice: str) -> np.ndarray:
    magic = f.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_DTYPES:
        raise CorruptDataError(
            f"{path} is not an IDX file (magic number {magic.hex() or 'missing'}, expected "
            f"0000TTNN with a known type TT); {advice}"
        )
    ndim = magic[3]
    dims = f.read(4 * ndim)
    if ndim == 0 or len(dims) < 4 * ndim:
        raise CorruptDataError(f"{path}: IDX header is truncated or has no dimensions; {advice}")
    shape = struct.unpack(f">{ndim}I", dims)
    dtype = np.dtype(_IDX_DTYPES[magic[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected > limit:
        raise CorruptDataError(f"{path}: header says shape {shape} ({expected:,} bytes), more than the "
                               f"{limit:,} bytes any data set here needs; {advice}")
    data = f.read(expected + 1)  # one byte more: data beyond the header's size is a bad file too
    if len(data) != expected:
        got = f"{len(data):,}" if len(data) <= expected else "more"
        raise CorruptDataError(
            f"{path}: header says shape {shape} ({expected:,} bytes) but the file holds "
            f"{got} bytes of data (truncated download?); {advice}"
        )
    arr = np.frombuffer(data, dtype=dtype).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=False)


def write_idx(path: str | os.PathLike, arr: np.ndarray) -> None:
    """Write `arr` as a gzip IDX file (uint8 or int32); used to build small fixtures and test servers."""
    arr = np.ascontiguousarray(arr)
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}[arr.dtype]
    header = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    Path(path).write_bytes(gzip.compress(header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()))


def offline_reason() -> str | None:
    """Why the network must not be tried ('HF_HUB_OFFLINE=1 is set'), or None."""
    for var in OFFLINE_FLAGS:
        value = os.environ.get(var, "").strip()
        if value.lower() in {"1", "true", "yes", "on"}:
            return f"{var}={value} is set"
    return None


_probe_results: dict[tuple[str, int], tuple[float, bool]] = {}
_PROBE_TTL_S = 300.0  # pages rerun on every widget change: probe at most every few minutes


def online(host: str = "ossci-datasets.s3.amazonaws.com", port: int = 443, timeout: float = 2.0) -> bool:
    """True when a TCP connection to `host` opens within `timeout` seconds.

    Returns False at once when an offline flag is set. Name resolution can block far longer than a socket
    timeout on a box with no network, so the probe runs in a daemon thread that we stop waiting for.
    """
    if offline_reason():
        return False
    now = time.monotonic()
    cached = _probe_results.get((host, port))
    if cached and now - cached[0] < _PROBE_TTL_S:
        return cached[1]
    ok: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            ok.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True, name="gallery-online-probe")
    thread.start()
    thread.join(timeout)
    _probe_results[(host, port)] = (now, bool(ok))
    return bool(ok)


def fetch(url: str, dest: Path, md5: str | None = None, timeout: float = SOCKET_TIMEOUT_S,
          max_bytes: int = MAX_DOWNLOAD_BYTES, deadline_s: float = DOWNLOAD_DEADLINE_S) -> None:
    """Download `url` to `dest` atomically: stream into a temp file beside it, check the md5, then
    os.replace, so a crash or a bad mirror never leaves a half file that a later load would trust.
    More than `max_bytes`, or more than `deadline_s` seconds in all, fails the download."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    digest, size, stop_at = hashlib.md5(), 0, time.monotonic() + deadline_s
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            # read1: whatever has arrived (read(n) would wait for n bytes, past any deadline).
            while chunk := response.read1(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError(f"{url}: larger than {max_bytes:,} bytes, more than any file here")
                if time.monotonic() > stop_at:
                    raise DownloadError(f"{url}: took longer than {deadline_s:g} s")
                digest.update(chunk)
                out.write(chunk)
        if md5 and digest.hexdigest() != md5:
            raise DownloadError(f"{url}: md5 {digest.hexdigest()} does not match the expected {md5}")
        os.replace(tmp, dest)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        transient = (OSError, ValueError, http.client.HTTPException)  # network, bad URL, broken reply
        if isinstance(err, transient) and not isinstance(err, DownloadError):
            raise DownloadError(f"{url}: {err}") from err
        raise
