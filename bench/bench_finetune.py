"""Full fine-tuning speed (lecture 4 homework, method (d)), as ratios to a bare PyTorch loop in the same run.

* one epoch of fine-tuning every layer of EfficientNet-Lite0 on 64 Fashion-MNIST images at 112 px
  (``core.transfer.fewshot.FullNet`` through the gallery's fit loop, Adam with the head's larger step)
  vs a bare PyTorch loop over the same network, batches and optimiser (target <= 1.1x);
* scoring 250 held-out images with the fine-tuned network (one forward pass each), per image, which is
  what a live (d) point costs after its training time bound.

Run: ``python -m bench.bench_finetune`` (one thread, so the numbers compare across the shared cores).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from bench.common import best_of, table  # noqa: E402
from core import data, training  # noqa: E402
from core.training import FitConfig, accuracy, fit  # noqa: E402
from core.transfer import backbone as bb  # noqa: E402
from core.transfer import fewshot as fs  # noqa: E402

N, BATCH, LR = 64, 32, 1e-4


def main() -> None:
    torch.set_num_threads(1)
    train = data.load(fs.DATASET, "train")
    X = torch.from_numpy(train.X[:N].copy())
    y = torch.from_numpy(train.y[:N].astype("int64"))
    model = fs.FullNet(bb.load_backbone(), 10)

    def ours() -> None:
        opt = training.make_optimizer("adam", model.param_groups(LR), LR)
        fit(model, F.cross_entropy, opt, (X, y), None, FitConfig(epochs=1, batch_size=BATCH, seed=0), [],
            metrics={"accuracy": accuracy})  # fmt: skip

    def bare() -> None:
        opt = torch.optim.Adam(model.param_groups(LR), lr=LR, fused=True)
        model.train()
        order = torch.randperm(N, generator=torch.Generator().manual_seed(0))
        for i in range(0, N, BATCH):
            idx = order[i : i + BATCH]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    def score() -> None:
        model.eval()
        with torch.no_grad():
            model(X[:50].repeat(5, 1, 1, 1)).argmax(1)

    ours(), bare()  # warm-up
    t_bare, t_ours = best_of(bare, 5), best_of(ours, 5)
    t_score = best_of(score, 3)
    ratio = t_ours / t_bare
    print(table(
        ["what", "gallery (ms)", "bare PyTorch (ms)", "ratio", "target", "ok"],
        [[f"full fine-tuning epoch, {N} images", t_ours * 1000, t_bare * 1000, ratio, "<= 1.1x",
          "yes" if ratio <= 1.1 else "NO"],
         ["ms per image and step (gallery)", t_ours * 1000 / N, t_bare * 1000 / N, "", "", ""],
         ["scoring, ms per held-out image", t_score * 1000 / 250, "", "", "", ""]],
    ))  # fmt: skip


if __name__ == "__main__":
    main()
