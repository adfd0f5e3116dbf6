"""Gradio tab /alphazero_move through the real route: the move of the shipped net's search, and refusals a
user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.gradio_tabs import lecture7_alphazero
from core.rl import alphazero
from core.rl.alphazero import figures
from tests.helpers import gradio_tab_client

pytestmark = pytest.mark.skipif("tictactoe" not in figures.shipped_games(), reason="no AlphaZero net shipped")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with gradio_tab_client(lecture7_alphazero.build) as c:
        yield c


def test_the_endpoint_returns_the_core_move_and_its_search(client: Any) -> None:
    board = "1, 0, 0, -1, -1, 0, 1, 0, 0"
    said, stats = client.predict("tictactoe", board, 100, 2, api_name="/alphazero_move")
    expected = alphazero.analyse("tictactoe", [1, 0, 0, -1, -1, 0, 1, 0, 0], 100, 2)
    assert stats["move"] == expected.action == 5 and "cell 5" in said
    assert stats["visits"] == expected.visits.tolist() and sum(stats["visits"]) == 100


@pytest.mark.parametrize(("args", "message"), [
    (("tictactoe", "1,1,1,-1,-1,0,0,0,0", 200, 0), "game is over"),
    (("tictactoe", "1,2,0,0,0,0,0,0,0", 200, 0), "must be 0 \\(empty\\)"),
    (("tictactoe", "0,0,0", 200, 0), "has 9 cells"),
    (("tictactoe", "0," * 300, 200, 0), "at most 400 characters"),
    (("tictactoe", "0,0,0,0,0,0,0,0,0", "nan", 0), "MCTS simulations must be a whole number"),
    (("tictactoe", "0,0,0,0,0,0,0,0,0", 0, 0), "MCTS simulations must be a whole number from 1"),
    (("tictactoe", "0,0,0,0,0,0,0,0,0", 200, -1), "Seed must be a whole number"),
    (("go", "0,0,0,0,0,0,0,0,0", 200, 0), "Game must be one of"),
])
def test_bad_input_is_refused_with_a_clear_message(client: Any, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message) as info:
        client.predict(*args, api_name="/alphazero_move")
    assert "object at 0x" not in str(info.value)
