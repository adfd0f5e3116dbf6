"""Lecture 7: training through the gallery against the bare library with the same hyperparameters.

Run: ``nice .venv/bin/python -m bench.bench_rl [--pairs ppo:CartPole-v1 ...] [--fixed-steps 2000]``
(Markdown tables). For every shipped algorithm/environment pair (:data:`core.rl.shipped.SHIPPED`), in the
same run, same seed (0), same Zoo settings:

* gallery: ``core.rl.agents.train`` with a job that records every row, as the live page runs it
  (JobCallback, time limit, AgentConfig); the job asks to stop at the target, as a user pressing Stop would;
* bare: ``build_model(cfg).learn`` with a callback that only records finished episodes and returns False at
  the target (SB3 itself), or, for vanilla policy gradient, whose loop is the gallery's own
  (``core.rl.vpg.train_vpg``), that loop called directly with a job that only watches for the target.

Measured: wall and CPU seconds (``time.process_time``, this process: less disturbed by other load) to a
mean return over the last 10 episodes of the environment's threshold (CartPole 475). Pendulum's threshold
(-200) needs ~10,000 slow steps per run and TD3/DDPG learn only after 10,000 random ones, so the Pendulum
pairs run ``--fixed-steps`` steps (learning starts after ``--fixed-steps // 4``) and the table says so;
``--all-to-target`` runs them to -200 with the Zoo's settings too (minutes per run on a quiet machine).
The same seed gives the same run, so the steps to the target must agree. Target for PPO: within 1.05x.

Also: building a shipped agent from its files and one rendered episode; one AlphaZero move with 200
simulations (target under 1 s).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from bench.common import best_of, table
from core.rl import agents, envs, shipped, showcase, vpg

Timing = tuple[float, float, int, int]
"""(wall seconds, CPU seconds, steps) to the target or to the end, and whether the target was reached."""


class Recorder:
    """A job that keeps what the live panel would get and asks to stop once ``target`` is reached."""

    def __init__(self, target: float | None, keep: bool = True) -> None:
        self.target, self.keep, self.reached_at = target, keep, None
        self.rows: list[tuple[float, float]] = []

    def report(self, progress: float | None = None, message: str | None = None, **m: float) -> None:
        if "mean_return" not in m:
            return
        if self.keep:
            self.rows.append((m["timesteps"], m["mean_return"]))
        if self.reached_at is None and self.target is not None and m["mean_return"] >= self.target:
            self.reached_at = (time.perf_counter(), time.process_time(), m["timesteps"])

    def publish(self, key: str, value: Any) -> None:
        pass

    def should_stop(self) -> bool:
        return self.reached_at is not None


def _timing(job: Recorder, t0: tuple[float, float], end: tuple[float, float, float]) -> Timing:
    wall, cpu, steps = job.reached_at or end
    return wall - t0[0], cpu - t0[1], int(steps), int(job.reached_at is not None)


def gallery(cfg: agents.AgentConfig, target: float | None) -> Timing:
    job = Recorder(target)
    t0 = time.perf_counter(), time.process_time()
    run = agents.train(cfg, job, time_budget_s=None)
    steps = run.history["timesteps"][-1] if run.history["timesteps"] else cfg.timesteps
    return _timing(job, t0, (time.perf_counter(), time.process_time(), steps))


def bare(cfg: agents.AgentConfig, target: float | None) -> Timing:
    watch = Recorder(target, keep=False)
    t0 = time.perf_counter(), time.process_time()
    if cfg.algo == "vpg":
        h = cfg.hyper
        run = vpg.train_vpg(vpg.VPGConfig(
            env_id=cfg.env_id, baseline=bool(h["baseline"]), learning_rate=h["learning_rate"],
            gamma=h["gamma"], ent_coef=h["ent_coef"], timesteps=cfg.timesteps, seed=cfg.seed,
            episodes_per_batch=int(h["episodes_per_batch"])), watch)
        return _timing(watch, t0, (time.perf_counter(), time.process_time(), run.history["timesteps"][-1]))
    from stable_baselines3.common.callbacks import BaseCallback

    returns: list[float] = []

    class Episodes(BaseCallback):
        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    returns.append(float(info["episode"]["r"]))
                    watch.report(timesteps=self.num_timesteps, mean_return=float(np.mean(returns[-10:])))
            return not watch.should_stop()

    model = agents.build_model(cfg)  # the model SB3 builds from these settings; construction is timed too
    model.learn(cfg.timesteps, callback=Episodes())
    return _timing(watch, t0, (time.perf_counter(), time.process_time(), model.num_timesteps))


def compare(algo: str, env_id: str, fixed_steps: int, repeats: int, all_to_target: bool = False) -> list[Any]:
    """One table row: bare and gallery, alternating ``repeats`` times, the fastest wall time of each kept."""
    target = envs.ENVS[env_id].solved
    cfg = agents.make_config(algo, env_id, seed=0)
    if env_id != "CartPole-v1" and not all_to_target:
        cfg = agents.AgentConfig(algo, env_id, fixed_steps, 0, {**cfg.hyper, "learning_starts": min(
            fixed_steps // 4, cfg.hyper.get("learning_starts", 100))})
        target = None
    b_runs, g_runs = [], []
    for i in range(repeats):  # alternate, so that a burst of load elsewhere hits both alike
        for fn, out in ((bare, b_runs), (gallery, g_runs))[:: 1 if i % 2 == 0 else -1]:
            out.append(fn(cfg, target))
    (bw, bc, bs, br), (gw, gc, gs, gr) = min(b_runs), min(g_runs)
    what = f"to {target:g}" if target is not None else f"{fixed_steps:,} steps"
    if target is not None and not (br and gr):
        what += f" (not reached in {cfg.timesteps:,}: whole run)"
    return [f"{algo}:{env_id}", what, bs, gs, bw, gw, gw / bw, bc, gc, gc / bc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    pairs = [f"{a}:{e}" for a, e, _ in shipped.SHIPPED.values()]
    parser.add_argument("--pairs", nargs="*", default=pairs)
    parser.add_argument("--fixed-steps", type=int, default=2_000,
                        help="steps of each Pendulum run (its -200 takes ~10,000 slow steps)")
    parser.add_argument("--all-to-target", action="store_true",
                        help="Pendulum pairs too to their threshold, with the Zoo's settings (minutes each)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="alternating runs of each; the fastest is kept")
    args = parser.parse_args()

    # one-off imports, counted for neither
    bare(agents.make_config("ppo", "CartPole-v1", timesteps=512, seed=0), None)
    rows = [compare(*p.split(":"), args.fixed_steps, args.repeats, args.all_to_target) for p in args.pairs]
    print("Gallery (core.rl.agents.train, a recording job) against the bare library: seed 0, Zoo settings\n")
    print(table(["algorithm:env", "measured", "steps bare", "steps gallery", "wall bare (s)",
                 "wall gallery (s)", "wall gallery / bare", "CPU bare (s)", "CPU gallery (s)",
                 "CPU gallery / bare"], rows))

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
