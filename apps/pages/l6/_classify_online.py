"""Online section of the text-classification page: a probe on DistilBERT / BERT / GPT-2 for SST-2, IMDb or
AG News when the Hugging Face hub cache has them; otherwise the page says what is missing and what serves."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from core.data import text as text_data
from core.jobs import Job
from core.text import online

MODEL_LABELS = {**online.MODELS, online.FALLBACK_MODEL: "all-MiniLM-L6-v2 (bundled)"}
SET_LABELS = {**{k: v.title for k, v in text_data.HUB_SETS.items()},
              online.FALLBACK_SET: "sentiment tweets (offline)"}


def section() -> None:
    """Encoder and data-set pickers, what will serve them, and a probe trained through the job queue."""
    st.markdown("The homework's *transfer from BERT / GPT-2*: the same linear probe on the sentence vector "
                "of a bigger encoder, on a standard benchmark. These come from the Hugging Face hub: read "
                "from its local cache, downloaded only when the hub answers.")
    c1, c2, c3 = st.columns(3)
    with c1:
        model = ui.selectbox("Encoder", "l6cl_on_model", tuple(MODEL_LABELS), "distilbert-base-uncased",
                             format_func=MODEL_LABELS.get)  # fmt: skip
    with c2:
        dataset = ui.selectbox("Data set", "l6cl_on_set", tuple(SET_LABELS), "sst2",
                               format_func=SET_LABELS.get)  # fmt: skip
    with c3:
        n = ui.select_slider("Labelled texts", "l6cl_on_n", online.N_CHOICES, 300,
                             format_func="{:,}".format)  # fmt: skip
    plan = online.plan(model, dataset)
    for note in plan.notes:
        st.info(note, icon=":material/cloud_off:")
    if not plan.notes:
        st.caption(f"Serving {MODEL_LABELS[plan.model]} on {SET_LABELS[plan.dataset]}.")

    def make_job() -> Callable[[Job], online.ProbeResult]:
        m, d, k = model, dataset, int(n)
        return lambda job: online.probe(m, d, n_labels=k, job=job)

    training_panel("l6cl_on", make_job, label="Probe this encoder", charts=LOSS_ACC_CHARTS, result=_result)


def _result(job: Job) -> None:
    r: online.ProbeResult = job.result
    cols = st.columns(3)
    cols[0].metric("Test accuracy", f"{r.test_accuracy:.1%}")
    cols[1].metric("Labelled texts", f"{r.n_train:,}")
    cols[2].metric("Time", f"{r.seconds:.1f} s")
    for note in r.plan.notes:
        st.caption(note)
    st.caption(f"Scored on {r.n_test:,} held-out texts ({', '.join(r.classes)}). Data: {r.provenance}.")
