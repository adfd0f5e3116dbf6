"""Lecture 2's demos, in the order the navigation lists them."""

from apps.catalog import Demo

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l2-perceptron",
        "Perceptron",
        ":material/linear_scale:",
        "perceptron.py",
        "Step through the perceptron learning rule on separable data and on XOR.",
        ("Perceptron",),
        gradio="lecture2_perceptron",
    ),
    Demo(
        "l2-playground",
        "MLP playground",
        ":material/hub:",
        "playground.py",
        "Train an MLP live on 2D data or your own CSV and compare runs.",
        ("Multi-layer perceptron", "Dropout", "Early stopping", "L1/L2"),
        gradio="lecture2",
    ),
    Demo(
        "l2-optimisers",
        "Optimiser race",
        ":material/sprint:",
        "optimisers.py",
        "Race SGD, momentum, RMSProp and Adam on classic 2D loss surfaces.",
        ("SGD, momentum, RMSProp, Adam",),
        gradio="lecture2_optim",
    ),
    Demo(
        "l2-backprop",
        "Backprop step-through",
        ":material/account_tree:",
        "backprop.py",
        "Follow one example forward and backward through a tiny network.",
        ("Backpropagation",),
        gradio="lecture2_backprop",
    ),
    Demo(
        "l2-search",
        "Regularisation & search",
        ":material/manage_search:",
        "search.py",
        "Random search vs grid search over regularisers on the same budget.",
        ("Hyperparameter optimisation",),
        gradio="lecture2_search",
    ),
)
