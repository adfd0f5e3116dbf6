"""Checkpoints & data: what ships, whether each file is intact, which data source serves each set."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common.live import training_panel
from core import checkpoints, data, registry

st.title("Checkpoints & data")
st.markdown(
    "Every shipped checkpoint is a safetensors file with a manifest entry; its sha256 is checked before "
    "a page loads it. Metrics were measured on held-out data by the training command, and the test suite "
    "measures them again from the shipped file."
)

try:
    rows = registry.overview()
except checkpoints.CheckpointError as exc:
    st.error(str(exc), icon=":material/error:")
    rows = []


def _size_kb(row: registry.CheckpointStatus) -> float | None:
    if row.entry is None or row.state != "ok":
        return None
    return round((checkpoints.pretrained_dir() / row.entry.file).stat().st_size / 1024, 1)


table = [
    {
        "checkpoint": row.name,
        "lecture": row.lecture,
        "task": row.entry.task if row.entry else "",
        "status": row.state,
        "size (kB)": _size_kb(row),
    }
    for row in rows
]
if table:
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    # Metrics, provenance and the rebuild command are long texts: shown wrapped for one checkpoint at a time.
    by_name = {row.name: row for row in rows}
    shown = by_name[st.selectbox("Details of", tuple(by_name), key="status_details")]
    if shown.entry:
        metrics = ", ".join(f"{k} {v}" for k, v in shown.entry.metrics.items())
        st.markdown(f"**Metrics:** {metrics or 'none'}  \n**Data:** {shown.entry.dataset['provenance']}")
    st.markdown("**Rebuild:**")
    st.code(shown.entry.train_command if shown.entry else checkpoints.rebuild_command(shown.name),
            language="bash", wrap_lines=True)
else:
    st.info("No checkpoints are registered.")

for row in rows:
    if row.state == "ok":
        continue
    st.warning(f"**{row.name}** is {row.state}. {row.problem}", icon=":material/warning:")
    if row.spec is None:
        st.caption(f"No module registers {row.name}, so it cannot be rebuilt here.")
        continue

    def make_job(spec: registry.TrainSpec = row.spec):  # bind this row's spec, not the loop's last
        return lambda job: spec.fn(registry.TrainContext(callbacks=(job.callback(),)))

    training_panel(f"status_{row.name}", make_job,
                   label=f"Rebuild {row.name} (~{row.spec.est_seconds:.0f} s)")

st.header("Data sources")
st.markdown("Each data set has a chain of sources; the first available one serves it.")
for name in data.names():
    with st.expander(name):
        st.dataframe(
            pd.DataFrame(data.describe_sources(name), columns=["source", "available", "detail"]),
            hide_index=True,
            width="stretch",
            column_config={"source": st.column_config.TextColumn(width="small"),
                           "available": st.column_config.CheckboxColumn(width="small"),
                           "detail": st.column_config.TextColumn(width="large")},
        )
