"""LeNet-5 as written in the paper, for the architecture gallery (its C3 connection table, scaled tanh,
trainable subsampling and RBF output are not in torchvision)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# --------------------------------------------------------------------------------------------------
# LeNet-5, exactly as in LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning applied to
# document recognition", Proc. IEEE 86(11), section II.B and appendix A.
# --------------------------------------------------------------------------------------------------

C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5),
)  # fmt: skip
"""Table I of the paper: which S2 maps each C3 map reads. Breaking the symmetry forces the 16 maps to
learn different features, and keeps C3 at 1,516 instead of 2,416 parameters."""


def scaled_tanh(x: Tensor) -> Tensor:
    """f(a) = 1.7159·tanh(2a/3) (appendix A): f(±1) = ±1 and maximal second derivative at ±1."""
    return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsampling(nn.Module):
    """S2/S4: the sum of each 2×2 block times a trainable coefficient plus a trainable bias (per map)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.coef = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:
        summed = 4.0 * F.avg_pool2d(x, 2)
        return summed * self.coef.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class ConnectionTableConv(nn.Module):
    """C3: a 5×5 convolution where output map ``o`` sees only the input maps ``table[o]``.

    Only the 60 connected (output, input) kernels are parameters; the full weight tensor is assembled
    with zeros on each call, so ``sum(p.numel())`` is the paper's count.
    """

    counts_as_layer = True

    def __init__(self, in_channels: int, table: tuple[tuple[int, ...], ...], kernel_size: int) -> None:
        super().__init__()
        pairs = [(o, i) for o, ins in enumerate(table) for i in ins]
        self.in_channels, self.out_channels, self.kernel_size = in_channels, len(table), kernel_size
        self.register_buffer("out_idx", torch.tensor([o for o, _ in pairs]), persistent=False)
        self.register_buffer("in_idx", torch.tensor([i for _, i in pairs]), persistent=False)
        bound = 2.4 / (len(pairs) / len(table) * kernel_size**2)  # appendix A: ±2.4 / fan-in
        self.weight = nn.Parameter(torch.empty(len(pairs), kernel_size, kernel_size).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.zeros(len(table)))

    def forward(self, x: Tensor) -> Tensor:
        k = self.kernel_size
        full = self.weight.new_zeros(self.out_channels, self.in_channels, k, k)
        full = full.index_put((self.out_idx, self.in_idx), self.weight)
        return F.conv2d(x, full, self.bias)

    def macs(self, out: Tensor) -> int:
        """Multiply-adds of the connected kernels only (what the sparse table saves)."""
        return int(out.shape[-1] * out.shape[-2] * self.weight.numel())


class EuclideanRBF(nn.Module):
    """Output layer: y_i = Σ_j (x_j − w_ij)². The prototypes w are fixed, not trained (section II.B:
    the paper drew them as stylised 7×12 bitmaps of ±1; here a seeded ±1 code plays the same role)."""

    counts_as_layer = True

    def __init__(self, in_features: int, classes: int, seed: int = 0) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        protos = torch.randint(0, 2, (classes, in_features), generator=gen).float() * 2 - 1
        self.register_buffer("prototypes", protos)

    def forward(self, x: Tensor) -> Tensor:
        return ((x.unsqueeze(1) - self.prototypes) ** 2).sum(-1)

    def macs(self, out: Tensor) -> int:
        return int(out.numel() * self.prototypes.shape[1])


class LeNet5(nn.Module):
    """LeNet-5 for 32×32 grey images: C1-S2-C3-S4-C5-F6-RBF, 60,000 trainable parameters."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.s2 = Subsampling(6)
        self.c3 = ConnectionTableConv(6, C3_TABLE, 5)
        self.s4 = Subsampling(16)
        self.c5 = nn.Conv2d(16, 120, 5)  # a convolution, not a linear layer: larger inputs give a map
        self.f6 = nn.Linear(120, 84)
        self.output = EuclideanRBF(84, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = scaled_tanh(self.s2(scaled_tanh(self.c1(x))))
        x = scaled_tanh(self.s4(scaled_tanh(self.c3(x))))
        x = scaled_tanh(self.c5(x)).flatten(1)
        return self.output(scaled_tanh(self.f6(x)))

