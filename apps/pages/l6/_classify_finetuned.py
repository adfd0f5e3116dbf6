"""The text box's answer of the MiniLM fine-tuned in this session (its encoder is not shipped)."""

from __future__ import annotations

import streamlit as st

from apps.pages.l6._classify_views import answer
from core.jobs import Job
from core.text import explain as ex
from core.text import sentiment as sm


def finetuned_section(job: Job | None, text: str) -> None:
    """The MiniLM fine-tuned by this session's last run answers too; the shipped points have no encoder."""
    run = job.result if job is not None and not job.active else None
    if not isinstance(run, sm.ClassifierRun) or run.config.model != "finetune":
        st.caption("MiniLM fine-tuned is not in this box: its encoder weights are not shipped. Fine-tune a "
                   "point above (100 labels, 1 epoch: a few minutes) and it answers here too.")
        return
    try:
        e = ex.explain_finetuned(run.model, text)
    except ValueError as exc:
        st.info(str(exc))
        return
    col, _ = st.columns([1, 2])
    with col:
        answer("finetuned", f"MiniLM fine-tuned here ({run.n_train:,} labels)", e)
