"""Gradio tab of lecture 7: train an agent live, as the ``/train_agent`` API endpoint.

The same controls, ranges, defaults and core call as the Streamlit page ``l7-train``:

- ``/train_agent`` (environment, algorithm, learning rate, discount γ, entropy coefficient, action noise,
  timesteps, seed) -> the run's learning curve over the shipped agents of that environment, drawn as mean
  and min-max band over their training seeds (:func:`core.rl.live.comparison`, the page's figure); the
  trained agent playing one held-out episode (an ``<img>`` with a GIF data URL, as ``/agent_episode``
  returns its episode: no file is left behind); and the numbers as JSON (mean return over
  :data:`core.rl.live.EVAL_EPISODES` held-out episodes, episodes and seconds of training, status, the
  settings used). It calls :func:`core.rl.live.train_and_show` through the process-wide job queue
  (:mod:`apps.gradio_tabs.jobs`): progress is reported, a Stop button, a closed page or a cancelled API call
  stops the training, and it stops after ``core.rl.zoo.TIME_BUDGET_S`` seconds as on the page. The entropy
  coefficient applies to PPO and REINFORCE, the action noise to TD3 and DDPG; both are checked whatever the
  algorithm, as the tab always sends both.
- ``/train_algorithms`` (environment, algorithm) -> the algorithm dropdown's choices for that environment
  (:func:`core.rl.zoo.algorithms_for`), keeping the algorithm when the environment allows it.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Generator
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedNumber, CheckedSlider, choice, number
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core.rl import agents, envs, live, showcase, zoo

DEFAULT_ENV, DEFAULT_ALGO = "CartPole-v1", "ppo"
"""The page's first choice: PPO on CartPole."""
Outputs = tuple[go.Figure, str, dict[str, Any]]


def _title(algo: str) -> str:
    return zoo.ALGORITHMS[algo].title


@functools.lru_cache(maxsize=16)
def shipped_bands(env_id: str) -> tuple[showcase.SeedBand, ...]:
    """Every shipped agent of ``env_id`` as mean and range over its training seeds (the page's default
    comparison, which always holds the run's own pair when it is shipped); read once, read-only."""
    return tuple(showcase.seed_bands(env_id, showcase.shipped_pairs().get(env_id, ())))


def settings(env_id: Any, algo: Any, learning_rate: Any, gamma: Any, ent_coef: Any, action_noise: Any,
             timesteps: Any, seed: Any) -> agents.AgentConfig:
    """The run's configuration from the values as sent, each checked against the page's widget."""
    env_id = choice("Environment", env_id, tuple(envs.ENVS))
    algo = choice("Algorithm", algo, tuple(zoo.ALGORITHMS))
    try:
        zoo.check_pair(algo, env_id)  # says why: continuous-only algorithms need continuous actions
    except ValueError as exc:
        raise gr.Error(f"{exc}; on {env_id} choose one of {', '.join(zoo.algorithms_for(env_id))}") from None
    lr = choice("Learning rate", learning_rate, zoo.LEARNING_RATES)
    gamma = choice("Discount γ", gamma, zoo.GAMMAS)
    ent = choice("Entropy coefficient", ent_coef, zoo.ENT_COEFS)
    noise = number("Action noise", action_noise, *zoo.ACTION_NOISE_RANGE, integer=False)
    steps = choice("Timesteps", timesteps, zoo.TIMESTEPS)
    seed = number("Seed", seed, *zoo.SEED_RANGE)
    extra: dict[str, float] = {}
    if algo in zoo.ENTROPY_ALGOS:
        extra["ent_coef"] = ent
    elif algo in zoo.NOISE_ALGOS:
        extra["action_noise"] = float(noise)
    try:
        return agents.make_config(algo, env_id, timesteps=steps, seed=seed, learning_rate=lr, gamma=gamma,
                                  **extra)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None


def train_agent(env_id: Any, algo: Any, learning_rate: Any, gamma: Any, ent_coef: Any, action_noise: Any,
                timesteps: Any, seed: Any,
                progress: gr.Progress = gr.Progress()) -> Generator[Outputs, None, None]:  # noqa: B008
    """Train ``algo`` on ``env_id`` with these settings (the Zoo's for everything else), then play
    held-out episodes; the curve over the shipped agents' bands, one episode and the numbers."""
    cfg = settings(env_id, algo, learning_rate, gamma, ent_coef, action_noise, timesteps, seed)
    res: live.LiveRun = yield from run_job(lambda job: live.train_and_show(cfg, job, zoo.TIME_BUDGET_S),
                                           "gradio-l7-train", progress, 3)  # fmt: skip
    run = res.run
    figure = live.comparison(cfg.env_id, shipped_bands(cfg.env_id),
                             "This run (solid) against the shipped agents", run.history)
    view = res.view
    alt = f"{_title(cfg.algo)} on {cfg.env_id} after training, held-out episode: return {view.total:.1f}"
    html = (f'<img alt="{alt}" style="max-width:100%" '
            f'src="data:image/gif;base64,{base64.b64encode(view.gif).decode()}">')
    steps = run.history.get("timesteps", [])
    numbers = {"env_id": cfg.env_id, "algorithm": cfg.algo,
               "mean_return": round(res.mean_return, 3), "held_out_episodes": len(res.returns),
               "held_out_returns": [round(float(r), 3) for r in res.returns],
               "episodes": len(run.history.get("episode_return", [])),
               "timesteps_trained": int(steps[-1]) if steps else 0,
               "seconds": round(run.seconds, 2), "status": run.status, "time_budget_s": zoo.TIME_BUDGET_S,
               "episode": {"seed": agents.EVAL_SEED, "return": round(view.total, 3), "length": view.length},
               "settings": {k: v for k, v in live.table_row(cfg).items() if v != ""},
               "description": live.describe(cfg)}  # fmt: skip
    yield figure, html, numbers


