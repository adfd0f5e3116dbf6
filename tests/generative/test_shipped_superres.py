"""The shipped ESPCNs: each entry states the contract, the file is small, the held-out PSNR and SSIM are
measured again from the file, and the ESPCN beats bicubic in PSNR on every held-out photo."""

from __future__ import annotations

import pytest
import torch

from core import checkpoints
from core.generative import superres as sr
from core.generative import superres_training as srt
from core.registry import remeasure

SHIPPED = ("espcn-x2", "espcn-x3", "espcn-x4")


@pytest.mark.parametrize("name", SHIPPED)
def test_entry_states_the_contract(name: str) -> None:
    ent = checkpoints.entry(name)
    assert ent.task == "super-resolution" and ent.builder == "espcn" and ent.lecture == 5
    assert srt.checkpoint(ent.config["scale"]) == name
    assert tuple(ent.dataset["held_out"]) == sr.HELD_OUT
    assert not set(ent.dataset["held_out"]) & set(ent.dataset["train_photos"])
    assert (checkpoints.PRETRAINED_DIR / ent.file).stat().st_size < 1 * 2**20
    assert "quick" not in ent.metrics


@pytest.mark.parametrize("name", SHIPPED)
def test_forward_enlarges_by_the_scale_into_0_1(name: str) -> None:
    model = checkpoints.load_model(name)
    scale = checkpoints.entry(name).config["scale"]
    with torch.no_grad():
        y = model(torch.rand(1, 3, 13, 21))
    assert y.shape == (1, 3, 13 * scale, 21 * scale)
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0


@pytest.mark.parametrize("name", SHIPPED)
def test_held_out_scores_are_re_measured_and_beat_bicubic(name: str) -> None:
    shipped = checkpoints.entry(name).metrics
    again = remeasure(name)
    for key in ("espcn_psnr", "espcn_ssim", "bicubic_psnr", "bicubic_ssim"):
        assert again[key] == pytest.approx(shipped[key], abs=1e-3), key
    for photo in sr.HELD_OUT:
        assert again[f"espcn_psnr_{photo}"] > again[f"bicubic_psnr_{photo}"], photo
