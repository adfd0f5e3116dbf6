"""AppTest of the AlphaZero page: each control reaches the game a user plays."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.rl.alphazero import figures
from tests.helpers import page, texts

PAGE = "apps/pages/l7/alphazero.py"


def table(at: AppTest, column: str) -> Any:
    """The page's table that has ``column`` (the search table has 'visits', the match table 'opponent')."""
    return next(d.value for d in at.dataframe if column in d.value.columns)
pytestmark = pytest.mark.skipif("tictactoe" not in figures.shipped_games(), reason="no AlphaZero net shipped")


def test_the_page_opens_on_an_empty_board_with_the_measured_match_table() -> None:
    at = page(PAGE)
    assert "Your move (X)." in texts(at)
    assert at.session_state["l7az_board"] == [0] * 9
    matches = table(at, "opponent")
    ent = figures.shipped_games()["tictactoe"]
    expected = [ent.metrics["vs_random_losses"], ent.metrics["vs_mcts_losses"]]
    assert list(matches["AlphaZero losses"]) == expected


def test_a_click_plays_the_cell_and_alphazero_answers_with_its_search_shown() -> None:
    at = page(PAGE)
    at.button(key="l7az_cell_4").click().run()
    assert not at.exception, at.exception
    board = at.session_state["l7az_board"]
    assert board[4] == 1 and board.count(-1) == 1 and board.count(1) == 1
    search = table(at, "visits")
    assert search["visits"].sum() == 200  # the slider's default simulations
    assert at.button(key="l7az_cell_4").disabled  # an occupied cell cannot be clicked again


def test_playing_second_lets_alphazero_open() -> None:
    at = page(PAGE)
    at.radio(key="l7az_side").set_value("second").run()
    assert not at.exception, at.exception
    board = at.session_state["l7az_board"]
    assert board.count(1) == 1 and board.count(-1) == 0 and "Your move (O)." in texts(at)


def test_the_simulations_slider_sets_the_search_size() -> None:
    at = page(PAGE)
    at.slider(key="l7az_sims").set_value(30).run()
    at.button(key="l7az_cell_0").click().run()
    assert not at.exception, at.exception
    assert table(at, "visits")["visits"].sum() == 30
    assert at.query_params["l7az_sims"] == ["30"] or at.query_params["l7az_sims"] == "30"


def test_new_game_clears_the_board() -> None:
    at = page(PAGE)
    at.button(key="l7az_cell_0").click().run()
    assert any(at.session_state["l7az_board"])
    at.button(key="l7az_new").click().run()
    assert not at.exception, at.exception
    assert at.session_state["l7az_board"] == [0] * 9 and "Your move (X)." in texts(at)


def test_a_full_game_ends_without_a_user_win() -> None:
    at = page(PAGE)
    for _ in range(5):
        board = at.session_state["l7az_board"]
        if "Your move" not in texts(at):
            break
        at.button(key=f"l7az_cell_{board.index(0)}").click().run()  # always the first empty cell
        assert not at.exception, at.exception
    assert "AlphaZero wins." in texts(at) or "Draw." in texts(at)


@pytest.mark.skipif("connect4" not in figures.shipped_games(), reason="no Connect Four net shipped")
def test_the_game_picker_switches_to_connect_four() -> None:
    at = page(PAGE)
    at.selectbox(key="l7az_game").set_value("connect4").run()
    assert not at.exception, at.exception
    assert at.session_state["l7az_board"] == [0] * 42
    at.button(key="l7az_col_3").click().run()
    assert at.session_state["l7az_board"][35 + 3] == 1
