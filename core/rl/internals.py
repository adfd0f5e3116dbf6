"""Inside vanilla policy gradient: one episode's returns-to-go, baseline and advantages, and the variance
of the gradient estimate with and without a baseline, measured on the same sampled episodes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import checkpoints, checks
from core.rl import envs, vpg, zoo
from core.training import JobLike, seed_everything

POLICIES = {"vpg-CartPole-v1": "shipped REINFORCE", "untrained": "untrained"}
BATCHES = (4, 30)
EPISODES_PER_BATCH = (1, 8)
ESTIMATORS = {"none": "no baseline: G_t", "constant": "constant baseline: G_t − mean(G)",
              "value": "learned baseline: G_t − V(s_t)"}


def policy(name: str, seed: int = 0) -> vpg.PolicyValueNet:
    """The shipped REINFORCE agent, or a freshly initialised one (seeded) for CartPole."""
    if name not in POLICIES:
        raise ValueError(f"unknown policy; choose one of {', '.join(POLICIES)}")
    if name == "untrained":
        seed_everything(seed)
        return vpg.build_net("CartPole-v1").eval()
    net = checkpoints.load_model(name)
    assert isinstance(net, vpg.PolicyValueNet)
    return net


def breakdown(net: vpg.PolicyValueNet, gamma: float, seed: int) -> dict[str, np.ndarray]:
    """One sampled CartPole episode: rewards, returns-to-go G_t, baseline V(s_t), advantage G_t − V(s_t)."""
    gamma = checks.number(gamma, "Gamma", *zoo.GAMMA_RANGE)
    seed_everything(int(seed))
    ep = vpg.play(envs.make("CartPole-v1"), net, int(seed))
    g = vpg.returns_to_go(ep.rewards, gamma)
    with torch.no_grad():
        v = net.value(torch.as_tensor(ep.obs)).numpy().astype(np.float64)
    return {"rewards": ep.rewards, "returns_to_go": g, "baseline": v, "advantage": g - v}


@dataclass(frozen=True)
class Variance:
    """The spread of the gradient estimates of one estimator over independent batches."""

    total: float
    """Sum over the policy's weights of the variance of the estimate across batches."""
    mean_norm: float
    """Norm of the average estimate (what all batches agree on)."""


def _estimate(net: vpg.PolicyValueNet, batch: list[vpg.Episode], gamma: float, kind: str) -> np.ndarray:
    """One unscaled REINFORCE estimate of ∇J (flattened over the policy's weights) from ``batch``."""
    obs = torch.as_tensor(np.concatenate([e.obs for e in batch]))
    acts = torch.as_tensor(np.concatenate([e.actions for e in batch]))
    g = torch.as_tensor(np.concatenate([vpg.returns_to_go(e.rewards, gamma) for e in batch]),
                        dtype=torch.float32)
    weight = {"none": g, "constant": g - g.mean(), "value": g - net.value(obs).detach()}[kind]
    params = list(net.pi.parameters())
    logp = net.dist(obs).log_prob(acts)
    grads = torch.autograd.grad((logp * weight).sum() / len(batch), params)  # per-episode average
    return torch.cat([gr.reshape(-1) for gr in grads]).numpy()


def gradient_variance(net: vpg.PolicyValueNet, gamma: float, batches: int, episodes: int,
                      seed: int, job: JobLike | None = None) -> dict[str, Variance]:
    """Variance of each estimator over ``batches`` batches of ``episodes`` sampled episodes (the same
    episodes for every estimator, so the comparison is paired). ``job`` hears the progress per batch; once
    it asks to stop, no more batches are sampled and the measurement uses those already sampled (at least
    two, the fewest a variance needs)."""
    gamma = checks.number(gamma, "Gamma", *zoo.GAMMA_RANGE)
    batches = checks.whole_number(batches, "Batches", *BATCHES)
    episodes = checks.whole_number(episodes, "Episodes per batch", *EPISODES_PER_BATCH)
    seed_everything(int(seed))
    env = envs.make("CartPole-v1")
    data: list[list[vpg.Episode]] = []
    for b in range(batches):
        if job is not None and len(data) >= 2 and job.should_stop():
            break
        data.append([vpg.play(env, net, int(seed) * 1_000 + b * episodes + i) for i in range(episodes)])
        if job is not None:
            job.report(progress=len(data) / batches, message=f"sampled {len(data)} of {batches} batches")
    out = {}
    for kind in ESTIMATORS:
        est = np.stack([_estimate(net, batch, gamma, kind) for batch in data])
        out[kind] = Variance(float(est.var(axis=0, ddof=1).sum()), float(np.linalg.norm(est.mean(axis=0))))
    return out


def variance_table(var: dict[str, Variance]) -> list[dict[str, str | float]]:
    """One row per estimator of :func:`gradient_variance`'s result: its variance, that variance as a share of
    the estimator without a baseline (the same episodes), and the norm of its mean estimate."""
    none = var["none"].total
    return [{"estimator": ESTIMATORS[k], "variance": v.total, "variance / no baseline": v.total / none,
             "|mean gradient|": v.mean_norm} for k, v in var.items()]
