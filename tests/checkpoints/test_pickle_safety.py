"""A pickled checkpoint never runs code, even where torch's safe default is switched off.

torch >= 2.6 loads weights-only by default, so dropping ``weights_only=True`` from ``load_state`` would
pass every in-process test. With TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 (a documented escape hatch that
some environments set) torch unpickles freely unless the call says ``weights_only=True`` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.helpers import ROOT


class _Evil:
    """Unpickling this writes a sentinel file: proof that code ran."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):  # noqa: ANN204
        return (os.system, (f"touch {self.sentinel}",))


LOADER = """
import sys
from core import checkpoints
try:
    checkpoints.load_state(sys.argv[1])
except checkpoints.UnsafeCheckpoint as exc:
    print("refused:", exc)
"""


@pytest.mark.parametrize("env", ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", None])
def test_a_torch_pickle_is_refused_without_running_code(tmp_path: Path, env: str | None) -> None:
    sentinel = tmp_path / "PWNED"
    path = tmp_path / "model.pt"
    torch.save({"weight": torch.zeros(2), "evil": _Evil(sentinel)}, path)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TORCH_FORCE")}
    if env:
        environ[env] = "1"
    out = subprocess.run([sys.executable, "-c", LOADER, str(path)], cwd=ROOT, env=environ,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert not sentinel.exists(), "loading the checkpoint ran code from its pickle"
    assert "refused: refusing to load model.pt" in out.stdout
