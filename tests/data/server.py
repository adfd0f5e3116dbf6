"""Helpers for the core.data tests: synthetic IDX files and a local HTTP mirror that serves them.

The online path of core.data is tested for real (sockets, HTTP, md5, atomic writes) against a server on
127.0.0.1 only; nothing here ever reaches the internet.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import threading
from pathlib import Path
from typing import Iterator

import numpy as np

from core.data import IDX_FILES
from core.data.idx import write_idx


def make_idx_set(folder: Path, n_train: int = 60, n_test: int = 20, side: int = 28, seed: int = 0):
    """Write the four MNIST-style .gz files into `folder`; return (md5 per file, arrays per split)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    md5s, arrays = {}, {}
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, size=(n, side, side), dtype=np.uint8)
        images[0] = 255  # make sure the full range is present, so scaling to [0, 1] is checked
        images[1] = 0
        labels = (np.arange(n) % 10).astype(np.uint8)
        for name, arr in zip(IDX_FILES[split], (images, labels)):
            write_idx(folder / name, arr)
            md5s[name] = hashlib.md5((folder / name).read_bytes()).hexdigest()
        arrays[split] = (images, labels)
    return md5s, arrays


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # keep pytest's output clean
        pass


@contextlib.contextmanager
def serve_directory(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve `folder` over HTTP on 127.0.0.1 (free port); yield (base URL, list of requested paths)."""
    requests: list[str] = []
    handler = functools.partial(type("H", (_QuietHandler,), {"requests": requests}), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a dead mirror that fails at once)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/"
