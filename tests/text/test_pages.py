"""Lecture 6 pages: each control reaches the computation it names (checked against the core call)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from core import text as api
from core.text import memory as mem
from core.text import unfold as uf
from tests.helpers import finish_job, page, texts

GEN, UNF, MEM = "apps/pages/l6/generate.py", "apps/pages/l6/unfold.py", "apps/pages/l6/memory.py"


def _generated(at) -> str:
    return at.code[0].value.split("▌", 1)[1]


def _fig(at, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_generate_page_controls_reach_the_sampler() -> None:
    at = page(GEN)
    assert _generated(at) == api.generate("char-lstm-shakespeare", "ROMEO.\nBut soft, what light", 300, 0.8)
    at.text_input(key="l6gen_prefix").set_value("HAMLET.\n").run()
    at.selectbox(key="l6gen_model").set_value("char-rnn-shakespeare").run()
    at.slider(key="l6gen_len").set_value(120).run()
    at.slider(key="l6gen_temp").set_value(1.3).run()
    at.slider(key="l6gen_topk").set_value(5).run()
    at.number_input(key="l6gen_seed").set_value(7).run()
    assert not at.exception
    assert _generated(at) == api.generate("char-rnn-shakespeare", "HAMLET.\n", 120, 1.3, 5, 7)
    bars = _fig(at)["data"]
    assert len(bars) == 2 and sum(v > 0 for v in bars[1]["y"]) <= 5  # top-k reaches the bars too


def test_generate_page_with_the_gpt_says_why_not_gpt2_and_shows_its_attention() -> None:
    from core.text import gpt

    at = page(GEN, params={"l6gen_model": "gpt-shakespeare", "l6gen_prefix": "Full fathom five"})
    assert "GPT-2's weights cannot be downloaded" in texts(at) and "parameters" in texts(at)
    # (the code block drops the last trailing line break)
    assert _generated(at).rstrip() == api.generate("gpt-shakespeare", "Full fathom five", 300, 0.8).rstrip()
    text, w = gpt.attention_map(api.shipped("gpt-shakespeare"), "Full fathom five")
    heat = _fig(at, 1)["data"][0]
    assert len(heat["z"]) == len(text) == 16
    np.testing.assert_allclose(heat["z"], w.mean(0).numpy(), atol=1e-3)
    at.segmented_control(key="l6gen_head").set_value("3").run()
    np.testing.assert_allclose(_fig(at, 1)["data"][0]["z"], w[2].numpy(), atol=1e-3)
    table = at.dataframe[0].value
    assert list(table["model"][:3]) == ["LSTM", "Vanilla RNN", "Small GPT"]
    assert "bigram counts" in list(table["model"]) and "unigram counts" in list(table["model"])
    at.selectbox(key="l6gen_model").set_value("char-lstm-shakespeare").run()
    assert not at.exception and len(at.get("plotly_chart")) == 2  # no attention for a recurrent model


def test_generate_page_explains_what_it_left_out() -> None:
    at = page(GEN, params={"l6gen_prefix": "😀 Привет"})
    assert "left out" in texts(at) and len(_generated(at)) == 300


def test_unfold_page_controls_reach_the_unrolled_cell() -> None:
    at = page(UNF)
    assert len(at.get("plotly_chart")) == 2  # LSTM: hidden state and gates
    at.text_input(key="l6unf_text").set_value("Full fathom five").run()
    at.slider(key="l6unf_units").set_value(10).run()
    heat = _fig(at)["data"][0]
    assert len(heat["y"]) == 10 and len(heat["x"]) == len("Full fathom five")
    u = uf.unroll(api.shipped("char-lstm-shakespeare"), "Full fathom five")
    units = uf.busiest_units(u.hidden, 10)
    np.testing.assert_allclose(np.array(heat["z"]), u.hidden[:, units].T, atol=1e-3)
    at.segmented_control(key="l6unf_cell").set_value("rnn").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    heat = _fig(at)["data"][0]
    u = uf.unroll(api.shipped("char-rnn-shakespeare"), "Full fathom five")
    np.testing.assert_allclose(np.array(heat["z"]), u.hidden[:, uf.busiest_units(u.hidden, 10)].T, atol=1e-3)


def test_memory_page_sliders_reach_the_gradient_norms() -> None:
    at = page(MEM)
    at.slider(key="l6mem_T").set_value(25).run()
    at.slider(key="l6mem_hidden").set_value(16).run()
    at.number_input(key="l6mem_seed").set_value(3).run()
    want = mem.initial_norms(mem.MemoryConfig(length=25, hidden=16, seed=3))
    traces = _fig(at)["data"]
    assert [len(t["y"]) for t in traces] == [25, 25, 25]
    np.testing.assert_allclose(traces[0]["y"], np.maximum(want["rnn"], 1e-30), rtol=1e-4)


def test_memory_page_trains_with_its_learning_rate(monkeypatch) -> None:
    seen: list[mem.MemoryConfig] = []
    real = mem.compare

    def quick(config, job=None, cells=mem.CELLS):
        seen.append(config)
        return real(replace(config, time_budget_s=2.0), job, cells)

    monkeypatch.setattr(mem, "compare", quick)
    at = page(MEM, params={"l6mem_T": "5"})
    at.select_slider(key="l6mem_lr").set_value(3e-3).run()
    at.button(key="l6mem__start").click().run()
    finish_job(at, "l6mem")
    assert not at.exception
    assert seen[-1].lr == 3e-3 and seen[-1].length == 5
    assert [m.label for m in at.metric] == [mem.CELL_LABELS[c] for c in mem.CELLS]
    assert all(m.value.endswith("%") for m in at.metric)


def test_a_nan_in_the_link_is_ignored() -> None:
    at = page(GEN, params={"l6gen_temp": "nan", "l6gen_topk": "inf"})
    assert at.slider(key="l6gen_temp").value == 0.8 and at.slider(key="l6gen_topk").value == 96
