"""Architecture gallery: LeNet-5 to NAS, summarised from their real torchvision / timm definitions."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from core.cnn import architecture_figures as arch_figures
from core.cnn import architecture_table as table

page_header("l3-architectures")
NAMES = table.names()
TITLES = {n: table.meta(n)["title"] for n in NAMES}
SIZES = table.SIZES

c1, c2, c3 = st.columns(3)
with c1:
    name = ui.selectbox("Architecture", "l3arch_name", NAMES, "resnet18", format_func=TITLES.get)
with c2:
    size = ui.select_slider("Input size (pixels)", "l3arch_size", SIZES, 224)
with c3:
    metrics = arch_figures.METRICS
    metric = ui.selectbox("Compare by", "l3arch_metric", tuple(metrics), "params", format_func=metrics.get)

meta = table.meta(name)
try:
    s = table.overview(name, size)
except ValueError as exc:
    st.error(str(exc))
    st.stop()
if meta["fixed_input"] and size != meta["input_size"]:
    st.info(
        f"{meta['title']} only takes {meta['input_size']}×{meta['input_size']} inputs "
        "(its F6 layer fixes the size)."
    )

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Parameters", f"{s['params'] / 1e6:.2f} M" if s["params"] > 1e5 else f"{s['params']:,}")
m2.metric(
    f"Multiply-adds at {s['input_size']} px",
    f"{s['macs'] / 1e9:.3g} G" if s["macs"] > 1e7 else f"{s['macs']:,}",
)
m3.metric("Depth", s["longest_path"], help="The longest chain of conv/linear layers from input to output.")
m4.metric(
    "Conv + linear layers",
    s["depth"],
    help="Every conv/linear layer that runs, shortcuts and branches included.",
)
m5.metric("Receptive field", f"{s['receptive_field']} px")
st.markdown(
    f"**{meta['title']}** ({meta['year']}) — {meta['key_idea']}  \n*{meta['citation']}.* "
    f"Built from `{meta['source']}`."
)
if s["receptive_field"] > s["input_size"]:
    st.caption(
        f"The theoretical field ({s['receptive_field']} px) exceeds the {s['input_size']} px input: "
        "the last units see the whole image plus padding (Araujo et al. 2019)."
    )

left, right = st.columns(2)
with left:
    st.markdown("**The key idea as a diagram**")
    st.graphviz_chart(meta["diagram"])
with right:
    st.markdown(f"**The real module** (`{meta['block'] or 'the whole network'}`)")
    st.code(table.key_block(name), language="text", wrap_lines=True)

# Built on demand: the layer table needs the real network (torchvision/timm import and a traced forward).
if ui.toggle("Layer table (every conv / linear / pooling layer)", "l3arch_layers", False):
    from core.cnn import architectures as arch

    layers = arch.summary(name, size)["layers"]
    st.caption(f"{len(layers)} conv / linear / pooling layers of {meta['title']} at {s['input_size']} px.")
    st.dataframe(layers, hide_index=True)
    show_source(arch.summary, arch._summary, label="Show the code that traces the network")

st.subheader("All architectures side by side")
summaries = [table.overview(n, size) for n in NAMES]
st.plotly_chart(arch_figures.comparison_figure(summaries, metric, highlight=name))
st.plotly_chart(arch_figures.tradeoff_figure(summaries, highlight=name))
st.caption(
    "Top-1 accuracies are those reported for the published ImageNet weights (torchvision's metadata; "
    "EfficientNet-B0 from its paper); nothing here is trained. Multiply-adds count convolutions and "
    "linear layers, the convention of the papers and of torchvision."
)
show_source(table.overview, table.generate)
