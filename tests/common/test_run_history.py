"""The one run history (apps.common.runs): per page, idempotent per job, bounded, compare table, overlays."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from apps.common.runs import RunHistory

    runs = RunHistory("pg", max_runs=3, max_points=50)
    other = RunHistory("other")
    for key in st.session_state.get("add", []):
        runs.add(key, {"lr": 0.1 * (key + 1)}, {"val accuracy": 0.5 + key / 100},
                 {"epoch": list(range(1, 501)), "train_loss": [1.0 / (e + 1) for e in range(500)]})
        runs.add(key, {"lr": 99.0}, {}, {})  # the same job again (a rerun of the result view): no new row
    other.add("x", {"lr": 1.0}, {}, {"train_loss": [1.0]})
    runs.show(keep=st.session_state.get("keep"))
    keep = st.session_state.get("keep")
    fig = runs.overlay({"train_loss": [0.5, 0.4]}, ("train_loss",), "Loss", exclude=keep)
    st.session_state["names"] = [t["name"] for t in fig.to_dict()["data"]]
    st.session_state["lengths"] = [len(r.history["train_loss"]) for r in runs.runs()]


def test_runs_are_kept_once_per_key_bounded_and_compared() -> None:
    at = AppTest.from_function(_script)
    at.session_state["add"] = [0, 1, 2, 3]
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    # At most three runs, the oldest dropped; the repeated add of a key did not overwrite its settings.
    assert list(table["run"]) == ["run 2", "run 3", "run 4"]
    assert list(table["lr"]) == [0.2, 0.3, 0.4] and list(table["val accuracy"]) == [0.51, 0.52, 0.53]
    assert all(n <= 51 for n in at.session_state["lengths"])  # curves thinned to the bound
    # The other page's run is not in this page's table; every kept run is overlaid on the current curve.
    assert "other" not in str(table.to_dict())
    assert at.session_state["names"] == ["run 2: train loss", "run 3: train loss", "run 4: train loss",
                                         "train loss"]


def test_clear_keeps_only_the_current_run() -> None:
    at = AppTest.from_function(_script)
    at.session_state["add"] = [0, 1]
    at.session_state["keep"] = "1"
    at.run()
    at.session_state["add"] = []
    at.button(key="pg_clear").click().run()
    assert list(at.dataframe[0].value["run"]) == ["run 2"]
    assert at.session_state["names"] == ["train loss"]  # the kept run is the current one: not overlaid


def _two_envs() -> None:
    import streamlit as st

    from apps.common.runs import RunHistory

    runs = RunHistory("rl")
    runs.add(1, {"env": "CartPole-v1"}, {"return": 500.0}, {"episode_return": [10.0, 500.0]})
    runs.add(2, {"env": "MountainCar-v0"}, {"return": -200.0}, {"episode_return": [-200.0, -200.0]})
    runs.add(3, {"env": "CartPole-v1"}, {"return": 200.0}, {"episode_return": [10.0, 200.0]})
    runs.show()
    st.session_state["same_env"] = list(runs.overlays(exclude=3, like={"env": "CartPole-v1"}))
    st.session_state["all"] = list(runs.overlays(exclude=3))


def test_overlays_can_keep_to_runs_like_the_current_one() -> None:
    """Returns of CartPole (0..500) and MountainCar (-200..) share no scale: a page overlays only the runs
    of the environment on screen, while the table still lists all three."""
    at = AppTest.from_function(_two_envs).run()
    assert not at.exception
    assert at.session_state["same_env"] == ["run 1"]
    assert at.session_state["all"] == ["run 1", "run 2"]
    assert list(at.dataframe[0].value["env"]) == ["CartPole-v1", "MountainCar-v0", "CartPole-v1"]
