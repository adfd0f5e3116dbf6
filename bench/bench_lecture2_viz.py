"""Recompute time of every interaction of the lecture 2 pages (perceptron, optimiser race, backprop), and
the first render of every lecture 2 page in a fresh process.

Run: ``python -m bench.bench_lecture2_viz`` (or ``python bench/bench_lecture2_viz.py``). Prints Markdown
tables: the cost of each interaction at the pages' default sizes (median of several repeats, caches cleared
where the interaction would miss them), ``core.mlp.optimisers.trajectory`` against a bare ``torch.optim``
loop that a student would write (target: well under 100 ms per interaction), and with ``--first-render``
only, each page's first AppTest run in a new Python process (target: at most 1.5 s), next to the bare
``import torch`` + first ``torch.optim`` optimizer measured in a new process in the same run.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core.mlp import backprop as bp  # noqa: E402
from core.mlp import optimiser_figures as of  # noqa: E402
from core.mlp import optimisers as ov  # noqa: E402
from core.mlp import perceptron as pc  # noqa: E402
from core.mlp import surfaces as sf  # noqa: E402
from core.training.optim import make_optimizer  # noqa: E402

REPEATS = 7


def timed(fn: Callable[[], object], setup: Callable[[], object] = lambda: None,
          repeats: int = REPEATS) -> float:
    """Median wall time of ``fn`` in ms, ``setup`` run (untimed) before each repeat."""
    times = []
    for _ in range(repeats):
        setup()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def default_lrs(name: str) -> dict[str, float]:
    s = ov.SURFACES[name]
    return {"sgd": s.lr, "momentum": s.lr, "rmsprop": s.lr_adaptive, "adam": s.lr_adaptive}


def interactions() -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    clear = ov._RACERS.clear
    for name, s in ov.SURFACES.items():
        rows.append((f"race: new surface/start/condition, all 4 from scratch ({name}, {s.steps} steps)",
                     timed(lambda: ov.race(name, default_lrs(name), s.steps), clear)))
    bowl = ov.SURFACES["bowl"]
    r = ov.race("bowl", default_lrs("bowl"), bowl.steps)
    rows.append(("race: rerun with unchanged settings (cached paths)",
                 timed(lambda: ov.race("bowl", default_lrs("bowl"), 100))))
    lr_i = iter(range(10**6))
    rows.append(("race: SGD/momentum lr changed (2 racers recomputed)",
                 timed(lambda: ov.race("bowl", {**default_lrs("bowl"), "sgd": 0.01 + 1e-6 * next(lr_i),
                                                "momentum": 0.01 + 1e-6 * next(lr_i)}, 100))))
    mom = iter(range(10**6))
    rows.append(("race: momentum μ changed (1 racer recomputed)",
                 timed(lambda: ov.race("bowl", default_lrs("bowl"), 100, momentum=0.5 + 1e-6 * next(mom)))))
    rows.append(("race: steps 100 -> 150 (paths continued, not restarted)",
                 timed(lambda: ov.race("bowl", default_lrs("bowl"), 150),
                       lambda: (clear(), ov.race("bowl", default_lrs("bowl"), 100)))))
    rows.append(("race: contour grid of a new condition number (once, then cached)",
                 timed(lambda: sf.contour_grid("bowl", 33.0), sf.contour_grid.cache_clear)))
    rows.append(("race: contour figure + loss figure", timed(lambda: (of.race_figure(r), of.loss_figure(r)))))
    rows.append(("race: both figures serialised to JSON (what Streamlit sends)",
                 timed(lambda: (of.race_figure(r).to_json(), of.loss_figure(r).to_json()))))

    cfg = pc.PerceptronConfig()
    rows.append(("perceptron: new data/lr/epochs/init/seed (run, separable, 20 epochs)",
                 timed(lambda: pc.run(cfg), pc.run.cache_clear)))
    xor = pc.PerceptronConfig(dataset="xor-clusters", max_epochs=50)
    rows.append(("perceptron: run on XOR clusters, 50 epochs (worst case)",
                 timed(lambda: pc.run(xor), pc.run.cache_clear)))
    run = pc.run(cfg)
    rows.append(("perceptron: step moved (both figures)",
                 timed(lambda: (pc.figure(run, 5), pc.mistakes_figure(run, 5)))))

    bcfg = bp.BackpropConfig()
    rows.append(("backprop: any control (forward, hand backward, autograd, SGD step)",
                 timed(lambda: bp.step_through(bcfg))))
    s = bp.step_through(bcfg)
    rows.append(("backprop: network figure + LaTeX + table",
                 timed(lambda: (bp.network_figure(s, "w12"), bp.forward_latex(s),
                                bp.chain_rule_latex(s, "w12"),
                                bp.gradient_table(s)))))  # fmt: skip
    return rows


def bare_loop(surface: str, optimizer: str, lr: float, steps: int) -> None:
    """The hand-written reference: autograd on the torch surface, then torch.optim."""
    surf = ov.SURFACES[surface]
    p = torch.tensor(surf.start, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(optimizer, [p], lr)
    for _ in range(steps):
        opt.zero_grad()
        surf.fn(p[0], p[1]).backward()
        opt.step()


def trajectories(steps: int = 100) -> list[tuple[str, float, float]]:
    rows = []
    for opt in ov.OPTIMIZERS:
        lr = default_lrs("rosenbrock")[opt]
        ours = timed(lambda: ov.trajectory("rosenbrock", opt, lr, steps), ov._RACERS.clear)
        bare = timed(lambda: bare_loop("rosenbrock", opt, lr, steps))
        rows.append((opt, ours, bare))
    return rows


def page_reruns() -> list[tuple[str, float]]:
    """Whole-page reruns through Streamlit's AppTest (an upper bound: AppTest adds its own overhead)."""
    from streamlit.testing.v1 import AppTest

    def mom(at: AppTest, i: int) -> object:
        return at.slider(key="l2opt_mom").set_value(0.5 + 0.01 * (i % 40))

    def start(at: AppTest, i: int) -> object:
        return at.slider(key="l2opt_x0").set_value(-2.0 + 0.01 * i)

    def x1(at: AppTest, i: int) -> object:
        return at.slider(key="l2bp_x1").set_value(round(-1.9 + 0.1 * (i % 30), 1))

    rows = []
    cases = (
        ("optimisers.py", "optimiser race: momentum μ moved", mom),
        ("optimisers.py", "optimiser race: start x moved (all 4 racers)", start),
        ("perceptron.py", "perceptron: Next pressed", lambda at, i: at.button(key="l2perc_next").click()),
        ("backprop.py", "backprop: input x₁ moved", x1),
    )
    for file, label, act in cases:
        at = AppTest.from_file(str(ROOT / "apps" / "pages" / "l2" / file), default_timeout=60)
        at.run()
        counter = iter(range(10**6))
        rows.append((f"page rerun, {label}", timed(lambda: act(at, next(counter)).run())))  # noqa: B023
    return rows


