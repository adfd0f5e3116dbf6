"""Matches between players: AlphaZero (net + PUCT search), pure MCTS (same search, uniform priors and
random playouts instead of the net) and a uniformly random player; and, for tic-tac-toe, the exact
game-theoretic value of every position, which tells whether a move is optimal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from core.rl.alphazero import games, mcts
from core.rl.alphazero.net import Evaluator, rollout_evaluator

Player = Callable[[np.ndarray], int]
OPPONENTS = ("random", "mcts")


def random_player(game: games.Game, seed: int) -> Player:
    rng = np.random.default_rng(seed)
    return lambda board: int(rng.choice(np.flatnonzero(games.legal(game, board))))


def search_player(game: games.Game, evaluate: Evaluator, simulations: int, seed: int) -> Player:
    rng = np.random.default_rng(seed)
    cfg = mcts.SearchConfig(simulations=simulations)
    return lambda board: mcts.search(game, board, evaluate, cfg, rng).action


def pure_mcts_player(game: games.Game, simulations: int, seed: int) -> Player:
    rng = np.random.default_rng(seed)
    return search_player(game, rollout_evaluator(game, rng), simulations, seed)


def play_game(game: games.Game, first: Player, second: Player) -> int:
    """The result for the first player: 1 win, 0 draw, -1 loss."""
    board = np.zeros(game.cells, dtype=np.int8)
    while (result := games.outcome(game, board)) is None:
        board = games.play(game, board, (first if games.to_move(board) == 1 else second)(board))
    return result


def match(game: games.Game, evaluate: Evaluator, opponent: str, games_: int, simulations: int,
          seed: int = 0) -> dict[str, int]:
    """AlphaZero against ``opponent`` over ``games_`` games, half with each colour; game i seeds both
    players with seed + i. Returns AlphaZero's wins, draws and losses."""
    tally = {"wins": 0, "draws": 0, "losses": 0}
    for i in range(games_):
        me = search_player(game, evaluate, simulations, seed + i)
        other = (random_player(game, seed + i) if opponent == "random"
                 else pure_mcts_player(game, simulations, seed + i))
        first = i % 2 == 0
        r = play_game(game, me, other) if first else -play_game(game, other, me)
        tally["wins" if r > 0 else "losses" if r < 0 else "draws"] += 1
    return tally


@functools.cache
def solved_value(board: bytes) -> int:
    """Tic-tac-toe by exhaustive minimax: +1/0/-1 for the side to move under perfect play (5,478 in all)."""
    b = np.frombuffer(board, dtype=np.int8)
    g = games.TICTACTOE
    result = games.outcome(g, b)
    if result is not None:
        return result * games.to_move(b)
    return max(-solved_value(games.play(g, b, int(a)).tobytes()) for a in np.flatnonzero(b == 0))


def reachable_positions() -> list[np.ndarray]:
    """Every tic-tac-toe position that can arise in play and is not finished (4,520 of them)."""
    seen: dict[bytes, np.ndarray] = {}
    stack = [np.zeros(9, dtype=np.int8)]
    while stack:
        b = stack.pop()
        if b.tobytes() in seen or games.outcome(games.TICTACTOE, b) is not None:
            continue
        seen[b.tobytes()] = b
        stack.extend(games.play(games.TICTACTOE, b, int(a)) for a in np.flatnonzero(b == 0))
    return list(seen.values())


def optimal_rate(evaluate: Evaluator) -> float:
    """Share of reachable tic-tac-toe positions where the net's top prior move keeps the solved value."""
    good = 0
    positions = reachable_positions()
    for b in positions:
        a = int(np.argmax(evaluate(b)[0]))
        good += -solved_value(games.play(games.TICTACTOE, b, a).tobytes()) == solved_value(b.tobytes())
    return good / len(positions)
