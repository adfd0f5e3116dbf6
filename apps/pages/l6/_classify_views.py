"""Views of the text-classification page (``classify.py``): the controls, a finished run, the text box."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.runs import RunHistory
from core.jobs import Job
from core.text import explain as ex
from core.text import figures as fg
from core.text import minilm, words
from core.text import sentiment as sm

RUNS = RunHistory("l6cl")
LABELS = {"lstm-sentiment-tweets": "LSTM from scratch", "minilm-probe-sentiment-tweets": "MiniLM probe",
          "gpt-probe-sentiment-tweets": "GPT-features probe"}


def controls() -> sm.ClassifierConfig:
    """Every training setting, bound to the URL; the learning rate is remembered per model."""
    c1, c2, c3 = st.columns(3)
    with c1:
        model = ui.radio("Model", "l6cl_model", tuple(sm.MODELS), "lstm", format_func=sm.MODELS.get)
        n = ui.select_slider("Labelled training tweets", "l6cl_n", sm.N_CHOICES, 1_000,
                             format_func="{:,}".format)  # fmt: skip
        epochs = ui.slider("Epochs", "l6cl_epochs", *sm.EPOCHS)
    with c2:
        lr = ui.select_slider("Learning rate (Adam)", f"l6cl_lr_{model}", sm.LEARNING_RATES,
                              sm.DEFAULT_LR[model], format_func="{:g}".format)  # fmt: skip
        dropout = ui.slider("Dropout", "l6cl_dropout", *sm.DROPOUT, step=0.1, disabled=model == "finetune")
        seed = ui.number_input("Seed", "l6cl_seed", 0, 9999, 0)
    lstm = model == "lstm"
    if model == "finetune":
        c2.caption(f"Fine-tuning: the encoder's rate; its new head learns at {sm.DEFAULT_LR['probe']:g}. "
                   "Dropout is MiniLM's own (0.1).")
    with c3:
        embed = ui.slider("Embedding size", "l6cl_embed", *sm.EMBED, step=16, disabled=not lstm)
        hidden = ui.slider("Hidden size", "l6cl_hidden", *sm.HIDDEN, step=16, disabled=not lstm)
        layers = ui.slider("LSTM layers", "l6cl_layers", *sm.LAYERS, disabled=not lstm)
        bi = ui.checkbox("Bidirectional", "l6cl_bi", True, disabled=not lstm)
    if model == "probe":
        st.caption("The probe trains one linear layer on MiniLM's sentence vectors; the LSTM's settings do "
                   "not apply. New tweets are encoded first (a few dozen per second on two cores; cached "
                   "after).")
    elif model == "finetune":
        st.caption("Fine-tuning trains all of MiniLM (batches of 16 tweets, texts cut at 64 WordPieces): "
                   "each step runs the whole encoder forward and back, seconds on two shared cores. Training "
                   f"stops after {sm.TIME_BUDGET_S:.0f} s; then validation and held-out tweets are scored.")
    return sm.ClassifierConfig(model=model, n_labels=n, embed=embed, hidden=hidden, layers=layers,
                               bidirectional=bi, dropout=float(dropout), lr=lr, epochs=epochs,
                               seed=int(seed))  # fmt: skip


def show_result(job: Job) -> None:
    """The finished run's held-out accuracy, added to the session's runs (stars on the curve)."""
    run: sm.ClassifierRun = job.result
    c = run.config
    RUNS.add(job.id, config={"model": sm.MODELS[c.model], "labels": c.n_labels, "lr": c.lr,
                             "epochs": run.fit.epochs_run, "seed": c.seed},
             metrics={"test accuracy": round(run.test_accuracy, 4), "seconds": round(run.seconds, 1),
                      "status": run.fit.status}, history=run.fit.history)  # fmt: skip
    cols = st.columns(3)
    cols[0].metric("Test accuracy", "not scored" if run.test_accuracy != run.test_accuracy
                   else f"{run.test_accuracy:.1%}")  # fmt: skip
    cols[1].metric("Labelled training tweets", f"{run.n_train:,}")
    cols[2].metric("Time", f"{run.seconds:.1f} s")
    if "unk_share" in run.extra:
        st.caption(f"Vocabulary: {run.extra['vocab_size']:,} words; {run.extra['unk_share']:.0%} of the "
                   "training tokens fall outside it (<unk>).")
    st.caption(f"Data: {run.provenance}.")


def runs() -> list[tuple[str, int, float]]:
    names = {v: k for k, v in sm.MODELS.items()}
    return [(names[r.config["model"]], int(r.config["labels"]), float(r.metrics["test accuracy"]))
            for r in RUNS.runs()]  # fmt: skip


def tokens_section(text: str) -> None:
    """How each model cuts the text into tokens."""
    c1, c2 = st.columns(2)
    c1.markdown("**Word-level (LSTM)**: " + " · ".join(f"`{t}`" for t in words.tokenize(text)[:60]))
    try:
        c2.markdown("**WordPiece (MiniLM)**: " + " · ".join(f"`{t}`" for t in minilm.wordpieces(text)[:60]))
    except minilm.EncoderUnavailable as exc:
        c2.warning(str(exc))


def explain_section(text: str) -> None:
    """Each shipped model's probabilities and the tokens that drove its decision."""
    cols = st.columns(len(ex.CLASSIFIERS))
    for col, name in zip(cols, ex.CLASSIFIERS):
        with col:
            try:
                e = ex.explain(name, text)
            except ValueError as exc:
                st.info(str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - a missing checkpoint or package: say which
                st.warning(f"{LABELS[name]}: {exc}")
                continue
            answer(name, LABELS[name], e)


def answer(key: str, label: str, e: ex.Explanation) -> None:
    st.metric(label, e.label, f"{e.probs.max():.0%} sure", delta_color="off")
    st.caption(" · ".join(f"{c} {p:.0%}" for c, p in zip(e.classes, e.probs)))
    if e.note:
        st.caption(e.note[0].upper() + e.note[1:] + ".")
    st.plotly_chart(fg.attribution_figure(e.tokens, e.attributions, f"Why '{e.label}'"),
                    key=f"l6cl_fig_attr_{key}")

