"""The MLP playground in core.mlp (config, model, datasets, decision maps, training): regularisers,
early stopping, divergence, live maps, metrics, CSV upload errors, export, and the shipped checkpoint."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
import torch

from core import checkpoints, metrics
from core.jobs import JobQueue
from core.mlp import config as cf
from core.mlp import datasets as ds
from core.mlp import decision_maps as dm
from core.mlp import model as md
from core.mlp import training as tr
from core.registry import TrainContext, specs
from core.training import optim

FAST = cf.MLPConfig(hidden=(16, 16), epochs=40, lr=0.03)


@pytest.fixture(scope="module")
def moons() -> ds.MLPData:
    return ds.toy_data("moons", n=300)


@pytest.fixture(scope="module")
def run(moons: ds.MLPData) -> tr.MLPRun:
    return tr.train_mlp(FAST, moons)


def weight_norm(model: md.MLP, p: int) -> float:
    return float(sum(w.detach().abs().pow(p).sum() for w in model.weight_matrices()))


def test_default_mlp_architecture_and_readable_weight_names() -> None:
    model = md.build_mlp(**cf.MLPConfig().architecture(2, 3))
    assert model(torch.zeros(5, 2)).shape == (5, 3)
    assert list(model.state_dict()) == ["norm.shift", "norm.scale", "layers.fc1.weight", "layers.fc1.bias",
                                        "layers.fc2.weight", "layers.fc2.bias", "layers.out.weight",
                                        "layers.out.bias"]
    assert cf.MLPConfig().describe(3) == "2-64-64-3 relu"
    deep = md.build_mlp(hidden=[8] * 5, activation="tanh", dropout=0.3)
    assert sum(isinstance(m, torch.nn.Dropout) for m in deep.modules()) == 5


@pytest.mark.parametrize("bad, message", [
    ({"activation": "swish"}, "unknown activation"), ({"optimizer": "lbfgs"}, "unknown optimizer"),
    ({"dropout": 1.0}, "dropout"), ({"lr": 0.0}, "learning rate"), ({"l2": -1.0}, "negative"),
    ({"patience": 0}, "patience"), ({"hidden": (0,)}, "at least 1 unit"),
])  # fmt: skip
def test_invalid_settings_are_refused_with_a_reason(bad: dict[str, Any], message: str,
                                                    moons: ds.MLPData) -> None:
    with pytest.raises(ValueError, match=message):
        tr.train_mlp(cf.MLPConfig(**bad), moons)


def test_default_run_learns_moons_and_reports_every_split(run: tr.MLPRun) -> None:
    assert run.fit.status == "completed" and run.fit.epochs_run == 40
    assert run.metrics["train_accuracy"] > 0.85 and run.metrics["test_accuracy"] > 0.8
    assert set(run.fit.history) >= {"train_loss", "val_loss", "train_accuracy", "val_accuracy"}
    assert run.confusion.sum() == 60
    assert run.confusion.trace() / 60 == pytest.approx(run.metrics["test_accuracy"])


def test_same_settings_give_the_same_run(run: tr.MLPRun, moons: ds.MLPData) -> None:
    again = tr.train_mlp(FAST, moons)
    assert again.fit.history["train_loss"] == run.fit.history["train_loss"]


@pytest.mark.parametrize("optimizer", optim.OPTIMIZERS)
def test_l2_is_weight_decay_on_weights_only_and_shrinks_them(optimizer: str, moons: ds.MLPData) -> None:
    cfg = cf.MLPConfig(hidden=(16,), epochs=30, optimizer=optimizer, lr=0.1 if "sgd" in optimizer else 0.01)
    plain = tr.train_mlp(cfg, moons)
    decayed = tr.train_mlp(cf.MLPConfig(**{**cfg.to_dict(), "l2": 0.1}), moons)
    assert weight_norm(decayed.model, 2) < weight_norm(plain.model, 2)
    groups = md.make_optimizer(decayed.model, decayed.config).param_groups
    assert [g["weight_decay"] for g in groups] == [0.1, 0.0]
    assert all(p.ndim == 2 for p in groups[0]["params"]) and all(p.ndim == 1 for p in groups[1]["params"])


def test_weight_decay_step_equals_l2_in_the_loss_for_adam() -> None:
    """torch Adam's weight_decay is coupled L2 (not AdamW): one step equals Adam on loss + l2/2 ||w||^2."""
    torch.manual_seed(0)
    a = md.build_mlp(hidden=(4,))
    b = md.build_mlp(hidden=(4,))
    b.load_state_dict(a.state_dict())
    X, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    opt_a = md.make_optimizer(a, cf.MLPConfig(l2=0.5, lr=0.1))
    opt_b = md.make_optimizer(b, cf.MLPConfig(lr=0.1))
    torch.nn.functional.cross_entropy(a(X), y).backward()
    l2_term = 0.25 * sum(w.pow(2).sum() for w in b.weight_matrices())  # (0.5 / 2) * ||w||^2
    (torch.nn.functional.cross_entropy(b(X), y) + l2_term).backward()
    opt_a.step()
    opt_b.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-6)


