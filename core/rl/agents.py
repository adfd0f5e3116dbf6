"""Agents: build, train, evaluate, save and load every algorithm of the lecture.

PPO, DDPG, TD3 and SAC are Stable-Baselines3's, TRPO is sb3-contrib's, vanilla policy gradient is
:mod:`core.rl.vpg`. An agent ships as its policy's weights (safetensors, through
:func:`core.checkpoints.save_checkpoint`) plus its hyperparameters as JSON in the manifest entry, and is
rebuilt on load: the algorithm is constructed from the JSON and the weights are loaded into its policy.
SB3's own ``.zip`` format is never read: its loader unpickles, and a pickle runs code.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from torch import nn

from core import checkpoints, checks
from core.registry import register_builder
from core.rl import envs, vpg, zoo
from core.rl.shaping import ShapedReward, Shaping
from core.training import JobLike
from core.viz.curves import thin_indices

EVAL_SEED = 1_000_000
"""Evaluation episodes reset with seeds EVAL_SEED, EVAL_SEED + 1, ...: never seen in training."""
EVAL_EPISODES = 20
CURVE_POINTS = 200
"""Points of the learning curve kept in a shipped agent's manifest entry."""


@dataclass(frozen=True)
class AgentConfig:
    """An algorithm on an environment with its hyperparameters (the Zoo's unless overridden)."""

    algo: str
    env_id: str
    timesteps: int
    seed: int = 0
    hyper: dict[str, Any] = field(default_factory=dict)
    """Hyperparameters: learning_rate, gamma, ent_coef or action_noise, n_envs, n_steps, ..."""

    def get(self, key: str, default: Any = None) -> Any:
        return self.hyper.get(key, default)


def make_config(algo: str, env_id: str, *, timesteps: int | None = None, seed: int = 0,
                shaping: dict[str, Any] | None = None, **overrides: Any) -> AgentConfig:
    """The Zoo's configuration of ``algo`` on ``env_id``, with the page's overrides (checked).

    ``shaping``: fields of :class:`core.rl.shaping.Shaping` (its ``gamma`` is the run's)."""
    hp = zoo.defaults(algo, env_id)
    n = hp.pop("n_timesteps")
    unknown = sorted(set(overrides) - set(hp))
    if unknown:
        raise ValueError(f"{zoo.ALGORITHMS[algo].title} has no setting {unknown[0]!r}")
    hp.update(overrides)
    if shaping:
        if algo == "vpg":
            raise ValueError("reward shaping is offered with the Stable-Baselines3 algorithms")
        hp["shaping"] = asdict(Shaping(env_id=env_id, **{**shaping, "gamma": hp["gamma"]}))
    return validate(AgentConfig(algo, env_id, timesteps if timesteps is not None else n, seed, hp))


def validate(cfg: AgentConfig) -> AgentConfig:
    """``cfg`` with its checked numbers (5.0 steps become 5); ValueError naming the first setting outside
    the pages' ranges (NaN, infinities, booleans and text never pass)."""
    zoo.check_pair(cfg.algo, cfg.env_id)
    h = dict(cfg.hyper)
    h["learning_rate"] = checks.number(h.get("learning_rate"), "Learning rate", *zoo.LR_RANGE)
    h["gamma"] = checks.number(h.get("gamma"), "Gamma", *zoo.GAMMA_RANGE)
    # A shipped agent may train longer than a page allows; a live run is capped by the page's range.
    longest = max(zoo.TIMESTEPS_RANGE[1], cfg.timesteps if isinstance(cfg.timesteps, int) else 0)
    timesteps = checks.whole_number(cfg.timesteps, "Timesteps", 100, longest)
    seed = checks.whole_number(cfg.seed, "Seed", *zoo.SEED_RANGE)
    if "ent_coef" in h and h["ent_coef"] != "auto":
        h["ent_coef"] = checks.number(h["ent_coef"], "Entropy coefficient", *zoo.ENT_COEF_RANGE)
    if "action_noise" in h:
        h["action_noise"] = checks.number(h["action_noise"], "Action noise", *zoo.ACTION_NOISE_RANGE)
    return replace(cfg, timesteps=timesteps, seed=seed, hyper=h)


