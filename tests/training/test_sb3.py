"""The Stable-Baselines3 adapter: a real PPO on CartPole reports progress and returns, and Stop stops it."""

from __future__ import annotations

import pytest

from core.jobs import Job, JobQueue

pytest.importorskip("stable_baselines3")

pytestmark = pytest.mark.timeout(120)


def _ppo(seed: int = 0):
    from stable_baselines3 import PPO

    # Short rollouts: a few updates within 2,000 steps, about 2 s on two cores.
    return PPO("MlpPolicy", "CartPole-v1", n_steps=256, batch_size=64, n_epochs=2, seed=seed, device="cpu")


def test_ppo_reports_progress_and_live_episode_returns_to_its_job() -> None:
    from core.training.sb3 import JobCallback

    def train(job: Job) -> JobCallback:
        cb = JobCallback(job)
        _ppo().learn(2_000, callback=cb)
        return cb

    job = JobQueue().submit(train)
    assert job.wait(100)
    assert job.status == "done", job.error
    cb = job.result
    assert cb.status == "completed" and job.progress == 1.0
    h = job.history()
    assert len(h["episode_return"]) >= 20, "CartPole episodes of an untrained policy last 10-60 steps"
    assert h["timesteps"] == sorted(h["timesteps"]) and 0 < h["timesteps"][-1] <= 2_048
    assert h["episode_return"] == cb.history["episode_return"]
    # CartPole pays 1 per step: an episode's return is its length.
    assert h["episode_return"] == h["episode_length"]


def test_stop_ends_learning_early() -> None:
    from core.training.sb3 import JobCallback

    def train(job: Job) -> tuple[JobCallback, int]:
        cb = JobCallback(job, min_interval_s=0.0)
        model = _ppo()
        model.learn(1_000_000, callback=cb)
        return cb, model.num_timesteps

    job = JobQueue().submit(train)
    for _ in range(600):
        if len(job.history().get("episode_return", [])) >= 5:
            break
        job.wait(0.05)
    job.stop()
    assert job.wait(60)
    cb, steps = job.result
    assert job.status == "stopped" and cb.status == "stopped"
    assert steps < 100_000 and job.progress < 0.1
