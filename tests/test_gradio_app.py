"""The Gradio front end: tabs from the schedule, an API a client can call."""

from __future__ import annotations

from collections.abc import Iterator

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
    assert [d["slug"] for d in data[0]["demos"]] == [d.slug for d in catalog.available_demos(schedule.lecture(1))]


def test_queue_is_bounded(client: Client) -> None:
    from apps.gradio_app import build_app

    app = build_app()
    assert app._queue.max_size == 32
    assert "/schedule" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
