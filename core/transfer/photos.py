"""Photos that ship with installed packages, for pages that need a picture with no upload and no network.

scikit-image bundles a few colour photos (Chelsea the cat, a cup of coffee, an astronaut, a rocket),
scikit-learn two (a Chinese temple, a flower) and Debian's ``darknet`` package seven test images when it is
installed. Every file is read through the one image decoder (:mod:`core.data.images`), like an upload.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from core.data import images

DARKNET_DIR = Path("/usr/share/darknet/data")


@dataclass(frozen=True)
class Photo:
    name: str
    title: str
    path: Path
    source: str
    """Where the file comes from, for the caption."""


def _skimage_dir() -> Path | None:
    try:
        import skimage.data
    except ImportError:
        return None
    return Path(skimage.data.__file__).parent


def _sklearn_dir() -> Path | None:
    try:
        import sklearn.datasets
    except ImportError:
        return None
    return Path(sklearn.datasets.__file__).parent / "images"


@functools.cache
def photos() -> dict[str, Photo]:
    """The bundled photos found on this machine, by name (Chelsea and the coffee first)."""
    found: list[Photo] = []
    sk = _skimage_dir()
    if sk:
        for name, title, file in (
            ("chelsea", "Chelsea the cat", "chelsea.png"),
            ("coffee", "A cup of coffee", "coffee.png"),
            ("astronaut", "Astronaut Eileen Collins", "astronaut.png"),
            ("rocket", "A rocket on the launch pad", "rocket.jpg"),
        ):
            found.append(Photo(name, title, sk / file, "scikit-image (skimage.data)"))
    sl = _sklearn_dir()
    if sl:
        for name, title, file in (
            ("china", "A temple in China", "china.jpg"),
            ("flower", "A flower", "flower.jpg"),
        ):
            found.append(Photo(name, title, sl / file, "scikit-learn (load_sample_images)"))
    for file in sorted(DARKNET_DIR.glob("*.jpg")) if DARKNET_DIR.is_dir() else ():
        found.append(
            Photo(f"darknet-{file.stem}", f"{file.stem.capitalize()} (darknet)", file, "Debian darknet")
        )
    return {p.name: p for p in found if p.path.is_file()}


def load_photo(name: str, max_side: int = images.DEFAULT_MAX_SIDE) -> images.DecodedImage:
    """A bundled photo, decoded like an upload (KeyError for an unknown name)."""
    known = photos()
    if name not in known:
        raise KeyError(f"no bundled photo {name!r}; choose one of {', '.join(known)}")
    return images.decode_file(known[name].path, known[name].title, max_side)
