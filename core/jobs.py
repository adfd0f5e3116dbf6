"""A process-wide limit on concurrent training, with queue positions.

On a 2-core Space, two trainings at once make both slower than one after the other, and every student
session of a Streamlit or Gradio server lives in the same process. So every training started from a
page goes through :func:`default_queue`: a job runs in its own thread once it reaches the front of a
FIFO queue and a slot is free; meanwhile the caller can show its queue position, its progress and
metrics, and ask it to stop.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from core.training import Callback, FitResult, JobProgress

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")


class QueueFull(RuntimeError):
    """Too many jobs are waiting; the caller should try again later."""


class Job:
    """One training (or other long computation) submitted to a :class:`JobQueue`.

    The job function receives the job itself and uses :meth:`report`, :meth:`publish` and
    :meth:`should_stop` to talk to whoever watches it. All reads are thread-safe snapshots.
    """

    _ids = itertools.count(1)

    def __init__(self, queue: JobQueue, fn: Callable[[Job], Any], name: str) -> None:
        self.id = next(Job._ids)
        self.name = name
        self.status = "queued"
        self.progress = 0.0
        self.message = "waiting for a free trainer"
        self.result: Any = None
        self.error: str | None = None
        self.finished: float | None = None
        self._fn = fn
        self._queue = queue
        self._lock = threading.Lock()
        self._history: dict[str, list[float]] = {}
        self._artifacts: dict[str, Any] = {}
        self._stop = threading.Event()
        self._done = threading.Event()

    # -- used by the job function -------------------------------------------------------------
    def should_stop(self) -> bool:
        """True once somebody asked the job to stop."""
        return self._stop.is_set()

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        """Record progress (0..1), a status line and one row of metrics (appended to the history)."""
        with self._lock:
            if progress is not None:
                self.progress = min(1.0, max(0.0, progress))
            if message is not None:
                self.message = message
            for key, value in metrics.items():
                self._history.setdefault(key, []).append(float(value))

    def publish(self, key: str, value: Any) -> None:
        """Share an intermediate result (e.g. the current decision map) with the watcher."""
        with self._lock:
            self._artifacts[key] = value

    def callback(self, epochs: int | None = None) -> Callback:
        """A fit-loop callback that reports each epoch to this job and stops when asked.

        ``epochs`` defaults to the fit loop's own count (told in ``on_train_begin``)."""
        return JobProgress(self, epochs)

    # -- used by the watcher ------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the job to stop; a queued job is dropped from the queue at once."""
        self._stop.set()
        self._queue._drop_if_waiting(self)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished; False on timeout."""
        return self._done.wait(timeout)

    def position(self) -> int:
        """0 while running or finished, k >= 1 while k-th in the queue."""
        return self._queue.position(self)

    def history(self) -> dict[str, list[float]]:
        with self._lock:
            return {k: list(v) for k, v in self._history.items()}

    def artifact(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._artifacts.get(key, default)

    @property
    def fit_result(self) -> FitResult | None:
        """The job's FitResult, if its function returned one (or an object with a ``fit`` field)."""
        res = self.result
        res = getattr(res, "fit", res)
        return res if isinstance(res, FitResult) else None

    def _run(self) -> None:
        self.status, self.message = "running", "running"
        try:
            self.result = self._fn(self)
            fr = self.fit_result
            self.status = "stopped" if self._stop.is_set() or (fr and fr.status == "stopped") else "done"
            self.message = fr.message if fr else "done"
            self.progress = 1.0 if self.status == "done" else self.progress
        except Exception as exc:  # the app must keep running whatever a job does
            log.exception("job %s failed", self.name)
            self.status, self.error = "failed", f"{type(exc).__name__}: {exc}"
            self.message = self.error
        finally:
            self.finished = time.time()
            self._done.set()


