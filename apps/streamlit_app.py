"""Entry point of the gallery: ``streamlit run apps/streamlit_app.py``.

The navigation is generated from ``core.lectures``: one section per lecture that has working pages.
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

from core import lectures  # noqa: E402
from core.jobs import warm_up_in_background  # noqa: E402

warm_up_in_background()  # the first Train click then starts at once (see core.jobs.warm_up)

st.set_page_config(page_title="Deep Learning — lecture gallery", page_icon=":material/school:", layout="wide")

APPS = Path(__file__).resolve().parent
sections: dict[str, list[st.Page]] = {
    "Course": [
        st.Page(str(APPS / "home.py"), title="Course map", icon=":material/map:", default=True),
        st.Page(str(APPS / "status.py"), title="Checkpoints & data", icon=":material/inventory_2:", url_path="status"),
    ]
}
for lec in lectures.LECTURES:
    demos = lectures.available_demos(lec)
    if demos:
        sections[f"{lec.number} · {lec.title}"] = [
            st.Page(str(d.path), title=d.title, icon=d.icon, url_path=d.slug) for d in demos
        ]

st.navigation(sections).run()
