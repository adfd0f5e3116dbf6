"""Gradio tab of lecture 6: classify a text with a shipped sentiment model, train a point of the accuracy
curve (an LSTM, a probe on MiniLM, MiniLM fine-tuned), probe an online encoder.

Endpoints, each with the ranges and choices of the page ``l6-classify``:

- ``/classify_text`` (text, model) -> class probabilities, the Integrated-Gradients attribution of each
  token, and a note on what was cut or unknown (models: ``core.text.explain.CLASSIFIERS``; texts longer than
  ``core.text.words.MAX_CHARS`` are cut as on the page).
- ``/probe_text_model`` (model, data set, labelled texts) -> numbers, a note, the training curves: a linear
  probe on an online encoder's sentence vectors (:func:`core.text.online.probe`). A model or data set not in
  the local Hugging Face cache (and not downloadable now) is replaced by the bundled all-MiniLM-L6-v2 / the
  offline sentiment tweets, and the note and numbers say which and why (:func:`core.text.online.plan`).
- ``/train_text_classifier`` (model, labelled tweets, epochs, learning rate, dropout, seed, embedding size,
  hidden size, LSTM layers, bidirectional) -> the shipped accuracy-vs-labels curve with this run as a star,
  numbers and a note: one live point of the page's curve, the LSTM, the MiniLM probe or MiniLM fine-tuned
  (:func:`core.text.sentiment.run`).
- ``/finetune_text_model`` (labelled tweets, epochs, learning rate, seed) -> the same three outputs for
  all-MiniLM-L6-v2 fine-tuned end to end (``model="finetune"`` of the above, :mod:`core.text.finetune`).

The trainings go through the process-wide job queue (:mod:`core.jobs`, one training at a time), report
their progress to ``gr.Progress``, stop with the event (a Stop button, a closed page, a cancelled API call)
and are bounded in time as on the page (``core.text.online.TIME_BUDGET_S``,
``core.text.sentiment.TIME_BUDGET_S`` of training; encoding and scoring come on top).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Generator
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, CheckedSlider, choice, number
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core.data import text as text_data
from core.text import explain as ex
from core.text import figures as fg
from core.text import online, words
from core.text import sentiment as sm
from core.text import sentiment_curve as curve
from core.viz.curves import loss_curves

LABELS = {"lstm-sentiment-tweets": "LSTM from scratch", "minilm-probe-sentiment-tweets": "MiniLM probe",
          "gpt-probe-sentiment-tweets": "GPT-features probe"}
ONLINE_MODELS = {**online.MODELS, online.FALLBACK_MODEL: "all-MiniLM-L6-v2 (bundled)"}
ONLINE_SETS = {**{k: v.title for k, v in text_data.HUB_SETS.items()},
               online.FALLBACK_SET: "sentiment tweets (offline)"}
SIZES = tuple(range(sm.EMBED[0], sm.EMBED[1] + 1, 16))
"""LSTM embedding and hidden sizes: the page's sliders, 16 to 256 in steps of 16."""
DROPOUTS = tuple(round(0.1 * i, 1) for i in range(round(sm.DROPOUT[1] * 10) + 1))
"""The page's dropout slider: 0 to 0.7 in steps of 0.1."""
SEED_RANGE = (0, 9999)
Point = tuple[go.Figure, dict[str, Any], str]
Probe = tuple[dict[str, Any], str, go.Figure]


def classify_text(text: Any, model: Any) -> tuple[dict[str, float], go.Figure, str]:
    """Probabilities of negative / neutral / positive, each token's attribution, and a note."""
    name = choice("model", model, ex.CLASSIFIERS)
    try:
        e = ex.explain(name, text)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    probs = {c: float(p) for c, p in zip(e.classes, e.probs)}
    figure = fg.attribution_figure(e.tokens, e.attributions, f"{LABELS[name]}: why '{e.label}'")
    return probs, figure, e.note


