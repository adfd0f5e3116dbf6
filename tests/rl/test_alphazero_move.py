"""core.rl.alphazero.move with the shipped nets: forced wins and blocks, determinism, refused boards, and
the shipped tic-tac-toe net's match results re-played (small N) against random and pure MCTS."""

from __future__ import annotations

import numpy as np
import pytest

from core.rl import alphazero
from core.rl.alphazero import arena, figures, games
from core.rl.alphazero.net import evaluator
from core.rl.alphazero.train import match_metrics

SHIPPED = figures.shipped_games()
needs = pytest.mark.skipif("tictactoe" not in SHIPPED, reason="alphazero-tictactoe is not shipped")


@needs
@pytest.mark.parametrize(("board", "cell"), [
    ([1, 1, 0, -1, -1, 0, 0, 0, 0], 2),     # X wins on the top row
    ([1, -1, 0, 1, -1, 0, 0, 0, 0], 6),     # X wins down the left column (and O threatens the middle)
    ([1, 1, -1, 0, -1, 0, 0, 0, 1], 6),     # O wins on the anti-diagonal
])
def test_takes_an_immediate_win(board: list[int], cell: int) -> None:
    assert alphazero.move("tictactoe", board) == cell


@needs
@pytest.mark.parametrize(("board", "cell"), [
    ([1, 0, 0, -1, -1, 0, 1, 0, 0], 5),     # X blocks O's middle row
    ([1, 1, 0, 0, -1, 0, 0, 0, 0], 2),      # O blocks X's top row
    ([-1, 0, 0, 0, 1, 0, 1, 0, 0], 2),      # O blocks X's anti-diagonal
])
def test_blocks_an_immediate_loss(board: list[int], cell: int) -> None:
    assert alphazero.move("tictactoe", board) == cell


@needs
def test_the_same_seed_gives_the_same_move_and_search() -> None:
    board = [1, 0, 0, 0, 0, 0, 0, 0, 0]
    a = alphazero.analyse("tictactoe", board, 64, seed=3)
    b = alphazero.analyse("tictactoe", board, 64, seed=3)
    assert a.action == b.action and np.array_equal(a.visits, b.visits)
    assert alphazero.move("tictactoe", [0] * 9, 200, 0) == alphazero.move("tictactoe", [0] * 9)


@pytest.mark.parametrize(("args", "message"), [
    (("chess", [0] * 9), "game must be one of"),
    (("tictactoe", [0] * 10), "has 9 cells"),
    (("tictactoe", [1, 1, 1, -1, -1, 0, 0, 0, 0]), "game is over"),
    (("tictactoe", [0.5] + [0] * 8), "must be 0"),
    (("tictactoe", None), "list of 9"),
    (("connect4", [0] * 41 + [-1]), "first player"),
    (("connect4", [1] + [0] * 41), "floats"),
])
def test_malformed_illegal_and_finished_boards_are_refused(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        alphazero.move(*args)


@needs
@pytest.mark.parametrize("sims", [0, 1601, 2.5, True])
def test_simulation_counts_out_of_range_are_refused(sims: object) -> None:
    with pytest.raises(ValueError, match="simulations must be"):
        alphazero.move("tictactoe", [0] * 9, simulations=sims)  # type: ignore[arg-type]


@needs
def test_the_shipped_net_does_not_lose_to_random_or_to_pure_mcts() -> None:
    ev = alphazero.shipped_evaluator("tictactoe")
    assert arena.match(games.TICTACTOE, ev, "random", 12, 200, seed=500)["losses"] == 0
    assert arena.match(games.TICTACTOE, ev, "mcts", 4, 200, seed=500)["losses"] == 0


@needs
def test_the_manifest_match_table_is_what_the_shipped_net_plays() -> None:
    from core import checkpoints

    ent = SHIPPED["tictactoe"]
    net = checkpoints.load_model("alphazero-tictactoe")
    again = match_metrics(net, int(ent.metrics["simulations"]), 6)  # the first 6 seeded games of each match
    assert again["vs_random_losses"] == 0 and again["vs_mcts_losses"] == 0
    assert ent.metrics["vs_random_losses"] == 0
    assert again["prior_optimal_rate"] == pytest.approx(ent.metrics["prior_optimal_rate"], abs=1e-4)
    assert arena.optimal_rate(evaluator(net)) > 0.8


def _c4(first: list[int], second: list[int]) -> list[int]:
    board = [0] * 42
    for c in first:
        board[c] = 1
    for c in second:
        board[c] = -1
    return board


@pytest.mark.skipif("connect4" not in SHIPPED, reason="alphazero-connect4 is not shipped")
@pytest.mark.parametrize(("board", "column"), [
    (_c4([35, 36, 37], [28, 29, 30]), 3),            # first player completes the bottom row
    (_c4([35, 28, 21], [36, 37, 29]), 0),            # first player completes column 0 upwards
    (_c4([35, 36, 28], [39, 40, 41]), 3),            # first player blocks the bottom row at column 3
    (_c4([38, 31, 24, 35], [36, 40, 41]), 3),        # second player blocks column 3 on top
])
def test_connect4_takes_a_win_or_blocks_a_loss(board: list[int], column: int) -> None:
    assert alphazero.move("connect4", board) == column
