"""The shipped agents: which algorithm on which environment, trained by ``python -m core.train NAME``.

Each is trained with the RL Baselines3 Zoo's hyperparameters (:mod:`core.rl.zoo`; the gallery's own for
vanilla policy gradient), measured on :data:`core.rl.agents.EVAL_EPISODES` held-out episodes, and
re-measured from the shipped file by the tests (``measure``).
"""

from __future__ import annotations

from core.checkpoints import ManifestEntry
from core.registry import TrainContext, register_checkpoint
from core.rl import agents, zoo

#: name -> (algorithm, environment, training seconds measured on 2 busy shared CPU cores)
SHIPPED: dict[str, tuple[str, str, float]] = {
    "ppo-CartPole-v1": ("ppo", "CartPole-v1", 80),
    "vpg-CartPole-v1": ("vpg", "CartPole-v1", 90),
    "trpo-CartPole-v1": ("trpo", "CartPole-v1", 90),
    "sac-Pendulum-v1": ("sac", "Pendulum-v1", 560),
    "td3-Pendulum-v1": ("td3", "Pendulum-v1", 290),
    "ddpg-Pendulum-v1": ("ddpg", "Pendulum-v1", 250),
}
QUICK_TIMESTEPS = 600
"""Steps of a smoke-test run (``TrainContext.quick``)."""


def train_shipped(name: str, ctx: TrainContext) -> ManifestEntry:
    algo, env_id, _ = SHIPPED[name]
    cfg = agents.make_config(algo, env_id, seed=0)
    if ctx.quick:
        cfg = agents.AgentConfig(algo, env_id, QUICK_TIMESTEPS, 0,
                                 {**cfg.hyper, "learning_starts": 100} if "learning_starts" in cfg.hyper
                                 else cfg.hyper)
    run = agents.train(cfg)
    return agents.save_agent(name, run, ctx.directory, {"quick": 1} if ctx.quick else None)


def _register(name: str) -> None:
    algo, env_id, seconds = SHIPPED[name]

    source = zoo.defaults(algo, env_id)["source"]
    what = f"{zoo.ALGORITHMS[algo].title} on {env_id} (hyperparameters: {source})"

    @register_checkpoint(name, 7, what, seconds, measure=agents.measure)
    def train(ctx: TrainContext) -> ManifestEntry:
        return train_shipped(name, ctx)


for _name in SHIPPED:
    _register(_name)
