"""Gradio tab of lecture 7: watch a shipped agent play, as the ``/agent_episode`` API endpoint.

The same core calls as the Streamlit page ``l7-watch``: an environment, an algorithm shipped for it and
an episode seed in; the episode as an animated GIF (an ``<img>`` with a data URL: no file is left behind)
and a JSON summary (return, length, the agent's held-out mean and std) out.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

import gradio as gr

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedNumber, choice, number
from core import checkpoints
from core.rl import agents, envs, showcase, zoo


@functools.lru_cache(maxsize=8)
def shipped_agent(name: str) -> Any:
    """The shipped agent ``name``, loaded once: read-only, shared by every request of every lecture 7 tab."""
    return agents.load_agent(name)


def agent_episode(env_id: Any, algo: Any, seed: Any) -> tuple[str, dict[str, Any]]:
    """One deterministic episode of the shipped agent ``algo`` on ``env_id`` from reset seed ``seed``."""
    pairs = showcase.shipped_pairs()
    env_id = choice("Environment", env_id, tuple(pairs) or tuple(envs.ENVS))
    algo = choice("Algorithm", algo, pairs.get(env_id, ()))
    seed = number("Episode seed", seed, *showcase.EPISODE_SEED_RANGE)
    name = showcase.agent_name(algo, env_id)
    try:
        view = showcase.play(shipped_agent(name), env_id, seed)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped agent is not available: {exc}") from None
    ent = showcase.shipped()[name]
    html = (f'<img alt="{name}, seed {seed}" style="max-width:100%" '
            f'src="data:image/gif;base64,{base64.b64encode(view.gif).decode()}">')
    m = ent.metrics
    return html, {"agent": name, "env_id": env_id, "seed": seed, "return": round(view.total, 3),
                  "length": view.length, "held_out_mean_return": m["mean_return"],
                  "held_out_std_return": m["std_return"], "held_out_episodes": m["episodes"]}


def build() -> None:
    """Lay out the agent viewer inside the current Blocks/Tab."""
    pairs = showcase.shipped_pairs()
    gr.Markdown("### Watch a trained agent\nShipped agents trained with the RL Baselines3 Zoo's "
                "hyperparameters (vanilla policy gradient: the gallery's own). Each acts greedily from the "
                "reset seed you choose; held-out returns were measured on 20 episodes no training run saw.")
    first = next(iter(pairs), "CartPole-v1")
    with gr.Row():
        env = CheckedDropdown(list(pairs), value=first, label="Environment")
        algo = CheckedDropdown([(zoo.ALGORITHMS[a].title, a) for a in pairs.get(first, ())],
                               value=(pairs.get(first) or ("ppo",))[0], label="Algorithm")
        seed = CheckedNumber(value=agents.EVAL_SEED, precision=0, label="Episode seed")
    button = gr.Button("Play an episode", variant="primary")
    with gr.Row():
        out = gr.HTML(label="Episode")
        summary = gr.JSON(label="Summary")

    def algos_for(env_id: Any) -> Any:
        options = showcase.shipped_pairs().get(env_id, ())
        return gr.update(choices=[(zoo.ALGORITHMS[a].title, a) for a in options],
                         value=options[0] if options else None)

    gr.on([env.change], algos_for, env, algo, api_name="agent_algorithms")
    gr.on([button.click], agent_episode, [env, algo, seed], [out, summary], api_name="agent_episode")
