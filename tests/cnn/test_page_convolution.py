"""AppTest of the convolution explorer page: every control, uploads, errors, the URL round trip."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.cnn import image_sources, kernels
from core.cnn import receptive_field as rf
from tests.helpers import ROOT, page, texts

PAGE = "apps/pages/l3/convolution.py"


@pytest.fixture
def at() -> AppTest:
    return page(PAGE)


def _sizes(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("input "))


def test_default_view(at: AppTest) -> None:
    assert not at.exception
    assert at.title[0].value == "Convolution explorer"
    assert _sizes(at).startswith("input 256×256 → convolution 256×256.")
    assert len(at.image) >= 3  # input, convolution, receptive-field picture
    assert any(r"\left\lfloor" in x.value and "= 256" in x.value for x in at.latex)
    shown = texts(at)
    assert "Gradient check passed" in shown and "Weight sharing" in shown and "checkerboard" in shown


@pytest.mark.parametrize(
    "key,value,expected",
    [
        ("l3conv_k", 5, "convolution 254×254"),
        ("l3conv_s", 2, "convolution 128×128"),
        ("l3conv_p", 0, "convolution 254×254"),
        ("l3conv_d", 3, "convolution 252×252"),
    ],
)
def test_geometry_sliders_change_the_output_size(at: AppTest, key: str, value: int, expected: str) -> None:
    at.slider(key=key).set_value(value).run()
    assert not at.exception
    assert expected in _sizes(at)


@pytest.mark.parametrize("kernel", kernels.KERNELS)
def test_every_kernel(at: AppTest, kernel: str) -> None:
    at.selectbox(key="l3conv_kernel").set_value(kernel).run()
    assert not at.exception
    if kernel == kernels.LEARNED:
        try:
            kernels.learned_filters()
        except kernels.FiltersUnavailable:
            assert "not available yet" in texts(at)  # a clear message, and the page keeps working
            assert at.slider(key="l3conv_k").disabled
        else:
            at.slider(key="l3conv_filter").set_value(1).run()
            assert not at.exception
    elif kernel == "random":
        at.slider(key="l3conv_seed").set_value(7).run()
        assert not at.exception and "Kernel 3×3" in str(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize("source", image_sources.SOURCES)
def test_every_image_source(at: AppTest, source: str) -> None:
    at.selectbox(key="l3conv_src").set_value(source).run()
    assert not at.exception
    caption = at.caption[1].value
    assert source.split(" ")[0] in caption
    if source in image_sources.DATASETS:
        at.slider(key="l3conv_idx").set_value(7).run()
        assert "test image 7" in at.caption[1].value


def test_relu_and_pooling(at: AppTest) -> None:
    at.toggle(key="l3conv_relu").set_value(True).run()
    assert not at.exception
    assert at.slider(key="l3conv_pk").disabled
    at.button_group(key="l3conv_pool").set_value("max").run()
    assert "pooling 128×128" in _sizes(at) and not at.slider(key="l3conv_pk").disabled
    at.slider(key="l3conv_pk").set_value(3).run()
    at.slider(key="l3conv_ps").set_value(3).run()
    assert "pooling 85×85" in _sizes(at)
    at.button_group(key="l3conv_pool").set_value("avg").run()
    assert not at.exception and "pooling 85×85" in _sizes(at)


def test_transposed_convolution_and_checkerboard(at: AppTest) -> None:
    at.toggle(key="l3conv_t").set_value(True).run()
    assert "transposed 513×513" in _sizes(at)  # (256−1)·2 + 3
    assert "not a multiple" in texts(at)
    at.slider(key="l3conv_tk").set_value(4).run()
    assert "overlaps are even" in texts(at)
    at.slider(key="l3conv_tp").set_value(1).run()
    at.slider(key="l3conv_ts").set_value(3).run()
    at.slider(key="l3conv_top").set_value(2).run()
    assert not at.exception and "transposed 769×769" in _sizes(at)  # 255·3 − 2·1 + (4−1) + 2 + 1
    at.slider(key="l3conv_ts").set_value(1).run()
    assert "output_padding" in at.error[0].value  # 2 ≥ stride 1: torch refuses, the page explains


def test_receptive_field_controls(at: AppTest) -> None:
    for preset in rf.RF_PRESETS:
        at.selectbox(key="l3conv_stack").set_value(preset).run()
        assert not at.exception and "Gradient check passed" in texts(at), preset
    at.slider(key="l3conv_rep").set_value(6).run()
    assert not at.exception and "Gradient check passed" in texts(at)


def test_impossible_settings_are_explained(at: AppTest) -> None:
    at.selectbox(key="l3conv_src").set_value("8×8 digit").run()
    at.slider(key="l3conv_p").set_value(0).run()
    at.slider(key="l3conv_k").set_value(11).run()
    assert not at.exception
    assert "do not fit a 8×8 image" in at.error[0].value and "empty" in at.error[0].value


def _png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.arange(300 * 200) % 256).reshape(200, 300).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_upload_good_and_bad(at: AppTest) -> None:
    at.selectbox(key="l3conv_src").set_value("your upload").run()
    assert "Choose a PNG" in texts(at)
    at.file_uploader(key="l3conv_upload").set_value(("ramp.png", _png_bytes(), "image/png")).run()
    assert not at.exception and "your upload 'ramp.png'" in at.caption[1].value
    assert _sizes(at).startswith("input 171×256")  # downscaled to 256 px on the long side
    at.file_uploader(key="l3conv_upload").set_value(("notes.png", b"not an image at all", "image/png")).run()
    assert not at.exception and "not an image this app can read" in at.error[0].value


def test_url_round_trip() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.query_params.update(
        {
            "l3conv_src": "coins",
            "l3conv_k": "5",
            "l3conv_s": "2",
            "l3conv_pool": "max",
            "l3conv_stack": "3×3 convolutions",
            "l3conv_rep": "4",
        }
    )
    at.run()
    assert not at.exception
    assert at.slider(key="l3conv_k").value == 5 and at.selectbox(key="l3conv_src").value == "coins"
    assert "input 202×256 → convolution 100×127 → pooling 50×63" in _sizes(at)  # ⌊(256 + 2 − 5)/2⌋ + 1 = 127
    assert "receptive field 9 px" in texts(at)
    at.slider(key="l3conv_d").set_value(2).run()
    assert at.query_params["l3conv_d"] == "2" and at.query_params["l3conv_k"] == "5"


def test_page_says_convolution_is_cross_correlation_and_shows_gridding(at: AppTest) -> None:
    assert "is cross-correlation" in texts(at) and "flips the kernel" in texts(at)
    at.selectbox(key="l3conv_stack").set_value("dilated 3×3 (d = 1, 2, 4, …)").run()
    assert not any(w.value.startswith("Gridding") for w in at.warning)
    at.selectbox(key="l3conv_stack").set_value("dilated 3×3, d = 2 every layer (gridding)").run()
    at.slider(key="l3conv_rep").set_value(3).run()
    assert any(w.value.startswith("Gridding: 120 of the 169 pixels") for w in at.warning)


def test_explainer_arithmetic_and_activations_through_the_shipped_cnn(at: AppTest) -> None:
    at.selectbox(key="l3conv_src").set_value("camera").run()
    at.slider(key="l3conv_orow").set_value(3).run()
    at.slider(key="l3conv_ocol").set_value(4).run()
    assert not at.exception, at.exception
    done = [s.value for s in at.success if "exactly the value of the convolution map at (3, 4)" in s.value]
    assert done and "sum of the 9 products" in done[0]
    assert any(r"\text{out}[3, 4]" in x.value for x in at.latex)
    assert at.query_params["l3conv_orow"] == "3"
    assert "Test image 0: a Ankle boot; the network says Ankle boot" in texts(at)
    captions = [img.caption for el in at.get("image") for img in el.proto.imgs]
    assert all(img.alt for el in at.get("image") for img in el.proto.imgs)  # every picture has alt text
    assert "block 1 · conv: 32@28x28" in captions and "block 2 · max-pool: 64@7x7" in captions


def test_effective_receptive_field_beside_the_theoretical_box(at: AppTest) -> None:
    assert "l3conv_fig_erf" in {c.key for c in at.get("plotly_chart")}
    shown = texts(at)
    assert "could* see a 10×10 pixel square" in shown and "Luo et al. 2016" in shown