def train_algorithms(env_id: Any, algo: Any) -> Any:
    """The algorithm dropdown for ``env_id``: those that can act in it, keeping ``algo`` if it can."""
    env_id = choice("Environment", env_id, tuple(envs.ENVS))
    options = zoo.algorithms_for(env_id)
    value = algo if algo in options else DEFAULT_ALGO if DEFAULT_ALGO in options else options[0]
    return gr.update(choices=[(_title(a), a) for a in options], value=value)


def _zoo_defaults(env_id: str, algo: str) -> dict[str, Any]:
    """The controls' values for a pair as the page sets them: the Zoo's, on the sliders' grids."""
    hp = zoo.defaults(algo, env_id)
    return {"lr": live.nearest(zoo.LEARNING_RATES, hp["learning_rate"]),
            "gamma": live.nearest(zoo.GAMMAS, hp["gamma"]),
            "ent": live.nearest(zoo.ENT_COEFS, hp.get("ent_coef", 0.0) if algo in zoo.ENTROPY_ALGOS else 0.0),
            "noise": float(hp.get("action_noise", 0.1)),
            "steps": live.default_timesteps(algo, env_id)}


def build() -> None:
    """Lay out the live trainer inside the current Blocks/Tab."""
    gr.Markdown("### Train an agent live\nPick an algorithm and an environment; the hyperparameters start "
                "at the RL Baselines3 Zoo's tuned values (vanilla policy gradient: the gallery's own). The "
                "curve is drawn over the shipped agents' mean and range over their training seeds, then "
                f"the trained agent plays {live.EVAL_EPISODES} held-out episodes. A run stops after "
                f"{zoo.TIME_BUDGET_S:.0f} s; PPO on CartPole with 2,000 steps takes seconds.")
    d = _zoo_defaults(DEFAULT_ENV, DEFAULT_ALGO)
    with gr.Row():
        with gr.Column():
            env = CheckedDropdown([(e.title, k) for k, e in envs.ENVS.items()], value=DEFAULT_ENV,
                                  label="Environment")
            algo = CheckedDropdown([(_title(a), a) for a in zoo.algorithms_for(DEFAULT_ENV)],
                                   value=DEFAULT_ALGO, label="Algorithm")
        with gr.Column():
            lr = CheckedDropdown([(f"{x:g}", x) for x in zoo.LEARNING_RATES], value=d["lr"],
                                 label="Learning rate")
            gamma = CheckedDropdown([(f"{x:g}", x) for x in zoo.GAMMAS], value=d["gamma"], label="Discount γ")
            ent = CheckedDropdown([(f"{x:g}", x) for x in zoo.ENT_COEFS], value=d["ent"],
                                  label="Entropy coefficient (PPO, REINFORCE)")
            noise = CheckedSlider(*zoo.ACTION_NOISE_RANGE, value=d["noise"], step=0.05, visible=False,
                                  label="Action noise (std of the Gaussian added to actions; TD3, DDPG)")
        with gr.Column():
            steps = CheckedDropdown([(f"{x:,}", x) for x in zoo.TIMESTEPS], value=d["steps"],
                                    label="Timesteps")
            seed = CheckedNumber(value=0, precision=0, minimum=zoo.SEED_RANGE[0], maximum=zoo.SEED_RANGE[1],
                                 label="Seed")
    start, stop = start_stop("Train the agent")
    with gr.Row():
        plot = gr.Plot(label="Learning curve")
        episode = gr.HTML(label="The trained agent, one held-out episode")
    numbers = gr.JSON(label="Numbers")

    def zoo_settings(env_id: Any, algorithm: Any) -> tuple[Any, ...]:
        # The Zoo's values for the new pair, and only the controls that pair uses (as the page shows).
        try:
            v = _zoo_defaults(env_id, algorithm)
        except ValueError:  # a pair the algorithm list is about to replace
            return tuple(gr.skip() for _ in range(5))
        return (v["lr"], v["gamma"], gr.update(value=v["ent"], visible=algorithm in zoo.ENTROPY_ALGOS),
                gr.update(value=v["noise"], visible=algorithm in zoo.NOISE_ALGOS), v["steps"])

    gr.on([env.change], train_algorithms, [env, algo], algo, api_name="train_algorithms")
    gr.on([algo.change, env.change], zoo_settings, [env, algo], [lr, gamma, ent, noise, steps],
          api_visibility="private")
    wire(start, stop, train_agent, [env, algo, lr, gamma, ent, noise, steps, seed], [plot, episode, numbers],
         "train_agent")