FIRST_RENDER = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
t1 = time.perf_counter()
at = AppTest.from_file({path!r}, default_timeout=120)
at.run()
t2 = time.perf_counter()
assert not at.exception, at.exception
print(1e3 * (t1 - t0), 1e3 * (t2 - t1))
"""
BARE_TORCH = """
import time
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
p = torch.zeros(2, requires_grad=True)
torch.optim.Adam([p], lr=0.1)
print(1e3 * (t1 - t0), 1e3 * (time.perf_counter() - t1))
"""


def _fresh(code: str) -> list[float]:
    import os
    import subprocess

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return [float(v) for v in out.stdout.split()[-2:]]


def first_renders(repeats: int = 3) -> None:
    """First render of each lecture 2 page in a new process (median of ``repeats`` processes)."""
    print("\n| first render in a new process | import streamlit (ms) | first page run (ms) |")
    print("|---|---:|---:|")
    for page in ("perceptron", "playground", "optimisers", "backprop", "search"):
        path = str(ROOT / "apps" / "pages" / "l2" / f"{page}.py")
        runs = [_fresh(FIRST_RENDER.format(root=str(ROOT), path=path)) for _ in range(repeats)]
        print(f"| l2-{page} | {statistics.median(r[0] for r in runs):.0f} | "
              f"{statistics.median(r[1] for r in runs):.0f} |")
    bare = [_fresh(BARE_TORCH) for _ in range(repeats)]
    print(f"| reference: bare `import torch` + first torch.optim optimizer | "
          f"{statistics.median(r[0] for r in bare):.0f} | {statistics.median(r[1] for r in bare):.0f} |")


def main() -> None:
    if "--first-render" in sys.argv:
        first_renders()
        return
    torch.set_num_threads(min(2, torch.get_num_threads()))
    ov.race("bowl", default_lrs("bowl"), 10, start=(-2.4, 1.5))  # warm-up: the first optimizer imports dynamo
    pc.figure(pc.run(pc.PerceptronConfig()), 1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; median of {REPEATS} runs\n")
    print("| interaction | ms |\n|---|---:|")
    for label, ms in interactions() + page_reruns():
        print(f"| {label} | {ms:.1f} |")
    print("\n| 100 steps on Rosenbrock | trajectory (ms) | bare torch.optim loop with autograd (ms) "
          "| speed-up |")
    print("|---|---:|---:|---:|")
    for opt, ours, bare in trajectories():
        print(f"| {ov.LABELS[opt]} | {ours:.1f} | {bare:.1f} | {bare / ours:.1f}x |")


if __name__ == "__main__":
    main()
