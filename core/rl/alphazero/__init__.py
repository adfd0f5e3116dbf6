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

from core import checkpoints, checks
from core.rl.alphazero import games, mcts
from core.rl.alphazero.net import Evaluator, PolicyValueNet, evaluator

SIMULATIONS = (1, 1600)
"""Range of simulations per move a caller may ask for (1: the net's prior alone decides)."""
SEEDS = (0, 2**31 - 1)
"""Range of search seeds a caller may ask for (the Gradio tab's)."""


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
    simulations = checks.whole_number(simulations, "simulations", *SIMULATIONS)
    seed = checks.whole_number(seed, "seed", *SEEDS)
    return mcts.search(g, b, shipped_evaluator(g.name), mcts.SearchConfig(simulations),
                       np.random.default_rng(seed))


def move(game: str, board: Any, simulations: int = 200, seed: int = 0) -> int:
    """The cell (tic-tac-toe) or column (Connect Four) AlphaZero plays from ``board``."""
    return analyse(game, board, simulations, seed).action


__all__ = ["SEEDS", "SIMULATIONS", "analyse", "checkpoint_name", "move"]
