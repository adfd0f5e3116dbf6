"""Lecture 5, the autoencoder grid: page reruns after moving one control on the heaviest shipped cells
(Fashion-MNIST with a 32-dimensional code, the spatial broadcast decoder), switching between shipped
cells once each has been opened, and a rerun with a drawing on the canvas; beside them, the core calls
alone and a one-slider reference script rerun in the same run (AppTest's own floor on this machine now).

Run: ``.venv/bin/python -m bench.bench_autoencoders [--repeats 5]`` (Markdown tables). Target (issue 8):
any slider on a shipped model under 100 ms per rerun.
"""

from __future__ import annotations

import argparse
import base64
import io
import os

import numpy as np
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from bench.bench_generative import AE_MOVES, REFERENCE, Move, _rerun_ms, _select_slider
from bench.common import best_of, table
from core import checkpoints, data
from core.generative import ae_drawing as dr
from core.generative import autoencoders as ae
from core.generative import latent as lt

PAGE = os.path.join(os.path.dirname(__file__), "..", "apps", "pages", "l5", "autoencoders.py")


def _segmented(key: str, values: tuple[str, ...]) -> Move:
    return lambda at: lambda v: at.segmented_control(key=key).set_value(values[v % len(values)])


def _drawing() -> str:
    sheet = (dr.stroke_image([(0.5, 0.15), (0.5, 0.85)]) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(sheet).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


CELL_MOVES = (("latent dimension (shipped cells)", _select_slider("l5ae_z", ae.LATENT_DIMS)),
              ("model (shipped cells)", _segmented("l5ae_kind", ae.KINDS)))
CASES: tuple[tuple[str, dict[str, str], tuple[tuple[str, Move], ...], bool], ...] = (
    ("sbd-vae-fashion-mnist-z32", {"l5ae_data": "fashion-mnist", "l5ae_kind": "sbd-vae", "l5ae_z": "32"},
     AE_MOVES, False),
    ("vae-fashion-mnist-z32", {"l5ae_data": "fashion-mnist", "l5ae_z": "32"}, AE_MOVES, False),
    ("fashion-mnist, every cell", {"l5ae_data": "fashion-mnist"}, CELL_MOVES, False),
    ("vae-mnist-z8 with a drawing", {"l5ae_z": "8"}, AE_MOVES[:2], True),
)


def page_reruns(repeats: int) -> None:
    ref = AppTest.from_string(REFERENCE)
    ref.run()
    ref_best, ref_median = _rerun_ms(ref, lambda v: ref.slider(key="x").set_value(v % 10), repeats)
    rows = [("(reference)", "one slider, st.write", ref_best, ref_median, 1.0)]
    for label, params, moves, drawing in CASES:
        at = AppTest.from_file(PAGE, default_timeout=300)
        at.query_params.update(params)
        if drawing:
            at.session_state["l5ae_canvas"] = {"png": _drawing()}
        at.run()
        assert not at.exception, at.exception
        for _name, move in moves:  # every value once first: the shipped cells and caches are warm
            for v in range(8):
                move(at)(v)
                at.run()
        for name, move in moves:
            best, median = _rerun_ms(at, move(at), repeats)
            rows.append((label, name, best, median, best / ref_best))
    print("\nPage rerun after moving one control (AppTest, ms; target < 100 ms)\n")
    print(table(("cell", "control", "best ms", "median ms", "best / reference"), rows))


def core_calls(repeats: int) -> None:
    rows = []
    clf = checkpoints.load_model("cnn-mnist")
    sheet = dr.stroke_image([(0.5, 0.15), (0.5, 0.85)])
    for name in ("sbd-vae-fashion-mnist-z32", "vae-fashion-mnist-z32", "vae-mnist-z8"):
        model = checkpoints.load_model(name)
        test = data.load(model.config.dataset, "test")
        lmap = lt.latent_map(model, test.X[: lt.MAP_IMAGES], test.y[: lt.MAP_IMAGES])
        d = model.latent_dim
        rows += [(name, "traversal, 9 steps", 1e3 * best_of(lambda: lt.traversal(model, lmap, 9), repeats)),
                 (name, "32 prior samples", 1e3 * best_of(lambda: lt.sample(model, lmap, 32, 0), repeats)),
                 (name, "one latent point", 1e3 * best_of(lambda: lt.decode_point(model, lmap, np.zeros(d)),
                                                          repeats)),
                 (name, "encode a drawing", 1e3 * best_of(lambda: dr.encode_drawing(model, lmap, sheet, clf),
                                                          repeats))]
    print("\nCore calls behind the controls (ms, best of repeats)\n")
    print(table(("model", "call", "ms"), rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)  # one request per thread, as the server runs them
    core_calls(args.repeats)
    page_reruns(args.repeats)


if __name__ == "__main__":
    main()
