"""The AlphaZero page's game state (per session, page-prefixed keys) and its clickable board."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.rl import alphazero
from core.rl.alphazero import figures, games

BOARD, SETUP, LAST, SEED = "l7az_board", "l7az_setup", "l7az_last", "l7az_game_seed"


def new_game(game: games.Game) -> None:
    st.session_state[BOARD] = [0] * game.cells
    st.session_state[LAST] = None
    st.session_state[SEED] = st.session_state.get(SEED, -1) + 1  # each game searches with its own seed


def ensure(game: games.Game, human: int) -> np.ndarray:
    """The current board; a new game when the game or the side changed."""
    if st.session_state.get(SETUP) != (game.name, human) or BOARD not in st.session_state:
        st.session_state[SETUP] = (game.name, human)
        new_game(game)
    return np.array(st.session_state[BOARD], dtype=np.int8)


def _play(game: games.Game, action: int) -> None:
    board = np.array(st.session_state[BOARD], dtype=np.int8)
    if games.outcome(game, board) is None and games.legal(game, board)[action]:
        st.session_state[BOARD] = games.play(game, board, action).tolist()


def reply(game: games.Game, human: int, simulations: int) -> np.ndarray:
    """Let AlphaZero move when it is its turn; its search is kept for the heat map."""
    board = np.array(st.session_state[BOARD], dtype=np.int8)
    if games.outcome(game, board) is None and games.to_move(board) != human:
        res = alphazero.analyse(game.name, board.tolist(), simulations, seed=st.session_state[SEED])
        st.session_state[LAST] = (board.tolist(), res)
        board = games.play(game, board, res.action)
        st.session_state[BOARD] = board.tolist()
    return board


def clickable_board(game: games.Game, board: np.ndarray, human: int) -> None:
    """Buttons: one per cell (tic-tac-toe), one per column above the grid (Connect Four)."""
    mask = games.legal(game, board)
    live = games.outcome(game, board) is None and games.to_move(board) == human
    if game.gravity:
        cols = st.columns(game.cols)
        for c in range(game.cols):
            cols[c].button("↓", key=f"l7az_col_{c}", on_click=_play, args=(game, c),
                           disabled=not (live and mask[c]), help=f"Drop a disc in column {c}",
                           width="stretch")
        st.markdown(figures.board_text(game, board))
        return
    for r in range(game.rows):
        cols = st.columns(game.cols)
        for c in range(game.cols):
            a = r * game.cols + c
            cols[c].button(figures.MARKS[int(board[a])] or "·", key=f"l7az_cell_{a}", on_click=_play,
                           args=(game, a), disabled=not (live and mask[a]), width="stretch")


def status(game: games.Game, board: np.ndarray, human: int) -> str:
    pieces = figures.DISCS if game.gravity else figures.MARKS
    result = games.outcome(game, board)
    if result is None:
        return f"Your move ({pieces[human]})." if games.to_move(board) == human else "AlphaZero is thinking…"
    if result == 0:
        return "Draw."
    return "You win!" if result == human else "AlphaZero wins."
