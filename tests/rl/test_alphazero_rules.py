"""Rules of tic-tac-toe and Connect Four as the AlphaZero search sees them, and the search itself on
positions with one right answer (with random playouts: no trained net needed)."""

from __future__ import annotations

import numpy as np
import pytest

from core.rl.alphazero import arena, games, mcts
from core.rl.alphazero.net import PolicyValueNet, evaluator, rollout_evaluator

T, C = games.TICTACTOE, games.CONNECT4


def b(*cells: int) -> np.ndarray:
    return np.array(cells, dtype=np.int8)


def test_tictactoe_rows_columns_and_diagonals_win() -> None:
    assert games.winner(T, b(1, 1, 1, -1, -1, 0, 0, 0, 0)) == 1
    assert games.winner(T, b(-1, 1, 1, -1, 1, 0, -1, 0, 0)) == -1
    assert games.winner(T, b(1, -1, 0, -1, 1, 0, 0, 0, 1)) == 1
    assert games.winner(T, b(0, -1, 1, -1, 1, 0, 1, 0, 0)) == 1
    assert len(T.lines) == 8 and len(C.lines) == 69


def test_a_full_board_without_a_line_is_a_draw() -> None:
    draw = b(1, -1, 1, 1, -1, -1, -1, 1, 1)
    assert games.outcome(T, draw) == 0
    assert games.outcome(T, b(1, 0, 0, 0, 0, 0, 0, 0, 0)) is None


def test_connect4_pieces_fall_to_the_lowest_empty_row() -> None:
    board = np.zeros(42, dtype=np.int8)
    board = games.play(C, board, 3)
    assert board[5 * 7 + 3] == 1  # row 5 is the bottom
    board = games.play(C, board, 3)
    assert board[4 * 7 + 3] == -1 and games.to_move(board) == 1
    for _ in range(4):
        board = games.play(C, board, 3)
    assert not games.legal(C, board)[3] and games.legal(C, board).sum() == 6


def test_connect4_four_in_a_row_wins_in_every_direction() -> None:
    for cells in ([35, 36, 37, 38], [14, 21, 28, 35], [17, 23, 29, 35], [14, 22, 30, 38]):
        board = np.zeros(42, dtype=np.int8)
        board[cells] = -1
        assert games.winner(C, board) == -1


@pytest.mark.parametrize(("game", "board", "message"), [
    (T, [0] * 8, "has 9 cells"),
    (T, [2] + [0] * 8, "must be 0"),
    (T, [True] + [0] * 8, "must be 0"),
    (T, [-1] + [0] * 8, "first player"),
    (T, [1, 1] + [0] * 7, "first player"),
    (T, [1, 1, 1, -1, -1, 0, 0, 0, 0], "game is over"),
    (T, [1, -1, 1, 1, -1, -1, -1, 1, 1], "game is over"),
    (T, "000000000", "list of 9"),
    (C, [1] + [0] * 41, "floats"),
])
def test_impossible_or_finished_boards_are_refused(game: games.Game, board: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        games.check(game, board)


def test_symmetries_keep_the_policy_on_the_same_cells() -> None:
    board, pi = b(1, 0, 0, 0, -1, 0, 0, 0, 0), np.arange(9.0)
    for sb, sp in games.symmetries(T, board, pi):
        assert sp[np.flatnonzero(sb == 1)[0]] in (0, 2, 6, 8) and sp[4] == 4  # corner stays a corner


def _search(game: games.Game, board: np.ndarray, sims: int = 200) -> int:
    rng = np.random.default_rng(0)
    return mcts.search(game, board, rollout_evaluator(game, rng), mcts.SearchConfig(sims), rng).action


def test_search_takes_an_immediate_win_and_blocks_an_immediate_loss() -> None:
    assert _search(T, b(1, 1, 0, -1, -1, 0, 0, 0, 0)) == 2  # X completes the top row
    assert _search(T, b(1, 0, 0, -1, -1, 0, 1, 0, 0)) == 5  # X must block O's middle row
    board = np.zeros(42, dtype=np.int8)
    board[[35, 36, 37]], board[[28, 29, 30]] = 1, -1
    assert _search(C, board) == 3  # first player completes the bottom row


def test_search_statistics_are_consistent() -> None:
    board = np.zeros(9, dtype=np.int8)
    ev = evaluator(PolicyValueNet("tictactoe", 16))
    res = mcts.search(T, board, ev, mcts.SearchConfig(50), np.random.default_rng(0))
    assert res.visits.sum() == 50 and res.visits[res.action] == res.visits.max()
    assert np.all(np.abs(res.q[res.visits > 0]) <= 1) and np.isclose(res.prior.sum(), 1)


def test_the_tictactoe_solver_knows_the_game_is_a_draw() -> None:
    assert arena.solved_value(np.zeros(9, dtype=np.int8).tobytes()) == 0
    assert len(arena.reachable_positions()) == 4520
