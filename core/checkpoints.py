"""Shipped checkpoints: safetensors files + ``pretrained/manifest.json``, and the one safe loader.

Never pickle: a pickled checkpoint runs arbitrary code when loaded. Weights are stored as safetensors;
architecture and hyperparameters as JSON in the manifest, from which :func:`load_model` rebuilds the
module through a registered builder named in the entry (``core.registry.register_builder``). Entries are
parsed into :class:`ManifestEntry` and validated on every read, every load verifies the file's sha256,
and every write is atomic (temp file + rename) and holds a lock on the manifest, so two rebuilds running
at once cannot lose each other's entry (a read-modify-write race otherwise).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import filelock
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import Tensor, nn

#: The shipped folder; ``GALLERY_PRETRAINED_DIR`` (read at each call) points the gallery elsewhere.
PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
MANIFEST = "manifest.json"
#: Beside the manifest, so every process writing to the same folder agrees on it (filelock keeps it).
LOCK = ".manifest.json.lock"
#: A rebuild holds the lock only while writing its file and entry (milliseconds); waiting longer than
#: this means a writer hung.
LOCK_TIMEOUT_S = 60.0

#: What a checkpoint is for, like a model card's pipeline tag; each task has one contract for
#: :func:`load_model` (see DESIGN.md, "Public API").
TASKS = ("classifier", "autoencoder", "vae", "pixelcnn", "gan", "super-resolution", "text-classifier",
         "language-model", "rl-agent", "alphazero")  # fmt: skip


class CheckpointError(RuntimeError):
    """Base class of checkpoint problems; the message says what to do."""


class CheckpointMissing(CheckpointError):
    """No manifest entry or no file for the requested checkpoint."""


class CheckpointCorrupt(CheckpointError):
    """The file or its manifest entry cannot be used: wrong sha256, unreadable, malformed, misfitting."""


class UnsafeCheckpoint(CheckpointError):
    """The file is not safetensors nor a weights-only tensor file (e.g. a pickled module)."""


@dataclass(frozen=True)
class ManifestEntry:
    """One checkpoint's manifest entry, validated; written back in the same JSON shape."""

    file: str
    """The safetensors file, a plain name inside the pretrained folder."""
    sha256: str
    """Hex digest of the file; checked before every load."""
    lecture: int
    """Lecture whose pages use it (1-8)."""
    task: str
    """One of :data:`TASKS`: which contract the loaded model keeps."""
    architecture: str
    """One line for people: layers and parameter count."""
    builder: str
    """Name of the registered builder that rebuilds the module from ``config``."""
    config: dict[str, Any]
    """Keyword arguments of the builder (plus training settings, for the record)."""
    dataset: dict[str, Any]
    """At least ``name`` and ``provenance`` (which source served the data, how many samples)."""
    metrics: dict[str, float | int | bool]
    """Measured on held-out data by the training command; a test re-measures them."""
    train_command: str
    """The command that rebuilds the file and this entry."""
    train_seconds: float
    """Wall time of that command when the shipped file was made."""
    created: str
    """ISO date the file was made."""
    params: int
    """Number of parameters of the module."""

    def __getitem__(self, key: str) -> Any:
        # JSON-style reads (entry["metrics"]) for code written against the plain-dict manifest.
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in _FIELDS else default

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> ManifestEntry:
        """Parse and validate; raises ``ValueError("field 'x' ...")`` on the first bad field."""
        if not isinstance(raw, Mapping):
            raise ValueError(f"is a {type(raw).__name__}, not an object of fields")
        unknown = sorted(set(raw) - set(_FIELDS))
        if unknown:
            raise ValueError(f"has unknown field {unknown[0]!r}")
        for name, (kind, check, problem) in _FIELDS.items():
            if name not in raw:
                raise ValueError(f"has no field {name!r}")
            value = raw[name]
            if not isinstance(value, kind) or isinstance(value, bool) or not check(value):
                raise ValueError(f"field {name!r} {problem} (got {_short(value)})")
        return cls(**{k: raw[k] for k in _FIELDS})


def _short(value: Any) -> str:
    return text if len(text := json.dumps(value, default=str)) <= 60 else text[:57] + "..."


def _metrics_ok(m: dict) -> bool:
    return all(isinstance(k, str) and isinstance(v, (int, float)) and math.isfinite(v) for k, v in m.items())


