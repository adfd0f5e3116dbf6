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
LIVE_POINTS = 150
"""Points per live curve: enough for a chart a few hundred pixels wide while it moves."""
LOSS_ACC_CHARTS: Charts = (
    ("Loss", ("train_loss", "val_loss")),
    ("Accuracy", ("train_accuracy", "val_accuracy")),
)
RETURN_CHARTS: Charts = (("Episode return", ("episode_return", "mean_return")),)
"""For reinforcement learning (``core.training.sb3.JobCallback`` rows), against ``x_key="timesteps"``."""


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
    poll_s: float = 0.5,
    x_key: str = "epoch",
) -> Job | None:
    """A Train button and the live view of the job it starts.

    ``make_job`` is called on click and returns the function the job runs (it captures the current
    widget values). ``x_key``: the history column the curves run along (``timesteps`` for RL).
    ``live(job)`` draws extra live figures from ``job.artifact(...)``; ``result(job)``
    draws the finished result (also after a stop, divergence or time-out). ``poll_s``: every poll runs
    on the server and holds the GIL that the training thread needs; at 2 Hz a chart still looks live
    and the watcher costs half of what 5 Hz did (bench/bench_live.py).
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
        st.fragment(_live_view, run_every=poll_s)(key, charts, live, x_key)
    else:
        _finished_view(key, job, charts, result, x_key)
    return job


def _live_view(key: str, charts: Charts, live: Callable[[Job], None] | None, x_key: str) -> None:
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
    _charts(job.history(), charts, x_key, key=f"{key}_live", cache=f"{key}__live_figures")
    if live is not None and job.status == "running":
        live(job)


def _finished_view(
    key: str, job: Job, charts: Charts, result: Callable[[Job], None] | None, x_key: str
) -> None:
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
            st.error(f"Diverged: {fr.message}. The model is not usable; lower the learning rate.",
                     icon=":material/warning:")
        elif fr.status == "failed_to_learn":  # finished, but no better than guessing: not a success
            st.error(text, icon=":material/trending_flat:")
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
    _charts(history, charts, x_key, key=f"{key}_done")
    if result is not None and job.result is not None:
        result(job)


def _charts(
    history: dict[str, list[float]], charts: Charts, x_key: str, key: str, cache: str | None = None
) -> None:
    """One figure per chart group; with ``cache`` (a live view), figures are rebuilt only when the history
    has grown since the last poll, and drawn with fewer points (building them is most of a poll's cost)."""
    groups = [(title, keys) for title, keys in charts if any(history.get(k) for k in keys)]
    if not groups:
        return
    rows = sum(len(v) for v in history.values())
    cached = st.session_state.get(cache) if cache else None
    if cached is not None and cached[0] == rows:
        figures = cached[1]
    else:
        points = LIVE_POINTS if cache else 400
        figures = [
            loss_curves(history, keys, title=title, x_key=x_key, max_points=points) for title, keys in groups
        ]
        if cache:
            st.session_state[cache] = (rows, figures)
    for col, (title, _), fig in zip(st.columns(len(groups)), groups, figures):
        with col:
            st.plotly_chart(fig, key=f"{key}_{title}")
