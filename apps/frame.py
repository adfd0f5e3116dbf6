"""The frame every Streamlit session runs: page config and the navigation, one section per lecture.

The server entry point is ``apps/streamlit_app.py`` (``streamlit run apps/streamlit_app.py``); it serves
this script. The navigation is generated from the catalogue (``apps.catalog``) and ``core.schedule``.
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
from apps.common.layout import frame_style  # noqa: E402
from core import schedule  # noqa: E402
from core.jobs import warm_up_in_background  # noqa: E402

warm_up_in_background()  # idempotent; AppTest and bare runs of this file get it too (see core.jobs.warm_up)

st.set_page_config(page_title="Deep Learning — lecture gallery", page_icon=":material/school:", layout="wide")
frame_style()  # labels wrap instead of being cut off; disabled labels stay legible (apps/common/layout.py)

pages = navigation.demo_pages()
sections: dict[str, list[st.Page]] = {"Course": navigation.course_pages()}
for lec in schedule.LECTURES:
    demos = catalog.available_demos(lec)
    if demos:
        sections[catalog.section_title(lec)] = [pages[d.slug] for d in demos]

# expanded: with seven lectures every demo stays one click away (no "View more" folding); the
# section titles are short enough not to be clipped (catalog.section_title).
st.navigation(sections, expanded=True).run()
