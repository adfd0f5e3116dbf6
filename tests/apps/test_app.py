"""AppTest of the Streamlit entry point, the course map and the Checkpoints & data page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from apps import catalog
from core import schedule
from tests.helpers import ROOT, page, texts


def test_frame_opens_on_the_course_map() -> None:
    at = AppTest.from_file(str(ROOT / "apps" / "frame.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert "interactive lecture gallery" in at.title[0].value
    shown = texts(at)
    for lec in schedule.LECTURES:
        assert f"{lec.number} · {lec.title}" in [s.value for s in at.subheader]
    assert "Homework" in shown and "16.12." in shown


def test_the_server_entry_point_serves_the_frame() -> None:
    """``streamlit run apps/streamlit_app.py`` (README, Dockerfile) serves apps/frame.py to every session."""
    from apps import streamlit_app

    assert streamlit_app.app.script_path == ROOT / "apps" / "frame.py"


def test_home_metrics_count_real_pages() -> None:
    at = page("apps/home.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lectures"] == "8"
    assert metrics["Interactive pages"] == str(len(catalog.available_demos()))


def test_status_page_lists_checkpoints_and_data_sources() -> None:
    at = page("apps/status.py", timeout=120)
    assert not at.exception
    assert at.title[0].value == "Checkpoints & data"
    expanders = [e.label for e in at.expander]
    for name in ("moons", "fashion-mnist", "mnist"):
        assert name in expanders
    source_tables = [df.value for df in at.dataframe][1:]
    assert any("Debian" in " ".join(map(str, t["source"])) for t in source_tables)
