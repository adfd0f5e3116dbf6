"""Server entry point of the gallery: ``streamlit run apps/streamlit_app.py``.

Every session runs ``apps/frame.py`` (page config and navigation); this module is the server around it,
an ``st.App`` whose startup hook runs once per process, before the first browser connects.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

# Idle OpenMP threads spin by default; on a shared 2-core Space that slows torch several times.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the server imports this module with apps/ on the path, not the root
    sys.path.insert(0, str(ROOT))
# Streamlit puts the script's folder at the head of sys.path for each run and takes it out after, unless
# it is already there: with sessions and jobs in parallel threads, an import walking the list as it shrinks
# can skip site-packages ("No module named ..."). Kept on the path (last: it shadows nothing), it is left be.
APPS = os.path.dirname(os.path.abspath(__file__))
if APPS not in sys.path:
    sys.path.append(APPS)

import streamlit as st  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402

from core.jobs import PAGE_LIBRARIES, preload, warm_up  # noqa: E402

FRAME = Path(__file__).resolve().parent / "frame.py"


@asynccontextmanager
async def _startup(_app: st.App) -> AsyncIterator[None]:
    # A folder named ``pages`` beside the main script makes Streamlit run the first session of a process
    # through its legacy multipage router (streamlit/runtime/scriptrunner/script_runner.py, _mpa_v1),
    # which knows none of our slugs and sends "Page not found" for any deep link before st.navigation
    # takes over (and clears this flag) for good. Clearing it at startup opens a bookmark clean.
    PagesManager.uses_pages_directory = False
    # The first Train click then starts at once, and the pages' libraries are imported before the
    # first visitor opens one (see core.jobs.warm_up and core.jobs.preload). Done here, before the
    # server answers, not in a background thread: a page importing the same libraries meanwhile could
    # meet a partially initialised module (Python's import deadlock avoidance hands one out).
    warm_up()
    preload(PAGE_LIBRARIES)
    yield


app = st.App(FRAME, lifespan=_startup)
