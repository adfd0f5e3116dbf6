"""Homework 6: sentiment of tweets, an LSTM from scratch vs a linear probe on frozen MiniLM; your own text."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from apps.pages.l6 import _classify_finetuned as finetuned_view
from apps.pages.l6 import _classify_online as online_view
from apps.pages.l6 import _classify_views as views
from core.jobs import Job
from core.text import explain, finetune, minilm, words
from core.text import figures as fg
from core.text import sentiment as sm
from core.text import sentiment_curve as curve

page_header("l6-classify")
st.markdown(
    "Is a tweet **negative, neutral or positive**? Four ways with the same labelled tweets: an **LSTM** "
    "(Hochreiter & Schmidhuber 1997) that learns its word vectors and everything else from the labels; a "
    "**linear probe** on the sentence vector of all-MiniLM-L6-v2, a small BERT trained on a billion "
    "sentence pairs (Reimers & Gurevych 2019) and kept frozen: only 384 × 3 weights are learnt; and "
    "**MiniLM fine-tuned**, all its 22.7 M weights trained with a linear head (Devlin et al. 2019); and a "
    "probe on the features of the gallery's **character GPT**, which has read only Shakespeare."
)
shipped = curve.shipped()
curve_slot = st.empty()  # filled after the training panel, so a run just finished is already a star
if shipped is None:
    st.warning("The shipped curve is missing: rebuild it with `python -m core.train lstm-sentiment-tweets "
               "minilm-probe-sentiment-tweets`. Live runs below still work.")
    grids, curves, n_test = {}, {}, sm.N_TEST
else:
    grids, curves, n_test = shipped["grids"], shipped["curves"], shipped["n_test"]
    lstm, probe = curves["lstm"], curves["probe"]
    st.caption(
        f"Lines: shipped, each point trained once (seed 0) and scored on the same {n_test:,} held-out "
        f"tweets. With {grids['lstm'][0]:,} labels the probe reaches {probe[0]:.0%} and the LSTM "
        f"{lstm[0]:.0%}; the LSTM's last point is all {shipped['pool']:,} labelled tweets ({lstm[-1]:.0%}), "
        f"the probe's {grids['probe'][-1]:,} ({probe[-1]:.0%}; MiniLM vectors of the whole pool take longer "
        "than a rebuild may). Stars: your runs."
    )
    if "gpt" in curves:
        st.caption("Probe on the character GPT's features (gpt-shakespeare, next-character prediction on "
                   "plays, never a tweet): " + ", ".join(f"{a:.0%} at {n:,}" for n, a in
                                                         zip(grids["gpt"], curves["gpt"])) + ".")  # fmt: skip
    if "finetune" in curves:
        ft = dict(zip(grids["finetune"], curves["finetune"]))
        st.caption("MiniLM fine-tuned: " + ", ".join(f"{a:.0%} at {n:,}" for n, a in ft.items()) + ". Its "
                   "fine-tuned encoders (~90 MB each) are not shipped, only the points and the heads: train "
                   "a point below to reproduce one.")
st.subheader("Train any point live")
config = views.controls()


def make_job() -> Callable[[Job], sm.ClassifierRun]:
    cfg = config
    sm.validate(cfg)

    def run(job: Job) -> sm.ClassifierRun:
        return sm.run(cfg, job)

    return run


job = training_panel("l6cl", make_job, label="Train this point", charts=LOSS_ACC_CHARTS,
                     result=views.show_result, poll_s=0.5)  # fmt: skip
if job is None:
    st.info(f"Press **Train this point**: the run is scored on the same {n_test:,} held-out tweets and "
            f"appears as a star on the curve. Training stops after {sm.TIME_BUDGET_S:.0f} s; validation "
            f"is on {sm.N_VAL} other training tweets.", icon=":material/school:")
_, y_test, _ = sm.held_out(n_test)
majority = float(max((y_test == c).mean() for c in range(3)))
figure = fg.labels_curve_figure(grids, curves, curve.LABELS, views.runs(), n_test, chance=majority)
curve_slot.plotly_chart(figure, key="l6cl_fig_curve")
views.RUNS.show(keep=None if job is None else job.id)

st.divider()
st.subheader("Classify your own text")
text = st.text_area("Your text", "I can't believe how good this new phone is! 😍", key="l6cl_text",
                    max_chars=words.MAX_CHARS, height=90)
if not text.strip():
    st.info("Type a sentence to see what each model says, and which words drove it.")
else:
    views.tokens_section(text)
    with st.spinner("Classifying and attributing…"):
        views.explain_section(text)
    finetuned_view.finetuned_section(job, text)
    st.caption(f"Attributions: Integrated Gradients (Sundararajan et al. 2017, {explain.IG_STEPS} steps) on "
               "each model's token embeddings, from an all-padding input to yours; each bar is the token's "
               "share of the winning class's score (red: towards it, blue: away).")
st.markdown(
    "**Things to try.** At 100 labels, compare the probe with the LSTM: the frozen encoder already knows "
    "that *awful* and *terrible* are alike, the LSTM has seen each word only a handful of times. Type a "
    "sentence in French, or emoji only: the LSTM sees mostly `<unk>`; MiniLM's WordPieces cover more. "
    "The LSTM's curve runs to all the labels: how close does it get to the probe? Fine-tune MiniLM at 100 "
    "labels: does moving all its weights beat the probe with so few? The GPT read only Shakespeare: what "
    "do its features know about tweets?"
)
st.divider()
st.subheader("Transfer from BERT / GPT-2 (online)")
online_view.section()
show_source(sm.LSTMClassifier.forward, minilm.pool, explain._probe, finetune.FineTunedMiniLM.forward)
