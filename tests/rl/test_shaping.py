"""Reward shaping: the shaped reward equals its formula, the potential form telescopes, the curves count
the environment's own reward, and each control of the page reaches the reward the run learns from."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.rl import agents, envs, lunar, shaping, showcase
from tests.helpers import finish_job, page, texts


def _steps(shape: dict[str, Any], n: int = 60, seed: int = 0) -> list[tuple]:
    env = shaping.ShapedReward(envs.make(shape["env_id"]), shape)
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        nxt, r, term, trunc, info = env.step(int(rng.integers(env.action_space.n)))
        out.append((obs, nxt, r, info["true_reward"], term))
        obs = nxt
        if term or trunc:
            break
    return out


def test_the_mountaincar_potential_bonus_is_its_formula_and_telescopes() -> None:
    w, gamma = 3.0, 0.9
    rows = _steps({"env_id": "MountainCar-v0", "weight": w, "gamma": gamma})
    for obs, nxt, r, true, _ in rows:
        assert true == -1.0
        assert r == pytest.approx(true + gamma * w * np.sin(3 * nxt[0]) - w * np.sin(3 * obs[0]))
    # discounted, the bonuses of a stretch of T steps sum to γ^T Φ(s_T) − Φ(s_0) whatever the actions were:
    # they cannot change which policy is best
    total = sum(gamma**t * (r - true) for t, (_, _, r, true, _) in enumerate(rows))
    phi_0, phi_t = w * np.sin(3 * rows[0][0][0]), w * np.sin(3 * rows[-1][1][0])
    assert total == pytest.approx(gamma ** len(rows) * phi_t - phi_0)


def test_the_broken_form_pays_for_height_itself() -> None:
    rows = _steps({"env_id": "MountainCar-v0", "weight": 2.0, "potential": False})
    for _, nxt, r, true, _ in rows:
        assert r == pytest.approx(true + 2.0 * np.sin(3 * nxt[0]))


def test_the_cartpole_penalties_are_their_formula() -> None:
    rows = _steps({"env_id": "CartPole-v1", "angle_penalty": 1.5, "position_penalty": 0.5}, n=30)
    for _, nxt, r, true, _ in rows:
        assert r == pytest.approx(true - 1.5 * abs(nxt[2]) - 0.5 * abs(nxt[0]))


def test_the_learning_curve_counts_the_environments_own_reward() -> None:
    cfg = agents.make_config("ppo", "CartPole-v1", timesteps=256, shaping={"angle_penalty": 2.0,
                                                                           "position_penalty": 2.0})
    run = agents.train(cfg)
    assert cfg.hyper["shaping"]["gamma"] == cfg.hyper["gamma"]
    lengths, returns = run.history["episode_length"], run.history["episode_return"]
    assert returns and returns == lengths  # CartPole pays exactly 1 per step; the penalties are not counted


def test_shaping_refuses_what_the_sliders_do_not_offer() -> None:
    with pytest.raises(ValueError, match="Shaping weight must be a number from 0 to 10"):
        shaping.Shaping("MountainCar-v0", weight=float("nan"))
    with pytest.raises(ValueError, match="offered for MountainCar-v0, CartPole-v1"):
        shaping.Shaping("Pendulum-v1")


PAGE = "apps/pages/l7/shaping.py"


@pytest.mark.parametrize(("key", "kind", "value", "expected", "params"), [
    ("l7sh_w", "slider", 4.0, "Φ = 4·height", {}),
    ("l7sh_pot", "toggle", False, "2·height(s') each step (not potential-based)", {"l7sh_w": "2"}),
    ("l7sh_angle", "slider", 1.2, "−1.2·|pole angle|", {"l7sh_env": "CartPole-v1"}),
    ("l7sh_pos", "slider", 0.7, "− 0.7·|cart position|", {"l7sh_env": "CartPole-v1"}),
    ("l7sh_steps", "select_slider", 20_000, "20,000 steps", {}),
    ("l7sh_seed", "number_input", 9, "seed 9;", {}),
    ("l7sh_env", "selectbox", "LunarLander-v3", "fuel costs what the environment charges", {}),
    ("l7sh_fuel", "slider", 3.0, "fuel costs 3× the environment's charge: 0.9 per main-engine step",
     {"l7sh_env": "LunarLander-v3"}),
])
def test_each_control_reaches_the_reward_of_the_run(key: str, kind: str, value: Any, expected: str,
                                                    params: dict[str, str]) -> None:
    at = page(PAGE, params=params)
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert expected in "\n".join(c.value for c in at.caption)


def test_the_lunar_section_scores_the_shipped_lander_against_falling_at_the_chosen_fuel_cost() -> None:
    at = page(PAGE, params={"l7sh_env": "LunarLander-v3"})
    if lunar.NAME not in showcase.shipped():
        assert f"python -m core.train {lunar.NAME}" in texts(at)
        return
    table = at.dataframe[0].value
    assert list(table.index) == ["shipped lander (trained at ×1)", "engines off (falls)"]
    assert (table["fuel cost ×"] == 1.0).all() and table["main engine steps"].iloc[1] == 0
    at.slider(key="l7sh_fuel").set_value(10.0).run()
    high = at.dataframe[0].value
    # the flight is the same; its score drops by 9 times the fuel it burns, falling's score does not move
    assert high["own return"].tolist() == table["own return"].tolist()
    assert high["reshaped return"].iloc[0] < table["reshaped return"].iloc[0]
    assert high["reshaped return"].iloc[1] == table["reshaped return"].iloc[1]
    assert "At ×10," in texts(at) and at.image


def test_a_live_lunar_run_reports_the_fuel_its_agent_burns(monkeypatch: pytest.MonkeyPatch) -> None:
    real = lunar.train_shaped

    def short(cfg: agents.AgentConfig, job: Any = None) -> lunar.ShapedRun:  # one short rollout, same path
        return real(agents.with_overrides(cfg, n_envs=1, n_steps=256), job)

    monkeypatch.setattr(lunar, "train_shaped", short)
    at = page(PAGE, params={"l7sh_env": "LunarLander-v3", "l7sh_fuel": "0", "l7sh_steps": "2000"})
    at.button(key="l7sh__start").click().run()
    finish_job(at, "l7sh")
    assert not at.exception, at.exception
    assert "main-engine and" in texts(at) and "return under the run's reward" in texts(at)


def test_a_lunar_run_counts_fuel_at_the_runs_own_cost() -> None:
    cfg = agents.make_config("ppo", "LunarLander-v3", timesteps=256, shaping={"fuel_cost": 4.0}, n_envs=1,
                             n_steps=256)
    res = lunar.train_shaped(cfg)
    assert res.fuel is not None and res.fuel.fuel_cost == 4.0 and len(res.fuel.lengths) == 5
    assert res.fuel.env_returns == pytest.approx(res.live.returns)  # the same held-out episodes
