"""Lecture 7: training through the gallery against bare Stable-Baselines3 with the same hyperparameters.

Run: ``nice .venv/bin/python -m bench.bench_rl [--pairs ppo:CartPole-v1 sac:Pendulum-v1] [--steps 4000]``
(a Markdown table). Two measurements, both as ratios to SB3 itself measured in the same run:

1. Time to a mean return of 475 (last 10 episodes) on CartPole for PPO, and the steps it took (the same
   seed gives the same run, so the steps must agree): ``core.rl.agents.train`` with a job that records
   every row, as the live page runs it (JobCallback, time limit), against ``PPO.learn`` with a bare
   callback that only records episodes. Same seed, same settings; target: within 1.05x.
2. Environment steps per second for ``--steps`` steps of each other shipped pair (same comparison).

Also: building a shipped agent from its files (``load_agent``) and one rendered episode with its GIF.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from bench.common import best_of, table
from core.rl import agents, showcase

TARGET = 475.0


class Recorder:
    """A job that keeps what the live panel would get (and the time of each episode row)."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, float, float]] = []

    def report(self, progress: float | None = None, message: str | None = None, **m: float) -> None:
        if "mean_return" in m:
            self.rows.append((time.perf_counter(), m["timesteps"], m["mean_return"]))

    def publish(self, key: str, value: Any) -> None:
        pass

    def should_stop(self) -> bool:
        return False


def _first_over(rows: list[tuple[float, float, float]], t0: float) -> tuple[float, float]:
    """(seconds, steps) at the first episode whose last-10 mean reaches the target."""
    return next(((t - t0, n) for t, n, mean in rows if mean >= TARGET), (float("nan"), float("nan")))


def gallery(cfg: agents.AgentConfig) -> tuple[tuple[float, float], float, int]:
    """((seconds, steps) to the target, seconds in all, steps) through ``core.rl.agents.train``."""
    job = Recorder()
    t0 = time.perf_counter()
    run = agents.train(cfg, job, time_budget_s=None)
    return _first_over(job.rows, t0), time.perf_counter() - t0, int(run.history["timesteps"][-1])


def bare(cfg: agents.AgentConfig) -> tuple[tuple[float, float], float, int]:
    """The same, with SB3's own ``learn`` and a callback that only records finished episodes."""
    from stable_baselines3.common.callbacks import BaseCallback

    rows: list[tuple[float, float, float]] = []
    returns: list[float] = []

    class Episodes(BaseCallback):
        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    returns.append(float(info["episode"]["r"]))
                    rows.append((time.perf_counter(), self.num_timesteps, float(np.mean(returns[-10:]))))
            return True

    t0 = time.perf_counter()
    model = agents.build_model(cfg)  # the model SB3 builds from these settings; construction is timed too
    model.learn(cfg.timesteps, callback=Episodes())
    return _first_over(rows, t0), time.perf_counter() - t0, int(model.num_timesteps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", nargs="*", default=["trpo:CartPole-v1", "sac:Pendulum-v1"])
    parser.add_argument("--steps", type=int, default=3_000)
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each; the best is kept")
    args = parser.parse_args()

    cfg = agents.make_config("ppo", "CartPole-v1", seed=0)
    bare(agents.make_config("ppo", "CartPole-v1", timesteps=512, seed=0))  # one-off imports, for neither
    b_runs, g_runs = [], []
    for _ in range(args.repeats):  # alternate, so that a burst of load elsewhere hits both alike
        b_runs.append(bare(cfg))
        g_runs.append(gallery(cfg))
    ((bt, bn), btotal, _), ((gt, gn), gtotal, _) = min(b_runs), min(g_runs)
    print(f"PPO CartPole-v1, Zoo settings, seed 0: time to a mean return of {TARGET:g}\n")
    print(table(["", "bare SB3", "gallery", "gallery / bare"],
                [["to 475 (s)", bt, gt, gt / bt], ["steps to 475", bn, gn, gn / bn],
                 ["whole run (s)", btotal, gtotal, gtotal / btotal]]))

    rows = []
    for pair in args.pairs:
        algo, env_id = pair.split(":")
        c = agents.make_config(algo, env_id, timesteps=args.steps, seed=0)
        if "learning_starts" in c.hyper:
            c = agents.with_overrides(c, learning_starts=min(1_000, c.hyper["learning_starts"]))
        (_, b, bs), (_, g, gs) = bare(c), gallery(c)
        rows.append([pair, bs / b, gs / g, (gs / g) / (bs / b)])
    print(f"\nSteps per second over {args.steps:,} steps\n")
    print(table(["algorithm:env", "bare SB3", "gallery", "gallery / bare"], rows))

    name = showcase.agent_name("ppo", "CartPole-v1")
    load = best_of(lambda: agents.load_agent(name), 3)
    agent = agents.load_agent(name)
    play = best_of(lambda: showcase.play(agent, "CartPole-v1", agents.EVAL_SEED), 1)
    print(f"\nload_agent({name!r}): {load * 1000:.0f} ms; one rendered 500-step episode + GIF: {play:.2f} s")

    # AlphaZero: one move at 200 simulations (the page's default) from the opening, target under 1 s.
    from core.rl import alphazero

    az_rows = []
    for game, cells in (("tictactoe", 9), ("connect4", 42)):
        alphazero.move(game, [0] * cells, simulations=200, seed=0)  # loads the shipped net once
        seconds = best_of(lambda g=game, n=cells: alphazero.move(g, [0] * n, simulations=200), 3)
        az_rows.append([game, seconds])
    print("\nAlphaZero, one move with 200 simulations from the opening (target < 1 s)\n")
    print(table(["game", "seconds"], az_rows))


if __name__ == "__main__":
    main()
