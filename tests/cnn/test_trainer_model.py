"""The homework CNN: config validation by shape arithmetic, training smoke runs, inspection helpers,
drawing preprocessing, and the shipped checkpoints re-measured on their full held-out test sets."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest
import torch
from PIL import Image

from core import checkpoints, data
from core.cnn import classify, convnet, inspection, shipped, trainer_figures
from core.cnn import config as cnn_config
from core.cnn import training as cnn_training
from core.cnn.config import PAGE_MAX_IMAGES
from core.cnn.training import train_cnn
from core.jobs import JobQueue
from core.training import Callback

TINY = cnn_config.CNNConfig(filters=8, train_size=256, val_size=64, epochs=2, batch_size=64, time_budget_s=60)


# ---- configuration and shapes -----------------------------------------------------------------------


def test_default_cnn_is_small_and_counts_its_parameters() -> None:
    model = convnet.build_cnn(**asdict(shipped.DEFAULT))
    n = sum(p.numel() for p in model.parameters())
    assert n == cnn_config.param_count(shipped.DEFAULT) and 20_000 < n < 200_000
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert model.config == shipped.DEFAULT  # classify_image reads the data set from it


@pytest.mark.parametrize(
    "change",
    [
        dict(),
        dict(stride=2),
        dict(padding="valid", kernel_size=5),
        dict(pooling="avg", blocks=3),
        dict(pooling="none", blocks=1, kernel_size=7),
        dict(padding=2, kernel_size=4, stride=2),
        dict(kernel_size=1),
        dict(dataset="digits", blocks=2),
        dict(batch_norm=False, blocks=4),
    ],
)
def test_shape_arithmetic_matches_what_torch_computes(change: dict) -> None:
    config = replace(shipped.DEFAULT, **change)
    shapes = cnn_config.validate(config)
    model = convnet.build_cnn(**asdict(config)).eval()
    seen: list[tuple[int, int]] = []
    for block in model.features:
        for layer in block:
            if isinstance(layer, (torch.nn.Conv2d, torch.nn.MaxPool2d, torch.nn.AvgPool2d)):
                layer.register_forward_hook(lambda m, i, out: seen.append((out.shape[1], out.shape[-1])))
    model(torch.zeros(2, 1, config.image_size, config.image_size))
    assert seen == [(s.channels, s.size) for s in shapes]
    assert sum(p.numel() for p in model.parameters()) == cnn_config.param_count(config)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(blocks=5, stride=2), "below 1x1"),
        (dict(blocks=3, kernel_size=9, padding="valid"), "does not fit"),
        (dict(kernel_size=4), "odd kernel"),
        (dict(filters=256, blocks=3, pooling="none"), "parameters"),
        (dict(dropout=1.0), "dropout"),
        (dict(dataset="cifar-10"), "unknown data set"),
        (dict(optimizer="lbfgs"), "optimiser"),
        (dict(lr=0.0), "learning rate"),
        (dict(padding="full"), "padding"),
    ],
)
def test_absurd_configs_are_refused_before_training(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cnn_config.validate(replace(shipped.DEFAULT, **change))
    with pytest.raises(ValueError, match=message):
        train_cnn(replace(shipped.DEFAULT, **change))  # refused before any data is loaded or step taken


def test_page_budget_caps_epochs_times_images() -> None:
    with pytest.raises(ValueError, match="more than this server trains"):
        cnn_config.validate(replace(shipped.DEFAULT, epochs=20, train_size=60_000), PAGE_MAX_IMAGES)
    cnn_config.validate(replace(shipped.DEFAULT, epochs=1, train_size=60_000), cnn_config.PAGE_MAX_IMAGES)


# ---- training --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run() -> cnn_training.CNNRun:
    return cnn_training.train_cnn(TINY, test_limit=500)


def test_tiny_training_run_learns_and_predicts_the_test_images(tiny_run: cnn_training.CNNRun) -> None:
    run = tiny_run
    assert run.fit.status == "completed" and run.fit.epochs_run == 2
    assert run.n_train == 256 and run.n_val == 64 and "Fashion-MNIST" in run.provenance
    hist = run.fit.history  # fine-grained: several rows per epoch, so a one-epoch run still draws a curve
    assert len(hist["epoch"]) >= 4 and hist["epoch"][-1] == pytest.approx(2.0) and hist["epoch"][0] < 1
    assert np.isfinite(hist["val_accuracy"][-1])
    assert run.test_probs.shape == (500, 10) and np.allclose(run.test_probs.sum(1), 1, atol=1e-5)
    assert run.test_accuracy > 0.3  # 8 Adam steps on 256 images: well above chance (0.1)
    assert run.images_per_s > 0


def test_training_is_reproducible_for_a_seed() -> None:
    cfg = replace(TINY, train_size=128, epochs=1, val_size=0)
    a, b = cnn_training.train_cnn(cfg, test_limit=64), cnn_training.train_cnn(cfg, test_limit=64)
    assert np.array_equal(a.test_probs, b.test_probs)
    c = cnn_training.train_cnn(replace(cfg, seed=1), test_limit=64)
    assert not np.array_equal(a.test_probs, c.test_probs)


def test_job_gets_live_rows_filter_snapshots_and_can_stop() -> None:
    queue = JobQueue()
    job = queue.submit(lambda j: train_cnn(replace(TINY, epochs=1), j, test_limit=100), name="cnn")
    assert job.wait(120) and job.status == "done", job.error
    hist = job.history()
    assert {"epoch", "train_loss", "val_accuracy"} <= set(hist)
    assert len(hist["epoch"]) == len(hist["train_loss"]) >= 4 and job.progress == 1.0
    assert job.artifact("filters").shape == (8, 3, 3)
    assert job.fit_result is not None and job.fit_result.status == "completed"

    stopped = queue.submit(lambda j: (j.stop(), train_cnn(replace(TINY, epochs=50), j, test_limit=10))[1])
    assert stopped.wait(120) and stopped.status == "stopped"
    assert stopped.result.fit.status == "stopped" and stopped.result.fit.steps <= 1


def test_cosine_schedule_decays_the_learning_rate_to_zero_over_the_run() -> None:
    class LRs(Callback):
        def __init__(self) -> None:
            self.lrs: list[float] = []

        def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
            assert self.state is not None
            self.lrs.append(self.state.optimizers[0].param_groups[0]["lr"])
            return True

    seen = {s: LRs() for s in ("constant", "cosine")}
    for schedule, rec in seen.items():
        train_cnn(replace(TINY, lr_schedule=schedule, val_size=0), callbacks=[rec], test_limit=10)
    assert seen["constant"].lrs == [TINY.lr] * 8
    cos = seen["cosine"].lrs
    assert len(cos) == 8 and cos[-1] == pytest.approx(0.0, abs=1e-9) and cos == sorted(cos, reverse=True)
    assert cos[3] == pytest.approx(TINY.lr / 2)  # half-way through the 8 steps, cos(pi/2): half the rate


def test_live_curve_has_validation_points_at_the_start_and_at_each_epoch_end() -> None:
    run = train_cnn(TINY, test_limit=10)
    hist = run.fit.history
    val = np.asarray(hist["val_accuracy"])
    ends = [i for i, x in enumerate(hist["epoch"]) if x in (1.0, 2.0)]
    assert len(ends) == 2 and np.isfinite(val[[0, *ends]]).all()
    assert len(val) == len(hist["train_loss"]) == len(hist["epoch"])


def test_time_budget_stops_a_long_run() -> None:
    run = cnn_training.train_cnn(replace(TINY, epochs=200, time_budget_s=0.5), test_limit=10)
    assert run.fit.status == "time_budget" and run.fit.epochs_run < 200


# ---- what the model learned -------------------------------------------------------------------------------


def test_worst_mistakes_are_the_most_confident_wrong_answers() -> None:
    y = np.array([0, 0, 1, 2, 2])
    probs = np.array([[0.9, 0.1, 0], [0.2, 0.8, 0], [0, 1.0, 0], [0.6, 0, 0.4], [0.3, 0, 0.7]])
    worst = inspection.worst_mistakes(probs, y, k=5)
    assert [(m.index, m.true, m.pred) for m in worst] == [(1, 0, 1), (3, 2, 0)]
    assert worst[0].confidence == pytest.approx(0.8)


def test_filters_feature_maps_and_figures(tiny_run: cnn_training.CNNRun) -> None:
    model = tiny_run.model
    assert inspection.first_layer_filters(model).shape == (8, 3, 3)
    maps = inspection.feature_maps(model, tiny_run.test_X[0])
    names = [m.name for m in maps]
    assert names == [
        "block 1 · conv",
        "block 1 · batch norm",
        "block 1 · ReLU",
        "block 1 · max-pool",
        "block 2 · conv",
        "block 2 · batch norm",
        "block 2 · ReLU",
        "block 2 · max-pool",
    ]
    assert maps[0].maps.shape == (8, 28, 28) and maps[-1].maps.shape == (16, 7, 7)
    assert (maps[2].maps >= 0).all()  # after ReLU
    mistakes = trainer_figures.mistakes_figure(tiny_run, k=6)
    assert len(mistakes.layout.annotations) == 6 and "→" in mistakes.layout.annotations[0].text
    picture = trainer_figures.filters_image(inspection.first_layer_filters(model), cols=4, px=5)
    assert picture.shape == (2 * 3 * 5 + 5, 4 * 3 * 5 + 3 * 5, 3) and picture.dtype == np.uint8
    grid = np.asarray(trainer_figures.filters_figure(model).data[0].z, dtype=float)  # 8 tiles of 3x3 in a row
    assert grid.shape == (3, 8 * 3 + 7) and np.nanmax(np.abs(grid)) == pytest.approx(1.0)


# ---- drawings and uploads ---------------------------------------------------------------------------------


def _canvas(stroke: str = "one", transparent: bool = False) -> np.ndarray:
    """A 280x280 drawing like the page's canvas: black ink on white (or on a transparent layer)."""
    from PIL import ImageDraw

    im = Image.new("RGBA", (280, 280), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(im)
    if stroke == "one":
        draw.line([(150, 40), (130, 240)], fill=(0, 0, 0, 255), width=20)
    else:
        draw.ellipse([60, 50, 220, 230], outline=(0, 0, 0, 255), width=20)
    return np.asarray(im)


@pytest.mark.parametrize("transparent", [False, True])
def test_drawing_is_preprocessed_like_mnist(transparent: bool) -> None:
    x = classify.preprocess_image(_canvas("one", transparent), 28, "mnist")
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert (
        x.max() == pytest.approx(1.0, abs=0.05) and x[0].max() == 0 and x[:, 0].max() == 0
    )  # white on black
    rows, cols = np.nonzero(x > 0.1)
    assert rows.max() - rows.min() <= 20 and cols.max() - cols.min() <= 20  # fits the 20x20 box
    mass = x / x.sum()
    cy, cx = (mass.sum(1) * np.arange(28)).sum(), (mass.sum(0) * np.arange(28)).sum()
    assert abs(cy - 13.5) < 1.5 and abs(cx - 13.5) < 1.5  # centred by centre of mass


def test_fashion_style_fills_the_frame_and_dark_backgrounds_are_kept() -> None:
    x = classify.preprocess_image(_canvas("ring"), 28, "fashion")
    rows, _ = np.nonzero(x > 0.1)
    assert rows.max() - rows.min() >= 25
    dark = 1.0 - _canvas("ring")[..., :3].mean(-1) / 255  # white ring on black: no inversion
    assert np.allclose(classify.preprocess_image(dark, 28, "fashion"), x, atol=0.05)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.full((280, 280, 4), 255, np.uint8), "blank"),
        (np.zeros((0, 0)), "empty"),
        (np.zeros((4, 4)), "too small"),
        (np.zeros((10, 1000)), "thin strip"),
        (np.full((30, 30), np.nan), "NaN"),
        (np.zeros((2, 30, 30, 2)), "expected a gray, RGB or RGBA"),
    ],
)
def test_odd_images_get_clear_errors(image: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        classify.preprocess_image(image)


# ---- shipped checkpoints ----------------------------------------------------------------------------------


def _shipped(name: str) -> tuple[torch.nn.Module, dict, data.Dataset]:
    entry = checkpoints.manifest().get(name)
    assert entry is not None, f"{name} is not shipped: run python -m core.train {name}"
    test = data.load(entry["dataset"]["name"], "test")
    measured_on = (entry["dataset"].get("test_source"), entry["dataset"]["n_test"])
    if (test.source, len(test)) != measured_on:  # e.g. full MNIST downloaded into the cache since
        pytest.skip(f"the test split here ({test.provenance}) is not the one {name} was measured on")
    return checkpoints.load_model(name), entry, test


@pytest.mark.parametrize(("name", "target"), [("cnn-fashion-mnist", 0.90), ("cnn-mnist", 0.97)])
def test_shipped_checkpoint_accuracy_is_remeasured(name: str, target: float) -> None:
    model, entry, test = _shipped(name)
    probs = cnn_training.predict_proba(model, test.X)
    acc = float((probs.argmax(1) == test.y).mean())
    assert len(test) == entry["metrics"]["n_test"] == entry["dataset"]["n_test"]
    assert abs(acc - entry["metrics"]["test_accuracy"]) <= 0.005
    assert acc >= target
    assert (checkpoints.PRETRAINED_DIR / entry["file"]).stat().st_size < 10 * 2**20
    assert entry["builder"] == convnet.BUILDER and "provenance" in entry["dataset"]


@pytest.mark.parametrize("name", ["cnn-fashion-mnist", "cnn-mnist"])
def test_shipped_model_classifies_drawing_like_test_images(name: str) -> None:
    """Test images turned into 'drawings' (dark ink on white, 280x280, off-centre) survive preprocessing."""
    model, _, test = _shipped(name)
    hits = 0
    for i in range(30):
        ink = np.zeros((280, 280), np.float32)
        big = (
            np.asarray(Image.fromarray((test.X[i, 0] * 255).astype(np.uint8)).resize((196, 196)), np.float32)
            / 255
        )
        ink[60:256, 20:216] = big
        result = classify.classify_image(model, (255 * (1 - ink)).astype(np.uint8))
        hits += result.top(1)[0][0] == test.classes[test.y[i]]
        assert len(result.top(5)) == 5 and abs(sum(p for _, p in result.top(10)) - 1) < 1e-4
    assert hits >= 24, f"only {hits}/30 re-drawn test images classified correctly"


def test_a_finite_but_useless_run_is_reported_as_failed_to_learn() -> None:
    """SGD at learning rate 10 without batch norm: the loss stays finite (no NaN for the fit loop to see)
    but the network ends at chance; the run must say so instead of 'completed'."""
    config = replace(TINY, optimizer="sgd", lr=10.0, batch_norm=False, epochs=1, train_size=512)
    run = train_cnn(config, test_limit=500)
    assert run.fit.status == "failed_to_learn", (run.fit.status, run.test_accuracy)
    assert "failed to learn" in run.fit.message and "chance level" in run.fit.message
    assert "learning rate" in run.fit.message
    healthy = train_cnn(replace(TINY, epochs=1, train_size=512), test_limit=500)
    assert healthy.fit.status == "completed"


def test_a_run_records_cs231n_diagnostics_update_ratios_and_weight_histograms() -> None:
    import dataclasses

    from core.cnn import config as cnn_config
    from core.cnn import diagnostics
    from core.cnn import training as cnn_training

    cfg = dataclasses.replace(cnn_config.CNNConfig(), train_size=1000, epochs=2, val_size=100, batch_size=100)
    run = cnn_training.train_cnn(cfg, test_limit=100)
    d = run.diagnostics
    assert d is not None and d.layers == ["conv 1", "conv 2", "linear 1"]
    assert d.hist_epochs == [0, 1, 2]  # before training and after each epoch
    assert len(d.ratios) >= 4 and all(len(r) == 3 for r in d.ratios)
    ratios = np.array(d.ratios)
    assert np.isfinite(ratios).all() and (ratios > 1e-5).all() and (ratios < 1).all()  # Adam: ~1e-3-1e-1
    for hists in d.hists:
        assert all(h.sum() == pytest.approx(1.0) for h in hists)
    assert "Median update/weight ratio: conv 1" in diagnostics.summary(d)
    assert diagnostics.ratio_figure(d).layout.yaxis.type == "log"
