"""Live training panel shared by every page that trains: queue position, progress bar, Stop, live curves.

The training itself runs in a ``core.jobs`` thread, so moving a slider does not kill it; a fragment
polls the job a few times a second and redraws only itself. When the job ends, the whole page reruns
once to show the result with the rest of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from core.jobs import Job, QueueFull, default_queue
from core.viz.curves import loss_curves

Charts = Sequence[tuple[str, Sequence[str]]]
LOSS_CHARTS: Charts = (("Loss", ("train_loss", "val_loss")),)
LOSS_ACC_CHARTS: Charts = (("Loss", ("train_loss", "val_loss")), ("Accuracy", ("train_accuracy", "val_accuracy")))


def job_key(key: str) -> str:
    return f"{key}__job"


def current_job(key: str) -> Job | None:
    """The job last started by the panel ``key`` in this session, if any."""
    return st.session_state.get(job_key(key))


def training_panel(
    key: str,
    make_job: Callable[[], Callable[[Job], Any]],
    *,
    label: str = "Train",
    charts: Charts = LOSS_CHARTS,
    live: Callable[[Job], None] | None = None,
    result: Callable[[Job], None] | None = None,
    poll_s: float = 0.2,
) -> Job | None:
    """A Train button and the live view of the job it starts.

    ``make_job`` is called on click and returns the function the job runs (it captures the current
    widget values). ``live(job)`` draws extra live figures from ``job.artifact(...)``; ``result(job)``
    draws the finished result (also after a stop, divergence or time-out).
    """
    job = current_job(key)
    busy = job is not None and job.active
    if st.button(label, key=f"{key}__start", type="primary", disabled=busy, icon=":material/play_arrow:"):
        try:
            job = default_queue().submit(make_job(), name=key)
        except QueueFull as exc:
            st.error(f"The server is busy: {exc}.")
        except ValueError as exc:  # invalid settings detected while preparing the run
            st.error(f"Cannot start: {exc}")
        else:
            st.session_state[job_key(key)] = job
    if job is None:
        return None
    if job.active:
        st.fragment(_live_view, run_every=poll_s)(key, charts, live)
    else:
        _finished_view(key, job, charts, result)
    return job


def _live_view(key: str, charts: Charts, live: Callable[[Job], None] | None) -> None:
    job = current_job(key)
    if job is None:
        return
    if not job.active:
        st.rerun()
    if job.status == "queued":
        running, waiting = default_queue().counts()
        st.info(
            f"Queued: position {job.position()} of {waiting}. {running} training(s) running on this "
            "server; yours starts when a trainer is free.",
            icon=":material/hourglass_top:",
        )
    else:
        st.progress(job.progress, text=job.message)
    if st.button("Stop", key=f"{key}__stop", icon=":material/stop:"):
        job.stop()
    _charts(job.history(), charts, key=f"{key}_live")
    if live is not None and job.status == "running":
        live(job)


def _finished_view(key: str, job: Job, charts: Charts, result: Callable[[Job], None] | None) -> None:
    fr = job.fit_result
    if job.status == "failed":
        st.error(f"Training failed: {job.error}", icon=":material/error:")
        return
    if fr is None and job.status == "stopped" and job.result is None:
        st.warning("Cancelled before it started.", icon=":material/stop_circle:")
        return
    if fr is not None:
        text = f"{fr.message} — {fr.epochs_run} epochs, {fr.steps} steps in {fr.seconds:.1f} s."
        if fr.status == "diverged":
            st.error(f"Diverged: {fr.message}. The model is not usable; lower the learning rate.", icon=":material/warning:")
        elif fr.status == "completed":
            st.success(text, icon=":material/check_circle:")
        elif fr.status == "early_stopped":
            st.info(text, icon=":material/flag:")
        else:
            st.warning(text + " Showing the model as it was when it stopped.", icon=":material/stop_circle:")
        history = fr.history
    else:
        st.success(job.message, icon=":material/check_circle:")
        history = job.history()
    _charts(history, charts, key=f"{key}_done")
    if result is not None and job.result is not None:
        result(job)


def _charts(history: dict[str, list[float]], charts: Charts, key: str) -> None:
    groups = [(title, keys) for title, keys in charts if any(history.get(k) for k in keys)]
    if not groups:
        return
    for col, (title, keys) in zip(st.columns(len(groups)), groups):
        with col:
            st.plotly_chart(loss_curves(history, keys, title=title), key=f"{key}_{title}")
