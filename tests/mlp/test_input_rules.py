"""Lecture 2's input rules: bad CSV cells, labels, ranges, NaN, bounded caches and files, clear messages."""

from __future__ import annotations

import io
import math
import re
import shutil
from pathlib import Path

import gradio as gr
import numpy as np
import pytest

from apps.gradio_tabs import lecture2 as tab
from apps.gradio_tabs import lecture2_optim as race_tab
from core.mlp import config as cf
from core.mlp import datasets as ds
from core.mlp import optimisers as ov
from tests.helpers import ROOT, page, texts


def csv_rows(n: int = 30, extra: str = "") -> str:
    lines = ["x1,x2,label"] + [f"{i % 7}.5,{i % 5}.25,{'a' if i % 2 else 'b'}" for i in range(n)]
    return "\n".join(lines) + "\n" + extra


@pytest.mark.parametrize("cell", ["1e300", "-1e300", "1e30"])
def test_a_cell_beyond_what_float32_training_can_hold_is_refused_with_its_row_and_column(cell: str) -> None:
    content = csv_rows(extra=f"{cell},1.0,a\n")
    with pytest.raises(ValueError, match=r"row 32, column 'x1': .* too large"):
        ds.parse_csv(content)
    ds.parse_csv(csv_rows(extra="1e15,1.0,a\n"))  # large but trainable stays accepted


def test_numeric_labels_written_differently_are_one_class() -> None:
    rows = [f"{i / 10},{i % 3},{('1', '1.0', '01', '2', '2.00')[i % 5]}" for i in range(40)]
    data = ds.parse_csv("\n".join(rows))
    assert data.classes == ("1", "2")
    counts = np.bincount(np.concatenate([data.y_train, data.y_val, data.y_test]))
    assert counts.tolist() == [24, 16]


def test_class_names_stay_attached_to_their_own_rows() -> None:
    # Each class sits in its own corner; after the shuffle and split every point must keep its name.
    corners = {"cat": (0.0, 0.0), "dog": (10.0, 0.0), "owl": (0.0, 10.0)}
    rng = np.random.default_rng(0)
    lines = ["x1,x2,animal"]
    for k in range(90):
        name = ("owl", "cat", "dog")[k % 3]
        x, y = np.array(corners[name]) + rng.normal(0, 0.5, 2)
        lines.append(f"{x:.3f},{y:.3f},{name}")
    data = ds.parse_csv("\n".join(lines), "zoo.csv")
    assert data.classes == ("cat", "dog", "owl")
    for split in ("train", "val", "test"):
        X, y = data.split(split)
        for c, name in enumerate(data.classes):
            assert np.abs(X[y == c] - corners[name]).max() < 3, (split, name)


def test_the_row_limit_is_the_same_on_both_front_ends(tmp_path: Path) -> None:
    content = csv_rows(ds.MAX_CSV_ROWS + 1).encode()
    expected = f"{ds.MAX_CSV_ROWS + 1:,} rows (the limit is {ds.MAX_CSV_ROWS:,})"
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(gr.Error, match=re.escape(expected)):
        next(tab.train_mlp_csv(str(path), 2, 64, "relu", "adam", 0.01, 0, 10, 0, 0, 0, 0, 0))
    at = page("apps/pages/l2/playground.py")
    at.segmented_control(key="l2pg_source").set_value("CSV file").run()
    at.get("file_uploader")[0].set_value(("big.csv", content, "text/csv")).run()
    assert any(expected in e.value for e in at.error)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan", 1e6])
def test_nan_inf_and_out_of_range_values_never_pass_a_range_check(value: object) -> None:
    with pytest.raises(ValueError, match="dropout"):
        cf.playground_config(2, 64, "relu", "adam", 0.01, 0, 10, 0, 0, value, 0, 0)
    with pytest.raises(ValueError, match="start x"):
        ov.race_settings("bowl", ["adam"], 0.01, 0.1, 100, value, 0.0, 0.9, 0.99, 0.9, 0.999)


