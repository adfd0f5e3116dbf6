"""Watch a shipped agent: algorithm and environment pickers, one rendered episode, its return, and the
learning curve of the run that trained it over the mean and range of every training seed of the pair."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l7._shared import bands, episode
from core.rl import agents, envs, figures, showcase, zoo

page_header("l7-watch")
pairs = showcase.shipped_pairs()
if not pairs:
    st.error("No agent is shipped with this copy of the gallery: build one with "
             "`python -m core.train ppo-CartPole-v1`.")
    st.stop()
c1, c2 = st.columns(2)  # wide enough for 'Vanilla policy gradient (REINFORCE)'
with c1:
    env_id = ui.selectbox("Environment", "l7w_env", tuple(pairs), next(iter(pairs)),
                          format_func=lambda e: envs.ENVS[e].title)
with c2:
    algo = ui.selectbox("Algorithm", "l7w_algo", pairs[env_id], pairs[env_id][0],
                        format_func=lambda a: zoo.ALGORITHMS[a].title)
with c1:
    seed = ui.number_input("Episode seed", "l7w_seed", *showcase.EPISODE_SEED_RANGE, agents.EVAL_SEED,
                           help="The environment's reset seed: another seed, another starting state.")
trained = showcase.seeds(algo, env_id)
with c2:
    train_seed = ui.selectbox("Training seed", "l7w_train_seed", tuple(trained), next(iter(trained)),
                              help="The same algorithm and settings, trained from another random start.")
name = showcase.agent_name(algo, env_id, train_seed)
ent = trained[train_seed]
st.caption(f"{envs.ENVS[env_id].goal} Agent `{name}`: {showcase.summary(ent)} "
           f"{showcase.seeds_summary(algo, env_id)}")

view = episode(name, int(seed))
left, right = st.columns([1, 1])
with left:
    st.image(view.gif, caption=f"Seed {int(seed)}: return {view.total:.1f} in {view.length} steps "
             f"(every {showcase.FRAME_EVERY}nd step shown, deterministic actions).",
             alt=f"Animation of one {envs.ENVS[env_id].title} episode played by the agent")
    a, b = st.columns(2)
    a.metric("Return of this episode", f"{view.total:.1f}")
    b.metric(f"Mean over {ent.metrics['episodes']} held-out episodes",
             f"{ent.metrics['mean_return']:.1f} ± {ent.metrics['std_return']:.1f}")
with right:
    title = f"Learning curve of seed {train_seed} (solid) over the mean and range of every training seed"
    st.plotly_chart(figures.learning_curve(showcase.curve(ent), title, envs.ENVS[env_id].solved,
                                           bands=bands(env_id, (algo,))), key="l7w_curve")
    st.plotly_chart(figures.episode_rewards(view.rewards), key="l7w_rewards")
st.markdown(
    "**What you see.** The agent acts greedily (the most likely action, or the mean of its Gaussian), so "
    "the same seed always gives the same episode. The learning curve is the mean return of the last ten "
    "training episodes, which were played with exploration (sampled actions or added noise): that is why it "
    "can sit below the held-out mean. The held-out episodes start from reset seeds never used in training."
)
show_source(agents.load_agent, agents.rollout)
