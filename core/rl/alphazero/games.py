"""Rules of the two board games AlphaZero plays here: tic-tac-toe and Connect Four.

A board is a flat int8 array, row-major, row 0 at the top: 0 empty, 1 the first player, -1 the second.
The side to move follows from the counts (the first player moves when both have placed as many pieces),
so a position needs no extra state and a page or an API caller can hand over a plain list.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Game:
    """A k-in-a-row game on a rows x cols grid."""

    name: str
    """'tictactoe' or 'connect4' (the public API's game names)."""
    rows: int
    """Rows of the grid (row 0 at the top)."""
    cols: int
    """Columns of the grid."""
    k: int
    """Pieces in a row (horizontal, vertical or diagonal) that win."""
    gravity: bool
    """Pieces fall to the lowest empty row of a column (Connect Four): an action is a column, not a cell."""

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def n_actions(self) -> int:
        return self.cols if self.gravity else self.cells

    @property
    def lines(self) -> np.ndarray:
        """(L, k) cell indices of every winning line."""
        return _lines(self.rows, self.cols, self.k)


TICTACTOE = Game("tictactoe", 3, 3, 3, gravity=False)
CONNECT4 = Game("connect4", 6, 7, 4, gravity=True)
GAMES: dict[str, Game] = {g.name: g for g in (TICTACTOE, CONNECT4)}


@functools.cache
def _lines(rows: int, cols: int, k: int) -> np.ndarray:
    out = []
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                cells = [(r + i * dr, c + i * dc) for i in range(k)]
                if all(0 <= rr < rows and 0 <= cc < cols for rr, cc in cells):
                    out.append([rr * cols + cc for rr, cc in cells])
    return np.array(out, dtype=np.intp)


def game_of(name: Any) -> Game:
    if name not in GAMES:
        raise ValueError(f"game must be one of {', '.join(GAMES)}, not {name!r}")
    return GAMES[name]


def to_move(board: np.ndarray) -> int:
    """1 when both sides have as many pieces (the first player moves), else -1."""
    return 1 if int(board.sum()) == 0 else -1


def legal(game: Game, board: np.ndarray) -> np.ndarray:
    """Boolean mask over actions: empty cells, or columns whose top cell is empty."""
    return (board[: game.cols] if game.gravity else board) == 0


def play(game: Game, board: np.ndarray, action: int) -> np.ndarray:
    """A new board with the side to move's piece on ``action`` (a cell, or a column's lowest empty row)."""
    cell = action
    if game.gravity:
        column = board[action :: game.cols]
        cell = int(np.flatnonzero(column == 0)[-1]) * game.cols + action
    new = board.copy()
    new[cell] = to_move(board)
    return new


def winner(game: Game, board: np.ndarray) -> int:
    """1 or -1 if that side has k in a row, else 0."""
    sums = board[game.lines].sum(axis=1)
    if (sums == game.k).any():
        return 1
    if (sums == -game.k).any():
        return -1
    return 0


def outcome(game: Game, board: np.ndarray) -> int | None:
    """None while the game goes on; else the winner (1 or -1) or 0 for a draw (a full board)."""
    w = winner(game, board)
    if w:
        return w
    return None if (board == 0).any() else 0


def check(game: Game, board: Any) -> np.ndarray:
    """``board`` as an int8 array if it is a position that can arise in play and is not finished;
    ValueError saying what is wrong otherwise."""
    if isinstance(board, (str, bytes)) or not hasattr(board, "__len__"):
        raise ValueError(f"a {game.name} board must be a list of {game.cells} ints, "
                         f"not {type(board).__name__}")
    values = list(board)
    if len(values) != game.cells:
        raise ValueError(f"a {game.name} board has {game.cells} cells ({game.rows}x{game.cols}), "
                         f"not {len(values)}")
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v not in (0, 1, -1)
           for v in values):
        raise ValueError("each cell must be 0 (empty), 1 (first player) or -1 (second player)")
    arr = np.array(values, dtype=np.int8)
    if int(arr.sum()) not in (0, 1):
        raise ValueError("the first player (1) moves first and the sides alternate: the board must hold as "
                         "many 1s as -1s, or one more 1")
    if game.gravity:
        grid = arr.reshape(game.rows, game.cols)
        if ((grid[:-1] != 0) & (grid[1:] == 0)).any():
            raise ValueError("a piece floats above an empty cell: pieces fall to the lowest empty row")
    if outcome(game, arr) is not None:
        raise ValueError("the game is over (someone has won or the board is full): there is no move to make")
    return arr


def symmetries(game: Game, board: np.ndarray, pi: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The position and its search policy under the board's symmetries (training data augmentation):
    the 8 rotations and reflections of tic-tac-toe, the left-right mirror of Connect Four."""
    if game.gravity:
        grid = board.reshape(game.rows, game.cols)
        return [(board, pi), (grid[:, ::-1].reshape(-1).copy(), pi[::-1].copy())]
    out = []
    b, p = board.reshape(game.rows, game.cols), pi.reshape(game.rows, game.cols)
    for k in range(4):
        rb, rp = np.rot90(b, k), np.rot90(p, k)
        out.append((rb.reshape(-1).copy(), rp.reshape(-1).copy()))
        out.append((rb[:, ::-1].reshape(-1).copy(), rp[:, ::-1].reshape(-1).copy()))
    return out


def encode(board: np.ndarray) -> np.ndarray:
    """The net's input, from the side to move's point of view: [own pieces, opponent's pieces] (float32).
    One net then serves both colours, as in AlphaZero's board representation."""
    me = to_move(board)
    return np.concatenate([board == me, board == -me]).astype(np.float32)
