"""Gradio tab of lecture 7's policy-gradient internals: one episode's returns-to-go, baseline and advantage,
and the variance of the REINFORCE gradient estimate with and without a baseline, as the page ``l7-pg``.

Endpoint ``/measure_policy_gradient`` (policy, discount γ, independent batches, episodes per batch, seed) ->
the episode figure (:func:`core.rl.internals.breakdown` drawn by :func:`core.rl.figures.pg_breakdown`), the
variance bars (:func:`core.rl.internals.gradient_variance` drawn by :func:`core.rl.figures.variance_bars`),
the page's table (:func:`core.rl.internals.variance_table`, rounded to 3 decimals as on the page) and the
numbers (the episode's length, return, G_0 and V(s_0); each estimator's variance and mean gradient norm).
The choices and ranges are the page's (``core.rl.internals``, ``core.rl.zoo``). The measurement samples up
to 240 CartPole episodes, so it goes through the process-wide job queue (:mod:`apps.gradio_tabs.jobs`: one
computation at a time beside the trainings, its place in the queue shown); results are cached by the
checked values (16 entries), as the page caches them. A Stop (or a closed page, a cancelled call) ends the
sampling at the next batch.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Generator
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from apps.gradio_tabs import inputs as gi
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core import checkpoints
from core.jobs import Job
from core.rl import figures, internals, vpg, zoo

Measured = tuple[go.Figure, go.Figure, pd.DataFrame, dict[str, Any]]
Key = tuple[str, float, int, int, int]
Result = tuple[dict[str, np.ndarray], dict[str, internals.Variance]]
CACHE_SIZE = 16
"""Measurements kept: as many as the page's ``st.cache_data`` keeps."""
_cache: dict[Key, Result] = {}
_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _net(name: str) -> vpg.PolicyValueNet:
    return internals.policy(name)  # read-only, shared by every request (the page's cache_resource)


def _measured(key: Key, job: Job) -> Result:
    """The page's two core calls for one set of checked values (policy, γ, batches, episodes, seed), from the
    cache when they were made before; a measurement cut short by a stop is not kept."""
    with _lock:
        if key in _cache:
            return _cache[key]
    name, gamma, batches, episodes, seed = key
    net = _net(name)
    result = (internals.breakdown(net, gamma, seed),
              internals.gradient_variance(net, gamma, batches, episodes, seed, job=job))  # fmt: skip
    if not job.should_stop():
        with _lock:
            _cache[key] = result
            while len(_cache) > CACHE_SIZE:
                _cache.pop(next(iter(_cache)))  # the oldest first
    return result


def measure_policy_gradient(policy: Any, gamma: Any, batches: Any, episodes: Any, seed: Any,
                            progress: gr.Progress = gr.Progress()  # noqa: B008
                            ) -> Generator[Measured, None, None]:  # fmt: skip
    """One sampled episode's returns-to-go, baseline and advantage, and the variance of the three
    estimators over ``batches`` batches of ``episodes`` episodes (the same episodes for all three)."""
    name = gi.choice("policy", policy, tuple(internals.POLICIES))
    g = gi.choice("discount γ", gamma, zoo.GAMMAS)
    b = gi.number("independent batches", batches, *internals.BATCHES)
    e = gi.number("episodes per batch", episodes, *internals.EPISODES_PER_BATCH)
    s = gi.number("seed", seed, *zoo.SEED_RANGE)
    try:
        _net(name)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped REINFORCE agent is not available: {exc}") from None
    parts, var = yield from run_job(lambda job: _measured((name, g, b, e, s), job), "gradio-pg-variance",
                                    progress, 4)  # fmt: skip
    steps = len(parts["rewards"])
    episode = figures.pg_breakdown(parts, f"One sampled episode ({steps} steps, γ = {g:g})")
    bars = figures.variance_bars({internals.ESTIMATORS[k]: v.total for k, v in var.items()},
                                 f"Variance over {b} batches of {e} episode(s)")
    table = pd.DataFrame(internals.variance_table(var)).round(3)
    numbers = {"policy": name, "gamma": g, "seed": s, "batches": b, "episodes_per_batch": e,
               "episode": {"steps": steps, "return": float(parts["rewards"].sum()),
                           "G_0": round(float(parts["returns_to_go"][0]), 4),
                           "V_s0": round(float(parts["baseline"][0]), 4)},
               "variance": {k: v.total for k, v in var.items()},
               "mean_gradient_norm": {k: v.mean_norm for k, v in var.items()}}  # fmt: skip
    yield episode, bars, table, numbers


def build() -> None:
    """Lay out the policy-gradient tab inside the current Blocks/Tab."""
    gr.Markdown(
        "### Policy gradient inside\nREINFORCE pushes up the log-probability of each action taken, weighted "
        "by what followed it: the return-to-go G_t minus a baseline b(s_t). Any baseline that ignores the "
        "action leaves the expected gradient unchanged; a good one shrinks the variance of the estimate. "
        "The same sampled CartPole episodes feed all three estimators (a paired comparison); the variance is "
        "summed over the policy's weights."
    )
    with gr.Row():
        with gr.Column():
            policy = gi.CheckedDropdown([(v, k) for k, v in internals.POLICIES.items()],
                                        value="vpg-CartPole-v1", label="Policy")
            gamma = gi.CheckedDropdown([(f"{x:g}", x) for x in zoo.GAMMAS], value=0.99, label="Discount γ")
        with gr.Column():
            batches = gi.CheckedSlider(*internals.BATCHES, value=8, step=1, label="Independent batches")
            episodes = gi.CheckedSlider(*internals.EPISODES_PER_BATCH, value=1, step=1,
                                        label="Episodes per batch")
        with gr.Column():
            lo, hi = zoo.SEED_RANGE
            seed = gi.CheckedNumber(value=0, precision=0, minimum=lo, maximum=hi, label="Seed")
    start, stop = start_stop("Sample and measure")
    with gr.Row():
        episode = gr.Plot(label="One sampled episode")
        bars = gr.Plot(label="Variance of the gradient estimate")
    table, numbers = gr.Dataframe(label="Estimators"), gr.JSON(label="Numbers")
    wire(start, stop, measure_policy_gradient, [policy, gamma, batches, episodes, seed],
         [episode, bars, table, numbers], "measure_policy_gradient")
