"""The shared confusion-matrix figure: counts or row shares, readable cells, dark where most go."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.viz.classification import confusion_figure
from tests.viz.figure_checks import small_text

CM = np.array([[8, 2, 0], [1, 3, 0], [0, 0, 0]])
CLASSES = ("cat", "dog", "bird")


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(v) for v in colour[colour.index("(") + 1 : -1].split(","))


def test_counts_are_written_in_their_cells_true_class_on_rows() -> None:
    fig = go.Figure(confusion_figure(CM, CLASSES).to_dict())  # validates every property
    trace = fig.data[0]
    assert list(trace.y) == list(trace.x) == list(CLASSES) and fig.layout.yaxis.autorange == "reversed"
    assert [list(r) for r in trace.text] == [["8", "2", "0"], ["1", "3", "0"], ["0", "0", "0"]]
    assert (trace.zmin, trace.zmax) == (0, 8)
    assert fig.layout.xaxis.title.text == "predicted" and fig.layout.yaxis.title.text == "true"


def test_normalised_rows_are_shares_and_an_empty_class_stays_zero() -> None:
    trace = confusion_figure(CM, CLASSES, normalise=True, title="Test set").data[0]
    z = np.asarray(trace.z)
    assert np.allclose(z[:2].sum(1), 1.0) and np.all(z[2] == 0) and trace.zmax == 1.0
    assert [list(r) for r in trace.text][:2] == [["80%", "20%", "0%"], ["25%", "75%", "0%"]]


@pytest.mark.parametrize("validated", [False, True])
def test_more_is_darker_blue_whether_or_not_plotly_resolves_the_scale(validated: bool) -> None:
    fig = confusion_figure(CM, CLASSES)
    if validated:
        fig = go.Figure(fig.to_dict())
    scale = [tuple(c) for c in fig.data[0].colorscale]
    assert scale[0][0] == 0.0 and scale[-1][0] == 1.0 and not fig.data[0].reversescale
    low, high = _rgb(scale[0][1]), _rgb(scale[-1][1])
    assert sum(low) > 700 and sum(high) < 250 and high[2] > high[0]  # white for none, dark blue for all


def test_cell_text_and_axes_are_readable_on_a_projector() -> None:
    fig = confusion_figure(np.eye(10, dtype=int) * 100, [f"class {i}" for i in range(10)], normalise=True)
    assert small_text(fig) == [] and fig.data[0].textfont.size >= 18
    assert fig.layout.height >= 10 * 40


def test_a_matrix_that_does_not_fit_the_classes_is_refused() -> None:
    with pytest.raises(ValueError, match="square"):
        confusion_figure(np.zeros((2, 3)), ("a", "b"))
