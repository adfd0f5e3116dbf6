"""The schedule drives navigation, the course map and the Gradio tabs."""

from __future__ import annotations

from pathlib import Path

from apps import catalog
from core import schedule

ROOT = Path(__file__).resolve().parent.parent


def test_schedule_covers_the_whole_course() -> None:
    assert [lec.number for lec in schedule.LECTURES] == list(range(1, 9))
    titles = " ".join(lec.title for lec in schedule.LECTURES).lower()
    for topic in ("perceptron", "convolutional", "transfer", "synthesis", "recurrent", "reinforcement"):
        assert topic in titles
    assert sum(1 for lec in schedule.LECTURES if lec.homework) == 6


def test_demo_slugs_are_unique_and_resolvable() -> None:
    slugs = [d.slug for d in catalog.all_demos()]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert catalog.demo(slug).slug == slug
        assert slug in [d.slug for d in catalog.all_demos(catalog.lecture_of(slug))]


def test_only_existing_pages_are_available(tmp_path: Path) -> None:
    for d in catalog.available_demos():
        assert d.path.is_file()
    missing = catalog.Demo("x", "X", ":material/home:", "does_not_exist.py", "s", lecture=1)
    assert not missing.exists


def test_pages_stay_thin() -> None:
    for path in (ROOT / "apps").rglob("*.py"):
        n = len(path.read_text().splitlines())
        assert n <= 200, f"{path.relative_to(ROOT)} has {n} lines: move computation into core/"


def test_course_map_lists_every_lecture_and_available_page() -> None:
    md = catalog.course_map_markdown()
    for lec in schedule.LECTURES:
        assert lec.title in md
    for d in catalog.available_demos():
        assert d.title in md
    data = catalog.schedule_dict()
    assert len(data) == 8 and data[0]["homework_due"] == "16.12."
