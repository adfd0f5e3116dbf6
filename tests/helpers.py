"""Helpers for AppTest-driven page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def page(path: str, timeout: float = 60) -> AppTest:
    """An AppTest of one page file (relative to the repository root), already run once."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    at.run()
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
    for kind in ("markdown", "caption", "success", "info", "warning", "error", "title", "header", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)
