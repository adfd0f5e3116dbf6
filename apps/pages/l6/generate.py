"""Character-level language models trained on Shakespeare: continue a prefix, see the next-character odds."""

from __future__ import annotations

import math

import streamlit as st

from apps.common import state as ui
from apps.common.layout import explain_error, page_header, show_source
from core import checkpoints
from core import text as lm_api
from core.text import figures as fg
from core.text import lm

LABELS = {"char-lstm-shakespeare": "LSTM", "char-rnn-shakespeare": "Vanilla RNN"}

page_header("l6-generate")
st.markdown(
    "A character-level language model outputs, after each character, a probability for every possible "
    "next one. To **generate**, draw a character from that distribution, feed it back in, repeat. "
    "*Temperature* divides the logits before the softmax (below 1: safer, more repetitive; above 1: wilder); "
    "*top-k* keeps only the k most likely characters. Both models read 96 characters (plain ASCII and "
    "line breaks) and were trained on 41 works of Shakespeare; The Tempest was held out to measure them."
)
prefix = ui.text_input("Prefix", "l6gen_prefix", "ROMEO.\nBut soft, what light",
                       max_chars=lm.MAX_PREFIX_CHARS)
c1, c2, c3 = st.columns(3)
with c1:
    name = ui.selectbox("Model", "l6gen_model", tuple(LABELS), "char-lstm-shakespeare",
                        format_func=LABELS.get)
    length = ui.slider("Characters to generate", "l6gen_len", *lm.LENGTH, 300, step=10)
with c2:
    temperature = ui.slider("Temperature", "l6gen_temp", *lm.TEMPERATURE, 0.8, step=0.05)
    top_k = ui.slider("Top-k (96 = all characters)", "l6gen_topk", *lm.TOP_K, lm.TOP_K[1])
with c3:
    seed = ui.number_input("Seed", "l6gen_seed", *lm.SEED_RANGE, 0)

try:
    model = lm_api.shipped(name)
except checkpoints.CheckpointError as exc:
    explain_error(exc, "The shipped model cannot be loaded")
    st.stop()
cleaned = lm.clean(prefix)
if cleaned.note():
    st.info(cleaned.note(), icon=":material/info:")
k = None if top_k >= lm.TOP_K[1] else top_k
text = lm_api.generate(name, prefix, length, temperature, k, int(seed))
st.markdown("**Generated** (▌ marks where the model takes over from your prefix):")
st.code(f"{cleaned.text[-300:]}▌{text}", language=None, wrap_lines=True)

probs = lm.next_char_probs(model, prefix)
allowed = lm.filtered_probs(probs.double().log(), temperature, k).numpy()
st.plotly_chart(fg.next_char_figure(probs.numpy(), lm.ALPHABET, allowed=allowed), key="l6gen_next")
ent = checkpoints.entry(name).metrics
rows = [(lab, checkpoints.entry(n).metrics["test_bpc"]) for n, lab in LABELS.items()]
rows += [("bigram counts", ent["bigram_bpc"]), ("unigram counts", ent["unigram_bpc"]),
         ("uniform over 96", math.log2(len(lm.ALPHABET)))]
st.plotly_chart(fg.bpc_figure(rows), key="l6gen_bpc")
st.caption("Bits per character: the mean of -log2 p(next character) over the 98,440 characters of The "
           "Tempest, a play neither model saw. Perplexity 2^bpc is the number of equally likely characters "
           "the model is as unsure as. The count baselines come from the same training text.")
show_source(lm.sample, lm.filtered_probs)
