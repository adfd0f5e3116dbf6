"""The one image decoder (core.data.images): odd inputs get clear messages, bombs are refused from the header
with bounded memory, and both the Streamlit and the Gradio image paths go through it."""

from __future__ import annotations

import base64
import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from core.data import images
from tests.helpers import ROOT


def _encode(im: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid grey PNG claiming ``width`` x ``height`` pixels, whose zero rows compress to a few KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = png_bomb(8_000, 8_000)  # 64 M pixels in about 60 KB
    assert len(data) < 100_000
    return data


def test_transparent_pixels_show_white_and_keep_their_alpha() -> None:
    rgba = np.zeros((40, 50, 4), np.uint8)
    rgba[10:20, 10:20] = (0, 0, 0, 255)  # black ink on a transparent canvas
    out = images.decode(_encode(Image.fromarray(rgba, "RGBA")))
    assert out.rgba.shape == (40, 50, 4) and out.rgba[0, 0, 3] == 0 and out.rgba[15, 15, 3] == 255
    grey = out.grey()
    assert grey[0, 0] == pytest.approx(1.0) and grey[15, 15] == pytest.approx(0.0)


def test_cmyk_palette_and_one_bit_images_become_rgba() -> None:
    cmyk = images.decode(_encode(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG"))
    assert tuple(cmyk.rgba[10, 10, :3]) == pytest.approx((255, 0, 0), abs=3)  # cyan-free ink: red
    palette = images.decode(_encode(Image.new("RGB", (30, 20), (0, 0, 255)).convert("P"), "GIF"))
    assert tuple(palette.rgba[5, 5]) == (0, 0, 255, 255)
    one_bit = images.decode(_encode(Image.new("1", (30, 20), 1)))
    assert one_bit.grey().min() == pytest.approx(1.0)


def test_sixteen_bit_images_are_stretched_from_their_own_range() -> None:
    ramp = (np.arange(100, dtype=np.uint16).reshape(10, 10) * 10 + 1000).astype(np.uint16)  # 1000..1990
    out = images.decode(_encode(Image.fromarray(ramp)))
    grey = out.grey()
    assert grey.min() == pytest.approx(0.0) and grey.max() == pytest.approx(1.0)  # not almost black


def test_exif_orientation_is_applied() -> None:
    im = Image.new("RGB", (60, 30), (255, 255, 255))
    exif = im.getexif()
    exif[274] = 6  # "rotate 90° clockwise to display"
    out = images.decode(_encode(im, "JPEG", exif=exif))
    assert out.rgba.shape[:2] == (60, 30) and (out.width, out.height) == (60, 30)


def test_large_jpegs_are_decoded_reduced_to_the_long_side() -> None:
    photo = _encode(Image.new("RGB", (4000, 3000), (10, 200, 30)), "JPEG", quality=50)
    out = images.decode(photo, max_side=256)
    assert out.rgba.shape == (192, 256, 4) and (out.width, out.height) == (4000, 3000)
    assert tuple(out.rgba[50, 50, :3]) == pytest.approx((10, 200, 30), abs=4)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"hello, not an image", "not an image this app can read"),
        (_encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)))[:300],
         "cut short"),
        (b"\x89PNG" + b"\0" * (images.MAX_BYTES + 1), "limit is 10 MB"),
    ],
)
def test_odd_files_get_clear_messages(data: bytes, message: str) -> None:
    with pytest.raises(images.ImageError, match=message) as info:
        images.decode(data, "'odd.png'")
    assert "0x" not in str(info.value) and "<" not in str(info.value)  # no object reprs


def test_data_urls_decode_like_files_and_refuse_anything_else() -> None:
    png = _encode(Image.new("RGB", (20, 20), (0, 0, 0)))
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert np.array_equal(images.decode_data_url(url).rgba, images.decode(png).rgba)
    with pytest.raises(images.ImageError, match="base64 image"):
        images.decode_data_url("javascript:alert(1)")
    with pytest.raises(images.ImageError, match="valid base64"):
        images.decode_data_url("data:image/png;base64,@@@")


def test_a_bomb_is_refused_from_its_header_with_bounded_memory(bomb: bytes, tmp_path: Path) -> None:
    """In a fresh process (so the peak memory is the decoder's alone): refusing a 64 Mpx PNG bomb raises
    ImageError and the process peak stays far below the ~64 MB one decoded grey plane would take."""
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    script = (
        "import resource, sys\n"
        "from core.data import images\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        f"    images.decode_file({str(path)!r})\n"
        "except images.ImageError as exc:\n"
        "    print('refused:', exc)\n"
        "print('grew_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "refused:" in out.stdout and "8,000×8,000" in out.stdout, out.stdout + out.stderr
    grew_kb = int(out.stdout.split("grew_kb")[1])
    assert grew_kb < 16_000  # kilobytes: a decoded plane would add 64,000


def test_streamlit_trainer_path_refuses_the_bomb(bomb: bytes) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.helpers import texts

    at = AppTest.from_file(str(ROOT / "apps/pages/l3/trainer.py"), default_timeout=60)
    at.run()
    at.session_state["l3tr_canvas"] = {"png": "data:image/png;base64," + base64.b64encode(bomb).decode()}
    at.run()
    assert not at.exception
    assert "refusing to decode it" in texts(at)


def test_gradio_classify_and_convolve_refuse_the_bomb_before_decoding(bomb: bytes, tmp_path: Path) -> None:
    from apps.gradio_tabs import lecture3, lecture3_classify

    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    probs, seen, note = lecture3_classify.classify({"composite": str(path), "background": None, "layers": []},
                                                   "MNIST CNN")  # fmt: skip
    assert probs is None and seen is None and "refusing to decode it" in note
    with pytest.raises(gr.Error, match="refusing to decode it"):
        lecture3.convolve("camera", str(path), "edge (Sobel x)", 3, 1, 1, 1, False, "none", 2, 2)


def test_gradio_image_inputs_hand_over_paths_without_decoding(bomb: bytes, tmp_path: Path) -> None:
    """Gradio's own Image/Sketchpad preprocessing would decode the bomb; ours returns the path untouched."""
    from gradio.data_classes import FileData

    from apps.gradio_tabs.inputs import RawImage, RawSketchpad

    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    assert RawImage(type="filepath").preprocess(FileData(path=str(path))) == str(path)
    assert RawSketchpad(type="filepath").convert_and_format_image(FileData(path=str(path))) == str(path)