def _num(x: float) -> float | None:
    return round(float(x), 4) if math.isfinite(x) else None


def probe_text_model(model: Any, dataset: Any, n_labels: Any,
                     progress: gr.Progress = gr.Progress()) -> Generator[Probe, None, None]:  # noqa: B008
    """A linear probe on ``model``'s sentence vectors of ``n_labels`` texts of ``dataset``, scored on
    held-out texts; what served (the fallbacks when the hub cache lacks the model or set) is said."""
    m = choice("model", model, tuple(ONLINE_MODELS))
    d = choice("data set", dataset, tuple(ONLINE_SETS))
    n = choice("labelled texts", n_labels, online.N_CHOICES)
    r: online.ProbeResult = yield from run_job(lambda job: online.probe(m, d, n_labels=n, job=job),
                                                "gradio-text-probe", progress, 3)  # fmt: skip
    numbers = {"test_accuracy": _num(r.test_accuracy), "n_train": r.n_train, "n_test": r.n_test,
               "classes": list(r.classes), "epochs": len(r.history.get("epoch", [])),
               "seconds": round(r.seconds, 2), "requested": {"model": m, "dataset": d},
               "served": {"model": r.plan.model, "dataset": r.plan.dataset}, "fallbacks": list(r.plan.notes),
               "provenance": r.provenance}  # fmt: skip
    note = (f"Linear probe on {ONLINE_MODELS[r.plan.model]} sentence vectors, {r.n_train:,} labelled texts "
            f"of {ONLINE_SETS[r.plan.dataset]}: **{r.test_accuracy:.1%}** on {r.n_test:,} held-out texts "
            f"({', '.join(r.classes)}; {r.seconds:.1f} s). Data: {r.provenance}.")
    if r.plan.notes:
        note = "\n\n".join(["**Not what was asked for:**", *r.plan.notes, note])
    figure = loss_curves(r.history, ("train_loss", "train_accuracy"), title="Probe training")
    yield numbers, note, figure


def train_text_classifier(model: Any, n_labels: Any, epochs: Any, lr: Any, dropout: Any, seed: Any,
                          embed: Any, hidden: Any, layers: Any, bidirectional: Any,
                          progress: gr.Progress = gr.Progress()) -> Generator[Point, None, None]:  # noqa: B008
    """One point of the page's curve: the LSTM, the MiniLM probe or MiniLM fine-tuned on ``n_labels`` tweets,
    scored on the held-out tweets; the shipped curve with this run as a star, the numbers and a note. The
    LSTM's settings (embedding, hidden, layers, bidirectional) are checked for every model, as the page keeps
    them; only the LSTM uses them."""
    cfg = sm.ClassifierConfig(
        model=choice("model", model, tuple(sm.MODELS)),
        n_labels=choice("labelled tweets", n_labels, sm.N_CHOICES),
        embed=choice("embedding size", embed, SIZES), hidden=choice("hidden size", hidden, SIZES),
        layers=number("LSTM layers", layers, *sm.LAYERS[:2]),
        bidirectional=choice("bidirectional", bidirectional, (True, False)),
        dropout=choice("dropout", dropout, DROPOUTS), lr=choice("learning rate", lr, sm.LEARNING_RATES),
        epochs=number("epochs", epochs, *sm.EPOCHS[:2]), seed=number("seed", seed, *SEED_RANGE),
        time_budget_s=sm.TIME_BUDGET_S)  # fmt: skip
    yield from _train_point(cfg, progress)


def finetune_text_model(n_labels: Any, epochs: Any, lr: Any, seed: Any,
                        progress: gr.Progress = gr.Progress()) -> Generator[Point, None, None]:  # noqa: B008
    """Fine-tune all-MiniLM-L6-v2 end to end on ``n_labels`` tweets and score it on the held-out tweets; the
    shipped curve with this run as a star, the numbers and a note."""
    cfg = sm.ClassifierConfig(model="finetune", n_labels=choice("labelled tweets", n_labels, sm.N_CHOICES),
                              epochs=number("epochs", epochs, *sm.EPOCHS[:2]),
                              lr=choice("learning rate", lr, sm.LEARNING_RATES),
                              seed=number("seed", seed, *SEED_RANGE), time_budget_s=sm.TIME_BUDGET_S)
    yield from _train_point(cfg, progress)


