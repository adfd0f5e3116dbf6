"""The policy-value network: one body, a policy head (logits over actions) and a value head (tanh).

Small fully connected layers suffice for boards of 9 and 42 cells. The search calls the net once per
simulation on a single board, where PyTorch's per-call overhead dominates, so :func:`evaluator` runs the
same weights through numpy (identical outputs up to float rounding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from core.registry import register_builder
from core.rl.alphazero import games

Evaluator = Callable[[np.ndarray], tuple[np.ndarray, float]]
"""board -> (prior over actions, zero on illegal ones; value in [-1, 1] for the side to move)."""


@register_builder("alphazero-net", task="alphazero")
class PolicyValueNet(nn.Module):
    """Two hidden layers shared by a policy head and a value head (Silver et al. 2017, scaled down)."""

    def __init__(self, game: str, hidden: int = 128, **_record: Any) -> None:
        super().__init__()
        g = games.game_of(game)
        self.game = g
        self.body = nn.Sequential(nn.Linear(2 * g.cells, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU())
        self.policy = nn.Linear(hidden, g.n_actions)
        self.value = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, 2·cells) from :func:`games.encode` -> (policy logits (B, actions), value (B,) in [-1, 1])."""
        h = self.body(x)
        return self.policy(h), torch.tanh(self.value(h)).squeeze(-1)


def evaluator(net: PolicyValueNet) -> Evaluator:
    """A numpy copy of ``net``'s current weights as an :data:`Evaluator` (take a new one after training)."""
    w = [t.detach().cpu().numpy().astype(np.float64) for t in (
        net.body[0].weight, net.body[0].bias, net.body[2].weight, net.body[2].bias,
        net.policy.weight, net.policy.bias, net.value.weight, net.value.bias)]
    game = net.game

    def evaluate(board: np.ndarray) -> tuple[np.ndarray, float]:
        x = games.encode(board)
        h = np.maximum(w[0] @ x + w[1], 0.0)
        h = np.maximum(w[2] @ h + w[3], 0.0)
        logits = w[4] @ h + w[5]
        mask = games.legal(game, board)
        logits = np.where(mask, logits, -np.inf)
        p = np.exp(logits - logits.max())
        return p / p.sum(), float(np.tanh(w[6] @ h + w[7])[0])

    return evaluate


def rollout_evaluator(game: games.Game, rng: np.random.Generator) -> Evaluator:
    """Pure MCTS's evaluation: uniform priors and the result of one random playout to the end."""

    def evaluate(board: np.ndarray) -> tuple[np.ndarray, float]:
        mask = games.legal(game, board)
        me, b = games.to_move(board), board
        result = games.outcome(game, b)
        while result is None:
            b = games.play(game, b, int(rng.choice(np.flatnonzero(games.legal(game, b)))))
            result = games.outcome(game, b)
        return mask / mask.sum(), float(result * me)

    return evaluate
