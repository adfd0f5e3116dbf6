"""The Gradio front end: the gallery's demos as tabs, each with an API endpoint.

Run: ``python -m apps.gradio_app`` (port 7860, or GRADIO_SERVER_PORT). Tabs are generated from
``core.schedule``: a lecture gets a tab when one of its available demos names a module under
``apps/gradio_tabs`` (a ``build()`` function that lays out the tab inside the current Blocks).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

# Idle OpenMP threads spin by default; on a shared 2-core Space that slows torch several times.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gradio as gr  # noqa: E402

from apps import catalog  # noqa: E402
from core import schedule  # noqa: E402
from core.jobs import warm_up_in_background  # noqa: E402

# Two cores serve everybody: one event of each kind at a time, a bounded queue, small uploads.
CONCURRENCY = int(os.environ.get("GALLERY_GRADIO_CONCURRENCY", "1"))
MAX_QUEUE = int(os.environ.get("GALLERY_GRADIO_QUEUE", "32"))
MAX_FILE_SIZE = "10mb"
# Uploads (and files the app returns) sit in Gradio's cache until removed: every 10 minutes, delete
# those older than an hour, so a public Space's disk stays bounded; all of them go at shutdown.
DELETE_CACHE: tuple[int, int] = (600, 3600)


def tab_modules(lec: schedule.Lecture) -> list[str]:
    """Gradio tab modules of a lecture's available demos, without duplicates, in schedule order."""
    mods: list[str] = []
    for d in catalog.available_demos(lec):
        if d.gradio and d.gradio not in mods and (ROOT / "apps" / "gradio_tabs" / f"{d.gradio}.py").is_file():
            mods.append(d.gradio)
    return mods


def tab_title(lec: schedule.Lecture, mod: str) -> str:
    """The sub-tab of module ``mod``: the titles of the demos it serves, in schedule order."""
    return " · ".join(d.title for d in catalog.available_demos(lec) if d.gradio == mod)


def build_app(delete_cache: tuple[int, int] = DELETE_CACHE) -> gr.Blocks:
    """The whole Gradio front end; ``delete_cache`` is Gradio's (every seconds, older than seconds)."""
    with gr.Blocks(title="Deep Learning — lecture gallery", delete_cache=delete_cache) as app:
        with gr.Tab("Course map"):
            gr.Markdown(catalog.course_map_markdown())
        for lec in schedule.LECTURES:
            mods = tab_modules(lec)
            if mods:
                with gr.Tab(f"{lec.number} · {lec.title}"):
                    for mod in mods:
                        module = importlib.import_module(f"apps.gradio_tabs.{mod}")
                        if getattr(module, "OWN_TABS", False):
                            module.build()
                        else:  # one tab per demo, as lectures 1-4 lay out theirs, not a long stack
                            with gr.Tab(tab_title(lec, mod)):
                                module.build()
        gr.api(catalog.schedule_dict, api_name="schedule")
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=MAX_QUEUE)
    return app


def main() -> None:
    warm_up_in_background()  # the first training then starts at once (see core.jobs.warm_up)
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    build_app().launch(server_name=host, server_port=port, max_file_size=MAX_FILE_SIZE, show_error=True)


if __name__ == "__main__":
    main()
