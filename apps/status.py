"""Checkpoints & data: what ships, whether each file is intact, which data source serves each set."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common.live import training_panel
from core import checkpoints, data
from core.registry import TrainContext, specs

st.title("Checkpoints & data")
st.markdown(
    "Every shipped checkpoint is a safetensors file with a manifest entry; its sha256 is checked before "
    "a page loads it. Metrics were measured on held-out data by the training command."
)

registry = specs()
try:
    entries = checkpoints.manifest()
except checkpoints.CheckpointError as exc:
    st.error(str(exc))
    entries = {}

rows, broken = [], []
for name in sorted(set(entries) | set(registry)):
    ent = entries.get(name)
    try:
        state = checkpoints.verify(name) if ent else "not built"
    except checkpoints.CheckpointError as exc:
        state = "missing" if isinstance(exc, checkpoints.CheckpointMissing) else "corrupted"
        broken.append((name, str(exc)))
    if ent is None:
        broken.append((name, f"{name} is registered but not built yet."))
    rows.append(
        {
            "checkpoint": name,
            "lecture": ent["lecture"] if ent else registry[name].lecture,
            "status": state,
            "metrics": ", ".join(f"{k} {v}" for k, v in (ent or {}).get("metrics", {}).items()),
            "data": (ent or {}).get("dataset", {}).get("provenance", ""),
            "size (kB)": round((checkpoints.PRETRAINED_DIR / ent["file"]).stat().st_size / 1024, 1)
            if ent and state == "ok" else None,
            "rebuild": (ent or {}).get("train_command", f"python -m core.train {name}"),
        }
    )
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
else:
    st.info("No checkpoints are registered.")

for name, why in broken:
    st.warning(why, icon=":material/warning:")
    if name in registry:
        spec = registry[name]

        def make_job(spec=spec):  # bind the loop variable
            return lambda job: spec.fn(TrainContext(callbacks=(job.callback(),)))

        training_panel(f"status_{name}", make_job, label=f"Retrain {name} (~{spec.est_seconds:.0f} s)")

st.header("Data sources")
st.markdown("Each data set has a chain of sources; the first available one serves it.")
for name in data.names():
    with st.expander(name):
        st.dataframe(
            pd.DataFrame(data.describe_sources(name), columns=["source", "available", "detail"]),
            hide_index=True,
            width="stretch",
        )