def _train_point(cfg: sm.ClassifierConfig, progress: gr.Progress) -> Generator[Point, None, None]:
    n_test = sm.N_TEST  # the page's held-out tweets
    run: sm.ClassifierRun = yield from run_job(lambda job: sm.run(cfg, job, n_test=n_test),
                                                f"gradio-text-{cfg.model}", progress, 3)  # fmt: skip
    fit = run.fit
    numbers = {"model": cfg.model, "test_accuracy": _num(run.test_accuracy), "n_train": run.n_train,
               "n_test": n_test, "epochs": fit.epochs_run, "steps": fit.steps, "status": fit.status,
               "message": fit.message, "seconds": round(run.seconds, 2),
               "train_seconds": round(fit.seconds, 2), "val_accuracy": _num(fit.final("val_accuracy")),
               "config": dataclasses.asdict(cfg),
               "provenance": run.provenance}  # fmt: skip
    acc = "not scored (diverged)" if numbers["test_accuracy"] is None else f"**{run.test_accuracy:.1%}**"
    note = (f"{sm.MODELS[cfg.model]}, {run.n_train:,} labelled tweets: {acc} on the {n_test:,} held-out "
            f"tweets ({fit.message}; {fit.epochs_run} epochs, {fit.steps} steps, {run.seconds:.1f} s).")
    if cfg.model == "finetune":
        note += " The fine-tuned encoder (~90 MB) lives only for this request."
    note += f" Data: {run.provenance}."
    shipped = curve.shipped() or {"grids": {}, "curves": {}, "n_test": n_test}
    figure = fg.labels_curve_figure(shipped["grids"], shipped["curves"], curve.LABELS,
                                    [(cfg.model, run.n_train, run.test_accuracy)], shipped["n_test"])
    yield figure, numbers, note


def build() -> None:
    gr.Markdown("### Classifying text\nSentiment of a tweet-like text by an LSTM trained from scratch, a "
                "linear probe on frozen all-MiniLM-L6-v2 or one on the character GPT's features, with the "
                "words (characters, for the GPT) that drove the decision (Integrated Gradients on the token "
                "embeddings).")
    with gr.Row():
        text = gr.Textbox(value="I can't believe how good this new phone is!", label="Text", lines=2,
                          max_length=words.MAX_CHARS)
        model = CheckedDropdown(list(ex.CLASSIFIERS), value=ex.CLASSIFIERS[1], label="Model")
    button = gr.Button("Classify", variant="primary")
    probs, figure = gr.Label(label="Sentiment"), gr.Plot(label="Words behind it")
    note = gr.Textbox(label="Note")
    gr.on([button.click], classify_text, [text, model], [probs, figure, note], api_name="classify_text")
    _build_train()
    _build_finetune()
    _build_probe()


def _build_probe() -> None:
    gr.Markdown("### Transfer from BERT / GPT-2 (online)\nThe same linear probe on the sentence vector of a "
                "bigger encoder, on a standard benchmark, read from the local Hugging Face cache (downloaded "
                "only when the hub answers). What is not to be had is replaced by the bundled "
                "all-MiniLM-L6-v2 or the offline sentiment tweets, and the note says so. Training stops "
                f"after {online.TIME_BUDGET_S:.0f} s.")
    with gr.Row():
        model = CheckedDropdown([(v, k) for k, v in ONLINE_MODELS.items()], value="distilbert-base-uncased",
                                label="Encoder")
        dataset = CheckedDropdown([(v, k) for k, v in ONLINE_SETS.items()], value="sst2", label="Data set")
        n = CheckedRadio(list(online.N_CHOICES), value=300, label="Labelled texts")
    start, stop = start_stop("Probe this encoder")
    note, numbers, curves = gr.Markdown(), gr.JSON(label="Numbers"), gr.Plot(label="Training")
    wire(start, stop, probe_text_model, [model, dataset, n], [numbers, note, curves], "probe_text_model")


