"""The job queue: one training at a time, queue positions, stop, failures."""

from __future__ import annotations

import threading
import time

import pytest
import torch
from torch import nn

from core.jobs import Job, JobQueue, QueueFull
from core.training import FitConfig, fit

# A broken stop or time budget would otherwise hang the suite instead of failing it.
pytestmark = pytest.mark.timeout(60)


def _blocker(gate: threading.Event):
    def fn(job: Job) -> str:
        while not gate.is_set() and not job.should_stop():
            time.sleep(0.01)
        return "ok"

    return fn


def test_one_at_a_time_with_queue_positions() -> None:
    q = JobQueue(max_concurrent=1)
    gate = threading.Event()
    a, b, c = (q.submit(_blocker(gate), name=n) for n in "abc")
    deadline = time.time() + 5
    while a.status != "running" and time.time() < deadline:
        time.sleep(0.01)
    assert a.status == "running" and b.status == "queued" and c.status == "queued"
    assert (a.position(), b.position(), c.position()) == (0, 1, 2)
    assert q.counts() == (1, 2)
    b.stop()  # a queued job is dropped at once, and c moves up
    assert b.status == "stopped" and b.done and c.position() == 1
    gate.set()
    assert a.wait(5) and c.wait(5)
    assert a.status == c.status == "done" and a.result == "ok"


def test_two_slots_run_together() -> None:
    q = JobQueue(max_concurrent=2)
    gate = threading.Event()
    a, b = q.submit(_blocker(gate)), q.submit(_blocker(gate))
    deadline = time.time() + 5
    while q.counts() != (2, 0) and time.time() < deadline:
        time.sleep(0.01)
    assert q.counts() == (2, 0)
    gate.set()
    assert a.wait(5) and b.wait(5)


def test_failure_is_captured_and_queue_keeps_working() -> None:
    q = JobQueue()

    def bad(job: Job) -> None:
        raise ValueError("kernel larger than the image")

    j = q.submit(bad)
    assert j.wait(5)
    assert j.status == "failed" and "kernel larger than the image" in (j.error or "")
    ok = q.submit(lambda job: 42)
    assert ok.wait(5) and ok.result == 42


def test_queue_full_is_a_clear_error() -> None:
    q = JobQueue(max_concurrent=1, max_waiting=1)
    gate = threading.Event()
    q.submit(_blocker(gate))
    time.sleep(0.05)
    q.submit(_blocker(gate))
    with pytest.raises(QueueFull, match="already waiting"):
        q.submit(_blocker(gate))
    gate.set()


def test_fit_reports_history_and_stops_through_the_job() -> None:
    q = JobQueue()
    X = torch.randn(200, 2)
    y = (X[:, 0] > 0).long()

    def train(job: Job):
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        return fit(
            model,
            nn.functional.cross_entropy,
            torch.optim.SGD(model.parameters(), 0.1),
            (X, y),
            config=FitConfig(epochs=10**6),
            callbacks=[job.callback()],
        )

    job = q.submit(train)
    deadline = time.time() + 10
    while len(job.history().get("train_loss", [])) < 20 and time.time() < deadline:
        time.sleep(0.01)
    job.stop()
    assert job.wait(10)
    assert job.status == "stopped"
    assert job.fit_result is not None and job.fit_result.status == "stopped"
    assert len(job.history()["train_loss"]) >= 20
    assert job.message == "stopped on request"


@pytest.mark.timeout(30)
def test_a_time_budget_bounds_a_queued_training() -> None:
    X = torch.randn(2000, 2)
    y = (X[:, 0] > 0).long()

    def train(job: Job):
        model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2))
        return fit(
            model,
            nn.functional.cross_entropy,
            torch.optim.Adam(model.parameters()),
            (X, y),
            config=FitConfig(epochs=10**7, batch_size=8, time_budget_s=0.5),
            callbacks=[job.callback()],
        )

    job = JobQueue().submit(train)
    assert job.wait(20), "the time budget did not end the run"
    assert job.status == "done" and job.fit_result is not None
    assert job.fit_result.status == "time_budget" and job.fit_result.seconds < 10
    assert job.message == "stopped at the time budget"


_CHURN = """
import importlib, sys
from core.jobs import PAGE_LIBRARIES, JobQueue

# What Streamlit's script runner does around every run of a page: its folder in at the head of sys.path,
# then out again, while the jobs that page started keep running in their own threads.
job = JobQueue().submit(lambda j: [importlib.import_module(m) for m in PAGE_LIBRARIES])
while not job.done:
    sys.path.insert(0, "/nonexistent/page-folder")
    sys.path.remove("/nonexistent/page-folder")
print(job.status, job.error)
"""


@pytest.mark.timeout(180)
def test_a_job_imports_its_libraries_while_pages_rerun() -> None:
    """A page rerunning while its job starts must not make the job's imports fail ("No module named
    'optuna'" ended the search page's run): a fresh interpreter, the path churned as Streamlit does."""
    import subprocess
    import sys

    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", _CHURN], capture_output=True, text=True, timeout=150)
        assert out.stdout.strip() == "done None", out.stdout + out.stderr[-2000:]
