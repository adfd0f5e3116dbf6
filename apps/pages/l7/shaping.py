"""Reward shaping: sliders that change the reward PPO learns from (MountainCar's potential-based height bonus,
CartPole's penalties on pole angle and cart position, LunarLander's fuel cost), a switch that breaks the
potential form, and the behaviour of the trained agent, measured on the environment's own reward."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import RETURN_CHARTS, training_panel
from apps.common.runs import RunHistory
from apps.pages.l7 import _shaping_lunar
from core.jobs import Job
from core.rl import agents, envs, figures, lunar, shaping, zoo

page_header("l7-shaping")
st.markdown(
    "Shaping adds reward to guide the learner. Ng, Harada & Russell (1999): a bonus of the form "
    r"$F = \gamma\Phi(s') - \Phi(s)$ for a potential $\Phi$ over states leaves the best policy unchanged "
    "(the potentials cancel along any episode); any other bonus may change what is best. The curves and the "
    "held-out return below always count the environment's **own** reward."
)
c1, c2, c3 = st.columns(3)
with c1:
    env_id = ui.selectbox("Environment", "l7sh_env", shaping.SHAPED_ENVS, "MountainCar-v0",
                          format_func=lambda e: envs.ENVS[e].title)
    steps = ui.select_slider("Timesteps", "l7sh_steps", zoo.TIMESTEPS, 100_000, format_func="{:,}".format)
with c2:
    if env_id == "MountainCar-v0":
        weights = {"weight": ui.slider("Height potential weight w", "l7sh_w", *shaping.WEIGHT_RANGE, 0.0,
                                       step=0.5),
                   "potential": ui.toggle("Potential-based (γΦ(s') − Φ(s))", "l7sh_pot", True)}
    elif env_id == lunar.ENV_ID:
        weights = {"fuel_cost": ui.slider("Fuel cost ×k", "l7sh_fuel", *shaping.FUEL_COST_RANGE, 1.0,
                                          step=0.5, help="k = 1: the environment's own charge for fuel")}
    else:
        lo, hi = shaping.PENALTY_RANGE
        weights = {"angle_penalty": ui.slider("Pole angle penalty a", "l7sh_angle", lo, hi, 0.0, step=0.1),
                   "position_penalty": ui.slider("Cart position penalty c", "l7sh_pos", lo, hi, 0.0,
                                                 step=0.1)}
with c3:
    seed = ui.number_input("Seed", "l7sh_seed", *zoo.SEED_RANGE, 0)
config = agents.make_config("ppo", env_id, timesteps=steps, seed=int(seed), shaping=weights)
rule = shaping.describe(shaping.Shaping(**config.hyper["shaping"]))
st.caption(f"{envs.ENVS[env_id].goal} Shaping: {rule}. PPO with the Zoo's settings, {steps:,} steps, "
           f"seed {int(seed)}; a run stops after {zoo.TIME_BUDGET_S:.0f} s.")
if env_id == lunar.ENV_ID:
    _shaping_lunar.shipped_section(weights["fuel_cost"])
runs = RunHistory("l7sh")


def make_job() -> Callable[[Job], lunar.ShapedRun]:
    cfg = config

    def run(job: Job) -> lunar.ShapedRun:
        return lunar.train_shaped(cfg, job)

    return run


def result(job: Job) -> None:
    res = job.result.live
    cfg = res.run.config  # the job's own settings: the widgets may have moved since it started
    job_rule = shaping.describe(shaping.Shaping(**cfg.hyper["shaping"]))
    runs.add(job.id, {"env": cfg.env_id, "shaping": job_rule, "steps": cfg.timesteps, "seed": cfg.seed},
             {"held-out return": round(res.mean_return, 1)}, res.run.history)
    st.metric(f"Environment's own return, mean of {len(res.returns)} held-out episodes",
              f"{res.mean_return:.1f}")
    left, right = st.columns(2)
    left.image(res.view.gif, caption=f"The trained agent, one held-out episode: return {res.view.total:.1f}")
    right.plotly_chart(figures.learning_curve(res.run.history, "This run (solid) against earlier runs",
                                              envs.ENVS[cfg.env_id].solved,
                                              runs.overlays(job.id, {"env": cfg.env_id})),
                       key="l7sh_compare")
    _shaping_lunar.fuel_metrics(job.result.fuel)
    runs.show(keep=job.id)


training_panel("l7sh", make_job, label="Train with this reward", charts=RETURN_CHARTS, result=result,
               x_key="timesteps")
st.markdown(
    "**Things to try.** Train MountainCar with w = 0, then with a potential weight: compare the curves. "
    "Then switch the potential form off: the bonus now pays for *being* high; from w ≈ 1 on, a step high "
    "on the slope earns more than the −1 it costs, and lingering there beats reaching the flag. On CartPole, "
    "a cart-position penalty c = 2 makes each step beyond |x| = 0.5 cost more than the +1 it earns, so once "
    "the cart has drifted, ending the episode early becomes the better plan. On LunarLander, raise the fuel "
    "cost until falling outscores the shipped lander (×9 does), then train and compare its engine use with a "
    "run at ×1."
)
show_source(shaping.bonus, shaping.ShapedReward)
