"""Shipped checkpoints: safetensors files + ``pretrained/manifest.json``, and the one safe loader.

Never pickle: a pickled checkpoint runs arbitrary code when loaded. Weights are stored as safetensors;
architecture and hyperparameters as JSON in the manifest, from which :func:`load_model` rebuilds the
module through a registered builder named in the entry (``core.registry.register_builder``). Every load verifies
the file's sha256 against the manifest, and every write is atomic (temp file + rename) so a crash never
leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import Tensor, nn

PRETRAINED_DIR = Path(os.environ.get("GALLERY_PRETRAINED_DIR", Path(__file__).resolve().parent.parent / "pretrained"))
MANIFEST = "manifest.json"


class CheckpointError(RuntimeError):
    """Base class of checkpoint problems; the message says what to do."""


class CheckpointMissing(CheckpointError):
    """No manifest entry or no file for the requested checkpoint."""


class CheckpointCorrupt(CheckpointError):
    """The file's sha256 does not match the manifest, or the file cannot be read."""


class UnsafeCheckpoint(CheckpointError):
    """The file is not safetensors nor a weights-only tensor file (e.g. a pickled module)."""


def _dir(directory: str | Path | None) -> Path:
    return Path(directory) if directory is not None else PRETRAINED_DIR


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; shipped files must stay readable by the server's (non-root) user.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def manifest(directory: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """All manifest entries by checkpoint name (empty if there is no manifest yet)."""
    path = _dir(directory) / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointCorrupt(f"{path} is not valid JSON ({exc}); restore it from git") from exc


def entry(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """The manifest entry of one checkpoint."""
    entries = manifest(directory)
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise CheckpointMissing(
            f"no checkpoint named {name!r} in the manifest (shipped: {known}); "
            f"build it with `python -m core.train {name}`"
        )
    return entries[name]


def state_to_bytes(state: Mapping[str, Tensor]) -> bytes:
    from safetensors.torch import save

    # safetensors refuses shared or non-contiguous storage; a detached contiguous copy is what we ship.
    return save({k: v.detach().cpu().contiguous().clone() for k, v in state.items()})


def save_state(path: str | Path, state: Mapping[str, Tensor]) -> str:
    """Write a state dict as safetensors atomically; returns its sha256."""
    data = state_to_bytes(state)
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


def load_state(path: str | Path) -> dict[str, Tensor]:
    """Load tensors from a safetensors file, or from a weights-only torch file; refuse anything else.

    A pickle that would build arbitrary objects (and could run code while doing it) is rejected
    before any of its code runs: ``torch.load(weights_only=True)`` only rebuilds tensors.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointMissing(f"checkpoint file {path} does not exist")
    with open(path, "rb") as f:
        head = f.read(8)
    if path.suffix == ".safetensors" or _looks_like_safetensors(path, head):
        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise CheckpointCorrupt(f"{path.name} is not a readable safetensors file: {exc}") from exc
    if not zipfile.is_zipfile(path):
        raise UnsafeCheckpoint(
            f"refusing to load {path.name}: it is neither safetensors nor a weights-only torch file "
            "(a raw pickle can run arbitrary code). Convert it with safetensors.torch.save_file."
        )
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError and friends: the file wants more than tensors
        raise UnsafeCheckpoint(
            f"refusing to load {path.name}: it holds more than plain tensors ({type(exc).__name__}). "
            "Only safetensors or weights-only state dicts are accepted."
        ) from exc
    if not isinstance(obj, Mapping) or not all(isinstance(v, Tensor) for v in obj.values()):
        raise UnsafeCheckpoint(f"refusing {path.name}: it is not a flat dict of tensors")
    return dict(obj)


def _looks_like_safetensors(path: Path, head: bytes) -> bool:
    # safetensors starts with a little-endian u64 header length followed by a JSON object.
    if len(head) < 8:
        return False
    n = int.from_bytes(head, "little")
    if not 0 < n < path.stat().st_size:
        return False
    with open(path, "rb") as f:
        f.seek(8)
        return f.read(1) == b"{"


def resolve_builder(name: str) -> Any:
    """The registered model builder ``name`` (see :func:`core.registry.register_builder`).

    Only registered builders may be named: a manifest that could name any callable could run any code
    of the package with any arguments.
    """
    from core.registry import builders  # the registry imports subject modules, which import this one

    known = builders()
    if not isinstance(name, str) or name not in known:
        raise CheckpointCorrupt(
            f"the manifest names an unknown model builder {name!r}; registered builders: {', '.join(sorted(known))}"
        )
    return known[name]


def verify(name: str, directory: str | Path | None = None) -> str:
    """Check the file against the manifest: ``'ok'``, or raise Missing/Corrupt with the reason."""
    ent = entry(name, directory)
    path = _dir(directory) / ent["file"]
    if not path.is_file():
        raise CheckpointMissing(
            f"checkpoint file {ent['file']} is missing; rebuild it with `{ent.get('train_command', 'python -m core.train ' + name)}`"
        )
    digest = sha256_file(path)
    if digest != ent["sha256"]:
        raise CheckpointCorrupt(
            f"{ent['file']} does not match the manifest (sha256 {digest[:12]}… ≠ {ent['sha256'][:12]}…): "
            f"the file is corrupted or was changed; rebuild it with `{ent.get('train_command', 'python -m core.train ' + name)}`"
        )
    return "ok"


def load_model(name: str, directory: str | Path | None = None) -> nn.Module:
    """The shipped model ``name`` in eval mode, its weights verified against the manifest's sha256."""
    verify(name, directory)
    ent = entry(name, directory)
    model = resolve_builder(ent["builder"])(**ent.get("config", {}))
    state = load_state(_dir(directory) / ent["file"])
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise CheckpointCorrupt(f"{ent['file']} does not fit its architecture: {exc}") from exc
    return model.eval()


def save_checkpoint(
    name: str,
    model: nn.Module,
    *,
    lecture: int,
    architecture: str,
    builder: str,
    config: dict[str, Any],
    dataset: dict[str, Any],
    metrics: dict[str, Any],
    train_seconds: float,
    train_command: str | None = None,
    directory: str | Path | None = None,
) -> dict[str, Any]:
    """Write ``name.safetensors`` and its manifest entry (both atomically); returns the entry."""
    folder = _dir(directory)
    file = f"{name}.safetensors"
    digest = save_state(folder / file, model.state_dict())
    ent = {
        "file": file,
        "sha256": digest,
        "lecture": lecture,
        "architecture": architecture,
        "builder": builder,
        "config": config,
        "dataset": dataset,
        "metrics": metrics,
        "train_command": train_command or f"python -m core.train {name}",
        "train_seconds": round(train_seconds, 1),
        "created": _dt.date.today().isoformat(),
        "params": sum(p.numel() for p in model.parameters()),
    }
    entries = manifest(directory)
    entries[name] = ent
    atomic_write_bytes(folder / MANIFEST, (json.dumps(dict(sorted(entries.items())), indent=2) + "\n").encode())
    return ent
