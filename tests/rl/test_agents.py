"""Agents ship as safetensors + JSON and come back acting exactly as trained; nothing else is loaded."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from core import checkpoints as ck
from core.rl import agents, envs, load_agent

#: Steps of the tiny runs: one PPO rollout (32 steps x 8 envs), a few SAC updates after 100 random steps.
TINY = {"ppo": 256, "trpo": 1024, "vpg": 300, "sac": 200, "td3": 200}


def tiny_run(algo: str, env_id: str) -> agents.AgentRun:
    cfg = agents.make_config(algo, env_id, timesteps=TINY[algo], seed=3)
    if "learning_starts" in cfg.hyper:
        cfg = agents.with_overrides(cfg, learning_starts=100)
    return agents.train(cfg)


def observations(env_id: str, n: int = 64) -> np.ndarray:
    env = envs.make(env_id)
    env.observation_space.seed(0)
    return np.stack([env.observation_space.sample() for _ in range(n)])


@pytest.mark.parametrize(("algo", "env_id"), [("ppo", "CartPole-v1"), ("vpg", "CartPole-v1"),
                                              ("sac", "Pendulum-v1"), ("td3", "Pendulum-v1")])
def test_a_saved_agent_is_rebuilt_and_acts_exactly_as_trained(algo: str, env_id: str, tmp_path: Path) -> None:
    run = tiny_run(algo, env_id)
    ent = agents.save_agent(f"{algo}-{env_id}", run, tmp_path)
    assert ent.task == "rl-agent" and ent.config["env_id"] == env_id and ent.metrics["episodes"] == 20
    loaded = load_agent(f"{algo}-{env_id}", tmp_path)
    obs = observations(env_id)
    trained = np.stack([run.agent.predict(o, deterministic=True)[0] for o in obs])
    rebuilt = np.stack([loaded.predict(o, deterministic=True)[0] for o in obs])
    np.testing.assert_array_equal(rebuilt, trained)
    assert len(np.unique(trained.round(4), axis=0)) > 1  # a policy that acts, not a constant
    # and the held-out returns measured before saving come back from the file
    assert agents.measure(ck.load_model(f"{algo}-{env_id}", tmp_path), ent) == {
        k: ent.metrics[k] for k in ("mean_return", "std_return", "episodes")}


def test_only_safetensors_are_written(tmp_path: Path) -> None:
    agents.save_agent("ppo-CartPole-v1", tiny_run("ppo", "CartPole-v1"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "manifest.json", "ppo-CartPole-v1.safetensors"]


def _swap_file(folder: Path, name: str, data: bytes) -> None:
    """Put ``data`` where the agent's weights were and make the manifest's sha256 agree with it."""
    (folder / f"{name}.safetensors").write_bytes(data)
    raw = json.loads((folder / "manifest.json").read_text())
    raw[name]["sha256"] = ck.sha256_file(folder / f"{name}.safetensors")
    (folder / "manifest.json").write_text(json.dumps(raw))


class _Boom:
    def __reduce__(self) -> tuple:
        return (Path.touch, (Path(__file__).parent / "PWNED",))


def test_an_sb3_zip_or_a_pickle_in_place_of_the_weights_is_refused_unread(tmp_path: Path) -> None:
    run = tiny_run("ppo", "CartPole-v1")
    agents.save_agent("ppo-CartPole-v1", run, tmp_path)
    run.agent.save(tmp_path / "sb3.zip")  # SB3's own format: a zip holding pickles
    _swap_file(tmp_path, "ppo-CartPole-v1", (tmp_path / "sb3.zip").read_bytes())
    with pytest.raises(ck.CheckpointCorrupt, match="not a readable safetensors file"):
        load_agent("ppo-CartPole-v1", tmp_path)
    marker = Path(__file__).parent / "PWNED"
    _swap_file(tmp_path, "ppo-CartPole-v1", pickle.dumps(_Boom()))
    with pytest.raises(ck.CheckpointError):
        load_agent("ppo-CartPole-v1", tmp_path)
    assert not marker.exists(), "the pickle's code ran"


def test_a_tampered_file_is_refused_by_its_hash(tmp_path: Path) -> None:
    agents.save_agent("vpg-CartPole-v1", tiny_run("vpg", "CartPole-v1"), tmp_path)
    path = tmp_path / "vpg-CartPole-v1.safetensors"
    path.write_bytes(path.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(ck.CheckpointCorrupt, match="does not match the manifest"):
        load_agent("vpg-CartPole-v1", tmp_path)


def test_settings_out_of_range_are_refused_with_the_range() -> None:
    with pytest.raises(ValueError, match="Learning rate must be a number from 1e-05 to 0.03"):
        agents.make_config("ppo", "CartPole-v1", learning_rate=float("nan"))
    with pytest.raises(ValueError, match="Gamma"):
        agents.make_config("ppo", "CartPole-v1", gamma=float("inf"))
    with pytest.raises(ValueError, match="needs continuous actions"):
        agents.make_config("sac", "CartPole-v1")
    with pytest.raises(ValueError, match="unknown environment; choose one of CartPole-v1"):
        agents.make_config("ppo", "Breakout-v5")
    with pytest.raises(ValueError, match="has no setting 'clip'"):
        agents.make_config("ppo", "CartPole-v1", clip=0.1)


class StopAfter:
    """A job that asks to stop once it has received ``n`` episode rows."""

    def __init__(self, n: int) -> None:
        self.n, self.rows = n, 0

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        self.rows += "episode_return" in metrics

    def publish(self, key: str, value: object) -> None:
        pass

    def should_stop(self) -> bool:
        return self.rows >= self.n


@pytest.mark.parametrize("algo", ["ppo", "vpg"])
def test_stop_ends_a_run_early_and_says_so(algo: str) -> None:
    cfg = agents.make_config(algo, "CartPole-v1", timesteps=200_000, seed=1)
    run = agents.train(cfg, StopAfter(10))
    assert run.status == "stopped"
    assert run.history["timesteps"][-1] < 20_000


def test_the_time_budget_ends_a_run_and_says_so() -> None:
    run = agents.train(agents.make_config("ppo", "CartPole-v1", timesteps=200_000), time_budget_s=0.0)
    assert run.status == "out of time" and (run.history["timesteps"] or [0])[-1] < 20_000


def test_a_rendered_episode_becomes_a_looping_gif_with_every_kept_frame() -> None:
    import io

    from PIL import Image

    from core.rl import figures

    agent = load_agent("ppo-CartPole-v1")
    r = agents.rollout(agent, "CartPole-v1", seed=agents.EVAL_SEED, frame_every=5)
    assert len(r.rewards) == 500 and len(r.frames) == 1 + 500 // 5
    assert r.frames[0].shape == (134, 200, 3)  # 600x400 shrunk 3x
    img = Image.open(io.BytesIO(figures.gif(r.frames)))
    assert img.format == "GIF" and img.n_frames > 10 and img.info.get("loop") == 0
    total_ms = 0
    for i in range(img.n_frames):  # identical neighbours are merged into one longer frame
        img.seek(i)
        total_ms += img.info["duration"]
    assert total_ms == len(r.frames) * 40  # 25 frames per second, every kept frame shown


def test_a_run_is_drawn_over_the_shaded_band_of_the_shipped_seeds() -> None:
    from core.rl import live, showcase

    band = showcase.band("PPO", {0: {"timesteps": [0, 100], "mean_return": [10, 30]},
                                 1: {"timesteps": [0, 100], "mean_return": [20, 50]}}, points=3)
    fig = live.comparison("CartPole-v1", [band], "t", {"timesteps": [10, 60], "mean_return": [5.0, 7.0]},
                          extra={"run 1": {"timesteps": [10, 90], "mean_return": [1.0, 2.0]}})
    area, mean, earlier, run = fig.data  # the band beneath, earlier runs, then this run on top
    assert area.fill == "toself" and list(area.x) == [0, 50, 100, 100, 50, 0]
    assert list(area.y) == [20, 35, 50, 30, 20, 10]  # highest seed forward, lowest seed back
    assert list(mean.y) == [15, 27.5, 40] and mean.name == "PPO: mean of 2 seeds"
    assert earlier.line.dash == "dot" and list(run.y) == [5.0, 7.0] and run.line.width == 3
    assert fig.layout.shapes[0].y0 == 475 and "solved (475)" in fig.layout.annotations[0].text
