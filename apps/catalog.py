"""The catalogue of demos: slug, title, icon, page file and Gradio module of each page, per lecture.

Each lecture's package ``apps/pages/l<N>/`` declares its ``DEMOS`` in its ``__init__.py``; this module
discovers them (a new lecture adds files and edits nothing here) and joins them with the schedule of
``core.schedule``. A demo whose page file does not exist yet is not shown (:func:`available_demos`).
A lecture package may also declare ``SECTION``, a short title for its navigation section
(:func:`section_title`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core import schedule
from core.schedule import Lecture

APPS_DIR = Path(__file__).resolve().parent
PAGES_DIR = APPS_DIR / "pages"
SECTION_MAX_CHARS = 34
"""Longest navigation section title that fits the sidebar unclipped at the gallery's 18 px base font
(measured in Chromium: "3 · Convolutional neural networks", 33 characters, is the longest that fits)."""


@dataclass(frozen=True)
class Demo:
    """One interactive page of the gallery."""

    slug: str
    """URL path of the page (``/slug``); unique across the gallery, and kept stable: links depend on it."""
    title: str
    """Short title shown in the navigation."""
    icon: str
    """Material icon name (``:material/...:``) for the navigation."""
    page: str
    """Streamlit page file, relative to the lecture's folder ``apps/pages/l<N>/``."""
    summary: str
    """One sentence: what the user can do on the page."""
    topics: tuple[str, ...] = ()
    """Lecture topics the demo covers (shown on the course map)."""
    gradio: str | None = None
    """Module under ``apps/gradio_tabs`` that builds this demo's Gradio tab, if it has one."""
    lecture: int = 0
    """Number of the lecture (filled in from the folder the demo is declared in)."""

    @property
    def path(self) -> Path:
        return PAGES_DIR / f"l{self.lecture}" / self.page

    @property
    def exists(self) -> bool:
        return self.path.is_file()


@cache
def _catalogue() -> dict[int, tuple[Demo, ...]]:
    found: dict[int, tuple[Demo, ...]] = {}
    slugs: dict[str, int] = {}
    for lec in schedule.LECTURES:
        if not (PAGES_DIR / f"l{lec.number}" / "__init__.py").is_file():
            continue
        module = importlib.import_module(f"apps.pages.l{lec.number}")
        demos = tuple(Demo(**{**d.__dict__, "lecture": lec.number}) for d in getattr(module, "DEMOS", ()))
        for d in demos:
            if d.slug in slugs:
                raise ValueError(
                    f"demo slug {d.slug!r} is declared by lectures {slugs[d.slug]} and {lec.number}"
                )
            slugs[d.slug] = lec.number
        found[lec.number] = demos
    return found


def section_title(lec: Lecture) -> str:
    """The lecture's navigation section: ``"<n> · <short title>"``. The short title is the package's
    ``SECTION`` if it declares one, else the schedule's title up to its first comma (and, if that is
    still too long for the sidebar, up to its first "&")."""
    module = None
    if (PAGES_DIR / f"l{lec.number}" / "__init__.py").is_file():
        module = importlib.import_module(f"apps.pages.l{lec.number}")
    short = getattr(module, "SECTION", None) or lec.title.split(",")[0].strip()
    prefix = f"{lec.number} · "
    if len(prefix + short) > SECTION_MAX_CHARS:
        short = short.split(" & ")[0].strip()
    if len(prefix + short) > SECTION_MAX_CHARS:
        short = short[: SECTION_MAX_CHARS - len(prefix) - 1].rstrip() + "…"
    return prefix + short


def all_demos(lec: Lecture | None = None) -> tuple[Demo, ...]:
    """Every catalogued demo (optionally of one lecture), whether or not its page exists yet."""
    cat = _catalogue()
    if lec is not None:
        return cat.get(lec.number, ())
    return tuple(d for demos in cat.values() for d in demos)


def available_demos(lec: Lecture | None = None) -> tuple[Demo, ...]:
    """Demos whose page file exists, in schedule order (optionally of one lecture)."""
    return tuple(d for d in all_demos(lec) if d.exists)


def demo(slug: str) -> Demo:
    """The demo with this URL slug (KeyError if there is none)."""
    for d in all_demos():
        if d.slug == slug:
            return d
    raise KeyError(f"no demo {slug!r}")


def lecture_of(slug: str) -> Lecture:
    """The lecture a demo belongs to."""
    return schedule.lecture(demo(slug).lecture)


def course_map_markdown() -> str:
    """The schedule as Markdown (the Gradio front end's course map; also handy for docs)."""
    lines = [f"# {schedule.COURSE_TITLE} ({schedule.COURSE_TERM})", ""]
    for lec in schedule.LECTURES:
        lines.append(f"## {lec.number} · {lec.title}")
        lines.append(f"*Sessions: {', '.join(lec.dates)}*")
        lines += [f"- {t}" for t in lec.topics]
        if lec.homework:
            lines.append(f"\n**Homework** (due {lec.homework_due}): {lec.homework}")
        demos = available_demos(lec)
        if demos:
            lines.append("\n**Interactive pages:** " + ", ".join(d.title for d in demos))
        lines.append("")
    return "\n".join(lines)


def schedule_dict() -> list[dict[str, object]]:
    """The schedule and its pages as plain JSON-able data (served by the Gradio API as ``/schedule``)."""
    return [
        {
            "number": lec.number,
            "title": lec.title,
            "dates": list(lec.dates),
            "topics": list(lec.topics),
            "homework": lec.homework,
            "homework_due": lec.homework_due,
            "demos": [{"slug": d.slug, "title": d.title, "summary": d.summary} for d in available_demos(lec)],
        }
        for lec in schedule.LECTURES
    ]
