"""Vanilla policy gradient: returns-to-go by their formula, the estimator's baseline, and the measured
variance the internals page shows."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.rl import internals, vpg
from tests.helpers import page, texts


def test_returns_to_go_follow_their_formula() -> None:
    rewards = np.array([1.0, 0.0, 2.0, -1.0])
    g = vpg.returns_to_go(rewards, 0.5)
    expected = [sum(0.5 ** (k - t) * rewards[k] for k in range(t, 4)) for t in range(4)]
    np.testing.assert_allclose(g, expected)
    np.testing.assert_allclose(vpg.returns_to_go(np.ones(3), 1.0), [3, 2, 1])


def test_the_baseline_changes_the_estimate_but_not_the_step_with_a_constant_value() -> None:
    torch.manual_seed(0)
    net = vpg.build_net("CartPole-v1")
    env = internals.envs.make("CartPole-v1")
    batch = [vpg.play(env, net, s) for s in range(4)]
    with torch.no_grad():  # a value net that says 0 everywhere is no baseline at all
        net.v[-1].weight.zero_()
        net.v[-1].bias.zero_()
    grads = []
    for baseline in (False, True):
        net.zero_grad()
        vpg.policy_loss(net, batch, 0.99, baseline).backward()
        grads.append(torch.cat([p.grad.reshape(-1) for p in net.pi.parameters()]))
    torch.testing.assert_close(grads[0], grads[1])


def test_reinforce_improves_cartpole_within_a_few_thousand_steps() -> None:
    run = vpg.train_vpg(vpg.VPGConfig(timesteps=6_000, seed=0))
    r = run.history["episode_return"]
    assert run.status == "completed" and run.history["timesteps"][-1] >= 6_000
    assert np.mean(r[-20:]) > 1.5 * np.mean(r[:20])


def test_a_learned_baseline_shrinks_the_variance_of_the_trained_agents_gradient() -> None:
    var = internals.gradient_variance(internals.policy("vpg-CartPole-v1"), 0.99, 4, 1, 0)
    assert var["value"].total < var["none"].total / 4


def test_the_internals_refuse_values_outside_the_sliders() -> None:
    net = internals.policy("untrained")
    with pytest.raises(ValueError, match="Batches must be a whole number from 4 to 30"):
        internals.gradient_variance(net, 0.99, 100, 1, 0)
    with pytest.raises(ValueError, match="Gamma"):
        internals.breakdown(net, float("nan"), 0)


PAGE = "apps/pages/l7/policy_gradient.py"


@pytest.mark.parametrize(("key", "kind", "value", "expected"), [
    ("l7pg_gamma", "select_slider", 0.9, "γ = 0.9)"),
    ("l7pg_seed", "number_input", 3, "Episode of seed 3:"),
    ("l7pg_batches", "slider", 5, "Variance over 5 batches"),
    ("l7pg_episodes", "slider", 2, "of 2 episode(s)"),
    ("l7pg_policy", "selectbox", "vpg-CartPole-v1", "(500 steps"),
])
def test_each_control_reaches_the_measurement(key: str, kind: str, value: object, expected: str) -> None:
    at = page(PAGE, params={"l7pg_policy": "untrained", "l7pg_batches": "4"} if key != "l7pg_batches"
              else {"l7pg_policy": "untrained"})
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    shown = texts(at) + " ".join(titles).replace("<br>", " ")
    assert expected in shown
