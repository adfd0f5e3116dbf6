"""The lecture 5 training bench compares like with like: the fit loop, called as each trainer calls it, and
the bare PyTorch loop beside it end with the same weights (same seeded start, same batches, same steps)."""

from __future__ import annotations

import pytest

from bench import bench_generative as bg


@pytest.mark.parametrize("make", [bg.pixelcnn_case, bg.dcgan_case, bg.espcn_case, bg.vae_case],
                         ids=["pixelcnn", "dcgan", "espcn", "vae"])
def test_fit_loop_and_bare_loop_train_the_same_weights(make) -> None:
    case = make(2)
    assert len(case.data[0]) == 2 * case.batch_size
    bare, looped = case.bare(), case.with_fit()
    assert bg._max_difference(bare, looped) == 0.0
    untrained, _ = case.build()
    assert bg._max_difference(untrained, looped) > 0.0  # both really trained
