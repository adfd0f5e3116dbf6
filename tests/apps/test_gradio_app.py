"""The Gradio front end: tabs from the schedule, an API a client can call, a bounded upload cache."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from apps import catalog
from core import schedule
from tests.helpers import free_port


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    from apps.gradio_app import MAX_FILE_SIZE, build_app

    app = build_app()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               max_file_size=MAX_FILE_SIZE)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        app.close()


def test_schedule_endpoint_returns_the_course(client: Client) -> None:
    data = client.predict(api_name="/schedule")
    assert [lec["number"] for lec in data] == list(range(1, 9))
    assert data[1]["title"] == schedule.lecture(2).title
    lecture1 = [d.slug for d in catalog.available_demos(schedule.lecture(1))]
    assert [d["slug"] for d in data[0]["demos"]] == lecture1


def test_queue_and_cache_are_bounded(client: Client) -> None:
    from apps.gradio_app import DELETE_CACHE, MAX_QUEUE, build_app

    app = build_app()
    assert app._queue.max_size == MAX_QUEUE == 32
    every, age = app.delete_cache
    assert (every, age) == DELETE_CACHE and 0 < every <= age <= 24 * 3600
    assert "/schedule" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def _upload(base: str, name: str, payload: bytes) -> Path:
    """POST a file to Gradio's upload route, as any client may; the path it is kept at."""
    import json
    import uuid

    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"{base}gradio_api/upload", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return Path(json.loads(resp.read())[0])


def test_old_uploads_are_deleted_from_the_cache() -> None:
    from apps.gradio_app import build_app

    app = build_app(delete_cache=(1, 1))  # clean every second, files older than a second
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        kept = _upload(f"http://127.0.0.1:{port}/", "numbers.csv", b"x,y\n1,0\n")
        assert kept.is_file() and kept.read_bytes() == b"x,y\n1,0\n"
        deadline = time.time() + 30
        while kept.exists() and time.time() < deadline:
            time.sleep(0.5)
        assert not kept.exists(), "an uploaded file outlived the cache's age limit"
    finally:
        app.close()