def _build_finetune() -> None:
    gr.Markdown("### MiniLM fine-tuned\nAll 22.7 M weights of all-MiniLM-L6-v2 trained with a linear head "
                "(batches of 16 tweets, texts cut at 64 WordPieces; the head learns at "
                f"{sm.DEFAULT_LR['probe']:g}, the encoder at the rate below). Training stops after "
                f"{sm.TIME_BUDGET_S:.0f} s; then {sm.N_VAL} validation and {sm.N_TEST:,} held-out tweets are "
                "scored. 100 labels, 1 epoch: a few minutes on two shared cores.")
    with gr.Row():
        n = CheckedDropdown(list(sm.N_CHOICES), value=100, label="Labelled training tweets")
        epochs = CheckedSlider(*sm.EPOCHS[:2], value=1, step=1, label="Epochs")
        lr = CheckedDropdown(list(sm.LEARNING_RATES), value=sm.DEFAULT_LR["finetune"],
                             label="Learning rate of the encoder (Adam)")
        seed = CheckedSlider(*SEED_RANGE, value=0, step=1, label="Seed")
    start, stop = start_stop("Fine-tune MiniLM")
    plot, numbers, note = gr.Plot(label="Accuracy vs labels"), gr.JSON(label="Numbers"), gr.Markdown()
    wire(start, stop, finetune_text_model, [n, epochs, lr, seed], [plot, numbers, note],
          "finetune_text_model")


def _build_train() -> None:
    gr.Markdown("### Train any point live\nOne point of the page's accuracy-vs-labels curve: the LSTM from "
                "scratch, the linear probe on frozen MiniLM, or MiniLM fine-tuned, scored on the same "
                f"held-out tweets as the shipped lines (the star). Training stops after "
                f"{sm.TIME_BUDGET_S:.0f} s. The LSTM's settings apply to the LSTM only.")
    with gr.Row():
        with gr.Column():
            model = CheckedRadio([(v, k) for k, v in sm.MODELS.items()], value="lstm", label="Model")
            n = CheckedDropdown(list(sm.N_CHOICES), value=sm.N_LABELS[2], label="Labelled training tweets")
            epochs = CheckedSlider(*sm.EPOCHS, step=1, label="Epochs")
        with gr.Column():
            lr = CheckedDropdown(list(sm.LEARNING_RATES), value=sm.DEFAULT_LR["lstm"],
                                 label="Learning rate (Adam)")
            dropout = CheckedSlider(*sm.DROPOUT, step=0.1, label="Dropout")
            seed = CheckedSlider(*SEED_RANGE, value=0, step=1, label="Seed")
        with gr.Column():
            embed = CheckedSlider(*sm.EMBED, step=16, label="Embedding size")
            hidden = CheckedSlider(*sm.HIDDEN, step=16, label="Hidden size")
            layers = CheckedSlider(*sm.LAYERS, step=1, label="LSTM layers")
            bi = gr.Checkbox(value=True, label="Bidirectional")
    start, stop = start_stop("Train this point")
    plot, numbers, note = gr.Plot(label="Accuracy vs labels"), gr.JSON(label="Numbers"), gr.Markdown()
    # Each model has its own good learning rate, as on the page (fine-tuning: the encoder's).
    gr.on([model.change], lambda m: sm.DEFAULT_LR.get(m, sm.DEFAULT_LR["lstm"]), model, lr,
          api_visibility="private")
    inputs = [model, n, epochs, lr, dropout, seed, embed, hidden, layers, bi]
    wire(start, stop, train_text_classifier, inputs, [plot, numbers, note], "train_text_classifier")
