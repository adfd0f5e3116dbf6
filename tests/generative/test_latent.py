"""Traversals, samples and interpolations of shipped VAEs: shapes, what changes what, and the ranges; the
latent map's projection of new codes and its t-SNE layout."""

from __future__ import annotations

import numpy as np
import pytest

from core import checkpoints, data
from core.generative import ae_training as tr
from core.generative import latent as lt


@pytest.fixture(scope="module")
def shipped() -> tuple:
    model = checkpoints.load_model("vae-mnist-z16")
    test = data.load("mnist", "test")
    return model, lt.latent_map(model, test.X, test.y), test


def test_traversal_grid_has_one_row_per_dimension(shipped: tuple) -> None:
    model, lmap, _ = shipped
    grid = lt.traversal(model, lmap, 7)
    assert grid.shape == (16, 7, 28, 28)
    assert grid.min() >= 0 and grid.max() <= 1
    # The middle column is the same point (all zeros) in every row.
    assert np.allclose(grid[:, 3], grid[0, 3], atol=1e-6)


def test_changing_one_dimension_changes_the_image(shipped: tuple) -> None:
    model, lmap, test = shipped
    k = int(np.argmax(tr.code_kl(model, tr._tensor(test.X))))  # a dimension the decoder uses
    base = np.zeros(16)
    moved = base.copy()
    moved[k] = 2.5
    a, b = lt.decode_point(model, lmap, base), lt.decode_point(model, lmap, moved)
    assert np.abs(a - b).max() > 0.1
    row = lt.traversal(model, lmap, 5, moved)[k]
    end = np.where(np.arange(16) == k, 3.0, 0.0)  # row k's last column: z_k at 3, the rest at the base
    assert np.allclose(row[-1], lt.decode_point(model, lmap, end), atol=1e-5)


@pytest.mark.parametrize("name", ["sbd-vae-mnist-z4", "beta-vae-fashion-mnist-z32", "ae-fashion-mnist-z8"])
def test_every_kind_traverses_one_row_per_dimension(name: str) -> None:
    model = checkpoints.load_model(name)
    test = data.load(model.config.dataset, "test")
    lmap = lt.latent_map(model, test.X[:500], test.y[:500])
    d = model.latent_dim
    grid = lt.traversal(model, lmap, 3)
    assert grid.shape == (d, 3, 28, 28) and 0 <= grid.min() <= grid.max() <= 1
    # Across the rows, moving a dimension from -3 to 3 changes the picture somewhere.
    assert np.abs(grid[:, 0] - grid[:, 2]).max() > 0.1


def test_samples_are_seeded(shipped: tuple) -> None:
    model, lmap, _ = shipped
    assert lt.sample(model, lmap, 6, 3).shape == (6, 28, 28)
    assert np.array_equal(lt.sample(model, lmap, 6, 3), lt.sample(model, lmap, 6, 3))
    assert not np.array_equal(lt.sample(model, lmap, 6, 3), lt.sample(model, lmap, 6, 4))


def test_interpolation_ends_are_the_reconstructions(shipped: tuple) -> None:
    model, _, test = shipped
    row = lt.interpolate(model, test.X[0, 0], test.X[1, 0], 5)
    ends = lt.reconstruct(model, test.X[:2])
    assert row.shape == (5, 28, 28)
    assert np.allclose(row[[0, -1]], ends, atol=1e-5)


def test_the_latent_map_projects_16_dimensions_on_two_principal_axes(shipped: tuple) -> None:
    _, lmap, test = shipped
    assert lmap.codes.shape == (len(test), 16) and lmap.coords.shape == (len(test), 2)
    assert lmap.explained is not None and 0 < lmap.explained[1] <= lmap.explained[0] < 1
    assert lmap.axis_titles[0].startswith("PC1")
    # A new code lands where the map put the same code: the projection is the one the map used.
    assert np.allclose(lmap.project(lmap.codes[:5]), lmap.coords[:5], atol=1e-4)
    assert np.allclose(lt.place(shipped[0], lmap, test.X[:5]), lmap.coords[:5], atol=1e-4)


def test_t_sne_lays_out_the_codes_and_places_no_new_ones(shipped: tuple) -> None:
    model, _, test = shipped
    small = lt.latent_map(model, test.X[:150], test.y[:150])
    tsne = lt.tsne_map(small, 0)
    assert tsne.coords.shape == (150, 2) and tsne.axis_titles == ("t-SNE 1", "t-SNE 2")
    assert np.array_equal(tsne.codes, small.codes) and not np.allclose(tsne.coords, small.coords)
    with pytest.raises(ValueError, match="t-SNE"):
        tsne.project(small.codes[:1])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 3.5, -4, "x"])
def test_latent_values_outside_the_sliders_are_refused(shipped: tuple, bad: object) -> None:
    model, lmap, _ = shipped
    z = [0.0] * 16
    z[0] = bad
    with pytest.raises(ValueError, match="latent"):
        lt.decode_point(model, lmap, z)


def test_counts_outside_the_ranges_are_refused(shipped: tuple) -> None:
    model, lmap, test = shipped
    with pytest.raises(ValueError, match="from 3 to 15"):
        lt.traversal(model, lmap, 1000)
    with pytest.raises(ValueError, match="from 1 to 64"):
        lt.sample(model, lmap, 10**6, 0)
    with pytest.raises(ValueError, match="whole number"):
        lt.sample(model, lmap, float("nan"), 0)
    with pytest.raises(ValueError, match="from 2 to 16"):
        lt.interpolate(model, test.X[0, 0], test.X[1, 0], 2.5)
    with pytest.raises(ValueError, match="must have 16 values"):
        lt.decode_point(model, lmap, [0.0, 0.0])


def test_a_mixture_fitted_to_the_2d_vae_codes_fits_them_better_with_more_components() -> None:
    model = checkpoints.load_model("vae-mnist-z2")
    test = data.load("mnist", "test")
    codes = lt.latent_map(model, test.X, test.y).codes
    one, ten = lt.fit_mixture(codes, 1), lt.fit_mixture(codes, 10)
    assert one.weights.shape == (1,) and ten.means.shape == (10, 2) and ten.covariances.shape == (10, 2, 2)
    assert ten.weights.sum() == pytest.approx(1.0) and ten.mean_log_likelihood > one.mean_log_likelihood
    a, b, c = (lt.mixture_sample(model, ten, 6, s) for s in (1, 1, 2))
    assert a.shape == (6, 28, 28) and np.array_equal(a, b) and not np.array_equal(a, c)
    # The draws land where the codes are: closer to their nearest code than the prior's draws are.
    near = lambda z: np.sqrt(((z[:, None] - codes[None]) ** 2).sum(-1)).min(1).mean()  # noqa: E731
    prior = np.random.default_rng(0).standard_normal((500, 2))
    assert near(lt.mixture_codes(ten, 64, 0)) < near(prior[:64])
    with pytest.raises(ValueError, match="number of components must be a whole number from 1 to 20"):
        lt.fit_mixture(codes, 21)
