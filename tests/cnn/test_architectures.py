"""core.cnn.architectures: summaries against the libraries' own model objects and published numbers."""

from __future__ import annotations

import json

import pytest
import torch
import torchvision.models as tvm

from core.cnn import architecture_figures as arch_figures
from core.cnn import architecture_table as arch_table
from core.cnn import architectures as arch
from core.cnn.lenet5 import LeNet5

TORCHVISION = {
    "alexnet": "alexnet",
    "vgg16": "vgg16",
    "resnet18": "resnet18",
    "googlenet": "googlenet",
    "densenet121": "densenet121",
    "mnasnet": "mnasnet1_0",
}


def _library_model(name: str) -> torch.nn.Module:
    """The library's own model object (built on the meta device: same parameters, no 0.5 GB of VGG)."""
    with torch.device("meta"):
        if name == "googlenet":
            return tvm.googlenet(weights=None, aux_logits=False, init_weights=False)
        if name == "efficientnet_b0":
            import timm

            return timm.create_model("efficientnet_b0", pretrained=False)
        if name == "lenet5":
            return LeNet5()
        return getattr(tvm, TORCHVISION[name])(weights=None)


def test_registry_lists_the_issue_architectures() -> None:
    assert set(arch.names()) >= {
        "lenet5",
        "alexnet",
        "vgg16",
        "resnet18",
        "googlenet",
        "densenet121",
        "mnasnet",
    }
    assert [arch.info(n).year for n in arch.names()] == sorted(arch.info(n).year for n in arch.names())
    with pytest.raises(KeyError, match="unknown architecture 'resnet50'"):
        arch.info("resnet50")
    with pytest.raises(ValueError, match="registered twice"):
        arch.register(name="lenet5")(lambda: LeNet5())


@pytest.mark.parametrize("name", arch.names())
def test_parameter_count_equals_the_library_model(name: str) -> None:
    s = arch.summary(name)
    assert isinstance(s["params"], int)
    assert s["params"] == sum(p.numel() for p in _library_model(name).parameters())
    if name in TORCHVISION:  # and the count torchvision publishes with its ImageNet weights
        assert s["params"] == tvm.get_model_weights(TORCHVISION[name]).DEFAULT.meta["num_params"]


def test_resnet18_counts_on_a_real_cpu_model() -> None:
    assert (
        arch.summary("resnet18")["params"]
        == sum(p.numel() for p in tvm.resnet18(weights=None).parameters())
        == 11_689_512
    )


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_multiply_adds_match_torchvision_published_ops(name: str) -> None:
    published = (
        tvm.get_model_weights(TORCHVISION[name]).DEFAULT.meta["_ops"] * 1e9
    )  # GMACs at 224, 3 decimals
    assert arch.summary(name, 224)["macs"] == pytest.approx(published, rel=0.005)


def test_headline_numbers() -> None:
    assert arch.summary("resnet18")["macs"] / 1e9 == pytest.approx(1.8, abs=0.05)
    assert arch.summary("vgg16")["macs"] / 1e9 == pytest.approx(15.5, abs=0.1)
    assert arch.summary("efficientnet_b0")["macs"] / 1e9 == pytest.approx(
        0.39, abs=0.01
    )  # paper: 0.39 B FLOPS
    lenet = arch.summary("lenet5")
    assert lenet["params"] == 60_000  # "60,000 trainable parameters" (LeCun et al. 1998)
    assert lenet["macs"] == 28 * 28 * 6 * 25 + 10 * 10 * 60 * 25 + 120 * 400 + 84 * 120 + 10 * 84


@pytest.mark.parametrize(
    "name,depth",
    [("lenet5", 5), ("alexnet", 8), ("vgg16", 16), ("googlenet", 22), ("resnet18", 18), ("densenet121", 121)],
)
def test_longest_path_is_the_depth_in_the_name(name: str, depth: int) -> None:
    assert arch.summary(name)["longest_path"] == depth


def test_layer_counts_include_shortcuts_and_branches() -> None:
    s = arch.summary("resnet18")
    types = [r["type"] for r in s["layers"]]
    assert (
        types.count("Conv2d") == 20 and types.count("Linear") == 1 and s["depth"] == 21
    )  # 17 + 3 projections
    assert sum(r["macs"] for r in s["layers"]) == s["macs"]
    first = s["layers"][0]
    assert first == {
        **first,
        "layer": "conv1",
        "kernel": "7×7",
        "stride": "2",
        "output": "64×112×112",
        "params": 64 * 3 * 49,
        "receptive_field": 7,
        "jump": 2,
    }


