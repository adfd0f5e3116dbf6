"""Play against AlphaZero: a policy-value net trained by self-play, choosing moves by PUCT tree search.
The search's visit counts and value estimates for the move, and the shipped net's measured match table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l7 import _alphazero_play as play
from core.rl.alphazero import figures, games, mcts, train

page_header("l7-alphazero")
st.markdown(
    r"AlphaZero replaces hand-written evaluation with one network $f_\theta(s) = (\mathbf p, v)$: a prior "
    r"over moves and the expected result for the side to move. Each move runs a tree search in which every "
    r"simulation descends by $\arg\max_a Q(s,a) + c\,P(s,a)\frac{\sqrt{N(s)}}{1+N(s,a)}$, asks the net about "
    r"the new leaf and backs its value up; the most visited move is played. Training plays the net against "
    r"itself and fits $\mathbf p$ to the search's visit counts and $v$ to the final results."
)
shipped = figures.shipped_games()
if not shipped:
    st.error("No AlphaZero net is shipped: run `python -m core.train alphazero-tictactoe`.")
    st.stop()
c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    name = ui.selectbox("Game", "l7az_game", tuple(shipped), next(iter(shipped)),
                        format_func={"tictactoe": "Tic-tac-toe", "connect4": "Connect Four"}.get)
with c2:
    side = ui.radio("You play", "l7az_side", ("first", "second"), "first", horizontal=True)
with c3:
    sims = ui.slider("MCTS simulations per AlphaZero move", "l7az_sims", 1, 800, 200,
                     help="1: the net's prior alone picks the move; more: deeper search.")
game, human = games.GAMES[name], 1 if side == "first" else -1
board = play.ensure(game, human)
if st.button("New game", key="l7az_new"):
    play.new_game(game)
board = play.reply(game, human, sims)

left, right = st.columns([2, 3])
with left:
    st.markdown(f"**{play.status(game, board, human)}**")
    play.clickable_board(game, board, human)
with right:
    last = st.session_state.get(play.LAST)
    if last is None:
        st.info("AlphaZero has not moved yet in this game: play a move and its search appears here.")
    else:
        before, res = last
        title = f"Its last search: {int(res.visits.sum())} visits from the position before its move"
        st.plotly_chart(figures.search_heatmap(game, np.array(before, dtype=np.int8), res, title),
                        key="l7az_heat")
        st.dataframe(pd.DataFrame(figures.search_rows(game, res)).round(3), hide_index=True,
                     key="l7az_search", width="stretch")
        st.caption(f"The net valued that position at v = {res.value:+.2f} for AlphaZero (+1: sure win, "
                   "-1: sure loss) before searching; Q is the mean backed-up value of each move after it.")

ent = shipped[name]
st.subheader("Measured match table")
st.dataframe(pd.DataFrame(figures.match_rows(ent)), hide_index=True, key="l7az_matches", width="stretch")
m = ent.metrics
extra = (f" Its raw prior alone picks a perfect-play move in {m['prior_optimal_rate']:.1%} of the 4,520 "
         "positions that can arise." if "prior_optimal_rate" in m else "")
st.caption(f"AlphaZero with {int(m['simulations'])} simulations a "
           f"move, half the games with each colour, seeded; pure MCTS searches with the same number of "
           f"simulations but uniform priors and a random playout instead of the net. "
           f"{ent.dataset['provenance']}."
           + extra)
st.markdown(
    "**Things to try.** Set the simulations to 1 and the net plays from its prior alone (the share of "
    "perfect-play moves above): set a trap, then raise the simulations and replay it to watch the search "
    "repair the prior. Look at Q for the moves it did not pick: a move that loses by force shows Q near -1 "
    "after a few visits, and the search stops spending simulations on it."
)
show_source(mcts.search, train.self_play)
