"""Train an agent live: algorithm, environment and its main hyperparameters (the RL Zoo's by default);
the episode-return curve updates through the job queue; runs compared on one plot."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from apps.common.runs import RunHistory
from apps.pages.l7._shared import bands
from core.jobs import Job
from core.rl import agents, envs, live, showcase, zoo

page_header("l7-train")
c1, c2, c3 = st.columns(3)
with c1:
    env_id = ui.selectbox("Environment", "l7tr_env", tuple(envs.ENVS), "CartPole-v1",
                          format_func=lambda e: envs.ENVS[e].title)
    options = zoo.algorithms_for(env_id)
    algo = ui.selectbox("Algorithm", "l7tr_algo", options, "ppo",
                        format_func=lambda a: zoo.ALGORITHMS[a].title)
hp = zoo.defaults(algo, env_id)
with c2:
    lr = ui.select_slider("Learning rate", "l7tr_lr", zoo.LEARNING_RATES,
                          live.nearest(zoo.LEARNING_RATES, hp["learning_rate"]), format_func="{:g}".format,
                          help=f"Default {hp['learning_rate']:g}")
    gamma = ui.select_slider("Discount γ", "l7tr_gamma", zoo.GAMMAS, live.nearest(zoo.GAMMAS, hp["gamma"]),
                             format_func="{:g}".format, help=f"Default {hp['gamma']:g}")
    extra: dict[str, float] = {}
    if algo in zoo.ENTROPY_ALGOS:
        extra["ent_coef"] = ui.select_slider("Entropy coefficient", "l7tr_ent", zoo.ENT_COEFS,
                                             live.nearest(zoo.ENT_COEFS, hp["ent_coef"]),
                                             format_func="{:g}".format)
    elif algo in zoo.NOISE_ALGOS:
        extra["action_noise"] = ui.slider("Action noise (std of the Gaussian added to actions)", "l7tr_noise",
                                          *zoo.ACTION_NOISE_RANGE, float(hp["action_noise"]), step=0.05)
with c3:
    steps = ui.select_slider("Timesteps", "l7tr_steps", zoo.TIMESTEPS, live.default_timesteps(algo, env_id),
                             format_func="{:,}".format)
    seed = ui.number_input("Seed", "l7tr_seed", *zoo.SEED_RANGE, 0)
shipped = showcase.shipped_pairs().get(env_id, ())
if chosen := st.session_state.get("l7tr_cmp"):  # the previous environment's agents leave; if none stays, all
    st.session_state["l7tr_cmp"] = [a for a in chosen if a in shipped] or list(shipped)
compare = ui.multiselect("Shipped agents drawn under the curve (mean and range over their training seeds)",
                         "l7tr_cmp", shipped, shipped, format_func=lambda a: zoo.ALGORITHMS[a].title)
config = agents.make_config(algo, env_id, timesteps=steps, seed=int(seed), learning_rate=lr, gamma=gamma,
                            **extra)
st.caption(f"{live.describe(config)} {envs.ENVS[env_id].goal} A run stops after {zoo.TIME_BUDGET_S:.0f} s.")
runs = RunHistory("l7tr")


def make_job() -> Callable[[Job], live.LiveRun]:
    cfg = config

    def run(job: Job) -> live.LiveRun:
        return live.train_and_show(cfg, job)

    return run


def result(job: Job) -> None:
    res: live.LiveRun = job.result
    run = res.run
    runs.add(job.id, live.table_row(run.config), {"held-out return": round(res.mean_return, 1),
                                                   "status": run.status}, run.history)
    a, b, c = st.columns(3)
    a.metric(f"Mean return over {len(res.returns)} held-out episodes", f"{res.mean_return:.1f}")
    b.metric("Episodes in training", f"{len(run.history.get('episode_return', [])):,}")
    c.metric("Training time", f"{run.seconds:.0f} s ({run.status})")
    left, right = st.columns(2)
    left.image(res.view.gif, caption=f"The trained agent, one held-out episode: return {res.view.total:.1f}")
    with right:
        title = "This run (solid) against earlier runs (dotted) and the shipped agents"
        env = run.config.env_id  # the job's own: the widgets may have moved since it started
        st.plotly_chart(live.comparison(env, bands(env, bands_for(run.config.algo, env)), title, run.history,
                                        runs.overlays(job.id, {"env": env})), key="l7tr_compare")
    runs.show(keep=job.id)


def bands_for(algo: str, env: str) -> tuple[str, ...]:
    """The chosen shipped agents of ``env``, and always the run's own pair if it is shipped."""
    mine = showcase.shipped_pairs().get(env, ())
    chosen = tuple(compare) if env == env_id else ()
    return (*chosen, *([algo] if algo in mine and algo not in chosen else []))


def live_curve(job: Job) -> None:
    st.plotly_chart(live.comparison(env_id, bands(env_id, bands_for(algo, env_id)),
                                    "This run as it trains, over the shipped agents", job.history()),
                    key="l7tr_live_curve")


# The live curve is drawn over the shipped agents' bands (live_curve), not as a bare chart of its own.
job = training_panel("l7tr", make_job, label="Train the agent", charts=(), live=live_curve, result=result,
                     x_key="timesteps")
if job is None:
    st.info("Press **Train the agent**: PPO on CartPole with the Zoo's settings reaches a mean return of 475 "
            "after 21,000-30,000 steps (seeds 0-2), 10-30 s here; SAC on Pendulum needs 20,000 slower "
            "steps, several minutes. Each shaded band spans a shipped agent's training seeds: how far apart "
            "runs with the same settings land.",
            icon=":material/school:")
    title = f"Shipped agents on {envs.ENVS[env_id].title}: mean and range over their training seeds"
    st.plotly_chart(live.comparison(env_id, bands(env_id, tuple(compare)), title), key="l7tr_shipped")
st.markdown(
    "**Things to try.** Set γ to 0.9 on CartPole: the agent stops caring about falling 10+ steps later and "
    "plateaus. Raise PPO's learning rate to 0.03 and watch the curve collapse after it first climbs. "
    "Compare REINFORCE and PPO at the same number of steps. On Pendulum, TD3 with no action noise explores "
    "too little until its replay buffer holds the swing-up."
)
show_source(agents.train, agents.build_model)
