"""Gradio tab of the live-training page through the real route: /train_agent trains the settings it is sent
through the job queue (the run the core gives for them), draws it over the shipped agents' seed bands and
shows the trained agent; every control is refused outside the page's choices and ranges; the algorithm list
follows the environment; a cancelled request stops its training."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
import pytest

from apps.gradio_tabs import lecture7_train as tab
from core.jobs import JobQueue
from core.rl import agents, live, showcase, zoo
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue

# environment, algorithm, learning rate, γ, entropy coefficient, action noise, timesteps, seed
SHORT = ["CartPole-v1", "ppo", 0.003, 0.98, 0.0, 0.1, 2_000, 5]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with gradio_tab_client(tab.build) as c:
        yield c


class Recorder:
    """Stands in for gr.Progress when the endpoint is called as a function."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, value: float, desc: str = "") -> None:
        self.calls.append((value, desc))


def names(fig: dict[str, Any]) -> list[str]:
    return [t.get("name", "") for t in fig["data"]]


def test_a_short_run_trains_the_settings_sent_and_matches_the_core(client: Any) -> None:
    fig, html, numbers = client.predict(*SHORT, api_name="/train_agent")
    assert numbers["settings"] == {"algorithm": "ppo", "env": "CartPole-v1", "lr": 0.003, "gamma": 0.98,
                                   "ent_coef": 0.0, "steps": 2_000, "seed": 5}
    assert numbers["status"] == "completed" and numbers["time_budget_s"] == zoo.TIME_BUDGET_S
    assert 2_000 <= numbers["timesteps_trained"] <= 2_000 + 256 and numbers["episodes"] > 0
    assert numbers["held_out_episodes"] == live.EVAL_EPISODES == len(numbers["held_out_returns"])
    assert numbers["description"].startswith("PPO on CartPole-v1: learning rate 0.003, γ 0.98")
    # The same run as the core's for the same settings (seeded): its held-out returns and its curve.
    cfg = agents.make_config("ppo", "CartPole-v1", timesteps=2_000, seed=5, learning_rate=0.003, gamma=0.98,
                             ent_coef=0.0)
    res = live.train_and_show(cfg)
    assert numbers["held_out_returns"] == [round(r, 3) for r in res.returns]
    assert numbers["mean_return"] == round(res.mean_return, 3)
    assert numbers["episodes"] == len(res.run.history["episode_return"])
    assert numbers["episode"] == {"seed": agents.EVAL_SEED, "return": round(res.view.total, 3),
                                  "length": res.view.length}
    # the trained agent's episode as a GIF, and the run over the shipped agents' bands and the solved line
    assert html.startswith('<img alt="PPO on CartPole-v1 after training') and "data:image/gif;base64," in html
    plot = plot_json(fig)
    run = plot["data"][names(plot).index("mean return")]
    assert run["x"][-1] == numbers["timesteps_trained"]
    for algo in showcase.shipped_pairs()["CartPole-v1"]:
        n = len(showcase.seeds(algo, "CartPole-v1"))
        assert f"{zoo.ALGORITHMS[algo].title}: mean of {n} seed{'s' * (n > 1)}" in names(plot)
    assert plot["layout"]["shapes"][0]["y0"] == 475


def test_the_entropy_coefficient_reaches_reinforce_and_progress_is_reported() -> None:
    progress = Recorder()
    *waits, (fig, _, numbers) = tab.train_agent("CartPole-v1", "vpg", "0.01", 0.99, "0.01", 0.1, "2000", 3.0,
                                                progress=progress)  # numbers as text and floats, as sent
    assert waits and all(w == (gr.skip(),) * 3 for w in waits)  # "no update" while the job runs
    assert progress.calls and all(0.0 <= v <= 1.0 for v, _ in progress.calls)
    assert numbers["settings"] == {"algorithm": "vpg", "env": "CartPole-v1", "lr": 0.01, "gamma": 0.99,
                                   "ent_coef": 0.01, "steps": 2_000, "seed": 3}
    assert "entropy coefficient 0.01" in numbers["description"] and numbers["status"] == "completed"
    assert "mean return" in names(fig.to_plotly_json())


def test_the_action_noise_reaches_td3_and_its_curve_is_drawn_over_pendulums_agents() -> None:
    *_, (fig, html, numbers) = tab.train_agent("Pendulum-v1", "td3", 1e-3, 0.98, 0.1, 0.35, 2_000, 0,
                                               progress=Recorder())
    assert numbers["settings"]["action_noise"] == 0.35 and "ent_coef" not in numbers["settings"]
    assert "action noise 0.35" in numbers["description"] and numbers["timesteps_trained"] == 2_000
    assert html.startswith('<img alt="TD3 on Pendulum-v1 after training')
    shipped = showcase.shipped_pairs().get("Pendulum-v1", ())
    assert {n.split(":")[0] for n in names(fig.to_plotly_json()) if n != "mean return"} == {
        zoo.ALGORITHMS[a].title for a in shipped}
    assert fig.layout.shapes[0].y0 == -200


