"""Stable-Baselines3 training watched like a fit run: progress, Stop and live episode returns for a job.

SB3 has its own loop and its own callback protocol (``BaseCallback._on_step() -> bool``, False aborts
``learn``), so the gallery does not wrap the algorithm; it adapts the callback to the job protocol that
the live training panel already draws (``core.jobs.Job``: ``report``, ``publish``, ``should_stop``).
Only this module imports SB3, so the rest of the training services load without it.

    cb = JobCallback(job)
    PPO("MlpPolicy", "CartPole-v1").learn(50_000, callback=cb)
    cb.status   # "completed" or "stopped"

History rows (one per finished episode): ``timesteps``, ``episode_return``, ``episode_length`` and
``mean_return`` (over the last ``mean_of`` episodes); chart them against ``timesteps``.
"""

from __future__ import annotations

import math
import time
from collections import deque

from stable_baselines3.common.callbacks import BaseCallback

from core.training.callbacks import JobLike


class JobCallback(BaseCallback):
    """Reports an SB3 run to ``job`` (or only records it, with ``job=None``) and stops it on request.

    Episode returns come from the ``Monitor`` wrapper SB3 puts around every environment it builds
    (``info["episode"]``); progress is ``num_timesteps / total_timesteps`` and is reported at most every
    ``min_interval_s`` seconds between episodes (a step of SB3 costs well under a millisecond, a report
    takes a lock that the watcher also takes).
    """

    def __init__(self, job: JobLike | None, total_timesteps: int | None = None, *,
                 min_interval_s: float = 0.25, mean_of: int = 10) -> None:
        super().__init__()
        self.job, self.total, self.min_interval_s = job, total_timesteps, min_interval_s
        self.history: dict[str, list[float]] = {
            k: [] for k in ("timesteps", "episode_return", "episode_length", "mean_return")
        }
        self.status = "completed"
        """``completed``, or ``stopped`` when a stop request ended ``learn``."""
        self._recent: deque[float] = deque(maxlen=mean_of)
        self._last = -math.inf

    def _on_training_start(self) -> None:
        if self.total is None:  # learn()'s own argument, in the locals SB3 hands over at the start
            self.total = int(self.locals.get("total_timesteps") or self.model._total_timesteps)

    def _progress(self) -> float:
        return min(1.0, self.num_timesteps / max(1, self.total or 1))

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            episode = info.get("episode")
            if episode is not None:
                self._episode(float(episode["r"]), int(episode["l"]))
        now = time.perf_counter()
        if self.job is not None and now - self._last >= self.min_interval_s:
            self._last = now
            self.job.report(progress=self._progress(), message=self._message())
        if self.job is not None and self.job.should_stop():
            self.status = "stopped"
            return False
        return True

    def _episode(self, ret: float, length: int) -> None:
        self._recent.append(ret)
        row = {"timesteps": float(self.num_timesteps), "episode_return": ret, "episode_length": float(length),
               "mean_return": sum(self._recent) / len(self._recent)}
        for k, v in row.items():
            self.history[k].append(v)
        if self.job is not None:
            self._last = time.perf_counter()
            self.job.report(progress=self._progress(), message=self._message(), **row)

    def _message(self) -> str:
        text = f"{self.num_timesteps:,} of {self.total or 0:,} steps"
        if self._recent:
            episodes, mean = len(self.history["episode_return"]), self.history["mean_return"][-1]
            text += f", {episodes} episodes, mean return {mean:.1f}"
        return text
