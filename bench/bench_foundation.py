"""Foundation benchmark: server cold start, and first render and rerun of every page.

Run: ``.venv/bin/python -m bench.bench_foundation [slug ...]`` (prints Markdown tables).

Each page is measured in a fresh process: the process has imported Streamlit and run an empty script
(the framework's own cost, paid before any page), then renders the page once (first render) and reruns
it (best of 3). "Served" is the first render as a visitor meets it in a running server, whose start-up
has already run ``core.jobs.warm_up`` and imported the pages' libraries (``core.jobs.preload``); the
target (first render at most 1.5 s) applies to it. The reference is a
bare import, in another fresh process, of the modules the page file itself imports: what the page
could not be faster than without import-time work of its own. Target: first render at most 1.5 s.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from apps import catalog
from bench.common import table
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
FIRST_RENDER_TARGET_S = 1.5
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE", "GRADIO_ANALYTICS_ENABLED": "False"}

_RENDER = """
import json, sys, time
t = time.perf_counter()
from streamlit.testing.v1 import AppTest
AppTest.from_string("import streamlit as st\\nst.write('x')").run()
if sys.argv[2:] == ["served"]:  # as in a running server: warm-up and the pages' libraries done at start
    from core import jobs
    jobs.warm_up(); jobs.preload()
framework = time.perf_counter() - t
at = AppTest.from_file(sys.argv[1], default_timeout=300)
t = time.perf_counter(); at.run(); first = time.perf_counter() - t
reruns = []
for _ in range(3):
    t = time.perf_counter(); at.run(); reruns.append(time.perf_counter() - t)
print(json.dumps({"framework": framework, "first": first, "rerun": min(reruns), "error": bool(at.exception)}))
"""

_IMPORT = """
import importlib, json, sys, time
import streamlit
t = time.perf_counter()
for name in sys.argv[1:]:
    module, _, attr = name.partition(":")
    loaded = importlib.import_module(module)
    if attr and not hasattr(loaded, attr):  # `from package import submodule`
        importlib.import_module(f"{module}.{attr}")
print(json.dumps({"imports": time.perf_counter() - t}))
"""


def page_imports(path: Path) -> list[str]:
    """Modules a page file imports at its top level, as ``module`` or ``package:name`` (``from package
    import name``, where name may be a submodule); streamlit is left out: it is in the framework cost."""
    names: list[str] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [f"{node.module}:{a.name}" for a in node.names]
    skip = ("streamlit", "__future__")
    return [n for n in dict.fromkeys(names) if n.split(":")[0].split(".")[0] not in skip]


def _run_json(code: str, *args: str) -> dict[str, float]:
    cmd = [sys.executable, "-c", code, *args]
    out = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_start() -> float:
    """Seconds from ``streamlit run apps/streamlit_app.py`` to a healthy server."""
    port = free_port()
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "streamlit", "run", "apps/streamlit_app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                return time.perf_counter() - t
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(15)


def page_rows(only: set[str]) -> list[list[object]]:
    pages = [("home", ROOT / "apps" / "home.py"), ("status", ROOT / "apps" / "status.py")]
    pages += [(d.slug, d.path) for d in catalog.available_demos()]
    rows: list[list[object]] = []
    for name, path in pages:
        if only and name not in only:
            continue
        ref = _run_json(_IMPORT, *page_imports(path))["imports"]
        got = _run_json(_RENDER, str(path))
        served = _run_json(_RENDER, str(path), "served")
        rows.append([
            name,
            f"{got['first']:.2f}",
            f"{served['first']:.2f}",
            f"{got['rerun'] * 1000:.0f}",
            f"{ref:.2f}",
            f"{got['first'] - ref:.2f}",
            "ok" if served["first"] <= FIRST_RENDER_TARGET_S else "over",
            "yes" if got["error"] else "",
        ])
    return rows


def main() -> None:
    only = set(sys.argv[1:])
    if not only:
        print("## Streamlit server\n")
        print(table(["measure", "value"], [["cold start to /_stcore/health (s)", f"{cold_start():.2f}"]]))
    print(f"\n## Pages: first render in a fresh process (target <= {FIRST_RENDER_TARGET_S} s), rerun\n")
    headers = ["page", "first render, fresh process (s)", "first render, served (s)", "rerun (ms)",
               "bare import of its modules (s)",
               "page's own first-render work (s)", "target", "exception"]
    print(table(headers, page_rows(only)))
    print(f"\ncores: {os.cpu_count()}; each page in a fresh process, after Streamlit's own start-up")


if __name__ == "__main__":
    main()
