"""Lecture 4 speed, as ratios to bare timm / PyTorch measured in the same run.

* classify one photo (``core.transfer.classify``) vs timm's own eval transform + a bare forward
  (target <= 1.2x, and under 150 ms);
* Grad-CAM (``core.transfer.saliency.explain``) vs one bare forward + backward to the input
  (target <= 2x, and under 300 ms).

Run: ``python -m bench.bench_transfer``.
"""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import timm  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from bench.common import best_of, table  # noqa: E402
from core.transfer import backbone as bb  # noqa: E402
from core.transfer import classify, photos, saliency  # noqa: E402


def main() -> None:
    warnings.simplefilter("ignore", UserWarning)
    image = Image.fromarray(np.asarray(photos.load_photo("chelsea").rgba)).convert("RGB")
    model = bb.load_backbone().model
    cfg = timm.data.resolve_data_config({}, model=model)
    transform = timm.data.create_transform(**cfg)

    def bare_classify() -> None:
        with torch.inference_mode():
            torch.softmax(model(transform(image).unsqueeze(0)), 1).topk(5)

    def bare_forward_backward() -> None:
        x = transform(image).unsqueeze(0).requires_grad_(True)
        model(x)[0, 281].backward()

    rows = []
    for name, ours, bare, target, limit in (
        ("classify one photo", lambda: classify(image), bare_classify, 1.2, 0.150),
        ("Grad-CAM", lambda: saliency.explain(image, "gradcam"), bare_forward_backward, 2.0, 0.300),
    ):
        ours(), bare()  # warm-up
        t_bare = best_of(bare, 7)
        t_ours = best_of(ours, 7)
        ratio = t_ours / t_bare
        ok = ratio <= target and t_ours <= limit
        rows.append(
            (
                name,
                f"{t_ours * 1000:.1f}",
                f"{t_bare * 1000:.1f}",
                f"{ratio:.2f}x",
                f"<= {target}x",
                f"< {limit * 1000:.0f}",
                "ok" if ok else "MISS",
            )
        )
    print(f"torch threads: {torch.get_num_threads()}")
    print(table(("what", "ours ms", "bare ms", "ratio", "target", "limit ms", ""), rows))


if __name__ == "__main__":
    main()
