"""The shipped autoencoder grid (4 kinds x 5 code sizes x MNIST and Fashion-MNIST): every cell is in the
manifest with its contract and float16 weights, and its held-out metrics are measured again from the
shipped file: fully for every MNIST cell (1,000 test images) and one Fashion-MNIST cell per kind (10,000);
the other Fashion-MNIST cells are checked against their sha256 on loading and re-measured on their first
1,000 test images, which must agree with the full-split numbers to within 3%."""

from __future__ import annotations

import json
import struct

import pytest

from core import checkpoints, data
from core.generative import ae_training as tr
from core.registry import remeasure

NAMES = sorted(tr.CHECKPOINTS)
FULL = [n for n in NAMES if "-mnist-" in n and "fashion" not in n] + [
    "ae-fashion-mnist-z2", "vae-fashion-mnist-z8", "beta-vae-fashion-mnist-z32", "sbd-vae-fashion-mnist-z4"]
SUBSET = [n for n in NAMES if n not in FULL]
SUBSET_IMAGES = 1_000


def test_the_grid_covers_every_kind_size_and_data_set() -> None:
    cells = {(c.kind, c.dataset, c.latent_dim) for c in tr.CHECKPOINTS.values()}
    assert len(cells) == 4 * 5 * 2 == len(NAMES)
    assert {"vae-fashion-mnist-z8", "sbd-vae-mnist-z4", "beta-vae-mnist-z32"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_entry_states_the_contract(name: str) -> None:
    ent = checkpoints.entry(name)
    cfg = tr.CHECKPOINTS[name]
    assert ent.task == ("vae" if cfg.variational else "autoencoder")
    keys = ("kind", "dataset", "latent_dim", "beta", "channels", "hidden", "epochs", "train_size", "weights")
    assert {k: ent.config[k] for k in keys} == {k: getattr(cfg, k) for k in keys}
    assert cfg.weights == "float16"
    assert ("MNIST" in ent.dataset["provenance"]) and (cfg.dataset != "fashion-mnist"
                                                       or "Fashion-MNIST" in ent.dataset["provenance"])
    path = checkpoints.PRETRAINED_DIR / ent.file
    assert path.stat().st_size < 600_000
    raw = path.read_bytes()
    header = json.loads(raw[8 : 8 + struct.unpack("<Q", raw[:8])[0]])
    assert {v["dtype"] for k, v in header.items() if k != "__metadata__"} == {"F16"}
    m = ent.metrics
    assert 0 < m["test_recon"] < 784 * 0.7  # 784 log 2 = 543 nats: a uniform Bernoulli guess
    if cfg.variational:
        assert m["test_neg_elbo"] == pytest.approx(m["test_recon"] + m["test_kl"], abs=2e-4)
        assert 0 <= m["active_dims"] <= cfg.latent_dim


@pytest.mark.parametrize("name", FULL)
def test_held_out_metrics_are_re_measured_from_the_file(name: str) -> None:
    shipped = checkpoints.entry(name).metrics
    again = remeasure(name)
    for key, value in shipped.items():
        assert again[key] == pytest.approx(value, rel=1e-4, abs=1e-3), key


@pytest.mark.parametrize("name", SUBSET)
def test_the_other_cells_load_verified_and_agree_on_a_subset(name: str) -> None:
    model = checkpoints.load_model(name)  # checks the file's sha256 against the manifest first
    test = data.load(tr.CHECKPOINTS[name].dataset, "test")
    part = tr.held_out(model, tr._tensor(test.X[:SUBSET_IMAGES]))
    shipped = checkpoints.entry(name).metrics
    assert part["test_recon"] == pytest.approx(shipped["test_recon"], rel=0.03)
    if "test_kl" in shipped:
        assert part["test_kl"] == pytest.approx(shipped["test_kl"], rel=0.03, abs=0.1)


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_what_the_grid_shows_holds_in_its_numbers(dataset: str) -> None:
    def m(kind: str, d: int) -> dict:
        return checkpoints.entry(tr.grid_name(kind, dataset, d)).metrics

    # A wider code reconstructs better: the plain autoencoder's error falls from 2 to 32 dimensions.
    assert m("ae", 32)["test_recon"] < m("ae", 8)["test_recon"] < m("ae", 2)["test_recon"]
    for d in (2, 4, 8, 16, 32):
        # beta = 4 buys a smaller KL and fewer active dimensions than the VAE of the same code size.
        assert m("beta-vae", d)["test_kl"] < m("vae", d)["test_kl"]
        assert m("beta-vae", d)["active_dims"] <= m("vae", d)["active_dims"]
        assert m("beta-vae", d)["test_recon"] > m("vae", d)["test_recon"]
    assert m("vae", 16)["test_neg_elbo"] < m("vae", 2)["test_neg_elbo"]
