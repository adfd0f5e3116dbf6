"""The catalogue drives navigation, the course map and the Gradio tabs; every demo in it renders."""

from __future__ import annotations

import pytest

from apps import catalog
from core import schedule
from tests.helpers import page


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
    with pytest.raises(KeyError):
        catalog.demo("no-such-page")


def test_a_demo_without_its_page_file_is_not_offered() -> None:
    declared = catalog.all_demos()
    missing = catalog.Demo("x", "X", ":material/home:", "does_not_exist.py", "s", lecture=1)
    assert not missing.exists
    assert {d.slug for d in catalog.available_demos()} == {d.slug for d in declared if d.exists}
    assert len(catalog.available_demos()) >= 12, "lectures 1-3 ship 12 pages"


def test_every_demo_has_a_gradio_tab_in_the_app() -> None:
    """The Gradio front end offers the same demos as the gallery: each demo names a tab module that exists,
    and the app builds a sub-tab titled after it under its lecture."""
    from apps.gradio_app import ROOT, tab_modules, tab_title

    for demo in catalog.available_demos():
        assert demo.gradio, f"{demo.slug} has no Gradio tab"
        assert (ROOT / "apps" / "gradio_tabs" / f"{demo.gradio}.py").is_file(), demo.gradio
        lec = catalog.lecture_of(demo.slug)
        assert demo.gradio in tab_modules(lec) and demo.title in tab_title(lec, demo.gradio)


def test_section_titles_are_short_enough_for_the_sidebar() -> None:
    for lec in schedule.LECTURES:
        title = catalog.section_title(lec)
        assert title.startswith(f"{lec.number} · ") and len(title) <= catalog.SECTION_MAX_CHARS, title
    assert catalog.section_title(schedule.lecture(2)) == "2 · Perceptron & MLP"


def test_course_map_lists_every_lecture_and_available_page() -> None:
    md = catalog.course_map_markdown()
    for lec in schedule.LECTURES:
        assert lec.title in md
    for d in catalog.available_demos():
        assert d.title in md
    data = catalog.schedule_dict()
    assert len(data) == 8 and data[0]["homework_due"] == "16.12."


@pytest.mark.parametrize("demo", catalog.available_demos(), ids=lambda d: d.slug)
def test_every_demo_renders_with_its_title(demo: catalog.Demo) -> None:
    """A new page is tested by being catalogued: it renders with no exception and shows its title."""
    at = page(str(demo.path.relative_to(catalog.APPS_DIR.parent)), timeout=120)
    assert [t.value for t in at.title][:1] == [demo.title]
    assert not at.error, [e.value for e in at.error]
