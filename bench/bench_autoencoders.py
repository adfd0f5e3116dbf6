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

from bench.bench_generative import AE_MOVES
from bench.common import best_of, table
from bench.page_reruns import Case, page_reruns, segmented, select_slider
from core import checkpoints, data
from core.generative import ae_drawing as dr
from core.generative import autoencoders as ae
from core.generative import latent as lt

PAGE = os.path.join(os.path.dirname(__file__), "..", "apps", "pages", "l5", "autoencoders.py")


def _drawing() -> str:
    sheet = (dr.stroke_image([(0.5, 0.15), (0.5, 0.85)]) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(sheet).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


CELL_MOVES = (("latent dimension (shipped cells)", select_slider("l5ae_z", ae.LATENT_DIMS)),
              ("model (shipped cells)", segmented("l5ae_kind", ae.KINDS)))
CASES: tuple[Case, ...] = (
    ("sbd-vae-fashion-mnist-z32", PAGE,
     {"l5ae_data": "fashion-mnist", "l5ae_kind": "sbd-vae", "l5ae_z": "32"}, {}, AE_MOVES),
    ("vae-fashion-mnist-z32", PAGE, {"l5ae_data": "fashion-mnist", "l5ae_z": "32"}, {}, AE_MOVES),
    ("fashion-mnist, every cell", PAGE, {"l5ae_data": "fashion-mnist"}, {}, CELL_MOVES),
    ("vae-mnist-z8 with a drawing", PAGE, {"l5ae_z": "8"}, {"l5ae_canvas": {"png": _drawing()}},
     AE_MOVES[:2]),
)


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
    page_reruns(CASES, args.repeats, "cell")


if __name__ == "__main__":
    main()