def _schedule(value: float, kind: str | None) -> Any:
    return (lambda progress_remaining: progress_remaining * value) if kind == "linear" else value


def build_model(cfg: AgentConfig, inference: bool = False) -> Any:
    """The SB3 algorithm of ``cfg`` on its (vectorised, Monitor-wrapped) environment.

    ``inference``: one environment and a one-transition replay buffer: what acting needs, not training.
    """
    from stable_baselines3 import DDPG, PPO, SAC, TD3
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.noise import NormalActionNoise

    cfg = validate(cfg)
    if cfg.algo == "vpg":
        raise ValueError("vanilla policy gradient is the gallery's own; build it with core.rl.vpg")
    h = cfg.hyper
    shaped = {}
    if h.get("shaping"):
        shaped = dict(wrapper_class=ShapedReward, wrapper_kwargs={"shaping": h["shaping"]})
    # Monitor wraps the environment first, so episode returns count its own reward, never the shaped one.
    n_envs = 1 if inference else int(h.get("n_envs", 1))
    env = make_vec_env(cfg.env_id, n_envs=n_envs, seed=cfg.seed, **shaped)  # type: ignore[arg-type]
    common: dict[str, Any] = dict(learning_rate=_schedule(h["learning_rate"], h.get("lr_schedule")),
                                  gamma=h["gamma"], seed=cfg.seed, device="cpu", verbose=0)
    if "net_arch" in h:
        common["policy_kwargs"] = dict(net_arch=list(h["net_arch"]))
    if cfg.algo in ("ppo", "trpo"):
        # Acting needs no minibatches; one the size of the (single-environment) rollout avoids SB3's warning.
        batch = h["n_steps"] if inference else h["batch_size"]
        on = dict(n_steps=h["n_steps"], batch_size=batch, gae_lambda=h["gae_lambda"], **common)
        if cfg.algo == "ppo":
            return PPO("MlpPolicy", env, n_epochs=h["n_epochs"], ent_coef=h["ent_coef"],
                       clip_range=_schedule(h["clip_range"], h.get("clip_schedule")), **on)
        from sb3_contrib import TRPO

        # A manifest written before cg_damping was a setting trained with sb3-contrib's default (0.1).
        return TRPO("MlpPolicy", env, n_critic_updates=h["n_critic_updates"], cg_max_steps=h["cg_max_steps"],
                    cg_damping=h.get("cg_damping", 0.1), target_kl=h["target_kl"], **on)
    off = dict(buffer_size=1 if inference else int(h["buffer_size"]), learning_starts=h["learning_starts"],
               batch_size=h["batch_size"], tau=h["tau"], **common)
    if cfg.algo == "sac":
        return SAC("MlpPolicy", env, ent_coef=h["ent_coef"], **off)
    n_act = env.action_space.shape[0]
    noise = NormalActionNoise(np.zeros(n_act), h["action_noise"] * np.ones(n_act))
    return (TD3 if cfg.algo == "td3" else DDPG)("MlpPolicy", env, action_noise=noise, **off)


@dataclass
class AgentRun:
    """A finished (or stopped) training run."""

    agent: Any
    """What acts: an SB3 model, or a :class:`core.rl.vpg.PolicyValueNet` (same ``predict``)."""
    config: AgentConfig
    history: dict[str, list[float]]
    """One row per episode: timesteps, episode_return, episode_length, mean_return (last 10)."""
    status: str
    """'completed', 'stopped' or 'out of time'."""
    seconds: float

    def policy(self) -> nn.Module:
        """The module whose weights are shipped."""
        return self.agent if isinstance(self.agent, nn.Module) else self.agent.policy


