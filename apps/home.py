"""Home: the course map — every lecture, its topics and homework, and the demos that exist."""

from __future__ import annotations

import streamlit as st

from apps import catalog
from apps.common import navigation
from core import schedule

st.title(f"{schedule.COURSE_TITLE} — interactive lecture gallery")
st.markdown(
    "Every model of the course, trained or loaded from a shipped checkpoint, with sliders that recompute "
    "the result. Works offline: checkpoints and data ship with the gallery. Each page's settings live "
    "in the address bar, so a link reproduces exactly what you see."
)
n_demos = len(catalog.available_demos())
c1, c2, c3 = st.columns(3)
c1.metric("Lectures", len(schedule.LECTURES))
c2.metric("Interactive pages", n_demos)
c3.metric("Homeworks", sum(1 for lec in schedule.LECTURES if lec.homework))

for lec in schedule.LECTURES:
    with st.container(border=True):
        st.subheader(f"{lec.number} · {lec.title}", anchor=lec.slug)
        st.caption(f"{schedule.COURSE_TERM} sessions: {', '.join(lec.dates)}")
        left, right = st.columns([3, 2])
        with left:
            st.markdown("\n".join(f"- {t}" for t in lec.topics))
            if lec.homework:
                st.markdown(f"**Homework** (due {lec.homework_due}): {lec.homework}")
        with right:
            demos = catalog.available_demos(lec)
            if demos:
                for d in demos:
                    st.page_link(navigation.demo_pages()[d.slug], label=d.title, icon=d.icon, help=d.summary)
            else:
                st.caption("No interactive page for this lecture in the gallery yet.")
