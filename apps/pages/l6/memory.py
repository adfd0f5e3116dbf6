"""Vanishing gradients on the memory task: gradient norm per time step, and which cell learns to remember."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from apps.common.runs import RunHistory
from core.jobs import Job
from core.text import figures as fg
from core.text import memory as mem

page_header("l6-memory")
st.markdown(
    "**The task.** Each sequence has T symbols: the first is a *signal* (one of 4), the other T-1 are random "
    "*distractors*. After the last one the network must say which signal came first (chance: 25%). "
    "Learning this needs a gradient that travels T-1 steps back. The curves show how large it still is: "
    "‖∂L/∂x_t‖, the loss's sensitivity to the input at step t, averaged over 200 sequences."
)
c1, c2 = st.columns(2)
with c1:
    length = ui.slider("Sequence length T", "l6mem_T", *mem.LENGTH, mem.DEFAULT_LENGTH)
    hidden = ui.slider("Hidden units", "l6mem_hidden", *mem.HIDDEN, mem.DEFAULT_HIDDEN)
with c2:
    lr = ui.select_slider("Learning rate (Adam)", "l6mem_lr", mem.LRS, 1e-2, format_func="{:g}".format)
    seed = ui.number_input("Seed", "l6mem_seed", *mem.SEED_RANGE, 0)
config = mem.MemoryConfig(length=length, hidden=hidden, lr=lr, seed=int(seed))
RUNS = RunHistory("l6mem")

st.plotly_chart(fg.gradient_figure(mem.initial_norms(config), f"Untrained cells, T = {length}"),
                key="l6mem_init")
st.caption("A straight falling line on this log axis is geometric decay: the vanilla RNN's gradient "
           "is multiplied by the recurrent Jacobian at every step back. The LSTM's cell state (forget-gate "
           "bias 1) and the GRU's interpolated state keep a path along which it decays far more slowly.")


def make_job() -> Callable[[Job], mem.MemoryRun]:
    cfg = config
    mem.validate(cfg)
    return lambda job: mem.compare(cfg, job)


def result(job: Job) -> None:
    run: mem.MemoryRun = job.result
    rc = run.config
    this = RUNS.add(job.id, config={"T": rc.length, "hidden": rc.hidden, "lr": rc.lr, "seed": rc.seed},
                    metrics={f"{r.cell} accuracy": round(r.test_accuracy, 3) for r in run.cells},
                    history={f"{r.cell}_val_accuracy": r.fit.history.get("val_accuracy", [])
                             for r in run.cells})  # fmt: skip
    cols = st.columns(len(run.cells))
    for col, c in zip(cols, run.cells):
        col.metric(mem.CELL_LABELS[c.cell], f"{c.test_accuracy:.0%}", "learnt it" if c.learnt else "did not",
                   delta_color="normal" if c.learnt else "inverse")
    st.plotly_chart(fg.accuracy_figure(run), key="l6mem_acc")
    after = {c.cell: c.norms_after for c in run.cells}
    before = {c.cell: c.norms_before for c in run.cells}
    st.plotly_chart(fg.gradient_figure(after, "After training (dotted: untrained)", dashed=before),
                    key="l6mem_after")
    if len(RUNS.runs()) > 1:
        st.plotly_chart(RUNS.overlay(this.history, [f"{x}_val_accuracy" for x in mem.CELLS],
                                     "Held-out accuracy per pass: this run solid, earlier runs dotted",
                                     exclude=job.id), key="l6mem_overlay")  # fmt: skip


keys = tuple(f"{c}_val_accuracy" for c in mem.CELLS)
job = training_panel("l6mem", make_job, label="Train the three cells", result=result,
                     charts=(("Held-out accuracy per pass over the data", keys),))
RUNS.show(keep=None if job is None else job.id, title="Runs compared (this session)")
if job is None:
    st.info(f"**Train the three cells** trains each for at most {mem.TIME_BUDGET_S:g} s "
            f"({mem.N_TRAIN:,} sequences, stops once it reaches {mem.SOLVED:.0%}).", icon=":material/school:")
st.markdown(
    "**Things to try.** Compare the curves at T = 10 and T = 100: the vanilla RNN's gradient at step 1 falls "
    "by many orders of magnitude more than the LSTM's. Whether a cell still learns the task is then an "
    "experiment: a tanh RNN can sometimes *latch* the signal in saturated units (its gradient after "
    "training is then near zero, yet it remembers). Change the seed and the learning rate to see how much "
    "luck is involved at each length."
)
show_source(mem.gradient_norms, mem.make_task)