class JobQueue:
    """FIFO queue that runs at most ``max_concurrent`` jobs at a time, each in its own thread."""

    def __init__(self, max_concurrent: int = 1, max_waiting: int = 32) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self.max_waiting = max_waiting
        self._cond = threading.Condition()
        self._waiting: list[Job] = []
        self._running: list[Job] = []

    def submit(self, fn: Callable[[Job], Any], name: str = "training") -> Job:
        """Queue ``fn(job)``; raises :class:`QueueFull` when ``max_waiting`` jobs already wait."""
        with self._cond:
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiting)} trainings are already waiting; try again in a minute")
            job = Job(self, fn, name)
            self._waiting.append(job)
        # Top-level imports made inside the job thread would race Streamlit's script runner, which puts the
        # page's folder at the head of sys.path for each run and takes it out again: a lookup walking
        # sys.path as the list shrinks skips an entry, possibly site-packages, and `import optuna` failed
        # with "No module named 'optuna'". Importing the pages' libraries here, in the submitting thread,
        # first, leaves the job thread nothing to look up on sys.path (free once the server has preloaded).
        preload()
        threading.Thread(target=self._worker, args=(job,), name=f"job-{job.id}", daemon=True).start()
        return job

    def position(self, job: Job) -> int:
        with self._cond:
            return self._waiting.index(job) + 1 if job in self._waiting else 0

    def counts(self) -> tuple[int, int]:
        """(running, waiting)."""
        with self._cond:
            return len(self._running), len(self._waiting)

    def _drop_if_waiting(self, job: Job) -> None:
        with self._cond:
            if job in self._waiting:
                self._waiting.remove(job)
                job.status, job.message, job.finished = "stopped", "cancelled before it started", time.time()
                job._done.set()
                self._cond.notify_all()

    def _worker(self, job: Job) -> None:
        with self._cond:
            while job in self._waiting and not (
                self._waiting[0] is job and len(self._running) < self.max_concurrent
            ):
                self._cond.wait()
            if job not in self._waiting:  # cancelled while queued
                return
            self._waiting.remove(job)
            self._running.append(job)
            self._cond.notify_all()
        try:
            warm_up()  # a watched job needs the collector tamed (see warm_up); instant once done
            job._run()
        finally:
            with self._cond:
                self._running.remove(job)
                self._cond.notify_all()


_warm = False
_warm_lock = threading.Lock()


def warm_up() -> None:
    """Pay the first training's one-off costs now, once per process; later calls return at once.

    1. The first optimizer built in a process imports ``torch._dynamo`` (and sympy): 2-12 s here,
       which would otherwise pass as a frozen live view after the first click on Train.
    2. That import leaves millions of long-lived objects. In a Streamlit server every live-view rerun
       allocates, so the cyclic garbage collector keeps running full collections over all of them,
       each holding the GIL for 0.1-4 s while the training thread waits: measured in the browser,
       the default MLP trained at 63 steps/s with the live view on, 271 steps/s after
       ``gc.freeze()`` moved the import-time objects out of the collector's sight (p99 epoch time
       490 ms -> 22 ms). One ``gc.collect()`` first, so no garbage is frozen with them.
    """
    global _warm
    with _warm_lock:  # a training that starts meanwhile waits here instead of importing twice
        if _warm:
            return
        import torch

        p = torch.zeros(4, requires_grad=True)
        for opt in (torch.optim.SGD([p], lr=0.1), torch.optim.Adam([p], fused=True)):
            p.square().sum().backward()
            opt.step()  # the import happens on construction or on the first step
        gc.collect()
        gc.freeze()
        _warm = True


PAGE_LIBRARIES: tuple[str, ...] = (
    "torchvision", "timm", "sklearn.decomposition", "sklearn.mixture", "scipy.stats", "captum.attr",
    "optuna", "gymnasium", "stable_baselines3", "sb3_contrib", "transformers", "skimage.metrics",
)
"""Libraries the pages import. A fresh process pays 0.5-3 s for each on two cores (torch alone ~1 s;
bench/bench_foundation.py): a server imports them once at start, so a page's first render is its own work."""


_missing: set[str] = set()
"""Libraries :func:`preload` found not installed (not looked up again)."""


def preload(modules: tuple[str, ...] = PAGE_LIBRARIES) -> list[str]:
    """Import ``modules`` now (those not installed are skipped); returns the ones imported."""
    import importlib
    import sys

    if all(name in sys.modules or name in _missing for name in modules):
        return [name for name in modules if name in sys.modules]
    done = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional library: its page says what is missing when it is opened
            _missing.add(name)
            continue
        done.append(name)
    gc.collect()
    gc.freeze()  # the libraries' import-time objects leave the collector's sight too (see warm_up)
    return done


def warm_up_in_background() -> None:
    """:func:`warm_up` in a daemon thread (the Gradio front end calls this at start, before anyone trains)."""
    if not _warm:
        threading.Thread(target=warm_up, name="warm-up", daemon=True).start()


def configure_torch_threads(max_concurrent: int) -> int:
    """Give each concurrent training an equal share of the cores; returns the thread count set."""
    import torch

    threads = max(1, (os.cpu_count() or 1) // max_concurrent)
    torch.set_num_threads(threads)
    return threads


_default: JobQueue | None = None
_default_lock = threading.Lock()


def default_queue() -> JobQueue:
    """The process-wide queue; ``GALLERY_MAX_TRAININGS`` sets its slots (default 1)."""
    global _default
    with _default_lock:
        if _default is None:
            slots = int(os.environ.get("GALLERY_MAX_TRAININGS", "1"))
            _default = JobQueue(max_concurrent=max(1, slots))
            configure_torch_threads(_default.max_concurrent)
        return _default
