"""The layering rules of the house, as tests.

- core/ is UI-agnostic: importing any of it pulls in neither streamlit nor gradio.
- A subject package imports only the shared services and earlier subjects (in schedule order).
- Pages stay thin (at most 120 lines) and core modules small (at most 400 lines).

Imports are read with ``ast`` (module-level and inside functions alike), so a lazy import inside a
function cannot slip past the rule.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import core
from tests.helpers import ROOT

SUBJECTS = ("basics", "mlp", "cnn", "transfer", "generative", "text", "rl")
"""Subject packages of core/, in schedule order: each may import the ones before it."""
SHARED = ("data", "training", "viz", "metrics", "checks", "checkpoints", "registry", "jobs", "schedule")
"""Shared services of core/ that every subject may import."""
UI = ("streamlit", "gradio")
PAGE_MAX_LINES = 120
CORE_MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    return _imports_of(path.read_text(), package)


def _imports_of(source: str, package: str) -> set[str]:
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # `from core import mlp` imports the subject package core.mlp
            found |= {f"{module}.{alias.name}" for alias in node.names if module == "core"}
    return found


def _core_files() -> list[Path]:
    return sorted((ROOT / "core").rglob("*.py"))


def _subject_violations(subject: str) -> list[str]:
    allowed = set(SHARED) | set(SUBJECTS[: SUBJECTS.index(subject) + 1])
    bad: list[str] = []
    for path in sorted((ROOT / "core" / subject).rglob("*.py")):
        for module in sorted(_imports(path)):
            parts = module.split(".")
            if parts[0] != "core" or len(parts) < 2:
                continue
            if parts[1] not in allowed:
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    return bad


def test_the_import_reader_sees_relative_and_function_level_imports() -> None:
    source = "from . import layers\ndef f():\n    from ..cnn import conv\n    import core.transfer.backbone\n"
    found = _imports_of(source, "core.mlp")
    assert {"core.mlp", "core.cnn", "core.transfer.backbone"} <= found
    assert "core.rl" in _imports_of("from core import rl\n", "core.mlp")


@pytest.mark.parametrize("subject", [s for s in SUBJECTS if (ROOT / "core" / s).is_dir()])
def test_a_subject_imports_only_shared_services_and_earlier_subjects(subject: str) -> None:
    bad = _subject_violations(subject)
    assert not bad, f"core/{subject} may import only {SHARED} and earlier subjects:\n" + "\n".join(bad)


def test_no_core_file_imports_a_front_end() -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _core_files()
        for module in sorted(_imports(path))
        if module.split(".")[0] in UI + ("apps",)
    ]
    assert not bad, "core/ must stay UI-agnostic:\n" + "\n".join(bad)


def test_importing_all_of_core_loads_no_front_end() -> None:
    """The same rule at run time (catches an import hidden in a dependency of ours)."""
    walk = pkgutil.walk_packages(core.__path__, "core.")
    modules = sorted(m.name for m in walk if not m.name.endswith("__main__"))
    assert "core.training" in modules and "core.checkpoints" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(k for k in sys.modules if k.split('.')[0] in {UI!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core pulls in front-end modules: {out.stdout}"


def _too_long(paths: list[Path], limit: int) -> list[str]:
    counts = ((p, len(p.read_text().splitlines())) for p in paths)
    return [f"{p.relative_to(ROOT)}: {n} lines" for p, n in counts if n > limit]


def test_pages_stay_thin() -> None:
    pages = sorted((ROOT / "apps" / "pages").rglob("*.py"))
    pages += [ROOT / "apps" / name for name in ("home.py", "status.py", "frame.py")]
    bad = _too_long([p for p in pages if p.name != "__init__.py"], PAGE_MAX_LINES)
    assert not bad, f"pages over {PAGE_MAX_LINES} lines (move computation into core/):\n" + "\n".join(bad)


def test_core_modules_stay_small() -> None:
    bad = _too_long(_core_files(), CORE_MAX_LINES)
    why = "split along config / model / training / figures"
    assert not bad, f"core modules over {CORE_MAX_LINES} lines ({why}):\n" + "\n".join(bad)
