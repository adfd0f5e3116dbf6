"""Character-level language models trained on Shakespeare, recurrent and transformer: continue a prefix,
see the next-character odds, compare held-out perplexities, see where the GPT's attention goes."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import explain_error, page_header, show_source
from apps.pages.l6 import _generate_views as views
from core import checkpoints
from core import text as lm_api
from core.text import figures as fg
from core.text import gpt, lm

page_header("l6-generate")
st.markdown(
    "A character-level language model outputs, after each character, a probability for every possible "
    "next one. To **generate**, draw a character from that distribution, feed it back in, repeat. "
    "*Temperature* divides the logits before the softmax (below 1: safer, more repetitive; above 1: wilder); "
    "*top-k* keeps only the k most likely characters. Every model reads 96 characters (plain ASCII and "
    "line breaks) and was trained on 41 works of Shakespeare; The Tempest was held out to measure them. "
    "The recurrent models carry one state vector along the text; the GPT looks back at each of the last "
    "128 characters directly, through causal self-attention."
)
prefix = ui.text_input("Prefix", "l6gen_prefix", "ROMEO.\nBut soft, what light",
                       max_chars=lm.MAX_PREFIX_CHARS)
c1, c2, c3 = st.columns(3)
with c1:
    name = ui.selectbox("Model", "l6gen_model", lm_api.LANGUAGE_MODELS, "char-lstm-shakespeare",
                        format_func=views.LABELS.get)
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
if isinstance(model, gpt.CharGPT):
    views.gpt_note(name)
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
if isinstance(model, gpt.CharGPT):
    views.attention(model, prefix)
views.held_out_table(lm_api.LANGUAGE_MODELS)
st.caption("Bits per character: the mean of -log2 p(next character) over the 98,440 characters of The "
           "Tempest, a play no model saw (the recurrent models carry their state through the play; the GPT "
           "reads overlapping 128-character windows, so it predicts each character from at least 64 before "
           "it). Perplexity 2^bpc is the number of equally likely characters the model is as unsure as. The "
           "count baselines come from the same training text.")
show_source(lm.sample, lm.filtered_probs, gpt.SelfAttention.forward)