def test_l1_drives_weights_towards_zero(moons: ds.MLPData) -> None:
    plain = tr.train_mlp(FAST, moons)
    sparse = tr.train_mlp(cf.MLPConfig(**{**FAST.to_dict(), "l1": 0.003}), moons)
    assert weight_norm(sparse.model, 1) < 0.5 * weight_norm(plain.model, 1)


def test_dropout_is_active_in_training_only(moons: ds.MLPData) -> None:
    r = tr.train_mlp(cf.MLPConfig(**{**FAST.to_dict(), "dropout": 0.5}), moons)
    X = moons.tensors("test")[0]
    assert not r.model.training and torch.equal(r.model(X), r.model(X))
    r.model.train()
    assert not torch.equal(r.model(X), r.model(X))


def test_early_stopping_stops_and_restores_the_best_epoch() -> None:
    small = ds.toy_data("moons", n=100, noise=0.4)  # 60 noisy points: a big MLP overfits fast
    r = tr.train_mlp(cf.MLPConfig(epochs=1000, lr=0.03, patience=10), small)
    assert r.fit.status == "early_stopped" and r.fit.epochs_run < 1000
    assert r.fit.epochs_run == r.fit.best_epoch + 10
    best_val = min(r.fit.history["val_loss"])
    assert r.metrics["val_loss"] == pytest.approx(best_val, rel=1e-5)  # the weights of the best epoch


def test_a_huge_learning_rate_is_reported_as_divergence(moons: ds.MLPData) -> None:
    r = tr.train_mlp(cf.MLPConfig(lr=10.0, epochs=100), moons)
    assert r.fit.status == "diverged" and r.fit.epochs_run < 10
    assert "learning rate" in r.fit.message


class RecordingJob:
    """Just enough of core.jobs.Job for train_mlp: records what is published."""

    def __init__(self) -> None:
        self.published: list[dm.DecisionGrid] = []

    def publish(self, key: str, value: Any) -> None:
        assert key == dm.LIVE_KEY
        self.published.append(value)

    def report(self, *args: Any, **kw: Any) -> None: ...

    def should_stop(self) -> bool:
        return False

    def callback(self) -> Any:
        from core.training import Callback

        return Callback()


def test_live_decision_maps_are_throttled(moons: ds.MLPData) -> None:
    job = RecordingJob()
    tr.train_mlp(cf.MLPConfig(**{**FAST.to_dict(), "epochs": 200}), moons, job=job, publish_every_s=3600)
    assert [g.epoch for g in job.published] == [0, 200]  # before training and the final map only
    job = RecordingJob()
    tr.train_mlp(cf.MLPConfig(**{**FAST.to_dict(), "epochs": 20}), moons, job=job, publish_every_s=0.0)
    assert [g.epoch for g in job.published] == list(range(21)) + [20]
    grid = job.published[-1]
    assert grid.probs.shape == (dm.GRID_RES, dm.GRID_RES, 2)
    assert np.allclose(grid.probs.sum(-1), 1, atol=1e-5)


