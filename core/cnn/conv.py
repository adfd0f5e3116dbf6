"""Convolution arithmetic (lecture 3): output sizes of convolution, transposed convolution and pooling.

PyTorch's documented formulas for Conv2d, ConvTranspose2d and MaxPool2d, checked against torch in the
tests for every setting the pages offer (Dumoulin & Visin 2016, "A guide to convolution arithmetic").
"""

from __future__ import annotations


def _check(**values: int) -> None:
    mins = {"size": 1, "kernel": 1, "stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}
    for name, v in values.items():
        if int(v) != v or v < mins[name]:
            raise ValueError(f"{name} must be an integer ≥ {mins[name]}, got {v}")


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(n + 2p − d(k−1) − 1)/s⌋ + 1: the output length of a convolution (or pooling) on one axis.

    Raises ValueError when the dilated kernel d(k−1)+1 is longer than the padded input, as torch does.
    """
    _check(size=size, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
    effective = dilation * (kernel - 1) + 1
    if effective > size + 2 * padding:
        raise ValueError(
            f"the kernel spans {effective} pixels (d(k−1)+1 with k={kernel}, d={dilation}) but the padded "
            f"input has only {size + 2 * padding} (n={size}, p={padding}): the output would be empty"
        )
    return (size + 2 * padding - effective) // stride + 1


def conv_transpose_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, output_padding: int = 0
) -> int:
    """(n−1)s − 2p + d(k−1) + output_padding + 1: the output length of a transposed convolution.

    output_padding resolves the ambiguity that several input sizes give the same strided output; torch
    requires it to be smaller than the stride or the dilation.
    """
    _check(
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        output_padding=output_padding,
    )
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding ({output_padding}) must be smaller than the stride ({stride}) "
            f"or the dilation ({dilation})"
        )
    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if out < 1:
        raise ValueError(
            f"the padding ({padding}) crops more than the transposed convolution produces: output {out}"
        )
    return out


def pool_output_size(size: int, kernel: int, stride: int | None = None, padding: int = 0) -> int:
    """Pooling uses the convolution formula (stride defaults to the window); torch also wants p ≤ k/2."""
    if 2 * padding > kernel:
        raise ValueError(f"pooling padding ({padding}) must be at most half the window ({kernel})")
    return conv_output_size(size, kernel, kernel if stride is None else stride, padding)


def conv_formula_latex(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> str:
    """The output-size formula with these numbers substituted (for ``st.latex`` / Markdown)."""
    out = conv_output_size(n, k, s, p, d)
    return (
        rf"n_\text{{out}} = \left\lfloor \frac{{n + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1"
        rf" = \left\lfloor \frac{{{n} + 2\cdot {p} - {d}\cdot({k}-1) - 1}}{{{s}}} \right\rfloor + 1 = {out}"
    )


def transpose_formula_latex(n: int, k: int, s: int = 1, p: int = 0, d: int = 1, op: int = 0) -> str:
    """The transposed-convolution size formula with these numbers substituted."""
    out = conv_transpose_output_size(n, k, s, p, d, op)
    return (
        rf"n_\text{{out}} = (n-1)s - 2p + d(k-1) + p_\text{{out}} + 1"
        rf" = ({n}-1)\cdot {s} - 2\cdot {p} + {d}\cdot({k}-1) + {op} + 1 = {out}"
    )
