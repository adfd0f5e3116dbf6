"""What the AlphaZero page shows, computed here: the search's statistics per action as a heat map and a
table, the shipped nets' match tables, and a text rendering of the board."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core import checkpoints
from core.rl.alphazero import games
from core.rl.alphazero.mcts import SearchResult

MARKS = {1: "X", -1: "O", 0: ""}
DISCS = {1: "🔴", -1: "🟡", 0: "⚪"}
OPPONENT_TITLES = {"random": "uniformly random player", "mcts": "pure MCTS (random playouts)"}


def shipped_games() -> dict[str, checkpoints.ManifestEntry]:
    """game -> manifest entry of its shipped AlphaZero net, for the games that have one."""
    found = checkpoints.manifest()
    return {g: found[f"alphazero-{g}"] for g in games.GAMES if f"alphazero-{g}" in found}


def match_rows(ent: checkpoints.ManifestEntry) -> list[dict[str, Any]]:
    """The measured match table: one row per opponent, AlphaZero's wins/draws/losses."""
    m = ent.metrics
    return [{"opponent": OPPONENT_TITLES[o], "games": int(m["games_per_opponent"]),
             "AlphaZero wins": int(m[f"vs_{o}_wins"]), "draws": int(m[f"vs_{o}_draws"]),
             "AlphaZero losses": int(m[f"vs_{o}_losses"])} for o in OPPONENT_TITLES]


def search_rows(game: games.Game, res: SearchResult) -> list[dict[str, Any]]:
    """One row per legal action of the searched position, most visited first."""
    total = max(int(res.visits.sum()), 1)
    rows = []
    for a in np.argsort(-res.visits, kind="stable"):
        if res.prior[a] <= 0 and res.visits[a] == 0:
            continue  # illegal
        where = f"column {a}" if game.gravity else f"row {a // game.cols}, column {a % game.cols}"
        rows.append({"move": where, "visits": int(res.visits[a]), "share": res.visits[a] / total,
                     "Q (value for the mover)": None if np.isnan(res.q[a]) else float(res.q[a]),
                     "net prior P": float(res.prior[a])})
    return rows


def search_heatmap(game: games.Game, board: np.ndarray, res: SearchResult, title: str) -> go.Figure:
    """Visit counts over the board (tic-tac-toe) or over the columns (Connect Four), labelled with Q."""
    def label(a: int) -> str:
        return "" if res.visits[a] == 0 else f"{res.visits[a]}<br>Q {res.q[a]:+.2f}"

    if game.gravity:
        z = res.visits[None, :]
        text = [[label(a) for a in range(game.cols)]]
        y = ["visits"]
    else:
        z = res.visits.reshape(game.rows, game.cols).astype(float)
        text = [[MARKS[int(board[r * game.cols + c])] or label(r * game.cols + c) for c in range(game.cols)]
                for r in range(game.rows)]
        y = [f"row {r}" for r in range(game.rows)]
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}", colorscale="Blues", showscale=False,
                               x=[f"col {c}" for c in range(game.cols)], y=y, hoverinfo="skip"))
    fig.update_layout(title=title, height=180 if game.gravity else 260,
                      margin=dict(l=10, r=10, t=40, b=10),
                      yaxis=dict(autorange="reversed"))
    return fig


def board_text(game: games.Game, board: np.ndarray) -> str:
    """Connect Four's grid as rows of discs (row 0 at the top)."""
    return "\n\n".join(" ".join(DISCS[int(v)] for v in board[r * game.cols:(r + 1) * game.cols])
                       for r in range(game.rows))
