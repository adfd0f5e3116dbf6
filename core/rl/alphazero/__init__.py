"""AlphaZero for tic-tac-toe and Connect Four: a policy-value net trained by self-play, guiding PUCT search.

``move(game, board, simulations=200, seed=0)`` is the public API: ``game`` 'tictactoe' (9 cells) or
'connect4' (42 cells, 6 rows x 7 columns, row 0 at the top), ``board`` a list of ints (0 empty, 1 the first
player, -1 the second; the side to move follows from the counts). It returns the cell (tic-tac-toe) or the
column (Connect Four) the shipped net's search picks; the same seed gives the same move.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from core import checkpoints
from core.rl.alphazero import games, mcts
from core.rl.alphazero.net import Evaluator, PolicyValueNet, evaluator

SIMULATIONS = (1, 1600)
"""Range of simulations per move a caller may ask for (1: the net's prior alone decides)."""


def checkpoint_name(game: str) -> str:
    return f"alphazero-{game}"


@functools.lru_cache(maxsize=4)
def shipped_evaluator(game: str) -> Evaluator:
    """The shipped net of ``game`` as a search evaluator (read-only, loaded once)."""
    net = checkpoints.load_model(checkpoint_name(game))
    assert isinstance(net, PolicyValueNet)
    return evaluator(net)


def analyse(game: str, board: Any, simulations: int = 200, seed: int = 0) -> mcts.SearchResult:
    """The shipped net's search from ``board``: visits, values and prior per action, and its choice.
    ValueError for an unknown game, a malformed, impossible or finished board, or a bad simulation count."""
    g = games.game_of(game)
    b = games.check(g, board)
    if isinstance(simulations, bool) or not isinstance(simulations, (int, np.integer)) \
            or not SIMULATIONS[0] <= simulations <= SIMULATIONS[1]:
        raise ValueError(f"simulations must be a whole number from {SIMULATIONS[0]} to {SIMULATIONS[1]}, "
                         f"not {simulations!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    return mcts.search(g, b, shipped_evaluator(g.name), mcts.SearchConfig(int(simulations)),
                       np.random.default_rng(int(seed)))


def move(game: str, board: Any, simulations: int = 200, seed: int = 0) -> int:
    """The cell (tic-tac-toe) or column (Connect Four) AlphaZero plays from ``board``."""
    return analyse(game, board, simulations, seed).action


__all__ = ["SIMULATIONS", "analyse", "checkpoint_name", "move"]
