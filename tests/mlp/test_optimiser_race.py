"""core.mlp.optimisers: paths equal a hand-run torch.optim loop, divergence is flagged, surfaces hold."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from core.mlp import optimiser_figures as of
from core.mlp import optimisers as ov
from core.mlp import surfaces as sf

HYPER = dict(momentum=0.8, alpha=0.95, beta1=0.85, beta2=0.99)  # not torch's defaults: checks the mapping


def hand_run(surface: str, optimizer: str, lr: float, steps: int, **params: float) -> np.ndarray:
    """The loop a student would write: autograd on the torch surface, the torch.optim class by hand."""
    surf = ov.SURFACES[surface]
    p = torch.tensor(surf.start, dtype=torch.float64, requires_grad=True)
    opt = {
        "sgd": lambda: torch.optim.SGD([p], lr=lr),
        "momentum": lambda: torch.optim.SGD([p], lr=lr, momentum=HYPER["momentum"]),
        "rmsprop": lambda: torch.optim.RMSprop([p], lr=lr, alpha=HYPER["alpha"]),
        "adam": lambda: torch.optim.Adam([p], lr=lr, betas=(HYPER["beta1"], HYPER["beta2"])),
    }[optimizer]()
    out = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        surf.fn(p[0], p[1], **{**surf.params, **params}).backward()
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out).numpy()


def suggested_lr(surface: str, optimizer: str) -> float:
    s = ov.SURFACES[surface]
    return s.lr if optimizer in ("sgd", "momentum") else s.lr_adaptive


@pytest.mark.parametrize("surface", list(ov.SURFACES))
@pytest.mark.parametrize("optimizer", ov.OPTIMIZERS)
def test_trajectory_equals_a_hand_run_torch_optim_loop(surface: str, optimizer: str) -> None:
    # 30 steps: closed-form and autograd gradients differ in the last bit, and a few racers turn chaotic
    # near a minimum later on (RMSProp on Beale amplifies 1e-16 to 1e-6 by step 55).
    lr = suggested_lr(surface, optimizer)
    path = ov.trajectory(surface, optimizer, lr, 30, None, **HYPER)
    assert path.shape == (31, 2)
    np.testing.assert_allclose(path, hand_run(surface, optimizer, lr, 30), rtol=1e-9, atol=1e-12)


def test_long_stable_run_matches_too() -> None:
    path = ov.trajectory("bowl", "adam", 0.05, 300, None, **HYPER)
    np.testing.assert_allclose(path, hand_run("bowl", "adam", 0.05, 300), rtol=1e-9, atol=1e-12)


def test_surface_parameter_reaches_the_surface() -> None:
    path = ov.trajectory("bowl", "adam", 0.1, 40, None, condition=7.0, **HYPER)
    np.testing.assert_allclose(path, hand_run("bowl", "adam", 0.1, 40, condition=7.0), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("surface", list(ov.SURFACES))
def test_closed_form_gradients_match_autograd(surface: str) -> None:
    surf = ov.SURFACES[surface]
    x0, x1, y0, y1 = surf.box
    rng = np.random.default_rng(0)
    for x, y in zip(rng.uniform(x0, x1, 25), rng.uniform(y0, y1, 25)):
        p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(surf.fn(p[0], p[1]), p)
        np.testing.assert_allclose(surf.grad(float(x), float(y)), g.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("surface", list(ov.SURFACES))
def test_surfaces_have_their_minima_where_declared(surface: str) -> None:
    surf = ov.SURFACES[surface]
    for mx, my in surf.minima:
        assert max(map(abs, surf.grad(mx, my))) < 1e-4
        at_min = surf.fn(torch.tensor(mx, dtype=torch.float64), torch.tensor(my, dtype=torch.float64))
        assert float(at_min) == pytest.approx(surf.fmin, abs=1e-9)
        assert surf.box[0] <= mx <= surf.box[1] and surf.box[2] <= my <= surf.box[3]
    xs = torch.linspace(surf.box[0], surf.box[1], 201, dtype=torch.float64)
    ys = torch.linspace(surf.box[2], surf.box[3], 201, dtype=torch.float64)
    X, Y = torch.meshgrid(xs, ys, indexing="ij")
    assert float(surf.fn(X, Y).min()) >= surf.fmin - 1e-9  # nothing in view lies below the declared minimum


def test_default_races_are_finite_and_someone_arrives() -> None:
    for name, s in ov.SURFACES.items():
        lrs = {"sgd": s.lr, "momentum": s.lr, "rmsprop": s.lr_adaptive, "adam": s.lr_adaptive}
        r = ov.race(name, lrs, s.steps)
        assert all(run.diverged_at is None for run in r.runs.values()), name
        assert min(run.final_loss for run in r.runs.values()) - s.fmin < 0.1, name


def test_diverging_lr_is_flagged_and_the_path_stops() -> None:
    # The bowl's steepest curvature is kappa = 50: SGD is stable only for lr < 2/50.
    path = ov.trajectory("bowl", "sgd", 0.1, 100, None, condition=50)
    k = ov.diverged_at(path)
    assert k is not None and 1 < k < 100
    assert np.isfinite(path[:k]).all() and np.isnan(path[k:]).all()
    assert ov.diverged_at(ov.trajectory("bowl", "sgd", 0.01, 100, None, condition=50)) is None

    r = ov.race("bowl", 0.1, 100, condition=50)
    sgd = r.runs["sgd"]
    assert sgd.diverged_at == k and len(sgd.path) == k and np.isfinite(sgd.losses).all()
    assert r.final_losses()["sgd"] == f"diverged at step {k}"
    sgd_row = next(row for row in r.table() if row["optimiser"] == "SGD")
    assert sgd_row["status"] == "diverged"
    # A run that never gets within 1e-3 of the minimum reads "not reached", not a bare None in the table.
    assert sgd_row["steps to loss gap < 1e-3"] == "not reached"
    arrived = [row["steps to loss gap < 1e-3"] for row in ov.race("bowl", 0.01, 400).table()]
    assert any(v.isdigit() for v in arrived) and None not in arrived
    for fig in (of.race_figure(r), of.loss_figure(r)):
        for tr in fig.data:
            for axis in ("x", "y"):
                values = getattr(tr, axis, None)
                if values is not None and tr.type == "scatter":
                    assert np.isfinite(np.asarray(values, dtype=float)).all()  # never a NaN plot
    assert any("diverged at step" in (tr.name or "") for tr in of.race_figure(r).data)


def test_huge_lr_on_every_surface_never_raises() -> None:
    for name in ov.SURFACES:
        r = ov.race(name, 5.0, 50)
        for run in r.runs.values():
            assert np.isfinite(run.path).all() and np.isfinite(run.losses).all()
        assert any(run.diverged_at is not None for run in r.runs.values()), name


def test_more_steps_continue_the_same_path() -> None:
    short = ov.trajectory("rosenbrock", "adam", 0.05, 30)
    long = ov.trajectory("rosenbrock", "adam", 0.05, 90)
    ov._RACERS.clear()
    fresh = ov.trajectory("rosenbrock", "adam", 0.05, 90)
    np.testing.assert_array_equal(long[:31], short)
    np.testing.assert_array_equal(long, fresh)


def test_hyperparameters_change_only_their_optimiser() -> None:
    a = ov.race("saddle", 0.05, 50, momentum=0.5, beta1=0.9)
    b = ov.race("saddle", 0.05, 50, momentum=0.95, beta1=0.5)
    np.testing.assert_array_equal(a.runs["sgd"].path, b.runs["sgd"].path)
    np.testing.assert_array_equal(a.runs["rmsprop"].path, b.runs["rmsprop"].path)
    assert not np.allclose(a.runs["momentum"].path, b.runs["momentum"].path)
    assert not np.allclose(a.runs["adam"].path, b.runs["adam"].path)


def test_condition_number_slows_sgd_in_the_ravine() -> None:
    # Even at its best learning rate 2/(1 + kappa), SGD contracts by (kappa - 1)/(kappa + 1) per step.
    gaps = [ov.race("bowl", 2 / (1 + c), 50, optimizers=["sgd"], condition=c).runs["sgd"].final_loss
            for c in (5, 50)]
    assert gaps[1] > 1e3 * gaps[0]


def test_bad_arguments_name_the_problem() -> None:
    with pytest.raises(ValueError, match="unknown surface"):
        ov.trajectory("nope", "sgd", 0.1, 10)
    with pytest.raises(ValueError, match="unknown optimizer"):
        ov.trajectory("bowl", "lbfgs", 0.1, 10)
    with pytest.raises(ValueError, match="learning rate"):
        ov.trajectory("bowl", "sgd", math.nan, 10)
    with pytest.raises(TypeError, match="unknown hyperparameter"):
        ov.trajectory("bowl", "sgd", 0.1, 10, gamma=3)


def test_figures_are_valid_plotly_and_contours_are_cached() -> None:
    s = ov.SURFACES["himmelblau"]
    lrs = {"sgd": s.lr, "momentum": s.lr, "rmsprop": s.lr_adaptive, "adam": s.lr_adaptive}
    r = ov.race("himmelblau", lrs, 50)
    for fig in (of.race_figure(r), of.loss_figure(r)):
        go.Figure(fig.to_dict())  # the fast builder skips validation: validate here
    names = [tr.name for tr in of.race_figure(r).data]
    assert {"SGD", "Momentum", "RMSProp", "Adam", "minimum", "start"} <= set(names)
    assert of.loss_figure(r).layout.yaxis.type == "log"
    assert sf.contour_grid("bowl", 20.0) is sf.contour_grid("bowl", 20.0)
    assert not np.array_equal(sf.contour_grid("bowl", 20.0)[2], sf.contour_grid("bowl", 5.0)[2])


def test_the_precomputed_opening_races_are_what_torch_optim_computes_now(tmp_path) -> None:
    """The shipped paths (first render without torch.optim) equal a live run of the same optimizers."""
    fresh = ov.write_suggested(tmp_path / "races.npz", steps=ov.STEPS[1])
    with np.load(ov.SUGGESTED_FILE) as shipped, np.load(fresh) as live:
        assert list(shipped["keys"]) == list(live["keys"]) and len(live["keys"]) == 4 * len(ov.SURFACES)
        for i in range(len(live["keys"])):
            np.testing.assert_allclose(shipped[f"path{i}"], live[f"path{i}"], rtol=1e-12, atol=1e-12)
    ov._suggested.cache_clear()
    ov._RACERS.clear()
    s = ov.SURFACES["beale"]
    served = ov.trajectory("beale", "adam", s.lr_adaptive, 120)  # from the file: no racer is made
    assert not ov._RACERS
    live_path = ov._Racer(s, {}, "adam", s.lr_adaptive, s.start, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8})
    np.testing.assert_allclose(served, live_path.advance(120), rtol=1e-12, atol=1e-12)


def test_at_the_bowls_defaults_sgd_zig_zags_and_momentum_turns_it_into_a_slower_swing() -> None:
    """What the page says about the ravine is what the opening race draws (direction reversals of y)."""
    s = ov.SURFACES["bowl"]
    kappa = s.params["condition"]
    assert 1 / kappa < s.lr < 2 / kappa  # past 1/κ SGD overshoots the floor; below 2/κ it stays stable
    r = ov.race("bowl", {"sgd": s.lr, "momentum": s.lr}, s.steps, optimizers=["sgd", "momentum"])
    sgd, mom = (ov.reversals(r.runs[k].path[:21]) for k in ("sgd", "momentum"))
    assert sgd >= 18  # the steep coordinate reverses at (almost) every one of the first 20 steps
    assert mom <= sgd / 2  # the velocity averages the alternating gradient: fewer reversals
    assert r.runs["momentum"].final_loss < r.runs["sgd"].final_loss / 10  # and it gets further
    rows = {row["optimiser"]: row for row in r.table()}
    assert rows["SGD"]["y-step reversals"] == ov.reversals(r.runs["sgd"].path)
