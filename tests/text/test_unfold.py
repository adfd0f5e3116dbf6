"""The hand-unrolled cells equal torch's, gates are gates, and odd text gets an answer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import text as api
from core.text import lm
from core.text import unfold as uf


@pytest.mark.parametrize("name", api.RECURRENT_MODELS)
def test_unrolled_states_equal_torchs(name: str) -> None:
    model = api.shipped(name)
    text = "O brave new world, that has such people in't!"
    u = uf.unroll(model, text)
    with torch.no_grad():
        out, _ = model.rnn(model.embed(lm.encode(text)).unsqueeze(0))
    np.testing.assert_allclose(u.hidden, out[0].numpy(), atol=1e-5)
    assert u.chars == text and len(u.predicted) == len(text)


def test_lstm_gates_lie_in_0_1_and_rebuild_the_cell_state() -> None:
    u = uf.unroll(api.shipped("char-lstm-shakespeare"), "To be, or not to be")
    for g in uf.GATES:
        assert u.gates[g].shape == u.hidden.shape and 0 <= u.gates[g].min() <= u.gates[g].max() <= 1
    # h_t = o_t * tanh(c_t)
    np.testing.assert_allclose(u.hidden, u.gates["output"] * np.tanh(u.gates["cell"]), atol=1e-5)


@pytest.mark.parametrize(("text", "note"), [("", "nothing left"), ("😀😀", "nothing left"),
                                            ("a" * 500, "first 80"), ("Привет", "left out")])
def test_odd_text_is_unrolled_with_a_note(text: str, note: str) -> None:
    u = uf.unroll(api.shipped("char-rnn-shakespeare"), text)
    assert 1 <= len(u.chars) <= uf.MAX_CHARS and note in u.note.lower()


def test_busiest_units_are_the_most_varying() -> None:
    values = np.zeros((5, 10))
    values[:, 7] = np.arange(5)
    values[:, 2] = np.arange(5) * 0.5
    assert list(uf.busiest_units(values, 4)[-2:]) in ([2, 7], [7, 9])
    assert {2, 7} <= set(uf.busiest_units(values, 4))
    with pytest.raises(ValueError, match="units shown"):
        uf.busiest_units(values, 1000)
