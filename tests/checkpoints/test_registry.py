"""The registry finds the modules that register builders and checkpoints by reading core/'s sources,
in a fixed order, and refuses a name registered twice."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from torch import nn

from core import registry


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_discovery_reads_decorators_not_mentions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    core = tmp_path / "core"
    _write(core / "zeta.py", "from core.registry import register_checkpoint\n\n"
                             "@register_checkpoint('z', 1, 'z')\ndef train(ctx):\n    pass\n")
    _write(core / "sub" / "alpha.py",
           "from core import registry\n\n@registry.register_checkpoint('a', 2, 'a')\n"
           "def train(ctx):\n    pass\n")
    _write(core / "docs.py", '"""Register with\n\n    @register_checkpoint("x", 1, "x")\n"""\n'
                             "# @register_checkpoint('y', 1, 'y')\nHINT = '@register_checkpoint('\n")
    _write(core / "builders.py", "@register_builder('b')\ndef build():\n    pass\n")
    monkeypatch.setattr(registry, "CORE_DIR", core)
    assert registry.trainable_modules() == ("core.sub.alpha", "core.zeta")
    assert registry._modules_with("register_builder") == ("core.builders",)
    assert "core.docs" not in sys.modules


def test_every_discovered_module_registers_and_every_spec_is_discovered() -> None:
    specs = registry.specs()
    assert set(registry.trainable_modules()) == {s.fn.__module__ for s in specs.values()}
    assert list(specs) == sorted(specs, key=lambda n: (specs[n].lecture, n))
    assert {"cnn-fashion-mnist", "cnn-mnist", "mlp-playground"} <= set(specs)
    assert registry.builder_task("cnn") == registry.builder_task("mlp") == "classifier"


def test_a_checkpoint_name_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_SPECS", dict(registry.specs()))

    def train_fashion_again(ctx: registry.TrainContext) -> None:
        raise AssertionError("never called")

    with pytest.raises(ValueError, match="'cnn-fashion-mnist' is registered twice.*train_fashion_again"):
        registry.register_checkpoint("cnn-fashion-mnist", 3, "another model")(train_fashion_again)
    original = registry._SPECS["cnn-fashion-mnist"].fn
    registry.register_checkpoint("cnn-fashion-mnist", 3, "reimported")(original)  # a module imported again
    assert registry._SPECS["cnn-fashion-mnist"].description == "reimported"


def test_a_builder_name_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_BUILDERS", dict(registry.builders()))

    def another_cnn() -> nn.Module:
        return nn.Identity()

    with pytest.raises(ValueError, match="builder 'cnn' is registered twice.*another_cnn"):
        registry.register_builder("cnn")(another_cnn)
    assert registry.builders()["cnn"].fn is not another_cnn