def train(cfg: AgentConfig, job: JobLike | None = None, time_budget_s: float | None = None) -> AgentRun:
    """Train ``cfg``; ``job`` gets progress, one row per finished episode and a Stop (SB3's callback)."""
    cfg = validate(cfg)
    if cfg.algo == "vpg":
        h = cfg.hyper
        vcfg = vpg.VPGConfig(env_id=cfg.env_id, baseline=bool(h["baseline"]),
                             learning_rate=h["learning_rate"], gamma=h["gamma"], ent_coef=h["ent_coef"],
                             timesteps=cfg.timesteps, seed=cfg.seed,
                             episodes_per_batch=int(h["episodes_per_batch"]))
        r = vpg.train_vpg(vcfg, job, time_budget_s)
        return AgentRun(r.net, cfg, r.history, r.status, r.seconds)
    from stable_baselines3.common.callbacks import BaseCallback, CallbackList

    from core.training.sb3 import JobCallback

    class TimeLimit(BaseCallback):  # False from _on_step ends learn(), like a Stop
        def __init__(self) -> None:
            super().__init__()
            self.expired = False

        def _on_step(self) -> bool:
            self.expired = time_budget_s is not None and time.perf_counter() - t0 > time_budget_s
            return not self.expired

    t0 = time.perf_counter()
    model = build_model(cfg)
    watch, limit = JobCallback(job, cfg.timesteps), TimeLimit()
    model.learn(cfg.timesteps, callback=CallbackList([watch, limit]))
    status = "out of time" if limit.expired else watch.status
    return AgentRun(model, cfg, watch.history, status, time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------------------
# Acting


def evaluate(agent: Any, env_id: str, episodes: int = EVAL_EPISODES, seed: int = EVAL_SEED) -> list[float]:
    """Returns of ``episodes`` deterministic episodes, reset with seeds ``seed``, ``seed + 1``, ..."""
    env = envs.make(env_id)
    returns = []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            action, _ = agent.predict(obs, deterministic=True)
            obs, r, term, trunc, _ = env.step(action)
            total += float(r)
            done = term or trunc
        returns.append(total)
    env.close()
    return returns


@dataclass
class Rollout:
    """One rendered episode."""

    frames: list[np.ndarray]
    """RGB frames (every ``frame_every``-th step, shrunk), the first before any action."""
    rewards: list[float]
    actions: list[Any]

    @property
    def total(self) -> float:
        return float(sum(self.rewards))


def rollout(agent: Any, env_id: str, seed: int = EVAL_SEED, frame_every: int = 2, shrink: int = 3,
            deterministic: bool = True) -> Rollout:
    """Play one episode and keep its frames (``render_mode='rgb_array'``: no display needed)."""
    env = envs.make(env_id, render=True)
    obs, _ = env.reset(seed=seed)
    frames, rewards, actions = [envs.small_frame(env.render(), shrink)], [], []
    done, t = False, 0
    while not done:
        action, _ = agent.predict(obs, deterministic=deterministic)
        obs, r, term, trunc, _ = env.step(action)
        rewards.append(float(r))
        actions.append(np.asarray(action).tolist())
        done, t = term or trunc, t + 1
        if done or t % frame_every == 0:
            frames.append(envs.small_frame(env.render(), shrink))
    env.close()
    return Rollout(frames, rewards, actions)


# ---------------------------------------------------------------------------------------------------------
# Shipping and loading


def _hyper_json(cfg: AgentConfig) -> dict[str, Any]:
    return {k: v for k, v in cfg.hyper.items() if k not in ("notes",)}


@register_builder("rl-sb3-policy", task="rl-agent")
def build_policy(algo: str, env_id: str, hyper: dict[str, Any], seed: int = 0, **_record: Any) -> nn.Module:
    """The SB3 policy module of a shipped agent's configuration (``_record``: kept for people)."""
    return build_model(AgentConfig(algo, env_id, 100, seed, dict(hyper)), inference=True).policy


def describe(cfg: AgentConfig, policy: nn.Module) -> str:
    params = sum(p.numel() for p in policy.parameters())
    return f"{zoo.ALGORITHMS[cfg.algo].title} on {cfg.env_id}: {type(policy).__name__}, {params:,} parameters"


def save_agent(name: str, run: AgentRun, directory: Any = None, extra_metrics: dict[str, Any] | None = None
               ) -> checkpoints.ManifestEntry:
    """Measure ``run``'s agent on EVAL_EPISODES held-out episodes and ship it as ``name``."""
    cfg = run.config
    returns = evaluate(run.agent, cfg.env_id)
    keep = thin_indices(len(run.history.get("timesteps", [])), CURVE_POINTS)
    curve = {k: [round(run.history[k][i], 2) for i in keep] for k in ("timesteps", "mean_return")}
    builder = "rl-vpg" if cfg.algo == "vpg" else "rl-sb3-policy"
    config = {"algo": cfg.algo, "env_id": cfg.env_id, "seed": cfg.seed, "hyper": _hyper_json(cfg),
              "timesteps": cfg.timesteps, "curve": curve}
    if cfg.algo == "vpg":
        config["hidden"] = run.agent.v[0].out_features
    metrics = {**return_metrics(returns), **(extra_metrics or {})}
    return checkpoints.save_checkpoint(
        name, run.policy(), lecture=7, architecture=describe(cfg, run.policy()), builder=builder,
        config=config, metrics=metrics, train_seconds=run.seconds, directory=directory,
        dataset={"name": cfg.env_id,
                 "provenance": f"gymnasium {cfg.env_id}: {cfg.timesteps:,} training steps (seed {cfg.seed}); "
                 f"evaluated on {len(returns)} episodes with reset seeds {EVAL_SEED}-"
                 f"{EVAL_SEED + len(returns) - 1}", "eval_seed": EVAL_SEED})


def load_agent(name: str, directory: Any = None) -> Any:
    """The shipped agent ``name`` rebuilt from its safetensors weights and JSON hyperparameters.

    An SB3 model (PPO, TRPO, SAC, TD3, DDPG) or, for vanilla policy gradient, a
    :class:`core.rl.vpg.PolicyValueNet`; both act with ``predict(obs, deterministic=True)`` in the
    environment ``config['env_id']`` of the manifest entry. The file's sha256 is checked first, and only
    safetensors are read.
    """
    ent = checkpoints.entry(name, directory)
    if ent.task != "rl-agent":
        raise checkpoints.CheckpointError(f"{name!r} is a {ent.task!r} checkpoint, not an RL agent")
    policy = checkpoints.load_model(name, directory)  # verified, rebuilt, strictly loaded
    if ent.builder == "rl-vpg":
        return policy
    c = ent.config
    model = build_model(AgentConfig(c["algo"], c["env_id"], 100, int(c.get("seed", 0)), dict(c["hyper"])),
                        inference=True)
    model.policy.load_state_dict(policy.state_dict(), strict=True)
    model.policy.set_training_mode(False)
    return model


def measure(policy: nn.Module, ent: checkpoints.ManifestEntry) -> dict[str, float]:
    """Re-measure a shipped agent's held-out returns from the loaded policy, as the training command did."""
    returns = evaluate(policy, ent.config["env_id"], int(ent.metrics["episodes"]),
                       int(ent.dataset.get("eval_seed", EVAL_SEED)))
    return return_metrics(returns)


def return_metrics(returns: list[float]) -> dict[str, float]:
    """Mean and (population) standard deviation of held-out returns, as the manifest keeps them."""
    return {"mean_return": round(float(np.mean(returns)), 3), "std_return": round(float(np.std(returns)), 3),
            "episodes": len(returns)}


def with_overrides(cfg: AgentConfig, **hyper: Any) -> AgentConfig:
    """``cfg`` with some hyperparameters replaced (checked)."""
    return validate(replace(cfg, hyper={**cfg.hyper, **hyper}))
