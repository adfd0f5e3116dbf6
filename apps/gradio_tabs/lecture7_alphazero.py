"""Gradio tab of lecture 7: AlphaZero's move, as the ``/alphazero_move`` API endpoint.

The same core call as the Streamlit page ``l7-alphazero``: a game, a board and the search's simulations and
seed in; the chosen cell or column and the search's visit counts, values and prior per action out. The
board is text (comma-separated 0/1/-1, row-major, row 0 at the top) so an API caller can send any position;
the core refuses malformed, impossible or finished boards with a message that says what is wrong.
"""

from __future__ import annotations

import re
from typing import Any

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedSlider, choice, number
from core import checkpoints
from core.rl import alphazero
from core.rl.alphazero import figures, games

BOARD_MAX_CHARS = 400


def _parse_board(text: Any) -> list[int]:
    if not isinstance(text, str) or len(text) > BOARD_MAX_CHARS:
        raise gr.Error(f"Board must be text of at most {BOARD_MAX_CHARS} characters: cells as 0, 1 or -1, "
                       "separated by commas or spaces")
    parts = [p for p in re.split(r"[\s,;\[\]]+", text) if p]
    if not all(re.fullmatch(r"-?\d{1,2}", p) for p in parts):
        raise gr.Error("Board cells must be 0 (empty), 1 (first player) or -1 (second player)")
    return [int(p) for p in parts]


def alphazero_move(game: Any, board: Any, simulations: Any, seed: Any) -> tuple[str, dict[str, Any]]:
    """The shipped net's search from ``board``: its move and its per-action statistics."""
    game = choice("Game", game, tuple(figures.shipped_games()) or tuple(games.GAMES))
    sims = number("MCTS simulations", simulations, *alphazero.SIMULATIONS)
    seed = number("Seed", seed, *alphazero.SEEDS)
    cells = _parse_board(board)
    try:
        res = alphazero.analyse(game, cells, sims, seed)
    except ValueError as exc:
        raise gr.Error(f"Board refused: {exc}") from None
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped net is not available: {exc}") from None
    g = games.GAMES[game]
    row, col = divmod(res.action, g.cols)
    where = f"column {res.action}" if g.gravity else f"cell {res.action} (row {row}, column {col})"
    return f"AlphaZero plays {where}.", {
        "game": game, "move": res.action, "simulations": sims, "seed": seed,
        "root_value": round(res.value, 4),
        "visits": res.visits.tolist(), "prior": np.round(res.prior, 4).tolist(),
        "q": [None if np.isnan(q) else round(float(q), 4) for q in res.q]}


def build() -> None:
    """Lay out the AlphaZero tab inside the current Blocks/Tab."""
    shipped = tuple(figures.shipped_games()) or ("tictactoe",)
    gr.Markdown("### AlphaZero's move\nA policy-value net trained by self-play picks moves by PUCT tree "
                "search. Type a position (tic-tac-toe: 9 cells, row-major; Connect Four: 42 cells, 6 rows "
                "of 7, row 0 at the top) with 0 empty, 1 the first player, -1 the second; the side to move "
                "follows from the counts.")
    with gr.Row():
        game = CheckedDropdown(list(shipped), value=shipped[0], label="Game")
        sims = CheckedSlider(alphazero.SIMULATIONS[0], 800, value=200, step=1, label="MCTS simulations")
        seed = CheckedSlider(0, 1000, value=0, step=1,
                             label="Seed (breaks ties between equally visited moves)")
    board = gr.Textbox("1, 1, 0, -1, -1, 0, 0, 0, 0", label="Board", max_length=BOARD_MAX_CHARS)
    button = gr.Button("AlphaZero's move", variant="primary")
    with gr.Row():
        said = gr.Markdown()
        stats = gr.JSON(label="Search")
    gr.on([button.click], alphazero_move, [game, board, sims, seed], [said, stats], api_name="alphazero_move")
