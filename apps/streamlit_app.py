"""Entry point of the gallery: ``streamlit run apps/streamlit_app.py``.

The navigation is generated from ``core.schedule``: one section per lecture that has working pages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Idle OpenMP threads spin by default; on a shared 2-core Space that slows torch several times.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts apps/ on the path, not the repository root
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from apps import catalog  # noqa: E402
from apps.common import navigation  # noqa: E402
from core import schedule  # noqa: E402
from core.jobs import warm_up_in_background  # noqa: E402

warm_up_in_background()  # the first Train click then starts at once (see core.jobs.warm_up)

st.set_page_config(page_title="Deep Learning — lecture gallery", page_icon=":material/school:", layout="wide")

pages = navigation.demo_pages()
sections: dict[str, list[st.Page]] = {"Course": navigation.course_pages()}
for lec in schedule.LECTURES:
    demos = catalog.available_demos(lec)
    if demos:
        sections[f"{lec.number} · {lec.title}"] = [pages[d.slug] for d in demos]

# expanded: with seven lectures every demo stays one click away (no "View more" folding).
st.navigation(sections, expanded=True).run()