@pytest.mark.parametrize(
    "name,rf",
    [
        ("lenet5", 32),
        ("alexnet", 195),
        ("vgg16", 212),
        ("resnet18", 435),
        ("googlenet", 379),
        ("densenet121", 2071),
    ],
)
def test_receptive_fields(name: str, rf: int) -> None:
    # AlexNet, VGG-16, ResNet-18: Araujo et al. 2019 (table 1); the others by the same recurrence by hand.
    assert arch.summary(name)["receptive_field"] == rf


def test_input_size_changes_cost_not_parameters() -> None:
    small, big = arch.summary("resnet18", 112), arch.summary("resnet18", 224)
    assert small["params"] == big["params"] and small["macs"] < big["macs"] / 3
    assert small["input_size"] == 112 and small["layers"][0]["output"] == "64×56×56"
    assert arch.summary("lenet5", 224)["input_size"] == 32  # LeNet-5 only takes 32×32
    with pytest.raises(ValueError, match="AlexNet cannot take a 32×32 input"):
        arch.summary("alexnet", 32)


def test_summary_is_cached_but_returns_copies() -> None:
    a = arch.summary("alexnet")
    a["layers"].clear()
    a["params"] = 0
    b = arch.summary("alexnet")
    assert b["params"] == 61_100_840 and len(b["layers"]) == 12


@pytest.mark.parametrize(
    "name,needle",
    [
        ("lenet5", "ConnectionTableConv"),
        ("alexnet", "Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4)"),
        ("vgg16", "MaxPool2d"),
        ("googlenet", "Inception"),
        ("resnet18", "downsample"),
        ("densenet121", "_DenseLayer"),
        ("mnasnet", "_InvertedResidual"),
        ("efficientnet_b0", "SqueezeExcite"),
    ],
)
def test_key_block_is_the_real_module(name: str, needle: str) -> None:
    assert needle in arch.key_block(name)
    assert arch.info(name).diagram.startswith("digraph")


def test_lenet5_runs_on_a_real_digit() -> None:
    torch.manual_seed(0)
    model = arch.build("lenet5", "cpu")
    assert sum(p.numel() for p in model.c3.parameters()) == 1516  # table I: 60 kernels + 16 biases
    out = model(torch.rand(2, 1, 32, 32))
    assert out.shape == (2, 10) and (out >= 0).all()  # squared distances to the class prototypes


def test_comparison_figures() -> None:
    summaries = [arch.summary(n) for n in arch.names()]
    for metric in arch_figures.METRICS:
        fig = arch_figures.comparison_figure(summaries, metric)
        assert len(fig.data[0].x) == len([s for s in summaries if s[metric] is not None])
    trade = arch_figures.tradeoff_figure(summaries)
    assert (
        "LeNet-5" not in trade.data[0].text and "ResNet-18" in trade.data[0].text
    )  # no ImageNet accuracy for LeNet
    with pytest.raises(ValueError, match="unknown metric"):
        arch_figures.comparison_figure(summaries, "flops")


def test_top1_numbers_are_torchvisions_weights_metadata() -> None:
    checked = 0
    for name in arch.names():
        info = arch.info(name)
        if info.top1_source == arch.TORCHVISION_TOP1:
            weights = tvm.get_model_weights(info.source.rsplit(".", 1)[1]).DEFAULT
            assert info.top1 == weights.meta["_metrics"]["ImageNet-1K"]["acc@1"], name
            checked += 1
    assert checked == 6


def test_shipped_table_is_what_the_live_computation_gives() -> None:
    """The page reads architecture_table.json instead of building the networks: it must hold exactly
    what the registry and summary() compute today (regenerate: python -m core.cnn.architecture_table)."""
    live = json.loads(json.dumps(arch_table.generate(), ensure_ascii=False))
    assert arch_table.load() == live
    for name in arch.names():
        for size in (64, 224):
            s = arch.summary(name, size)
            del s["layers"]
            assert arch_table.overview(name, size) == s
        assert arch_table.key_block(name) == arch.key_block(name)
        assert arch_table.meta(name)["title"] == arch.info(name).title


def test_a_size_outside_the_table_is_computed_live() -> None:
    s = arch_table.overview("resnet18", 100)
    assert s["input_size"] == 100 and s["params"] == arch.summary("resnet18")["params"]
    assert "100" not in arch_table.load()["networks"]["resnet18"]["summaries"]