def test_trajectory_endpoint_enforces_the_sliders_ranges() -> None:
    with pytest.raises(gr.Error, match="steps must be a whole number from 10 to 500, not 1000000"):
        race_tab.trajectory("bowl", "adam", 0.1, 1_000_000)
    with pytest.raises(gr.Error, match="learning rate"):
        race_tab.trajectory("bowl", "adam", math.nan, 100)
    with pytest.raises(gr.Error, match="start y"):
        race_tab.trajectory("bowl", "adam", 0.1, 100, 0.0, math.inf)
    assert len(race_tab.trajectory("bowl", "adam", 0.1, 500)["path"]) == 501  # the slider's maximum works


def test_numeric_choices_arrive_as_numbers_or_text_and_bad_ones_name_the_control() -> None:
    cfg = cf.playground_config(2.0, 64.0, "tanh", "sgd", "0.01", 8.0, 10.0, "0.0", 1e-4, 0.1, 0.0, 3.0)
    assert (cfg.hidden, cfg.lr, cfg.batch_size, cfg.l2, cfg.seed) == ((64, 64), 0.01, 8, 1e-4, 3)
    with pytest.raises(gr.Error, match="neurons per layer must be one of 1, 2, 4") as err:
        tab._config(2, 65, "relu", "adam", 0.01, 0, 10, 0, 0, 0, 0, 0)
    assert "list of choices" not in str(err.value)
    with pytest.raises(gr.Error, match="RMSProp decay"):
        race_tab.optimizer_race("bowl", 0.01, 0.1, 100, -2.5, 1.5, 0.9, 0.42, 0.9, 0.999, 50, ["adam"])


def test_error_texts_never_show_object_reprs() -> None:
    with pytest.raises(gr.Error) as err:
        next(tab.train_mlp_csv(io.BytesIO(b"x"), 2, 64, "relu", "adam", 0.01, 0, 10,  # type: ignore
                               0, 0, 0, 0, 0))
    assert "object at 0x" not in str(err.value) and "upload a CSV file" in str(err.value)
    with pytest.raises(gr.Error) as err:
        next(tab.train_mlp(object(), 300, 0.2, 2, 0, 2, 64, "relu", "adam", 0.01, 0, 10,  # type: ignore
                           0, 0, 0, 0, 0))
    assert "object at 0x" not in str(err.value) and "data set must be one of" in str(err.value)


def test_the_racer_cache_is_bounded_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ov, "RACER_CACHE_BYTES", 64 * 1024)
    ov._RACERS.clear()
    for i in range(20):
        ov.trajectory("bowl", "sgd", 0.001, 400, (-2.0 + 0.01 * i, 1.0))
    assert 0 < sum(r.nbytes for r in ov._RACERS.values()) <= 64 * 1024
    assert len(ov._RACERS) < 20  # the oldest racers went
    ov._RACERS.clear()


def test_weights_files_handed_to_gradio_do_not_pile_up(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setattr(tab, "WEIGHTS_DIR", tmp_path / "weights")
    monkeypatch.setattr(tab, "KEEP_WEIGHTS", 3)

    class Run:
        def weights_bytes(self) -> bytes:
            return b"w"

    files = [Path(tab._weights_file(Run())) for _ in range(7)]  # type: ignore[arg-type]
    assert len(list((tmp_path / "weights").iterdir())) == 3
    assert all(f.is_file() for f in files[-3:]) and not any(f.exists() for f in files[:4])


def test_a_corrupt_shipped_model_is_reported_and_can_be_rebuilt(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    from apps.pages.l2 import _playground_views as views

    shipped = tmp_path / "pretrained"
    shipped.mkdir()
    shutil.copy(ROOT / "pretrained" / "manifest.json", shipped)
    raw = bytearray((ROOT / "pretrained" / "mlp-playground.safetensors").read_bytes())
    raw[-1] ^= 0xFF
    (shipped / "mlp-playground.safetensors").write_bytes(bytes(raw))
    monkeypatch.setenv("GALLERY_PRETRAINED_DIR", str(shipped))
    views._shipped.clear()
    try:
        at = page("apps/pages/l2/playground.py")
        assert "Not showing the shipped model" in texts(at) and "sha256" in texts(at).lower()
        assert "l2pg_map" not in {c.key for c in at.get("plotly_chart")}
        at.button(key="l2pg_rebuild").click().run(timeout=300)
        assert not at.exception and "Not showing the shipped model" not in texts(at)
        assert "shipped model for these default settings" in texts(at)
    finally:
        views._shipped.clear()
