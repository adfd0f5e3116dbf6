"""AppTest of the architecture gallery: every architecture, input size, comparison metric, URL state."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.cnn import architecture_figures as arch_figures
from core.cnn import architectures as arch
from tests.helpers import ROOT, page, texts

PAGE = "apps/pages/l3/architectures.py"


@pytest.fixture(scope="module")
def at() -> AppTest:
    return page(PAGE, timeout=180)  # the first run summarises every architecture (cached afterwards)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_is_resnet18(at: AppTest) -> None:
    assert not at.exception
    m = _metrics(at)
    assert m["Parameters"] == "11.69 M" and m["Multiply-adds at 224 px"] == "1.81 G"
    assert m["Depth"] == "18" and m["Receptive field"] == "435 px"
    shown = texts(at)
    assert "residual block" in shown and "He, Zhang, Ren & Sun" in shown
    assert "BasicBlock" in at.code[0].value
    assert len(at.get("graphviz_chart")) == 1 and len(at.get("plotly_chart")) == 2
    assert not at.dataframe  # the layer table is built on demand: it needs the real network
    at.toggle(key="l3arch_layers").set_value(True).run()
    assert not at.exception and at.query_params["l3arch_layers"] == "1"
    assert len(at.dataframe[0].value) == 23  # 20 convolutions, 2 poolings, 1 linear layer
    assert "23 conv / linear / pooling layers of ResNet-18 at 224 px" in texts(at)


@pytest.mark.parametrize("name", arch.names())
def test_every_architecture(at: AppTest, name: str) -> None:
    at.toggle(key="l3arch_layers").set_value(True)
    at.selectbox(key="l3arch_name").set_value(name).run()
    assert not at.exception
    s = arch.summary(name, 224)
    assert arch.info(name).title in texts(at)
    assert _metrics(at)["Receptive field"] == f"{s['receptive_field']} px"
    assert len(at.dataframe[0].value) == len(s["layers"])


def test_input_size_and_fixed_input(at: AppTest) -> None:
    at.selectbox(key="l3arch_name").set_value("resnet18").run()
    at.select_slider(key="l3arch_size").set_value(128).run()
    assert not at.exception
    assert "Multiply-adds at 128 px" in _metrics(at)
    at.selectbox(key="l3arch_name").set_value("lenet5").run()
    assert "only takes 32×32" in texts(at)
    assert _metrics(at)["Parameters"] == "60,000"
    at.select_slider(key="l3arch_size").set_value(64).run()
    at.selectbox(key="l3arch_name").set_value("alexnet").run()
    assert not at.exception and "Multiply-adds at 64 px" in _metrics(at)
    at.select_slider(key="l3arch_size").set_value(224).run()


@pytest.mark.parametrize("metric", list(arch_figures.METRICS))
def test_every_comparison_metric(at: AppTest, metric: str) -> None:
    at.selectbox(key="l3arch_metric").set_value(metric).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["title"]["text"] == arch_figures.METRICS[metric]


def test_url_round_trip() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=180)
    at.query_params.update({"l3arch_name": "densenet121", "l3arch_size": "160", "l3arch_metric": "macs"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="l3arch_name").value == "densenet121"
    assert "Multiply-adds at 160 px" in _metrics(at) and _metrics(at)["Depth"] == "121"
    at.selectbox(key="l3arch_name").set_value("googlenet").run()
    assert at.query_params["l3arch_name"] == "googlenet" and at.query_params["l3arch_size"] == "160"
