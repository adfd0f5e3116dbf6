"""Vanilla policy gradient (REINFORCE, Williams 1992), with and without a learned baseline, in one file.

The policy-gradient theorem gives the gradient of the expected return J(θ) as

    ∇J(θ) = E[ Σ_t ∇ log π_θ(a_t | s_t) · (G_t − b(s_t)) ],   G_t = Σ_{k≥t} γ^{k−t} r_k  (returns-to-go)

for any baseline b that does not depend on the action: subtracting it leaves the expectation unchanged and
can shrink the variance of the sample estimate a great deal (Sutton & Barto 2018, §13.4). Here b is a
value network V_φ(s) fitted to the returns-to-go by least squares after every policy update, as in
OpenAI Spinning Up's VPG. Each update uses ``episodes_per_batch`` whole episodes.

The estimator is divided by the standard deviation of its weights (G_t − b, or G_t without a baseline):
a positive scale per batch, so the direction of the step is the estimator's own; without a baseline
nothing is centred, so the comparison with and without one stays honest.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Normal

from core import checks
from core.registry import register_builder
from core.rl import envs, zoo
from core.training import JobLike, seed_everything
from core.training.optim import make_optimizer


@dataclass(frozen=True)
class VPGConfig:
    """One REINFORCE run."""

    env_id: str = "CartPole-v1"
    """A gymnasium id of :data:`core.rl.envs.ENVS`."""
    baseline: bool = True
    """Subtract the learned state value V(s) from the returns-to-go (False: plain REINFORCE)."""
    learning_rate: float = 1e-2
    """Adam step size of the policy."""
    value_lr: float = 1e-2
    """Adam step size of the value network (the baseline)."""
    value_steps: int = 20
    """Least-squares steps of the value network per batch."""
    gamma: float = 0.99
    """Discount of the returns-to-go."""
    ent_coef: float = 0.0
    """Weight of an entropy bonus (keeps the policy exploring)."""
    episodes_per_batch: int = 8
    """Whole episodes per gradient estimate."""
    timesteps: int = 150_000
    """Environment steps of the run (the last batch may run a little over)."""
    hidden: int = 64
    """Units of the two hidden layers of the policy and of the value network."""
    seed: int = 0
    """Seeds torch and the environment resets (episode i of the run resets with seed·100,003 + i)."""


def _mlp(inp: int, hidden: int, out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inp, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                         nn.Linear(hidden, out))


class PolicyValueNet(nn.Module):
    """A policy π(a|s) (softmax over discrete actions, or a Gaussian) and a state value V(s), both MLPs.

    ``predict`` has Stable-Baselines3's signature, so the gallery acts with it as with an SB3 model.
    """

    def __init__(self, obs_dim: int, act_dim: int, continuous: bool, hidden: int = 64,
                 low: float = -1.0, high: float = 1.0) -> None:
        super().__init__()
        self.continuous, self.low, self.high = continuous, low, high
        self.pi = _mlp(obs_dim, hidden, act_dim)
        self.v = _mlp(obs_dim, hidden, 1)
        if continuous:  # a state-independent log standard deviation, as in Spinning Up
            self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))

    def dist(self, obs: torch.Tensor) -> Distribution:
        out = self.pi(obs)
        return Normal(out, self.log_std.exp()) if self.continuous else Categorical(logits=out)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.v(obs).squeeze(-1)

    def act(self, obs: np.ndarray, deterministic: bool) -> np.ndarray:
        with torch.no_grad():
            d = self.dist(torch.as_tensor(obs, dtype=torch.float32))
            if deterministic:
                a = d.mean if self.continuous else d.probs.argmax(-1)
            else:
                a = d.sample()
        a = a.numpy()
        return np.clip(a, self.low, self.high).astype(np.float32) if self.continuous else a

    def predict(self, observation: np.ndarray, state: Any = None, episode_start: Any = None,
                deterministic: bool = False) -> tuple[np.ndarray, None]:
        return self.act(np.asarray(observation, dtype=np.float32), deterministic), None


@register_builder("rl-vpg", task="rl-agent")
def build_net(env_id: str, hidden: int = 64, **_record: Any) -> PolicyValueNet:
    """The network for ``env_id`` (``_record``: the rest of the manifest's config, kept for people)."""
    env = envs.make(env_id)
    obs, act = env.observation_space, env.action_space
    if isinstance(act, gym.spaces.Discrete):
        return PolicyValueNet(obs.shape[0], int(act.n), False, hidden)
    return PolicyValueNet(obs.shape[0], act.shape[0], True, hidden, float(act.low[0]), float(act.high[0]))


def returns_to_go(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """G_t = r_t + γ G_{t+1}, from the last step back (G after the last step is 0)."""
    out = np.zeros(len(rewards), dtype=np.float64)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


@dataclass
class Episode:
    """One episode's observations, actions and rewards."""

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray

    @property
    def total(self) -> float:
        return float(self.rewards.sum())


def play(env: gym.Env, net: PolicyValueNet, seed: int, deterministic: bool = False) -> Episode:
    """One episode with the policy (sampling actions unless ``deterministic``)."""
    obs_list, act_list, rew = [], [], []
    obs, _ = env.reset(seed=seed)
    done = False
    while not done:
        a = net.act(obs, deterministic)
        obs_list.append(obs)
        act_list.append(a)
        obs, r, term, trunc, _ = env.step(a)
        rew.append(float(r))
        done = term or trunc
    return Episode(np.asarray(obs_list, np.float32), np.asarray(act_list), np.asarray(rew))


def policy_loss(net: PolicyValueNet, batch: list[Episode], gamma: float, baseline: bool,
                ent_coef: float = 0.0) -> torch.Tensor:
    """The surrogate whose gradient is the (scaled) REINFORCE estimate of −∇J over ``batch``."""
    obs = torch.as_tensor(np.concatenate([e.obs for e in batch]))
    acts = torch.as_tensor(np.concatenate([e.actions for e in batch]))
    g = torch.as_tensor(np.concatenate([returns_to_go(e.rewards, gamma) for e in batch]), dtype=torch.float32)
    weight = g - net.value(obs).detach() if baseline else g
    weight = weight / (weight.std() + 1e-8) if len(weight) > 1 else weight
    d = net.dist(obs)
    logp = d.log_prob(acts)
    logp = logp.sum(-1) if net.continuous else logp
    return -(logp * weight).mean() - ent_coef * d.entropy().mean()


def fit_value(net: PolicyValueNet, opt: torch.optim.Optimizer, batch: list[Episode], gamma: float,
              steps: int) -> float:
    """Least-squares regression of V(s) on the returns-to-go; returns the last loss."""
    obs = torch.as_tensor(np.concatenate([e.obs for e in batch]))
    g = torch.as_tensor(np.concatenate([returns_to_go(e.rewards, gamma) for e in batch]), dtype=torch.float32)
    loss = torch.zeros(())
    for _ in range(steps):
        loss = (net.value(obs) - g).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.detach())


@dataclass
class VPGRun:
    """A finished (or stopped) run."""

    net: PolicyValueNet
    config: VPGConfig
    history: dict[str, list[float]]
    """One row per episode: timesteps, episode_return, episode_length, mean_return (last 10)."""
    status: str
    """'completed', 'stopped' or 'out of time'."""
    seconds: float


def validate(cfg: VPGConfig) -> VPGConfig:
    """``cfg`` with its checked numbers; ValueError naming the first setting outside the pages' ranges."""
    zoo.check_pair("vpg", cfg.env_id)
    return replace(
        cfg, learning_rate=checks.number(cfg.learning_rate, "Learning rate", *zoo.LR_RANGE),
        gamma=checks.number(cfg.gamma, "Gamma", *zoo.GAMMA_RANGE),
        ent_coef=checks.number(cfg.ent_coef, "Entropy coefficient", *zoo.ENT_COEF_RANGE),
        timesteps=checks.whole_number(cfg.timesteps, "Timesteps", 100, zoo.TIMESTEPS_RANGE[1]),
        seed=checks.whole_number(cfg.seed, "Seed", *zoo.SEED_RANGE),
        episodes_per_batch=checks.whole_number(cfg.episodes_per_batch, "Episodes per batch", 1, 64))


def train_vpg(cfg: VPGConfig, job: JobLike | None = None, time_budget_s: float | None = None) -> VPGRun:
    """Train REINFORCE on ``cfg.env_id``; ``job`` gets one row per episode, progress and a Stop."""
    cfg = validate(cfg)
    seed_everything(cfg.seed)
    env = envs.make(cfg.env_id)
    net = build_net(cfg.env_id, cfg.hidden)
    pi_params = [p for n, p in net.named_parameters() if not n.startswith("v.")]
    opt_pi = make_optimizer("adam", pi_params, cfg.learning_rate, kernel="single")
    opt_v = make_optimizer("adam", net.v.parameters(), cfg.value_lr, kernel="single")
    history: dict[str, list[float]] = {k: [] for k in ("timesteps", "episode_return", "episode_length",
                                                       "mean_return")}
    t0, steps, n_episodes, status = time.perf_counter(), 0, 0, "completed"
    while steps < cfg.timesteps:
        batch = []
        for _ in range(cfg.episodes_per_batch):
            ep = play(env, net, seed=cfg.seed * 100_003 + n_episodes)
            n_episodes += 1
            steps += len(ep.rewards)
            batch.append(ep)
            recent = history["episode_return"][-9:] + [ep.total]
            row = {"timesteps": float(steps), "episode_return": ep.total,
                   "episode_length": float(len(ep.rewards)), "mean_return": float(np.mean(recent))}
            for k, v in row.items():
                history[k].append(v)
            if job is not None:
                job.report(progress=min(1.0, steps / cfg.timesteps),
                           message=f"{steps:,} of {cfg.timesteps:,} steps, {n_episodes} episodes, "
                                   f"mean return {row['mean_return']:.1f}", **row)
        loss = policy_loss(net, batch, cfg.gamma, cfg.baseline, cfg.ent_coef)
        opt_pi.zero_grad()
        loss.backward()
        opt_pi.step()
        if cfg.baseline:
            fit_value(net, opt_v, batch, cfg.gamma, cfg.value_steps)
        if job is not None and job.should_stop():
            status = "stopped"
            break
        if time_budget_s is not None and time.perf_counter() - t0 > time_budget_s:
            status = "out of time"
            break
    return VPGRun(net.eval(), cfg, history, status, time.perf_counter() - t0)


def config_dict(cfg: VPGConfig) -> dict[str, Any]:
    return asdict(cfg)