def test_a_queued_job_shows_curves_and_maps_and_stops_on_request(moons: ds.MLPData) -> None:
    queue = JobQueue()
    job = queue.submit(lambda j: tr.train_mlp(cf.MLPConfig(epochs=100_000), moons, job=j))
    for _ in range(200):
        if len(job.history().get("train_loss", [])) > 5:
            break
        job.wait(0.05)
    job.stop()
    assert job.wait(30) and job.status == "stopped"
    assert job.result.fit.status == "stopped" and job.result.fit.epochs_run < 100_000
    assert job.artifact(dm.LIVE_KEY).epoch == job.result.fit.epochs_run


def test_confusion_matrix_and_per_class_report() -> None:
    cm = metrics.confusion_matrix(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0]), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    rows = {r["class"]: r for r in metrics.class_report(cm, ("a", "b", "c"))}
    assert rows["b"]["precision"] == pytest.approx(2 / 3) and rows["b"]["recall"] == 1.0
    assert rows["c"]["f1"] == 0.0 and rows["macro average"]["support"] == 5


GOOD = "x1,x2,label\n" + "".join(f"{i},{i % 7},{'cat' if i % 2 else 'dog'}\n" for i in range(30))


def test_csv_with_header_and_text_labels(tmp_path: Any) -> None:
    d = ds.parse_csv(GOOD.encode(), "pets.csv")
    assert d.classes == ("cat", "dog") and len(d) == 30 and d.features == ("x1", "x2")
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (18, 6, 6)
    assert d.provenance.startswith("pets.csv: 30 rows, 2 classes")
    no_header = "0.5;1;2\n" + "\n".join(f"{i};{-i};{i % 3}" for i in range(25))
    plain = ds.parse_csv(no_header)
    assert plain.classes == ("0", "1", "2") and len(plain) == 26


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"  \n\n", "the file is empty"),
    (b"\xff\xfe\x00garbage\x81", "not UTF-8 text"),
    (GOOD.replace("3,3,cat", "3,3,cat,extra"), "expected 3 columns .* found 4 in row 5"),
    ("x,y\n" + "1,2\n" * 30, "expected 3 columns .* found 2"),
    (GOOD.replace("4,4,dog", "4,abc,dog"), "row 6, column 'x2': 'abc' is not a number"),
    (GOOD.replace("4,4,dog", "4,NaN,dog"), "row 6 has a missing value .* 'x2'"),
    (GOOD.replace("4,4,dog", ",4,dog"), "row 6 has a missing value .* 'x1'"),
    (GOOD.replace("4,4,dog", "4,4,"), "row 6 has a missing label"),
    (GOOD.replace("4,4,dog", "inf,4,dog"), "not a finite number"),
    ("a,b,c\n" + "1,2,0\n1,3,1\n" * 4, "too few rows: 8"),
    ("".join(f"{i},{i},{i}\n" for i in range(25)), "25 distinct labels: at most 20 classes"),
    ("".join(f"{i},{i},same\n" for i in range(25)), "only one class"),
    ("".join(f"{i},{i},{i % 2}\n" for i in range(10_001)), "too large: 10,001 rows"),
])  # fmt: skip
def test_bad_csv_files_get_a_clear_message(content: bytes | str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ds.parse_csv(content.encode() if isinstance(content, str) else content)


def test_example_csv_round_trips() -> None:
    d = ds.parse_csv(ds.example_csv("blobs", n=100))
    assert len(d) == 100 and d.n_classes == 3


def test_exported_weights_and_config_rebuild_the_same_model(run: tr.MLPRun, moons: ds.MLPData) -> None:
    again = tr.load_exported(run.weights_bytes())
    X = moons.tensors("test")[0]
    assert torch.equal(again(X), run.model(X))
    cfg = json.loads(run.config_json())
    assert cfg["builder"] == "mlp" and cfg["architecture"]["hidden"] == [16, 16]
    assert cfg["metrics"]["test_accuracy"] == pytest.approx(run.metrics["test_accuracy"], abs=1e-6)
    assert cf.MLPConfig(**cfg["training"]) == FAST  # the exported settings rebuild the same config
    with pytest.raises(ValueError, match="not a playground export"):
        from safetensors.torch import save

        tr.load_exported(save({"w": torch.zeros(1)}))


def test_quick_checkpoint_rebuild_honours_directory(tmp_path: Any) -> None:
    entry = specs()["mlp-playground"].fn(TrainContext(directory=tmp_path, quick=True))
    assert entry["metrics"]["epochs"] == 5 and (tmp_path / "mlp-playground.safetensors").is_file()
    assert "moons" in entry["dataset"]["provenance"]
    assert checkpoints.load_model("mlp-playground", tmp_path).layers.fc1.out_features == 64


def test_shipped_checkpoint_reproduces_its_test_accuracy() -> None:
    ent = checkpoints.entry("mlp-playground")
    shipped = tr.shipped_run()
    assert shipped.metrics["test_accuracy"] == pytest.approx(ent["metrics"]["test_accuracy"], abs=1e-4)
    assert ent["metrics"]["test_accuracy"] > 0.95 and ent["config"] == cf.MLPConfig().architecture(2, 2)
    assert math.isfinite(shipped.metrics["test_loss"])


def test_l1_with_adam_makes_weights_small_but_not_exactly_zero(moons: ds.MLPData) -> None:
    """What the page says about L1, measured: many near-zero weights, no exact zeros (no proximal step)."""
    plain = tr.train_mlp(FAST, moons).sparsity()
    sparse = tr.train_mlp(cf.MLPConfig(**{**FAST.to_dict(), "l1": 0.003}), moons).sparsity()
    assert plain.total == sparse.total == 2 * 16 + 16 * 16 + 16 * 2
    assert sparse.near_zero > 5 * max(plain.near_zero, 1) and sparse.exact_zero == 0


def test_dropout_runs_also_record_the_training_split_with_dropout_off(moons: ds.MLPData) -> None:
    r = tr.train_mlp(cf.MLPConfig(**{**FAST.to_dict(), "dropout": 0.5}), moons)
    h = r.fit.history
    assert len(h["train_eval_loss"]) == len(h["train_loss"]) == len(h["epoch"])
    # The same weights scored without dropout: the final point is what the model does on the train split.
    assert h["train_eval_loss"][-1] == pytest.approx(r.metrics["train_loss"], rel=1e-5)
    assert h["train_eval_accuracy"][-1] == pytest.approx(r.metrics["train_accuracy"])
    assert h["train_loss"][-1] != pytest.approx(h["train_eval_loss"][-1], rel=1e-3)  # dropout on differs
    assert "train_eval_loss" not in tr.train_mlp(FAST, moons).fit.history  # without dropout: one curve


def test_dropout_is_inverted_dropout_keeping_the_mean_activation() -> None:
    """torch.nn.Dropout scales the kept units by 1/(1-p) while training, so eval mode needs no rescaling."""
    torch.manual_seed(0)
    net = md.build_mlp(hidden=[64], dropout=0.5).train()
    drop = net.layers.drop1
    h = torch.ones(20000, 64)
    kept = drop(h)
    assert set(torch.unique(kept).tolist()) == {0.0, 2.0}  # zero, or 1/(1 - 0.5)
    assert float(kept.mean()) == pytest.approx(1.0, abs=0.01)
