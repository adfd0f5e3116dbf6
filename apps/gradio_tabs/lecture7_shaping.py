"""Gradio tab of lecture 7: the shipped agents scored under a reshaped reward, as ``/shaped_return``.

The same core calls as the Streamlit page ``l7-shaping``, without its live training (a public Space has two
shared cores): an environment with a shipped PPO agent (CartPole, LunarLander), that environment's shaping
weights with the page's ranges, and a first episode seed in; the agent's return under the environment's
own reward and under the reshaped one (means of the same few episodes), the formula, and on LunarLander
the engines-off policy on the same episodes, out as JSON.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedNumber, CheckedSlider, choice, number
from apps.gradio_tabs.lecture7 import shipped_agent
from core import checkpoints
from core.rl import agents, envs, lunar, shaping, showcase

ALGO = "ppo"
"""The algorithm the page trains and whose shipped agents are scored here."""
EPISODES = lunar.REPORT_EPISODES
"""Episodes per request, reset with seeds seed, seed + 1, ... (about a second of CPU each at most)."""


def environments() -> tuple[str, ...]:
    """The shaping environments whose PPO agent is shipped with this copy of the gallery."""
    pairs = showcase.shipped_pairs()
    return tuple(e for e in shaping.SHAPED_ENVS if ALGO in pairs.get(e, ()))


def _keys(row: dict[str, Any]) -> dict[str, Any]:
    return {k.replace(" ", "_"): v for k, v in row.items() if k != "fuel cost ×"}


@functools.lru_cache(maxsize=32)
def _scored(env_id: str, angle: float, position: float, fuel: float,
            seed: int) -> tuple[str, dict, dict | None]:
    """The formula, the agent's row and (LunarLander) the engines-off row; cached: the inputs are few."""
    name = showcase.agent_name(ALGO, env_id)
    if env_id == lunar.ENV_ID:
        rule = shaping.Shaping(env_id, fuel_cost=fuel)
        lander, off = lunar.against_engines_off(shipped_agent(name), fuel, EPISODES, seed)
        return shaping.describe(rule), {**_keys(lander.row()), "landed": lander.landed}, _keys(off.row())
    rule = shaping.Shaping(env_id, angle_penalty=angle, position_penalty=position)
    eps = shaping.play_shaped(shipped_agent(name), rule, EPISODES, seed)
    return shaping.describe(rule), _keys(eps.row()), None


def shaped_return(env_id: Any, angle_penalty: Any, position_penalty: Any, fuel_cost: Any,
                  seed: Any) -> dict[str, Any]:
    """The shipped PPO agent of ``env_id`` on :data:`EPISODES` episodes from ``seed``, scored under the
    environment's own reward and under the shaping weights (CartPole: a, c; LunarLander: k)."""
    env_id = choice("Environment", env_id, environments() or shaping.SHAPED_ENVS[1:])
    lo, hi = shaping.PENALTY_RANGE
    angle = number("Pole angle penalty a", angle_penalty, lo, hi, integer=False)
    position = number("Cart position penalty c", position_penalty, lo, hi, integer=False)
    fuel = number("Fuel cost k", fuel_cost, *shaping.FUEL_COST_RANGE, integer=False)
    seed = number("Episode seed", seed, *showcase.EPISODE_SEED_RANGE)
    if env_id == lunar.ENV_ID:
        angle = position = 0.0  # not part of LunarLander's reward: one cache entry whatever was sent
    else:
        fuel = 1.0
    try:
        rule, agent, off = _scored(env_id, float(angle), float(position), float(fuel), seed)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped agent is not available: {exc}") from None
    out: dict[str, Any] = {"agent": showcase.agent_name(ALGO, env_id), "env_id": env_id, "shaping": rule,
                           "episodes": EPISODES, "seeds": [seed, seed + EPISODES - 1], **agent}
    if off is not None:
        out["engines_off"] = off
        out["falling_scores_more"] = off["reshaped_return"] > agent["reshaped_return"]
    return out


def build() -> None:
    """Lay out the shaped-return viewer inside the current Blocks/Tab."""
    options = environments()
    gr.Markdown("### Reward shaping: score a shipped agent under another reward\nThe shipped PPO agent "
                "plays the same episodes whatever the weights (it learnt the environment's own reward); "
                "only their score changes. A return under the reshaped reward that falls below what ending "
                "early earns means a learner trained on it is pushed away from the task. Training under "
                "the reward is on the Streamlit page.")
    first = options[0] if options else "CartPole-v1"
    lo, hi = shaping.PENALTY_RANGE
    with gr.Row():
        env = CheckedDropdown([(envs.ENVS[e].title, e) for e in options], value=first, label="Environment")
        seed = CheckedNumber(value=agents.EVAL_SEED, precision=0, label="First episode seed")
    with gr.Row():
        cart = first != lunar.ENV_ID
        angle = CheckedSlider(lo, hi, value=0.0, step=0.1, label="Pole angle penalty a (CartPole)",
                              visible=cart)
        position = CheckedSlider(lo, hi, value=0.0, step=0.1, label="Cart position penalty c (CartPole)",
                                 visible=cart)
        fuel = CheckedSlider(*shaping.FUEL_COST_RANGE, value=1.0, step=0.5, visible=not cart,
                             label="Fuel cost ×k (LunarLander; 1: the environment's own charge)")
    button = gr.Button(f"Score {EPISODES} episodes", variant="primary")
    summary = gr.JSON(label="Returns under the environment's own and the reshaped reward")

    def weights_for(env_id: Any) -> tuple[Any, Any, Any]:
        cart = env_id != lunar.ENV_ID
        return gr.update(visible=cart), gr.update(visible=cart), gr.update(visible=not cart)

    gr.on([env.change], weights_for, env, [angle, position, fuel], api_visibility="private")
    gr.on([button.click], shaped_return, [env, angle, position, fuel, seed], summary,
          api_name="shaped_return")
