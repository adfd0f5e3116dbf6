"""Gradio tab of lecture 3: the architecture gallery, LeNet-5 to NAS, summarised from their real torchvision
/ timm definitions.

Endpoints, each with the choices of the page ``l3-architectures``:

- ``/describe_architecture`` (architecture, input size, metric to compare by) -> the architecture's numbers
  (parameters, multiply-adds, depth, conv + linear layers, receptive field, top-1: the page's metrics), a
  note (year, key idea, citation, source, the fixed-input and receptive-field remarks), the real module of
  its key idea, its key idea as a Graphviz diagram (DOT source; the page draws it), the comparison bars of
  every architecture on the chosen metric and accuracy against cost. Core calls:
  :func:`core.cnn.architecture_table.overview`, ``meta``, ``key_block``; figures
  :func:`core.cnn.architecture_figures.comparison_figure` and ``tradeoff_figure``.
- ``/architecture_layers`` (architecture, input size) -> every conv / linear / pooling layer of the real
  network at that size, traced live (:func:`core.cnn.architectures.summary`; a few seconds the first time,
  cached by the core).

Architectures are ``core.cnn.architecture_table.names()``, input sizes ``SIZES``, metrics
``core.cnn.architecture_figures.METRICS``. Both endpoints are deterministic (nothing is trained).
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, choice
from core.cnn import architecture_figures as arch_figures
from core.cnn import architecture_table as table

Described = tuple[dict[str, Any], str, str, str, go.Figure, go.Figure]
LAYER_COLUMNS = ("layer", "type", "kernel", "stride", "output", "params", "macs", "receptive_field", "jump")
"""Columns of the layer table (the keys of each row of ``core.cnn.architectures.summary``'s layers)."""


def _checked(name: Any, size: Any) -> tuple[str, int]:
    return choice("Architecture", name, table.names()), choice("Input size (pixels)", size, table.SIZES)


@functools.lru_cache(maxsize=32)
def _describe(name: str, size: int, metric: str) -> Described:
    meta = table.meta(name)
    try:
        s = table.overview(name, size)
        summaries = [table.overview(n, size) for n in table.names()]
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    numbers = {k: s[k] for k in ("name", "title", "year", *table.NUMBERS, "top1", "top1_source")}
    lines = [f"**{meta['title']}** ({meta['year']}) — {meta['key_idea']}  \n*{meta['citation']}.* "
             f"Built from `{meta['source']}`."]
    if meta["fixed_input"] and size != meta["input_size"]:
        lines.append(f"{meta['title']} only takes {meta['input_size']}×{meta['input_size']} inputs (its F6 "
                     f"layer fixes the size): the numbers are for {meta['input_size']} px.")
    if s["receptive_field"] > s["input_size"]:
        lines.append(f"The theoretical receptive field ({s['receptive_field']} px) exceeds the "
                     f"{s['input_size']} px input: the last units see the whole image plus padding (Araujo "
                     "et al. 2019).")
    block = f"# {meta['block'] or 'the whole network'}\n{table.key_block(name)}"
    return (numbers, "\n\n".join(lines), block, meta["diagram"],
            arch_figures.comparison_figure(summaries, metric, highlight=name),
            arch_figures.tradeoff_figure(summaries, highlight=name))  # fmt: skip


def describe_architecture(name: Any, size: Any, metric: Any) -> Described:
    """One architecture's numbers, note, key block and diagram (DOT), and every architecture compared."""
    arch, px = _checked(name, size)
    return _describe(arch, px, choice("Compare by", metric, tuple(arch_figures.METRICS)))


def architecture_layers(name: Any, size: Any) -> tuple[list[list[Any]], str]:
    """Every conv / linear / pooling layer of the real network at ``size`` pixels, and a caption."""
    from core.cnn import architectures as arch  # torchvision / timm: imported only when asked

    net, px = _checked(name, size)
    try:
        s = arch.summary(net, px)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    rows = [[layer[c] for c in LAYER_COLUMNS] for layer in s["layers"]]
    return rows, f"{len(rows)} conv / linear / pooling layers of {s['title']} at {s['input_size']} px."


def build() -> None:
    """Lay out the architecture gallery inside the current Blocks/Tab."""
    gr.Markdown("### Architecture gallery\nClassic and modern CNNs compared from their real definitions "
                "(torchvision / timm): parameters, multiply-adds, depth and receptive field at the input "
                "size you choose, and the module that carries each one's key idea. Nothing here is trained; "
                "top-1 accuracies are those reported for the published ImageNet weights.")
    titles = [(table.meta(n)["title"], n) for n in table.names()]
    with gr.Row():
        name = CheckedDropdown(titles, value="resnet18", label="Architecture")
        size = CheckedDropdown(list(table.SIZES), value=224, label="Input size (pixels)")
        metric = CheckedRadio([(v, k) for k, v in arch_figures.METRICS.items()], value="params",
                              label="Compare by")
    first = describe_architecture("resnet18", 224, "params")
    with gr.Row():
        numbers = gr.JSON(first[0], label="Numbers")
        note = gr.Markdown(first[1])
    with gr.Row():
        block = gr.Code(first[2], label="The real module of the key idea", language=None)
        diagram = gr.Code(first[3], label="The key idea as a diagram (Graphviz DOT)", language=None)
    bars = gr.Plot(first[4], label="All architectures side by side")
    tradeoff = gr.Plot(first[5], label="Accuracy against cost")
    gr.on([name.change, size.change, metric.change], describe_architecture, [name, size, metric],
          [numbers, note, block, diagram, bars, tradeoff], api_name="describe_architecture")
    button = gr.Button("Layer table (every conv / linear / pooling layer)")
    caption = gr.Markdown()
    layers = gr.Dataframe(headers=list(LAYER_COLUMNS), label="Layers", interactive=False)
    gr.on([button.click], architecture_layers, [name, size], [layers, caption],
          api_name="architecture_layers")
