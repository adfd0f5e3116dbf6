"""Trainings behind Gradio endpoints: through the process-wide job queue, with progress, and stoppable.

The one way a Gradio tab trains (lectures 2 to 7): the work runs as a :class:`core.jobs.Job`, so a public
Space's two cores see one training at a time whichever front end asked; the endpoint is a generator that
reports the job's progress to ``gr.Progress`` and yields "no update" while it runs, so Gradio can end the
event between two yields. A Stop button (:func:`wire`), a closed page or a cancelled API call then closes
the generator, and its ``finally`` stops the job at its next step.

Use::

    def train(lr: Any, progress: gr.Progress = gr.Progress()) -> Generator[tuple[Any, Any], None, None]:
        cfg = ...checked settings...
        run = yield from run_job(lambda job: core_train(cfg, job=job), "gradio-x", progress, n_outputs=2)
        yield figure(run), numbers(run)

    start, stop = start_stop("Train")
    wire(start, stop, train, [lr], [plot, numbers], "train_x")
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

import gradio as gr

from core.jobs import Job, QueueFull, default_queue

POLL_S = 0.5
"""How often a waiting endpoint looks at its job (and lets Gradio end the event)."""
T = TypeVar("T")


def run_job(fn: Callable[[Job], T], name: str, progress: gr.Progress,
            n_outputs: int) -> Generator[Any, None, T]:
    """``fn`` through the job queue, its progress shown until it ends; gr.Error saying why if it fails.

    A generator (``yield from`` it; its value is ``fn``'s result): while the job runs it yields "no update"
    for the endpoint's ``n_outputs`` outputs (a bare one for a single output: Gradio hands a one-output
    endpoint's value to that output whole, and a 1-tuple is no image)."""
    skip: Any = gr.skip() if n_outputs == 1 else tuple(gr.skip() for _ in range(n_outputs))
    # Gradio can end a generator only between two yields: yielding first makes the event stoppable at once
    # (a stop that comes before the job is queued then queues nothing).
    yield skip
    try:
        job = default_queue().submit(fn, name=name)
    except QueueFull as exc:
        raise gr.Error(f"The server is busy: {exc}") from None
    try:
        while not job.wait(POLL_S):
            pos = job.position()
            wait = f"waiting for a free trainer ({pos} in the queue)"
            progress(job.progress, desc=wait if pos else job.message)
            yield skip
    finally:
        if not job.done:  # the event ended early (stopped, disconnected): free the trainer
            job.stop()
    progress(job.progress, desc=job.message)  # the last word, also for a job done before the first look
    if job.status == "failed":
        raise gr.Error(f"Training failed: {job.error}")
    return job.result


def start_stop(label: str) -> tuple[gr.Button, gr.Button]:
    """A primary Start button labelled ``label`` and a Stop button beside it."""
    with gr.Row():
        return gr.Button(label, variant="primary"), gr.Button("Stop", variant="stop")


def wire(start: gr.Button, stop: gr.Button, fn: Callable[..., Any], inputs: list[Any], outputs: list[Any],
         api_name: str) -> None:
    """``fn`` on Start, as endpoint ``api_name``; Stop ends the event between two of its yields, and the
    endpoint's ``finally`` stops its job (see :func:`run_job`)."""
    event = gr.on([start.click], fn, inputs, outputs, api_name=api_name)
    gr.on([stop.click], None, None, None, cancels=[event], api_visibility="private")
