"""The memory task, the gradient norm per step, and the three cells trained through the fit loop."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from core.text import memory as mem


def test_task_puts_the_answer_first_and_distractors_after() -> None:
    x, y = mem.make_task(100, 12, seed=0)
    assert x.shape == (100, 12) and torch.equal(x[:, 0], y)
    assert int(x[:, 1:].min()) >= mem.SIGNALS and int(x.max()) < mem.SYMBOLS
    assert torch.equal(mem.make_task(100, 12, seed=0)[0], x)


def test_gradient_norm_is_zero_before_a_step_the_output_cannot_see() -> None:
    torch.manual_seed(0)
    model = mem.MemoryNet("lstm", 8)
    x, y = mem.make_task(20, 6, 0)
    norms = mem.gradient_norms(model, x, y)
    assert norms.shape == (6,) and np.all(norms > 0)
    # dL/dx_t computed by hand for the last step equals autograd's
    xo = torch.nn.functional.one_hot(x, mem.SYMBOLS).float().requires_grad_(True)
    torch.nn.functional.cross_entropy(model.forward_onehot(xo), y, reduction="sum").backward()
    assert np.allclose(norms, xo.grad.norm(dim=2).mean(0).numpy(), rtol=1e-5)


def test_the_vanilla_rnn_gradient_vanishes_far_faster_than_the_lstms() -> None:
    norms = mem.initial_norms(mem.MemoryConfig(length=60))
    assert norms["rnn"][0] < 1e-6 * norms["rnn"][-1]
    assert norms["lstm"][0] > 100 * norms["rnn"][0]
    assert all(len(v) == 60 for v in norms.values())


class Recorder:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def report(self, progress=None, message=None, **metrics) -> None:
        self.rows.append(metrics)

    def publish(self, key, value) -> None:
        pass

    def should_stop(self) -> bool:
        return False


def test_short_sequences_are_learnt_by_every_cell_and_reported_per_cell() -> None:
    job = Recorder()
    run = mem.compare(mem.MemoryConfig(length=5, time_budget_s=15), job)
    assert [c.cell for c in run.cells] == list(mem.CELLS)
    assert all(c.learnt for c in run.cells), [c.test_accuracy for c in run.cells]
    assert any(not np.isnan(r["gru_val_accuracy"]) for r in job.rows)
    assert all(c.norms_after.shape == (5,) for c in run.cells)


def test_a_stop_request_ends_the_comparison() -> None:
    class Stopped(Recorder):
        def should_stop(self) -> bool:
            return True

    run = mem.compare(mem.MemoryConfig(length=5), Stopped())
    assert run.stopped and run.cells == ()


@pytest.mark.parametrize(("change", "message"), [
    ({"length": 0}, "sequence length"), ({"length": 10**5}, "sequence length"), ({"hidden": 4096}, "hidden"),
    ({"lr": float("nan")}, "learning rate"), ({"seed": -1}, "seed"),
    ({"time_budget_s": float("inf")}, "budget"),
])
def test_settings_outside_the_page_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mem.validate(replace(mem.MemoryConfig(), **change))


def test_memory_page_compares_runs_in_its_history(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from tests.helpers import finish_job, page

    real = mem.compare
    monkeypatch.setattr(mem, "compare", lambda config, job=None, cells=mem.CELLS:
                        real(replace(config, time_budget_s=1.0), job, cells))  # fmt: skip
    at = page("apps/pages/l6/memory.py", params={"l6mem_T": "5", "l6mem_hidden": "8"})
    at.button(key="l6mem__start").click().run()
    finish_job(at, "l6mem")
    at.slider(key="l6mem_T").set_value(6).run()
    at.button(key="l6mem__start").click().run()
    finish_job(at, "l6mem")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "run" in d.value.columns)
    assert table["T"].tolist() == [5, 6] and table["run"].tolist() == ["run 1", "run 2"]
    assert {"rnn accuracy", "lstm accuracy", "gru accuracy"} <= set(table.columns)
    assert any("earlier runs dotted" in c.proto.spec for c in at.get("plotly_chart"))
    at.button(key="l6mem_clear").click().run()
    assert next(d.value for d in at.dataframe if "run" in d.value.columns)["T"].tolist() == [6]  # on show
