"""Gradio trainings seen from a test: a job queue of the test's own that records every job submitted to it,
and a request cancelled once its job runs (what the tab's Stop button, a closed page or a cancelled API call
does to the event; :mod:`apps.gradio_tabs.jobs`)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from core.jobs import Job, JobQueue


def recording_queue(monkeypatch: pytest.MonkeyPatch) -> list[Job]:
    """Route every Gradio training of this test through a fresh queue; the list fills with its jobs."""
    queue, jobs = JobQueue(), []
    submit = queue.submit
    monkeypatch.setattr(queue, "submit", lambda fn, name: jobs.append(submit(fn, name)) or jobs[-1])
    monkeypatch.setattr("apps.gradio_tabs.jobs.default_queue", lambda: queue)
    return jobs


def cancel_when_running(request: Any, jobs: list[Job], timeout: float = 60.0) -> Job:
    """Cancel a ``gradio_client`` request once its job runs and the client has heard of it (the event's id
    comes with the first progress update); the job, finished."""
    from gradio_client.utils import Status

    deadline = time.monotonic() + timeout
    while not (jobs and jobs[0].status == "running" and request.status().code == Status.PROGRESS):
        assert time.monotonic() < deadline, "the request's job never started"
        time.sleep(0.1)
    request.cancel()
    assert jobs[0].wait(timeout), "the job did not stop"
    return jobs[0]
