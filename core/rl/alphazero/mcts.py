"""PUCT Monte Carlo tree search as in AlphaZero (Silver et al. 2017, "Mastering the game of Go without
human knowledge", Methods): each simulation walks down the tree choosing

    a = argmax_a  Q(s, a) + c_puct · P(s, a) · √N(s) / (1 + N(s, a)),

evaluates the leaf with the network (prior P and value v; no rollout), and backs v up the path, flipping
its sign at every ply because the players alternate. Finished positions are scored exactly (+1/-1/0).
Dirichlet noise is mixed into the root prior in self-play only, so training keeps exploring moves the net
already dislikes; a move played for real searches without it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.rl.alphazero import games
from core.rl.alphazero.net import Evaluator


@dataclass(frozen=True)
class SearchConfig:
    """One search."""

    simulations: int = 200
    """Simulations (leaf evaluations) per move."""
    c_puct: float = 1.5
    """Weight of the prior-driven exploration term against the value estimate Q."""
    dirichlet_alpha: float = 0.0
    """Concentration of the root noise; 0 disables it (play), self-play sets ~1 for boards this small."""
    noise_fraction: float = 0.25
    """Share of the noise in the root prior when the noise is on: (1-ε)·P + ε·Dir(α), as in the paper."""


@dataclass(frozen=True)
class SearchResult:
    """What the search thought of the root position, per action (the page's heat map)."""

    visits: np.ndarray
    """N(root, a): how often each action was explored (0 for illegal ones)."""
    q: np.ndarray
    """Q(root, a): mean backed-up value for the side to move, in [-1, 1]; NaN where never visited."""
    prior: np.ndarray
    """P(root, a): the net's prior (before any noise)."""
    value: float
    """The net's value of the root for the side to move (pure MCTS: one playout's result)."""
    action: int
    """The most visited action (ties broken by the seed)."""


class _Node:
    __slots__ = ("board", "prior", "n", "w", "children", "terminal", "visits")

    def __init__(self, game: games.Game, board: np.ndarray) -> None:
        self.board = board
        result = games.outcome(game, board)
        # The player who just moved made the result: from the side to move's view a win for it is -1.
        self.terminal = None if result is None else float(result * games.to_move(board))
        self.prior = np.zeros(game.n_actions)
        self.n = np.zeros(game.n_actions)
        self.w = np.zeros(game.n_actions)
        self.children: dict[int, _Node] = {}
        self.visits = 0


def search(game: games.Game, board: np.ndarray, evaluate: Evaluator, config: SearchConfig,
           rng: np.random.Generator) -> SearchResult:
    """Run ``config.simulations`` simulations from ``board`` (not finished); the root's statistics."""
    root = _Node(game, board)
    prior, value = evaluate(board)
    root.prior, root.visits = prior.copy(), 1
    legal = games.legal(game, board)
    if config.dirichlet_alpha > 0:
        noise = np.zeros(game.n_actions)
        noise[legal] = rng.dirichlet([config.dirichlet_alpha] * int(legal.sum()))
        root.prior = (1 - config.noise_fraction) * root.prior + config.noise_fraction * noise
    for _ in range(config.simulations):
        node, path = root, []
        while True:
            mask = games.legal(game, node.board)
            q = np.divide(node.w, node.n, out=np.zeros_like(node.w), where=node.n > 0)
            score = q + config.c_puct * node.prior * np.sqrt(node.visits) / (1 + node.n)
            a = int(np.argmax(np.where(mask, score, -np.inf)))
            path.append((node, a))
            child = node.children.get(a)
            if child is None:
                child = node.children[a] = _Node(game, games.play(game, node.board, a))
                if child.terminal is None:
                    child.prior, v = evaluate(child.board)
                else:
                    v = child.terminal
                child.visits = 1
                break
            child.visits += 1
            if child.terminal is not None:
                v = child.terminal
                break
            node = child
        for parent, a in reversed(path):
            v = -v  # the parent's side is the child's opponent
            parent.n[a] += 1
            parent.w[a] += v
        root.visits += 1  # N(s) = 1 + Σ_a N(s, a): the expansion visit plus those passing through
    visits = root.n.copy()
    best = np.flatnonzero(visits == visits.max())
    action = int(best[0] if len(best) == 1 else rng.choice(best))
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(visits > 0, root.w / np.maximum(visits, 1), np.nan)
    return SearchResult(visits.astype(int), q, prior, value, action)
