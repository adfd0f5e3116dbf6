"""The architecture gallery's Gradio tab over HTTP: /describe_architecture answers with the core's numbers,
note, key block, diagram and comparison figures for the chosen network, size and metric; /architecture_layers
with the traced layer table; both refuse what the page does not offer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture3_architectures as tab
from core.cnn import architecture_figures as arch_figures
from core.cnn import architecture_table as table
from tests.helpers import gradio_tab_client, plot_json


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 3") as c:
        yield c


def test_describe_returns_the_core_numbers_and_figures(client: Client) -> None:
    numbers, note, block, diagram, bars, tradeoff = client.predict("vgg16", 96, "macs",
                                                                   api_name="/describe_architecture")
    s = table.overview("vgg16", 96)
    assert {k: numbers[k] for k in table.NUMBERS} == {k: s[k] for k in table.NUMBERS}
    assert numbers["input_size"] == 96 and numbers["top1"] == s["top1"]
    meta = table.meta("vgg16")
    assert note.startswith(f"**{meta['title']}** ({meta['year']})") and meta["source"] in note
    assert f"The theoretical receptive field ({s['receptive_field']} px) exceeds the 96 px input" in note
    assert table.key_block("vgg16") in block and diagram == meta["diagram"]
    bar = plot_json(bars)["data"][0]
    assert bar["y"] == [table.overview(n, 96)["macs"] for n in table.names()]
    highlighted = [c == arch_figures.PALETTE[1] for c in bar["marker"]["color"]]
    assert sum(highlighted) == 1 and "VGG-16" in bar["x"][highlighted.index(True)]
    assert plot_json(bars)["layout"]["title"]["text"] == arch_figures.METRICS["macs"]
    points = plot_json(tradeoff)["data"][0]
    assert set(points["text"]) == {table.meta(n)["title"] for n in table.names() if table.meta(n)["top1"]}


def test_a_fixed_input_network_says_so_and_keeps_its_size(client: Client) -> None:
    numbers, note, *_ = client.predict("lenet5", 224, "params", api_name="/describe_architecture")
    assert numbers["input_size"] == 32 and numbers["params"] == table.overview("lenet5")["params"]
    assert "LeNet-5 only takes 32×32 inputs" in note


def test_the_metric_changes_the_bars() -> None:
    *_, bars, _ = tab.describe_architecture("resnet18", 224, "receptive_field")
    assert [b for b in bars.data[0].y] == [table.overview(n, 224)["receptive_field"] for n in table.names()]


def test_layer_table_is_the_traced_network(client: Client) -> None:
    from core.cnn import architectures as arch

    rows, caption = client.predict("resnet18", 64, api_name="/architecture_layers")
    layers = arch.summary("resnet18", 64)["layers"]
    assert rows["headers"] == list(tab.LAYER_COLUMNS)
    assert [r[0] for r in rows["data"]] == [layer["layer"] for layer in layers]
    assert rows["data"][0][tab.LAYER_COLUMNS.index("output")] == layers[0]["output"] == "64×32×32"
    assert caption == f"{len(layers)} conv / linear / pooling layers of ResNet-18 at 64 px."


@pytest.mark.parametrize(("args", "message"), [
    (("resnet50", 224, "params"), "Architecture must be one of lenet5, alexnet, vgg16"),
    (("resnet18", 100, "params"), "Input size \\(pixels\\) must be one of 64, 96, 128, 160, 192, 224, 256"),
    (("resnet18", "nan", "params"), "Input size \\(pixels\\) must be one of 64, 96"),
    (("resnet18", "inf", "params"), "Input size \\(pixels\\) must be one of 64, 96"),
    (("resnet18", 224, "flops"), "Compare by must be one of params, macs, longest_path, receptive_field"),
])  # fmt: skip
def test_describe_refuses_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/describe_architecture")


@pytest.mark.parametrize(("args", "message"), [
    (("vit_b_16", 224), "Architecture must be one of"),
    (("resnet18", 4096), "Input size \\(pixels\\) must be one of 64, 96"),
])  # fmt: skip
def test_layers_refuse_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/architecture_layers")


def test_nan_is_refused_by_direct_calls() -> None:
    with pytest.raises(Exception, match="Input size \\(pixels\\) must be one of"):
        tab.describe_architecture("resnet18", float("nan"), "params")
