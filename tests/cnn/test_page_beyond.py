"""AppTest of the 1D/3D convolution page: every control, the custom kernel, the URL round trip."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.cnn import conv1d3d as c13
from tests.helpers import ROOT, page, texts

PAGE = "apps/pages/l3/beyond.py"


@pytest.fixture
def at() -> AppTest:
    return page(PAGE)


def _note(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Kernel ("))


def test_default_view(at: AppTest) -> None:
    assert not at.exception
    assert "Kernel (9 taps)" in _note(at) and "Output length 300" in _note(at)
    assert len(at.get("plotly_chart")) == 2 and len(at.image) == 1
    assert "16×32×32 (T×H×W) ⊛ 2×1×1 → 15×32×32" in texts(at)


@pytest.mark.parametrize(
    "key,value,expected",
    [
        ("l3b_noise", 0.0, "y[150] = "),
        ("l3b_seed", 3, "y[150] = "),
        ("l3b_width", 5, "Kernel (5 taps)"),
        ("l3b_dil", 2, "Output length 300"),
        ("l3b_pos", 40, "y[40] = "),
    ],
)
def test_1d_sliders(at: AppTest, key: str, value: float, expected: str) -> None:
    before = _note(at)
    at.slider(key=key).set_value(value).run()
    assert not at.exception
    assert expected in _note(at) and _note(at) != before


@pytest.mark.parametrize("kernel", [k for k in c13.KERNELS_1D if k != "custom"])
def test_every_1d_kernel_reaches_the_convolution(at: AppTest, kernel: str) -> None:
    """The chosen kernel's own weights are the ones shown and applied (a choice that never reached
    the computation would leave the moving average's weights on the page)."""
    at.selectbox(key="l3b_kernel").set_value(kernel).run()
    weights = ", ".join(f"{w:.3g}" for w in c13.kernel_1d(kernel, 9))
    assert not at.exception and f"Kernel (9 taps): `{weights}`" in _note(at)


def test_valid_padding_shortens_the_output(at: AppTest) -> None:
    at.button_group(key="l3b_pad").set_value("valid").run()
    assert "Output length 292" in _note(at)  # 300 − (9 − 1)
    at.slider(key="l3b_dil").set_value(3).run()
    assert "Output length 276" in _note(at)  # 300 − 3·(9 − 1)


def test_custom_kernel_good_and_bad(at: AppTest) -> None:
    at.selectbox(key="l3b_kernel").set_value("custom").run()
    assert "Kernel (3 taps): `1, 0, -1`" in _note(at) and at.slider(key="l3b_width").disabled
    at.text_input(key="l3b_custom").set_value("0.25, 0.5, 0.25").run()
    assert "`0.25, 0.5, 0.25`" in _note(at)
    assert at.query_params["l3b_custom"] == "0.25, 0.5, 0.25"
    at.text_input(key="l3b_custom").set_value("1, two, 3").run()
    assert not at.exception and "'two' is not a number" in at.error[0].value


def test_3d_controls(at: AppTest) -> None:
    for shape in c13.SHAPES:
        at.selectbox(key="l3b_shape").set_value(shape).run()
        assert not at.exception
    for kernel in c13.KERNELS_3D:
        at.selectbox(key="l3b_k3").set_value(kernel).run()
        assert not at.exception
    assert "16×32×32 (T×H×W) ⊛ 3×3×3 → 14×30×30" in texts(at)
    at.slider(key="l3b_speed").set_value(0).run()
    at.slider(key="l3b_frame").set_value(15).run()  # beyond the 14 output frames: shows the last
    assert not at.exception


def test_url_round_trip() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.query_params.update(
        {
            "l3b_kernel": "custom",
            "l3b_custom": "1, -2, 1",
            "l3b_pad": "valid",
            "l3b_k3": "spatio-temporal average",
        }
    )
    at.run()
    assert not at.exception
    assert "Kernel (3 taps): `1, -2, 1`" in _note(at) and "Output length 298" in _note(at)
    assert at.selectbox(key="l3b_k3").value == "spatio-temporal average"
    at.slider(key="l3b_speed").set_value(4).run()
    assert at.query_params["l3b_speed"] == "4" and at.query_params["l3b_custom"] == "1, -2, 1"
