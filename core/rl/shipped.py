"""The shipped agents: algorithm, environment and seed of each, trained by ``python -m core.train NAME``.

Each pair ships with :data:`SEEDS` training seeds: ``ppo-CartPole-v1`` is seed 0, ``ppo-CartPole-v1-s1`` seed
1, and so on, every one with the RL Baselines3 Zoo's hyperparameters (:mod:`core.rl.zoo`; the gallery's own
for vanilla policy gradient). Each is measured on :data:`core.rl.agents.EVAL_EPISODES` held-out episodes and
re-measured from its shipped file by the tests (``measure``); the pages draw the seeds' learning curves as a
mean and a band.
"""

from __future__ import annotations

from core.checkpoints import ManifestEntry
from core.registry import TrainContext, register_checkpoint
from core.rl import agents, showcase, zoo

#: seed-0 name -> (algorithm, environment, training seconds measured on 2 busy shared CPU cores)
SHIPPED: dict[str, tuple[str, str, float]] = {
    "ppo-CartPole-v1": ("ppo", "CartPole-v1", 80),
    "vpg-CartPole-v1": ("vpg", "CartPole-v1", 90),
    "trpo-CartPole-v1": ("trpo", "CartPole-v1", 90),
    "sac-Pendulum-v1": ("sac", "Pendulum-v1", 560),
    "td3-Pendulum-v1": ("td3", "Pendulum-v1", 290),
    "ddpg-Pendulum-v1": ("ddpg", "Pendulum-v1", 250),
}
SEEDS = (0, 1, 2)
"""Training seeds shipped for every pair: enough for a mean and a band, not for a confidence interval."""
QUICK_TIMESTEPS = 600
"""Steps of a smoke-test run (``TrainContext.quick``)."""

#: every shipped name -> (algorithm, environment, seed)
RUNS: dict[str, tuple[str, str, int]] = {
    showcase.agent_name(algo, env_id, seed): (algo, env_id, seed)
    for algo, env_id, _ in SHIPPED.values() for seed in SEEDS
}


def train_shipped(name: str, ctx: TrainContext) -> ManifestEntry:
    algo, env_id, seed = RUNS[name]
    cfg = agents.make_config(algo, env_id, seed=seed)
    if ctx.quick:
        cfg = agents.AgentConfig(algo, env_id, QUICK_TIMESTEPS, seed,
                                 {**cfg.hyper, "learning_starts": 100} if "learning_starts" in cfg.hyper
                                 else cfg.hyper)
    run = agents.train(cfg)
    return agents.save_agent(name, run, ctx.directory, {"quick": 1} if ctx.quick else None)


def _register(name: str) -> None:
    algo, env_id, seed = RUNS[name]
    seconds = SHIPPED[showcase.agent_name(algo, env_id)][2]
    source = zoo.defaults(algo, env_id)["source"]
    what = f"{zoo.ALGORITHMS[algo].title} on {env_id}, seed {seed} (hyperparameters: {source})"

    @register_checkpoint(name, 7, what, seconds, measure=agents.measure)
    def train(ctx: TrainContext) -> ManifestEntry:
        return train_shipped(name, ctx)


for _name in RUNS:
    _register(_name)
