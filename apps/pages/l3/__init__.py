"""Lecture 3's demos, in the order the navigation lists them."""

from apps.catalog import Demo

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l3-convolution",
        "Convolution explorer",
        ":material/filter:",
        "convolution.py",
        "Convolve and pool real images; see output sizes and receptive fields.",
        ("Convolution", "Pooling", "Receptive fields"),
        gradio="lecture3",
    ),
    Demo(
        "l3-trainer",
        "CNN trainer",
        ":material/model_training:",
        "trainer.py",
        "Train a CNN on Fashion-MNIST or MNIST and inspect what it learned.",
        ("CNN", "Batch normalisation"),
        gradio="lecture3_classify",
    ),
    Demo(
        "l3-architectures",
        "Architecture gallery",
        ":material/account_balance:",
        "architectures.py",
        "Compare classic and modern CNN architectures from their real definitions.",
        ("LeNet, AlexNet, VGG, ResNet, Inception, DenseNet, NAS",),
        gradio="lecture3_architectures",
    ),
    Demo(
        "l3-initialisation",
        "Initialisation & gradients",
        ":material/stacked_line_chart:",
        "initialisation.py",
        "Watch activations and gradients vanish or explode with depth, and batch norm fix it.",
        ("Initialisation", "Vanishing/exploding gradients", "Batch normalisation"),
        gradio="lecture3_initialisation",
    ),
    Demo(
        "l3-beyond",
        "1D and 3D convolution",
        ":material/timeline:",
        "beyond.py",
        "Convolve a time series and a short video clip.",
        ("Time series (1D) and video (3D) convolution",),
        gradio="lecture3_beyond",
    ),
)
