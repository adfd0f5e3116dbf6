"""IDX files (the MNIST family's format), atomic verified downloads, and a fast online check.

IDX (http://yann.lecun.com/exdb/mnist/, bottom of the page): two zero bytes, one byte for the element
type, one byte for the number of dimensions, then one big-endian int32 per dimension, then the data.
We read it with numpy alone so that no torchvision import (seconds) is needed to show a data set.
"""

from __future__ import annotations

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


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read a .gz (or plain) IDX file into an array of its own shape; CorruptDataError names the file."""
    path = Path(path)
    advice = f"delete {path} (or reinstall the package that owns it) and load again"
    try:
        with open(path, "rb") as f:
            raw = f.read()
        # Sniff the gzip magic rather than trusting the suffix: caches sometimes hold unpacked files.
        data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise CorruptDataError(f"{path} is not a readable gzip file ({err}); {advice}") from err
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise CorruptDataError(
            f"{path} is not an IDX file (magic number {data[:4].hex() or 'missing'}, expected "
            f"0000TTNN with a known type TT); {advice}"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise CorruptDataError(f"{path}: IDX header is truncated or has no dimensions; {advice}")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise CorruptDataError(
            f"{path}: header says shape {shape} ({expected:,} bytes) but the file holds "
            f"{len(data) - header:,} bytes of data (truncated download?); {advice}"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
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


def fetch(url: str, dest: Path, md5: str | None = None, timeout: float = SOCKET_TIMEOUT_S) -> None:
    """Download `url` to `dest` atomically: stream into a temp file beside it, check the md5, then
    os.replace, so a crash or a bad mirror never leaves a half file that a later load would trust."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    digest = hashlib.md5()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(1 << 20):
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
