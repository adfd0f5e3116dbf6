"""An RNN and an LSTM unrolled over a sentence you type: one column per character, hidden state and gates."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import explain_error, page_header, show_source
from core import checkpoints
from core import text as lm_api
from core.text import figures as fg
from core.text import unfold as uf

MODELS = {"lstm": "char-lstm-shakespeare", "rnn": "char-rnn-shakespeare"}

page_header("l6-unfold")
st.markdown(
    "A recurrent network is **one cell applied again and again**: at step *t* it reads character x_t and "
    "its own previous state h_(t-1), and writes h_t. Unfolded along the text it becomes a deep network "
    "with one layer per character, all layers sharing the same weights. The cells below are the shipped "
    "character models trained on Shakespeare (page *Generating text*); they are unrolled by hand with the "
    "equations of the papers, so every value of every step can be drawn."
)
text = ui.text_input("Text the cell reads", "l6unf_text", "To be, or not to be: that is the question.",
                     max_chars=uf.MAX_CHARS * 4)
c1, c2 = st.columns(2)
with c1:
    cell = ui.segmented("Cell", "l6unf_cell", tuple(MODELS), "lstm",
                        format_func={"lstm": "LSTM", "rnn": "Vanilla RNN"}.get)
with c2:
    n_units = ui.slider("Hidden units shown (those that vary most)", "l6unf_units", *uf.UNITS,
                        uf.DEFAULT_UNITS)

try:
    unrolled = uf.unroll(lm_api.shipped(MODELS[cell]), text)
except checkpoints.CheckpointError as exc:
    explain_error(exc, "The shipped model cannot be loaded")
    st.stop()
if unrolled.note:
    st.info(unrolled.note, icon=":material/info:")
st.plotly_chart(fg.hidden_figure(unrolled, n_units), key="l6unf_hidden")
if cell == "lstm":
    st.markdown(
        "**Gates.** The LSTM computes three gates from x_t and h_(t-1), each a number in [0, 1] per unit: "
        "the *forget* gate scales the old cell state c_(t-1), the *input* gate admits the new candidate, "
        "and the *output* gate decides how much of tanh(c_t) becomes h_t. Columns where the forget gate "
        "drops to 0 are where a unit clears its memory (often at a space or a punctuation mark)."
    )
    st.plotly_chart(fg.gates_figure(unrolled, n_units), key="l6unf_gates")
else:
    st.caption("The vanilla RNN has no gates: h_t = tanh(W_ih x_t + W_hh h_(t-1) + b). Switch to LSTM to see "
               "the input, forget and output gates.")
with st.expander("What the model expects next, after each character"):
    st.dataframe(fg.prediction_table(unrolled), hide_index=True)
show_source(uf.unroll)
