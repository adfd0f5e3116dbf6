"""Helpers for AppTest-driven page tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def page(path: str, timeout: float = 60, params: dict[str, str] | None = None) -> AppTest:
    """An AppTest of one page file (relative to the repository root), opened with ``params`` in the
    URL and run once; it must render without an exception."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def finish_job(at: AppTest, key: str, timeout: float = 120) -> AppTest:
    """After clicking a training panel's button: wait for its job, then rerun to show the result."""
    job = at.session_state[f"{key}__job"]
    assert job.wait(timeout), f"job {key} did not finish within {timeout} s"
    at.run()
    return at


def texts(at: AppTest) -> str:
    """All markdown, captions, alerts and metric labels of the page, joined (for `in` assertions)."""
    parts: list[str] = []
    kinds = ("markdown", "caption", "success", "info", "warning", "error", "title", "header", "subheader")
    for kind in kinds:
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gradio_tab_client(build: Callable[[], None], tab: str | None = None) -> Iterator[Any]:
    """Launch a Blocks holding one Gradio tab module's ``build()`` on a free port; yield a client."""
    import gradio as gr
    from gradio_client import Client

    with gr.Blocks() as app:
        if tab is None:
            build()
        else:
            with gr.Tab(tab):
                build()
    app.queue()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               max_file_size="10mb")
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        app.close()


def plot_json(value: Any) -> dict[str, Any]:
    """A gr.Plot output as the client receives it: the plotly figure's JSON."""
    import json

    plot = value["plot"] if isinstance(value, dict) else value
    return json.loads(plot) if isinstance(plot, str) else plot
