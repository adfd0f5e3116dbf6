"""The shared live-training panel: start, result, stop, divergence, failure."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers import finish_job, texts


def _script() -> None:
    import streamlit as st
    import torch
    from torch import nn

    from apps.common.live import training_panel
    from core.training import FitConfig, fit

    lr = st.number_input("lr", value=0.1, key="lp_lr", format="%g")
    epochs = st.number_input("epochs", value=50, key="lp_epochs")

    def make_job():
        def run(job):
            if lr < 0:
                raise ValueError("negative learning rate")
            torch.manual_seed(0)
            X = torch.randn(200, 2)
            y = (X[:, 0] > 0).long()
            model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
            return fit(
                model,
                nn.functional.cross_entropy,
                torch.optim.SGD(model.parameters(), lr),
                (X, y),
                (X, y),
                FitConfig(epochs=int(epochs)),
                callbacks=[job.callback()],
            )

        return run

    training_panel(
        "lp", make_job, result=lambda job: st.write(f"final val loss {job.result.final('val_loss'):.3f}")
    )


def test_train_shows_progress_then_result() -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    at.button(key="lp__start").click().run()
    assert not at.exception
    finish_job(at, "lp")
    shown = texts(at)
    assert "finished all epochs" in shown and "50 epochs" in shown
    assert "final val loss" in shown
    assert at.button(key="lp__start").disabled is False


def test_divergence_is_reported_not_crashed() -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    at.number_input(key="lp_lr").set_value(1e12).run()
    at.button(key="lp__start").click().run()
    finish_job(at, "lp")
    assert not at.exception
    assert "Diverged" in texts(at)


def test_failure_is_shown_as_an_error() -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    at.number_input(key="lp_lr").set_value(-1.0).run()
    at.button(key="lp__start").click().run()
    finish_job(at, "lp")
    assert not at.exception
    assert "negative learning rate" in texts(at)


def test_stop_keeps_the_partial_model() -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    at.number_input(key="lp_epochs").set_value(10**6).run()
    at.button(key="lp__start").click().run()
    job = at.session_state["lp__job"]
    job.stop()
    finish_job(at, "lp")
    shown = texts(at)
    assert "stopped on request" in shown and "Showing the model as it was" in shown


def _chance_script() -> None:
    from dataclasses import replace

    import torch
    from torch import nn

    from apps.common.live import training_panel
    from core.training import FitConfig, fit

    def run(job):
        X, y = torch.randn(64, 2), torch.randint(0, 2, (64,))
        model = nn.Linear(2, 2)
        res = fit(model, nn.functional.cross_entropy, torch.optim.SGD(model.parameters(), 0.1), (X, y),
                  config=FitConfig(epochs=2), callbacks=[job.callback()])
        return replace(res, status="failed_to_learn",
                       message="failed to learn: test accuracy 50.0% is chance level")

    training_panel("lp", lambda: run)


def test_a_run_at_chance_level_is_an_error_not_a_stopped_model() -> None:
    at = AppTest.from_function(_chance_script, default_timeout=30)
    at.run()
    at.button(key="lp__start").click().run()
    finish_job(at, "lp")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("failed to learn: test accuracy 50.0% is chance level — 2 epochs" in e for e in errors)
    assert not at.warning and not at.success and "as it was when it stopped" not in texts(at)
