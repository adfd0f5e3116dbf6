"""Two rebuilds writing the same manifest at once lose no entry (the manifest is locked while written)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from core import checkpoints as ck
from tests.helpers import ROOT

WRITES = 25

WRITER = """
import sys, time
from pathlib import Path
import torch
from torch import nn
from core import checkpoints, registry

folder, prefix, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
registry.register_builder("tiny-lock-test")(lambda: nn.Linear(2, 2))
(folder / f"ready-{prefix}").touch()
while not (folder / "go").exists():  # start together, so the writes interleave
    time.sleep(0.01)
for i in range(n):
    checkpoints.save_checkpoint(
        f"{prefix}-{i}", nn.Linear(2, 2), lecture=1, architecture="linear", builder="tiny-lock-test",
        config={}, dataset={"name": "none", "provenance": "test"}, metrics={"i": i}, train_seconds=0,
        directory=folder,
    )
"""


def test_concurrent_rebuilds_lose_no_manifest_entry(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), prefix, str(WRITES)], cwd=ROOT,
                         stderr=subprocess.PIPE, text=True)
        for prefix in ("a", "b")
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{p}").exists() for p in "ab") and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.05)
    (tmp_path / "go").touch()
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    raw = json.loads((tmp_path / ck.MANIFEST).read_text())
    expected = {f"{p}-{i}" for p in "ab" for i in range(WRITES)}
    assert set(raw) == expected, f"lost entries: {sorted(expected - set(raw))}"
    for name in expected:  # every entry also describes the file that is on disk
        assert ck.verify(name, tmp_path) == "ok"
    assert not list(tmp_path.glob("*.tmp")), "temp files left behind"
