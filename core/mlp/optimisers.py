"""Optimiser race on 2D loss surfaces: SGD, momentum, RMSProp and Adam from the same start (lecture 2).

Every path is produced by the real ``torch.optim`` classes stepping a single 2-vector parameter, so what
students see is what their training loops do. The gradient of each surface is written out in closed form
(a Python-float function, :mod:`core.mlp.surfaces`) and handed to the optimiser as ``p.grad``: for one 2D
point that is ~50x cheaper than an autograd graph; ``tests/mlp/test_optimiser_race.py`` checks every closed
form against autograd on the surface.

A learning rate that blows up is not an error but a lesson: the path stops at the first non-finite or
far-away point (:data:`DIVERGENCE_RADIUS`) and the run is reported as diverged at that step.

First render. A process's first ``torch.optim`` optimizer imports ``torch._dynamo`` (~1 s here, measured
in bench/bench_lecture2_viz.py), so the races at each surface's suggested settings, the page's opening
state, are computed ahead by those same optimizers and shipped in ``suggested_races.npz``
(:func:`write_suggested`; a test re-runs them through torch.optim and compares). Any other setting runs live.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.checks import choice, number, whole_number
from core.mlp.surfaces import SURFACES, Surface, get_surface, loss_along
from core.training.optim import HYPER_DEFAULTS, LABELS, OPTIMIZERS, USES

#: A coordinate beyond this (or a non-finite value) ends the path: "diverged". All view boxes lie within
#: |x|, |y| <= 5, so nothing that legitimately wanders outside the view is cut short.
DIVERGENCE_RADIUS = 1e4
#: Loss gap to the minimum under which a run counts as having arrived (for "steps to 1e-3" in the table).
ARRIVAL_GAP = 1e-3

#: Choices and ranges offered by the front ends (one source of truth for sliders and API endpoints).
LEARNING_RATES: tuple[float, ...] = (
    tuple(round(m * 10.0**e, 6) for e in range(-4, 0) for m in (1, 2, 3, 5)) + (1.0, 2.0)
)
CONDITIONS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200)
ALPHAS: tuple[float, ...] = (0.5, 0.9, 0.95, 0.99, 0.995, 0.999)
BETA2S: tuple[float, ...] = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)
STEPS = (10, 500)
START = (-5.0, 5.0)
MOMENTUM = (0.0, 0.99)
BETA1 = (0.0, 0.99)
#: Bound on the memory the continued racers keep, in bytes (16 per point): ~1M points, then the least
#: recently used racer goes. A count bound alone would let a few huge requests hold hundreds of MB.
RACER_CACHE_BYTES = 16 * 2**20
SUGGESTED_FILE = Path(__file__).with_name("suggested_races.npz")


def race_settings(surface: Any, optimizers: Iterable[Any], lr: Any, lr_adaptive: Any, steps: Any,
                  start_x: Any, start_y: Any, momentum: Any, alpha: Any, beta1: Any, beta2: Any,
                  condition: Any = None) -> dict[str, Any]:
    """The race's controls checked against the page's ranges: keyword arguments of :func:`race`.

    Raises ValueError naming the first control no slider could produce (NaN and inf included).
    """
    surf = get_surface(str(surface))
    chosen = [choice(o, "optimiser", OPTIMIZERS) for o in optimizers]
    lr = choice(lr, "learning rate (SGD, momentum)", LEARNING_RATES)
    lra = choice(lr_adaptive, "learning rate (RMSProp, Adam)", LEARNING_RATES)
    hyper: dict[str, Any] = {"momentum": number(momentum, "momentum", *MOMENTUM),
                             "alpha": choice(alpha, "RMSProp decay", ALPHAS),
                             "beta1": number(beta1, "Adam beta1", *BETA1),
                             "beta2": choice(beta2, "Adam beta2", BETA2S)}
    if "condition" in surf.params:
        hyper["condition"] = float(choice(50 if condition is None else condition, "condition number",
                                          CONDITIONS))
    return {"surface": surf.name, "optimizers": [o for o in OPTIMIZERS if o in chosen],
            "lr": {"sgd": lr, "momentum": lr, "rmsprop": lra, "adam": lra},
            "steps": whole_number(steps, "steps", *STEPS),
            "start": (number(start_x, "start x", *START), number(start_y, "start y", *START)),
            **hyper}


def _split(surface: Surface, hyper: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    unknown = set(hyper) - set(surface.params) - set(HYPER_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown hyperparameter(s) {sorted(unknown)}; surface {surface.name!r} takes "
                        f"{sorted(surface.params)}, optimisers take {sorted(HYPER_DEFAULTS)}")
    sp = {k: float(hyper.get(k, v)) for k, v in surface.params.items()}
    return sp, {k: hyper.get(k, v) for k, v in HYPER_DEFAULTS.items()}


class _Racer:
    """One optimiser's run in progress, kept so that asking for more steps continues it instead of
    starting over (moving the steps slider then costs only the new steps; the result is identical)."""

    def __init__(self, surf: Surface, sp: dict[str, float], optimizer: str, lr: float,
                 start: tuple[float, float], hyper: dict[str, Any]) -> None:
        import torch  # here, not at import: the first render shows precomputed races without torch.optim

        from core.training.optim import make_optimizer

        self.grad = functools.partial(surf.grad, **sp)
        # float64: paths of hundreds of small steps must not drift from the hand-run torch reference.
        self.p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        self.p.grad = torch.zeros(2, dtype=torch.float64)
        self.opt = make_optimizer(optimizer, [self.p], lr, kernel="single", **hyper)
        # numpy views share the tensors' memory: reading the point and writing the gradient cost ~0.1 us
        # instead of ~5 us per tensor op; the optimiser updates both tensors in place.
        self._g, self._x = self.p.grad.numpy(), self.p.detach().numpy()
        self.points = np.empty((64, 2))
        self.points[0] = start
        self.n = 1  # points computed (row 0 is the start)
        self.diverged = False
        self.lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return self.points.nbytes

    def advance(self, steps: int) -> np.ndarray:
        with self.lock:
            if steps + 1 > len(self.points) and not self.diverged:
                grown = np.empty((max(steps + 1, 2 * len(self.points)), 2))
                grown[: self.n] = self.points[: self.n]
                self.points = grown
            x, y = self.points[self.n - 1]
            while self.n <= steps and not self.diverged:
                gx, gy = self.grad(float(x), float(y))
                if not (math.isfinite(gx) and math.isfinite(gy)):
                    self.diverged = True
                    break
                self._g[0], self._g[1] = gx, gy
                self.opt.step()
                x, y = float(self._x[0]), float(self._x[1])
                if not (abs(x) <= DIVERGENCE_RADIUS and abs(y) <= DIVERGENCE_RADIUS):  # also catches NaN
                    self.diverged = True
                    break
                self.points[self.n] = x, y
                self.n += 1
            path = np.full((steps + 1, 2), np.nan)
            done = min(self.n, steps + 1)
            path[:done] = self.points[:done]
            return path


_RACERS: OrderedDict[str, _Racer] = OrderedDict()
_RACERS_LOCK = threading.Lock()


def _racer(key: str, surf: Surface, sp: dict[str, float], optimizer: str, lr: float,
           start: tuple[float, float], hyper: dict[str, Any]) -> _Racer:
    with _RACERS_LOCK:
        racer = _RACERS.get(key)
        if racer is None:
            racer = _RACERS[key] = _Racer(surf, sp, optimizer, lr, start, hyper)
        _RACERS.move_to_end(key)
        return racer


def _trim_racers() -> None:
    with _RACERS_LOCK:
        while len(_RACERS) > 1 and sum(r.nbytes for r in _RACERS.values()) > RACER_CACHE_BYTES:
            _RACERS.popitem(last=False)


def _key(surf: Surface, sp: dict[str, float], optimizer: str, lr: float, start: tuple[float, float],
         hyper: dict[str, Any]) -> str:
    return repr((surf.name, tuple(sorted(sp.items())), optimizer, lr, start, tuple(sorted(hyper.items()))))


@lru_cache(maxsize=1)
def _suggested() -> dict[str, tuple[np.ndarray, bool]]:
    """Precomputed paths by key: (points, diverged); empty if the file is missing."""
    if not SUGGESTED_FILE.is_file():
        return {}
    with np.load(SUGGESTED_FILE, allow_pickle=False) as f:
        keys, diverged = f["keys"], f["diverged"]
        return {str(k): (f[f"path{i}"], bool(d)) for i, (k, d) in enumerate(zip(keys, diverged))}


def _precomputed(key: str, steps: int) -> np.ndarray | None:
    found = _suggested().get(key)
    if found is None:
        return None
    points, diverged = found
    if steps + 1 > len(points) and not diverged:  # asks for more than was computed ahead
        return None
    path = np.full((steps + 1, 2), np.nan)
    done = min(len(points), steps + 1)
    path[:done] = points[:done]
    return path


def _arguments(surface: str, optimizer: str, lr: float, steps: int, start: tuple[float, float] | None,
               hyper: dict[str, Any]) -> tuple[Surface, dict[str, float], float, tuple[float, float], dict]:
    surf = get_surface(surface)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose from {OPTIMIZERS}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"learning rate must be a positive number, got {lr}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    sp, h = _split(surf, hyper)
    start_t = tuple(map(float, start if start is not None else surf.start))
    if not all(math.isfinite(v) for v in (*start_t, *sp.values())):
        raise ValueError("the start and the surface parameters must be finite numbers")
    # Cache key: only what this optimiser reads, as plain Python values (a numpy float has another repr).
    used = {k: bool(h[k]) if isinstance(HYPER_DEFAULTS[k], bool) else float(h[k]) for k in USES[optimizer]}
    return surf, sp, float(lr), start_t, used  # type: ignore[return-value]


def trajectory(surface: str, optimizer: str, lr: float, steps: int, start: tuple[float, float] | None = None,
               **hyper: Any) -> np.ndarray:
    """The path of a torch.optim ``optimizer`` on the named surface: an array of shape (steps+1, 2).

    Row 0 is ``start`` (the surface's default if None), row k the point after k updates. If the run
    diverges at step k (a non-finite gradient or point, or a coordinate beyond DIVERGENCE_RADIUS), rows
    k.. are NaN: see :func:`diverged_at`. ``hyper`` holds optimiser hyperparameters (momentum, nesterov,
    alpha, beta1, beta2, eps; those the optimiser does not use are ignored) and surface parameters
    (``condition`` for the bowl).
    """
    surf, sp, lr, start_t, used = _arguments(surface, optimizer, lr, steps, start, hyper)
    key = _key(surf, sp, optimizer, lr, start_t, used)
    if key not in _RACERS:
        path = _precomputed(key, int(steps))
        if path is not None:
            return path
    path = _racer(key, surf, sp, optimizer, lr, start_t, used).advance(int(steps))
    _trim_racers()
    return path


_warming = threading.Event()


def warm_up_in_background() -> None:
    """Import torch.optim's first-use cost (:func:`core.jobs.warm_up`) in a daemon thread, once per process.

    The import happens in the thread too, so a page that calls this after drawing pays nothing for it.
    """
    if _warming.is_set():
        return
    _warming.set()

    def warm() -> None:
        from core.jobs import warm_up

        warm_up()

    threading.Thread(target=warm, name="race-warm-up", daemon=True).start()


def suggested_settings() -> list[tuple[str, str, float]]:
    """(surface, optimizer, lr) of every race the page opens with: each surface's suggested settings."""
    return [(s.name, o, s.lr if o in ("sgd", "momentum") else s.lr_adaptive)
            for s in SURFACES.values() for o in OPTIMIZERS]


def write_suggested(path: Path = SUGGESTED_FILE, steps: int = STEPS[1]) -> Path:
    """Run every suggested race through torch.optim for the slider's full ``steps`` and save the paths.

    ``python -c "from core.mlp.optimisers import write_suggested; write_suggested()"`` after a torch upgrade.
    """
    keys, diverged, arrays = [], [], {}
    for i, (name, opt, lr) in enumerate(suggested_settings()):
        surf, sp, lr, start, used = _arguments(name, opt, lr, steps, None, {})
        racer = _Racer(surf, sp, opt, lr, start, used)
        racer.advance(steps)
        keys.append(_key(surf, sp, opt, lr, start, used))
        diverged.append(racer.diverged)
        arrays[f"path{i}"] = racer.points[: racer.n].copy()
    np.savez_compressed(path, keys=np.array(keys), diverged=np.array(diverged), **arrays)
    _suggested.cache_clear()
    return path


def diverged_at(path: np.ndarray) -> int | None:
    """The first step whose point is missing (NaN) in a trajectory, or None if the run stayed finite."""
    bad = np.flatnonzero(~np.isfinite(path).all(axis=1))
    return int(bad[0]) if bad.size else None


def reversals(path: np.ndarray, axis: int = 1) -> int:
    """How often a coordinate's step changes sign along a path: the zig-zag, counted.

    On the bowl y is the steep coordinate: SGD past lr = 1/κ overshoots the floor and reverses at every
    step; heavy-ball momentum sums the alternating gradients into its velocity and reverses less often.
    """
    steps = np.diff(np.asarray(path, dtype=np.float64)[:, axis])
    signs = np.sign(steps[np.isfinite(steps) & (steps != 0)])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


@dataclass(frozen=True)
class Run:
    """One optimiser's path in a race."""

    optimizer: str
    """Key in :data:`OPTIMIZERS`."""
    lr: float
    """Its learning rate."""
    path: np.ndarray
    """The finite part of the trajectory, shape (k+1, 2)."""
    losses: np.ndarray
    """f along ``path``."""
    diverged_at: int | None
    """Step at which the run blew up (None: it stayed finite)."""

    @property
    def final_loss(self) -> float | None:
        return None if self.diverged_at is not None else float(self.losses[-1])


@dataclass(frozen=True)
class Race:
    """Several optimisers from one start on one surface."""

    surface: str
    """Surface key."""
    params: Mapping[str, float]
    """Surface parameters used (e.g. condition)."""
    start: tuple[float, float]
    """Common start point."""
    steps: int
    """Steps each optimiser was given."""
    runs: Mapping[str, Run]
    """Optimiser key -> its run, in race order."""

    def final_losses(self) -> dict[str, float | str]:
        """Final loss of each optimiser, or "diverged at step k"."""
        return {k: (r.final_loss if r.diverged_at is None else f"diverged at step {r.diverged_at}")
                for k, r in self.runs.items()}

    def table(self) -> list[dict[str, object]]:
        """One row per optimiser: learning rate, final loss, first step within 1e-3 of the minimum ("not
        reached" when the run never gets there, so the table never shows a bare None), and how often the y
        step changed sign (:func:`reversals`)."""
        fmin = SURFACES[self.surface].fmin
        rows = []
        for k, r in self.runs.items():
            gap = r.losses - fmin
            hit = np.flatnonzero(gap < ARRIVAL_GAP)
            rows.append({
                "optimiser": LABELS[k], "learning rate": r.lr,
                "status": "diverged" if r.diverged_at is not None else "finite",
                "final loss": None if r.final_loss is None else float(f"{r.final_loss:.4g}"),
                "steps to loss gap < 1e-3": str(int(hit[0])) if hit.size else "not reached",
                "y-step reversals": reversals(r.path),
                "diverged at step": r.diverged_at,
            })
        return rows


def race(surface: str, lr: float | Mapping[str, float], steps: int, start: tuple[float, float] | None = None,
         optimizers: Iterable[str] = OPTIMIZERS, **hyper: Any) -> Race:
    """Run each optimiser from the same start. ``lr`` is shared, or a mapping optimiser -> learning rate.

    Adaptive methods take steps of roughly ``lr`` in parameter units whatever the gradient scale, while
    SGD's step is ``lr * gradient``: comparable races usually need a different lr for each family.
    """
    surf = get_surface(surface)
    sp, _ = _split(surf, hyper)
    start_t = tuple(map(float, start if start is not None else surf.start))
    runs: dict[str, Run] = {}
    for opt in optimizers:
        opt_lr = float(lr[opt]) if isinstance(lr, Mapping) else float(lr)
        full = trajectory(surf.name, opt, opt_lr, steps, start_t, **hyper)
        k = diverged_at(full)
        path = full if k is None else full[:k]
        runs[opt] = Run(opt, opt_lr, path, loss_along(surf.name, path, **sp), k)
    return Race(surf.name, sp, start_t, int(steps), runs)  # type: ignore[arg-type]
