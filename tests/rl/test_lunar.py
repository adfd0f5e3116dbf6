"""LunarLander: the fuel-cost reward equals its formula (checked against the environment's own shaping
potential, not against the wrapper's reconstruction of the fuel), engine use is counted as the environment
fires its engines, and the shipped lander is rebuilt by its training command."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from core import checkpoints
from core.registry import TrainContext, specs
from core.rl import envs, lunar, shaping


def _potential(obs: np.ndarray) -> float:
    """LunarLander's own progress term (gymnasium's ``shaping``), recomputed from an observation."""
    x, y, vx, vy, angle, _, leg1, leg2 = (float(v) for v in obs)
    return (-100 * np.hypot(x, y) - 100 * np.hypot(vx, vy) - 100 * abs(angle) + 10 * leg1 + 10 * leg2)


def _play(env: gym.Env, actions: list, k: float, seed: int = 3) -> list[tuple]:
    wrapped = shaping.ShapedReward(env, {"env_id": "LunarLander-v3", "fuel_cost": k})
    obs, _ = wrapped.reset(seed=seed)
    rows = []
    for a in actions:
        nxt, r, term, trunc, info = wrapped.step(a)
        rows.append((obs, a, nxt, r, info["true_reward"], term))
        obs = nxt
        if term or trunc:
            break
    return rows


@pytest.mark.parametrize("k", [0.0, 2.5, 10.0])
def test_the_fuel_cost_reward_is_progress_minus_k_times_the_fuel(k: float) -> None:
    actions = [0, 2, 2, 1, 3, 2, 0, 1] * 8  # every engine, in a fixed order, for 64 steps
    rows = _play(envs.make("LunarLander-v3"), actions, k)
    assert len(rows) == len(actions)  # no landing or crash yet: every step pays for its fuel
    for obs, a, nxt, r, true, _ in rows:
        fuel = 0.3 * (a == 2) + 0.03 * (a in (1, 3))
        progress = _potential(nxt) - _potential(obs)
        assert true == pytest.approx(progress - fuel, abs=2e-3)  # the environment's own reward
        assert r == pytest.approx(progress - k * fuel, abs=2e-3)
        assert r - true == pytest.approx((1 - k) * fuel, abs=1e-9)


def test_continuous_engines_are_charged_as_the_environment_charges_them() -> None:
    rng = np.random.default_rng(0)
    actions = [rng.uniform(-1, 1, 2).astype(np.float32) for _ in range(60)]
    rows = _play(gym.make("LunarLander-v3", continuous=True), actions, 4.0)
    charged = 0
    for obs, a, nxt, r, true, _ in rows:
        main = (np.clip(a[0], 0, 1) + 1) / 2 if a[0] > 0 else 0.0
        side = np.clip(abs(a[1]), 0.5, 1) if abs(a[1]) > 0.5 else 0.0
        fuel = 0.3 * main + 0.03 * side
        charged += fuel > 0
        assert true == pytest.approx(_potential(nxt) - _potential(obs) - fuel, abs=2e-3)
        assert r == pytest.approx(true - 3.0 * fuel, abs=1e-6)
    assert charged > 40


def test_the_final_step_keeps_its_flat_penalty_without_fuel() -> None:
    rows = _play(envs.make("LunarLander-v3"), [2] * 1000, 5.0)
    *_, (obs, a, nxt, r, true, term) = rows
    assert term and true == -100.0 and r == -100.0  # flew off or crashed: −100, whatever the fuel cost
    assert all(r == pytest.approx(t - 4 * 0.3) for _, _, _, r, t, _ in rows[:-1])


def test_the_fuel_report_counts_engine_steps_and_the_reshaped_return() -> None:
    off = lunar.fuel_report(lunar.EnginesOff(), 7.0, episodes=2)
    assert off.main_frames == [0, 0] and off.side_frames == [0, 0] and off.landed == 0
    assert off.shaped_returns == pytest.approx(off.env_returns)  # no fuel burnt: nothing to reshape

    class Main:
        def predict(self, obs: np.ndarray, deterministic: bool = True) -> tuple[int, None]:
            return 2, None

    rep = lunar.fuel_report(Main(), 3.0, episodes=2)
    assert rep.main_frames == rep.lengths and rep.side_frames == [0, 0]
    for own, shaped, n in zip(rep.env_returns, rep.shaped_returns, rep.lengths, strict=True):
        assert shaped == pytest.approx(own - 2.0 * 0.3 * (n - 1))  # the final step is charged no fuel
    assert rep.row()["main engine steps"] == np.mean(rep.lengths)


def test_the_fuel_cost_is_refused_outside_the_slider() -> None:
    for bad in (float("nan"), -0.5, 10.5, float("inf")):
        with pytest.raises(ValueError, match="Fuel cost must be a number from 0 to 10"):
            shaping.Shaping("LunarLander-v3", fuel_cost=bad)
    assert "2× the environment's charge" in shaping.describe(shaping.Shaping("LunarLander-v3", fuel_cost=2))


def test_the_training_command_ships_the_steps_it_ran(tmp_path) -> None:
    ent = specs()[lunar.NAME].fn(TrainContext(directory=tmp_path, quick=True))
    assert ent["config"]["timesteps"] == 640  # PPO runs whole rollouts: 5 of 128 steps for 600 asked
    assert ent["metrics"]["episodes"] == 20 and ent["config"]["hyper"]["gamma"] == 0.999
    assert checkpoints.entry(lunar.NAME, tmp_path).config["env_id"] == "LunarLander-v3"


def test_the_shipped_lander_lands_and_its_fuel_is_what_separates_its_scores() -> None:
    from core.rl import agents, load_agent

    ent = checkpoints.entry(lunar.NAME)
    assert ent.metrics["mean_return"] >= 200 and ent.metrics["episodes"] >= 20  # the Zoo's "solved"
    agent = load_agent(lunar.NAME)
    at_1, at_5 = lunar.fuel_report(agent, 1.0), lunar.fuel_report(agent, 5.0)
    assert at_1.env_returns == pytest.approx(agents.evaluate(agent, lunar.ENV_ID, lunar.REPORT_EPISODES))
    assert at_1.shaped_returns == pytest.approx(at_1.env_returns) and at_1.landed >= 4
    assert at_5.main_frames == at_1.main_frames  # the same flight ...
    assert all(s < o for s, o in zip(at_5.shaped_returns, at_5.env_returns, strict=True))  # ... scored lower
