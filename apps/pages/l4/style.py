"""Texture synthesis and neural style transfer with the Gram matrices of ImageNet features (Gatys et al.)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from apps.pages.l4._style_picker import pick, pick_network
from core.jobs import Job
from core.transfer import style as sy
from core.transfer import vgg

page_header("l4-style")
st.markdown(
    "A texture is what stays when you forget *where* things are: the **Gram matrix** of a layer's feature "
    "maps counts which channels fire together, summed over all positions (Gatys et al. 2015). Optimising "
    "the pixels of a noise image until its Gram matrices match a photo's synthesises a new texture; adding "
    "a **content loss** on a deeper layer's feature maps keeps another photo's layout, which is **style "
    "transfer** (Gatys et al. 2016). The papers use **VGG-19** (`conv1_1`-`conv5_1`), whose weights come "
    "from torchvision through the torch hub cache; where they cannot be had, the bundled "
    "**EfficientNet-Lite0** and the outputs of its stages 1-5 (`blocks.0`-`blocks.4`) stand in."
)
backbone = pick_network("l4st_network")
net = backbone.name
names, (default_style, default_content) = sy.LAYER_SETS[net], sy.DEFAULT_LAYERS[net]
k = "_vgg19" if net == vgg.NAME else ""  # one widget per network: their layer names differ
c1, c2, c3 = st.columns(3)
with c1:
    mode = ui.radio("What", "l4st_mode", tuple(sy.MODES), "style", format_func=sy.MODES.get, horizontal=True)
    style_img, style_caption = pick("Style photo", "l4st_style", "flower")
    content_img, content_caption = (pick("Content photo", "l4st_content", "chelsea") if mode == "style"
                                    else (None, ""))  # fmt: skip
with c2:
    size = ui.slider("Image size (long side, px)", "l4st_size", *sy.SIZE, step=sy.SIZE_STEP)
    iterations = ui.slider("Iterations", "l4st_iterations", *sy.ITERATIONS)
    optimiser = ui.radio("Optimiser", "l4st_optimiser", tuple(sy.OPTIMISERS), "lbfgs",
                         format_func=sy.OPTIMISERS.get, horizontal=True)  # fmt: skip
    seed = ui.number_input("Seed (starting noise of a texture)", "l4st_seed", *sy.SEED)
with c3:
    style_weight = ui.select_slider("Style weight", "l4st_style_weight", sy.STYLE_WEIGHTS, 10.0)
    content_weight = ui.select_slider("Content weight", "l4st_content_weight", sy.CONTENT_WEIGHTS, 1.0,
                                      disabled=mode != "style")  # fmt: skip
    layers = ui.multiselect("Style layers (Gram matrices)", f"l4st_layers{k}", tuple(names), default_style,
                            format_func=names.get)  # fmt: skip
    content_layer = ui.selectbox("Content layer", f"l4st_content_layer{k}", tuple(names), default_content,
                                 format_func=names.get, disabled=mode != "style")  # fmt: skip
if not layers:
    st.info("Choose at least one style layer.")
    st.stop()
cfg = sy.StyleConfig(mode, size, iterations, style_weight, content_weight, tuple(layers), content_layer,
                     optimiser, seed, network=net)  # fmt: skip


def make_job() -> Callable[[Job], sy.StyleResult]:
    chosen, s, c = cfg, style_img, content_img
    return lambda job: sy.run(chosen, s, c, job)


def live(job: Job) -> None:
    image = job.artifact("image")
    if image is not None:
        st.image(image, caption="The image being optimised (updated every few steps)")


def result(job: Job) -> None:
    res: sy.StyleResult = job.result
    done = {"completed": "done", "stopped": "stopped by you", "time limit": "stopped at the time limit",
            "diverged": "stopped: the loss is no longer finite"}[res.status]  # fmt: skip
    st.image(res.image, caption=f"{sy.MODES[res.mode]}: {res.steps} steps in {res.seconds:.1f} s "
             f"({done}); {res.network} layers used: {res.layers}.")  # fmt: skip
    h = res.history
    if h.get("style_loss"):
        st.caption(f"Style loss (relative Gram error) {h['style_loss'][0]:.3f} → {h['style_loss'][-1]:.3f}; "
                   f"content loss {h['content_loss'][0]:.3f} → {h['content_loss'][-1]:.3f}.")  # fmt: skip


st.caption(f"{style_caption}. {content_caption}" if content_caption else f"{style_caption}.")
charts = (("Loss", ("loss",)), ("Style and content", ("style_loss", "content_loss")))
job = training_panel("l4st", make_job, label="Synthesise", charts=charts, live=live, result=result,
                     poll_s=0.5, x_key="iteration")  # fmt: skip
if job is None:
    st.info(f"Press **Synthesise**: {iterations} steps at {size} px, bounded at {sy.TIME_BUDGET_S:.0f} s; "
            "the image being optimised appears as it changes.", icon=":material/palette:")  # fmt: skip
st.markdown(
    "**Things to try.** Synthesise a texture from the first layer alone (colour and grain), then add "
    "deeper ones: larger motifs appear. On VGG-19 a step costs ~10x a Lite0 step, so the 60 s bound stops "
    "runs at 192 px early; try 128 px. Raise the style weight until the cat dissolves; set the content "
    "weight to 0. Compare L-BFGS with Adam at 50 iterations."
)
show_source(sy.run, sy.Synthesis, sy.gram)
