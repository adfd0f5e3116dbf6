"""Widgets of the CNN trainer page (``trainer.py``): every training setting, bound to the URL."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from core.cnn import config as cnn_config
from core.cnn import training as cnn_training

DATASETS = {"fashion-mnist": "Fashion-MNIST", "mnist": "MNIST"}  # both 60,000 train / 10,000 test
TRAIN_SIZES = (500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)


def controls() -> cnn_config.CNNConfig:
    """Every training setting, bound to the URL."""
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        dataset = ui.selectbox(
            "Data set", "l3tr_data", tuple(DATASETS), "fashion-mnist", format_func=DATASETS.get,
            help="Both: 60,000 training and 10,000 test images, 28x28 grey.",
        )
        n = ui.select_slider("Training images", "l3tr_n", TRAIN_SIZES, 10_000, format_func="{:,}".format)
        epochs = ui.slider("Epochs", "l3tr_epochs", 1, 20, 1)
    with c2:
        blocks = ui.slider("Conv blocks", "l3tr_blocks", 1, 4, 2)
        filters = ui.select_slider(
            "Filters in block 1 (×2 per block)", "l3tr_filters", (4, 8, 16, 32, 64), 32
        )
        kernel = ui.select_slider("Kernel size", "l3tr_k", (1, 2, 3, 4, 5, 7, 9), 3)
        stride = ui.slider("Stride", "l3tr_stride", 1, 3, 1)
    with c3:
        padding = ui.selectbox("Padding", "l3tr_pad", ("same", "valid", 1, 2, 3), "same")
        pooling = ui.segmented("Pooling (2x2)", "l3tr_pool", cnn_config.POOLINGS, "max")
        bn = ui.toggle("Batch normalisation", "l3tr_bn", True)
        dropout = ui.slider("Dropout before the classifier", "l3tr_drop", 0.0, 0.8, 0.0, 0.1)
    with c4:
        opt = ui.selectbox("Optimiser", "l3tr_opt", cnn_config.OPTIMIZERS, "adam")
        lr = ui.select_slider("Learning rate", "l3tr_lr", LRS, 1e-3, format_func="{:g}".format)
        batch = ui.select_slider("Batch size", "l3tr_bs", (16, 32, 64, 128, 256), 128)
        seed = ui.number_input("Seed", "l3tr_seed", 0, 9999, 0)
    return cnn_config.CNNConfig(
        dataset=dataset, blocks=blocks, filters=filters, kernel_size=kernel, stride=stride, padding=padding,
        pooling=pooling, batch_norm=bn, dropout=round(dropout, 2), optimizer=opt, lr=lr, epochs=epochs,
        train_size=n, batch_size=batch, seed=int(seed),
    )  # fmt: skip


def architecture(config: cnn_config.CNNConfig) -> bool:
    """The layer-by-layer shapes and the expected time, or an error naming the absurd setting."""
    try:
        cnn_config.validate(config, cnn_config.PAGE_MAX_IMAGES)
    except ValueError as exc:
        st.error(f"This network cannot be trained: {exc}.", icon=":material/block:")
        return False
    st.caption(f"**{cnn_config.describe(config)}** · feature maps {cnn_config.shape_trail(config)}")
    rate = cnn_training.measure_images_per_s(config)
    st.caption(
        cnn_config.plan_summary(config, rate)
        + f" (The rate is measured: {cnn_training.RATE_BATCHES} training steps of this network on this "
        "machine, just now; a busy machine trains slower.)"
    )
    return True