# field -> (JSON type, check, what a valid value is); the order is the dataclass's.
_FIELDS: dict[str, tuple[type | tuple[type, ...], Any, str]] = {
    "file": (str, lambda v: re.fullmatch(r"[\w.-]+\.safetensors", v) is not None,
             "must be a plain file name ending in .safetensors"),
    "sha256": (str, lambda v: re.fullmatch(r"[0-9a-f]{64}", v) is not None, "must be 64 hex digits"),
    "lecture": (int, lambda v: 1 <= v <= 8, "must be a lecture number 1-8"),
    "task": (str, lambda v: v in TASKS, f"must be one of {', '.join(TASKS)}"),
    "architecture": (str, bool, "must be a non-empty text"),
    "builder": (str, bool, "must name a registered builder"),
    "config": (dict, lambda v: all(isinstance(k, str) for k in v), "must be an object"),
    "dataset": (dict, lambda v: isinstance(v.get("name"), str) and isinstance(v.get("provenance"), str),
                "must be an object with a 'name' and a 'provenance' text"),
    "metrics": (dict, _metrics_ok, "must map names to finite numbers"),
    "train_command": (str, bool, "must be a non-empty command"),
    "train_seconds": ((int, float), lambda v: math.isfinite(v) and v >= 0, "must be seconds >= 0"),
    "created": (str, lambda v: re.fullmatch(r"\d{4}-\d\d-\d\d", v) is not None, "must be a date YYYY-MM-DD"),
    "params": (int, lambda v: v >= 0, "must be a parameter count >= 0"),
}  # fmt: skip
assert tuple(_FIELDS) == tuple(f.name for f in fields(ManifestEntry))


def pretrained_dir() -> Path:
    """Where the shipped checkpoints are read and rebuilt: $GALLERY_PRETRAINED_DIR, else ``pretrained/``."""
    return Path(os.environ.get("GALLERY_PRETRAINED_DIR") or PRETRAINED_DIR)


def _dir(directory: str | Path | None) -> Path:
    return Path(directory) if directory is not None else pretrained_dir()


def rebuild_command(name: str) -> str:
    return f"python -m core.train {name}"


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


def manifest(directory: str | Path | None = None) -> dict[str, ManifestEntry]:
    """All manifest entries by checkpoint name (empty if there is no manifest yet), validated."""
    path = _dir(directory) / MANIFEST
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointCorrupt(f"{path} cannot be read as JSON ({exc}); restore it from git") from exc
    if not isinstance(raw, dict):
        raise CheckpointCorrupt(f"{path} must hold an object of entries by name; restore it from git")
    entries = {}
    for name, fields_ in raw.items():
        try:
            entries[name] = ManifestEntry.from_json(fields_)
        except ValueError as exc:
            raise CheckpointCorrupt(
                f"the manifest entry of checkpoint {name!r} {exc}; restore {path} from git or rebuild it "
                f"with `{rebuild_command(name)}`"
            ) from None
    return entries


def entry(name: str, directory: str | Path | None = None) -> ManifestEntry:
    """The manifest entry of one checkpoint."""
    entries = manifest(directory)
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise CheckpointMissing(
            f"no checkpoint named {name!r} in the manifest (shipped: {known}); "
            f"build it with `{rebuild_command(name)}`"
        )
    return entries[name]


