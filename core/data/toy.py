"""2D toy classification sets (lectures 1-2): moons, circles, spirals, xor, blobs.

Every generator returns points already in the gallery's shared frame, roughly [-3, 3]^2, so all pages can
use the same plot limits and the same decision-boundary grid. Randomness comes only from
`np.random.default_rng(seed)`, so equal options give bit-identical arrays on every machine.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Defaults per set. `noise` is the std of Gaussian jitter in the final (plotted) units, except for
#: moons/circles where it is sklearn's `noise` before our fixed rescaling (x1.5 and x2.5).
DEFAULTS: dict[str, dict[str, float | int]] = {
    "moons": {"n": 1000, "noise": 0.2, "seed": 0, "classes": 2},
    "circles": {"n": 1000, "noise": 0.08, "seed": 0, "classes": 2},
    "spirals": {"n": 1000, "noise": 0.15, "seed": 0, "classes": 2},
    "xor": {"n": 1000, "noise": 0.15, "seed": 0, "classes": 2},
    "blobs": {"n": 1000, "noise": 0.5, "seed": 0, "classes": 3},
}

#: Sets whose number of classes is a real choice; the others are binary by construction.
VARIABLE_CLASSES = frozenset({"spirals", "blobs"})

#: Fixed 60/20/20 proportions of 'train' / 'val' / 'test' (lecture 1's train/val/test split).
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)


def _per_class(n: int, k: int) -> np.ndarray:
    """Class sizes as equal as possible (the first n % k classes get one more point)."""
    return np.array([n // k + (j < n % k) for j in range(k)])


def _moons(n: int, noise: float, seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    # sklearn's moons span x in [-1, 2], y in [-0.5, 1]: centre them, then stretch into the shared frame.
    return (X - [0.5, 0.25]) * 1.5, y


def _circles(n: int, noise: float, seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    return X * 2.5, y  # outer radius 1 -> 2.5


def _spirals(n: int, noise: float, seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(k), _per_class(n, k))
    # sqrt spreads points evenly along the arm's length instead of crowding the centre.
    t = np.sqrt(rng.uniform(0.02, 1.0, size=n))
    theta = 3.0 * np.pi * t + 2.0 * np.pi * y / k  # 1.5 turns per arm, arms evenly rotated
    X = 2.6 * t[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), y


def _xor(n: int, noise: float, seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.5, 2.5, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)  # labels from the clean points: noise blurs the border
    return X + noise * rng.standard_normal((n, 2)), y


def _blobs(n: int, noise: float, seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(k), _per_class(n, k))
    angle = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k  # centres on a circle: same frame for any k
    centres = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres[y] + noise * rng.standard_normal((n, 2)), y


GENERATORS: dict[str, Callable[[int, float, int, int], tuple[np.ndarray, np.ndarray]]] = {
    "moons": _moons,
    "circles": _circles,
    "spirals": _spirals,
    "xor": _xor,
    "blobs": _blobs,
}


def normalise_options(name: str, options: dict) -> dict[str, float | int]:
    """Fill defaults and validate, so that equal requests share one in-process cache entry."""
    unknown = set(options) - set(DEFAULTS[name])
    if unknown:
        raise TypeError(f"{name} takes options {sorted(DEFAULTS[name])}, not {sorted(unknown)}")
    opts = {**DEFAULTS[name], **options}
    n, k, seed, noise = int(opts["n"]), int(opts["classes"]), int(opts["seed"]), float(opts["noise"])
    if n < 10:
        raise ValueError(f"{name}: n must be at least 10 so that every split has points, got {n}")
    if not noise >= 0:
        raise ValueError(f"{name}: noise must be >= 0, got {noise}")
    if name in VARIABLE_CLASSES:
        if not 2 <= k <= 10:
            raise ValueError(f"{name}: classes must be between 2 and 10, got {k}")
    elif k != 2:
        raise ValueError(f"{name} has exactly 2 classes (classes=... works for spirals and blobs)")
    return {"n": n, "noise": noise, "seed": seed, "classes": k}


def generate(name: str, split: str, n: int, noise: float, seed: int, classes: int):
    """Points of one split: the whole set is generated from `seed`, then cut 60/20/20 by a permutation
    drawn from a second, derived stream (so changing the split never changes the points)."""
    X, y = GENERATORS[name](n, noise, seed, classes)
    perm = np.random.default_rng([seed, 20250101]).permutation(n)
    n_train, n_val = round(SPLIT_FRACTIONS[0] * n), round(SPLIT_FRACTIONS[1] * n)
    parts = {
        "train": perm[:n_train],
        "val": perm[n_train : n_train + n_val],
        "test": perm[n_train + n_val :],
        "all": np.arange(n),
    }
    idx = parts[split]
    return np.asarray(X, dtype=np.float32)[idx], np.asarray(y, dtype=np.int64)[idx]