BAD: list[tuple[int, Any, str]] = [
    (0, "Breakout-v5", "Environment must be one of CartPole-v1"),
    (1, "dqn", "Algorithm must be one of vpg, trpo, ppo"),
    (1, "sac", "SAC needs continuous actions; CartPole has discrete ones"),
    (1, "td3", "on CartPole-v1 choose one of vpg, trpo, ppo"),
    (2, "nan", "Learning rate must be one of 1e-05"),
    (2, 2e-4, "Learning rate must be one of"),
    (2, 0.1, "Learning rate must be one of"),
    (3, 1.0, "Discount γ must be one of 0.8, 0.9"),
    (3, "inf", "Discount γ must be one of"),
    (4, 0.5, "Entropy coefficient must be one of 0, 0.001"),
    (4, "nan", "Entropy coefficient must be one of"),
    (5, "nan", "Action noise must be a number from 0 to 1"),
    (5, 1.5, "Action noise must be a number from 0 to 1"),
    (5, -0.1, "Action noise must be a number from 0 to 1"),
    (6, 1_000, "Timesteps must be one of 2000, 5000"),
    (6, 300_000, "Timesteps must be one of"),
    (6, "inf", "Timesteps must be one of"),
    (7, -1, "Seed must be a whole number from 0 to 10000"),
    (7, 10_001, "Seed must be a whole number from 0 to 10000"),
    (7, "nan", "Seed must be a whole number from 0 to 10000"),
    (7, 2.5, "Seed must be a whole number from 0 to 10000"),
]


@pytest.mark.parametrize(("index", "value", "message"), BAD, ids=[f"{i}={v}" for i, v, _ in BAD])
def test_each_control_refuses_what_the_page_does_not_offer(client: Any, monkeypatch: pytest.MonkeyPatch,
                                                           index: int, value: Any, message: str) -> None:
    queue = JobQueue()
    monkeypatch.setattr(queue, "submit", lambda *a, **k: pytest.fail("a refused request queued a job"))
    monkeypatch.setattr("apps.gradio_tabs.jobs.default_queue", lambda: queue)
    args = list(SHORT)
    args[index] = value
    with pytest.raises(Exception, match=message) as info:
        client.predict(*args, api_name="/train_agent")
    assert "object at 0x" not in str(info.value)


def test_the_algorithm_choices_follow_the_environment(client: Any) -> None:
    def values(update: dict[str, Any]) -> list[str]:
        return [c[1] if isinstance(c, (list, tuple)) else c for c in update["choices"]]

    update = client.predict("Pendulum-v1", "trpo", api_name="/train_algorithms")
    assert values(update) == list(zoo.algorithms_for("Pendulum-v1")) and update["value"] == "trpo"
    assert {"sac", "td3", "ddpg"} <= set(values(update))
    update = client.predict("CartPole-v1", "sac", api_name="/train_algorithms")
    assert values(update) == ["vpg", "trpo", "ppo"] and update["value"] == "ppo"  # SAC cannot act there
    with pytest.raises(Exception, match="Environment must be one of"):
        client.predict("Breakout-v5", "ppo", api_name="/train_algorithms")


def test_the_controls_offer_the_pages_choices_and_zoo_defaults() -> None:
    with gr.Blocks() as app:
        tab.build()
    by_label = {b.label: b for b in app.blocks.values() if getattr(b, "label", None)}

    def offered(label: str) -> list[Any]:
        return [v for _, v in by_label[label].choices]

    assert offered("Learning rate") == list(zoo.LEARNING_RATES)
    assert offered("Discount γ") == list(zoo.GAMMAS)
    assert offered("Entropy coefficient (PPO, REINFORCE)") == list(zoo.ENT_COEFS)
    assert offered("Timesteps") == list(zoo.TIMESTEPS)
    assert offered("Algorithm") == list(zoo.algorithms_for("CartPole-v1"))
    # the page's first run: PPO on CartPole with the Zoo's settings
    assert (by_label["Learning rate"].value, by_label["Discount γ"].value, by_label["Timesteps"].value) == (
        1e-3, 0.98, 100_000)
    noise = next(b for label, b in by_label.items() if label.startswith("Action noise"))
    assert (noise.minimum, noise.maximum) == zoo.ACTION_NOISE_RANGE
    # Another algorithm gets the Zoo's values for its pair, and only the controls it uses are shown.
    settle = next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == "zoo_settings")
    lr, gamma, ent, noise, steps = settle("Pendulum-v1", "td3")
    assert (lr, gamma, steps, noise["value"]) == (1e-3, 0.98, 20_000, 0.1)
    assert noise["visible"] and not ent["visible"]
    _, _, ent, noise, _ = settle("CartPole-v1", "vpg")
    assert ent["visible"] and not noise["visible"]
    assert settle("CartPole-v1", "td3") == (gr.skip(),) * 5  # until the algorithm list catches up


def test_a_cancelled_request_stops_its_training(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    # PPO on CartPole for 200,000 steps: it would run for minutes, into its time budget.
    request = client.submit("CartPole-v1", "ppo", 1e-3, 0.98, 0.0, 0.1, 200_000, 0, api_name="/train_agent")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop()
    run = job.result.run
    assert run.status == "stopped" and run.history["timesteps"][-1] < 200_000  # not the budget: the stop