def load_state(path: str | Path) -> dict[str, Tensor]:
    """Load tensors from a safetensors file, or from a weights-only torch file; refuse anything else.

    A pickle that would build arbitrary objects (and could run code while doing it) is rejected
    before any of its code runs: ``torch.load(weights_only=True)`` only rebuilds tensors. The keyword
    is explicit on purpose: TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 flips torch's default, not an explicit True.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointMissing(f"checkpoint file {path} does not exist")
    try:
        with open(path, "rb") as f:
            head = f.read(9)
        size = path.stat().st_size
    except OSError as exc:
        raise CheckpointCorrupt(f"{path.name} cannot be read ({exc.strerror or exc})") from exc
    if path.suffix == ".safetensors" or _looks_like_safetensors(head, size):
        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise CheckpointCorrupt(f"{path.name} is not a readable safetensors file: {exc}") from exc
    # Anything else is read by torch's restricted unpickler, zip or legacy format alike (the ImageNet
    # backbone of lecture 4 ships in the legacy one): it rebuilds tensors and nothing else, so a pickle
    # that would construct other objects, and run code doing it, is refused before any of its code runs.
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError and friends: the file wants more than tensors
        raise UnsafeCheckpoint(
            f"refusing to load {path.name}: it is neither safetensors nor a weights-only torch file, it "
            f"holds more than plain tensors ({type(exc).__name__}). Only safetensors or weights-only state "
            "dicts are accepted (a pickle can run arbitrary code)."
        ) from exc
    if not isinstance(obj, Mapping) or not all(isinstance(v, Tensor) for v in obj.values()):
        raise UnsafeCheckpoint(f"refusing {path.name}: it is not a flat dict of tensors")
    return dict(obj)


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    # safetensors starts with a little-endian u64 header length followed by a JSON object.
    return len(head) == 9 and 0 < int.from_bytes(head[:8], "little") < size and head[8:] == b"{"


def resolve_builder(name: str, checkpoint: str = "") -> Any:
    """The registered model builder ``name`` (see :func:`core.registry.register_builder`).

    Only registered builders may be named: a manifest that could name any callable could run any code
    of the package with any arguments.
    """
    from core.registry import builders  # the registry imports subject modules, which import this one

    known = builders()
    if name not in known:
        raise CheckpointCorrupt(
            f"checkpoint {checkpoint!r}: the manifest names an unknown model builder {name!r} (registered: "
            f"{', '.join(sorted(known))}); rebuild it with `{rebuild_command(checkpoint)}`"
        )
    return known[name]


def verify(name: str, directory: str | Path | None = None) -> str:
    """Check the file against the manifest: ``'ok'``, or raise Missing/Corrupt with the reason."""
    ent = entry(name, directory)
    path = _dir(directory) / ent.file
    if not path.is_file():
        raise CheckpointMissing(f"checkpoint {name!r}: file {ent.file} is missing; rebuild it with "
                                f"`{ent.train_command}`")
    try:
        digest = sha256_file(path)
    except OSError as exc:
        raise CheckpointCorrupt(f"checkpoint {name!r}: {ent.file} cannot be read ({exc.strerror or exc}); "
                                f"rebuild it with `{ent.train_command}`") from exc
    if digest != ent.sha256:
        raise CheckpointCorrupt(
            f"checkpoint {name!r}: {ent.file} does not match the manifest (sha256 {digest[:12]}… ≠ "
            f"{ent.sha256[:12]}…): the file is corrupted or was changed; rebuild it with "
            f"`{ent.train_command}`"
        )
    return "ok"


def load_model(name: str, directory: str | Path | None = None) -> nn.Module:
    """The shipped model ``name`` in eval mode, its weights verified against the manifest's sha256."""
    verify(name, directory)
    ent = entry(name, directory)
    builder = resolve_builder(ent.builder, name)
    fix = f"rebuild it with `{ent.train_command}`"
    if builder.task != ent.task:
        raise CheckpointCorrupt(f"checkpoint {name!r} says task {ent.task!r} but builder {ent.builder!r} "
                                f"makes a {builder.task!r}; {fix}")
    try:
        model = builder.fn(**ent.config)
    except (TypeError, ValueError) as exc:
        raise CheckpointCorrupt(f"checkpoint {name!r}: builder {ent.builder!r} refuses its config "
                                f"({exc}); {fix}") from exc
    try:
        state = load_state(_dir(directory) / ent.file)
    except CheckpointError as exc:
        raise type(exc)(f"checkpoint {name!r}: {exc}; {fix}") from exc
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[-1].strip()  # torch lists every key; the first line suffices
        raise CheckpointCorrupt(f"checkpoint {name!r}: {ent.file} does not fit its architecture "
                                f"({first}); {fix}") from exc
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
    task: str | None = None,
    directory: str | Path | None = None,
) -> ManifestEntry:
    """Write ``name.safetensors`` and its manifest entry (atomically, under the manifest lock).

    ``task`` defaults to the task the builder was registered with. An entry that would not validate
    (e.g. a NaN metric) raises ValueError before anything is written.
    """
    from core.registry import builder_task

    folder = _dir(directory)
    from safetensors.torch import save

    # safetensors refuses shared or non-contiguous storage; a detached contiguous copy is what we ship.
    data = save({k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()})
    raw = {
        "file": f"{name}.safetensors",
        "sha256": hashlib.sha256(data).hexdigest(),
        "lecture": lecture,
        "task": task or builder_task(builder),
        "architecture": architecture,
        "builder": builder,
        "config": config,
        "dataset": dataset,
        "metrics": metrics,
        "train_command": train_command or rebuild_command(name),
        "train_seconds": round(float(train_seconds), 1),
        "created": _dt.date.today().isoformat(),
        "params": sum(p.numel() for p in model.parameters()),
    }
    try:
        ent = ManifestEntry.from_json(json.loads(json.dumps(raw)))  # exactly what a later read will see
    except ValueError as exc:
        raise ValueError(f"checkpoint {name!r} was not saved: its entry {exc}") from None
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with filelock.FileLock(folder / LOCK, timeout=LOCK_TIMEOUT_S):
            # The file too, so that the file on disk and the entry's sha256 come from the same rebuild.
            atomic_write_bytes(folder / ent.file, data)
            entries = {k: v.to_json() for k, v in manifest(folder).items()}
            entries[name] = ent.to_json()
            text = json.dumps(dict(sorted(entries.items())), indent=2) + "\n"
            atomic_write_bytes(folder / MANIFEST, text.encode())
    except filelock.Timeout as exc:
        raise CheckpointError(f"the manifest in {folder} stayed locked for {LOCK_TIMEOUT_S:.0f} s by another "
                              f"rebuild; retry `{ent.train_command}` when it has finished") from exc
    return ent
