"""Lecture 1's demos, in the order the navigation lists them."""

from apps.catalog import Demo

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l1-regression",
        "Regression by gradient descent",
        ":material/show_chart:",
        "regression.py",
        "Fit polynomials and logistic classifiers with hand-written gradient descent; watch "
        "overfitting appear and L2 tame it.",
        ("Empirical risk minimisation", "Overfitting", "L2 regularisation"),
        gradio="lecture1",
    ),
    Demo(
        "l1-information",
        "Entropy, cross-entropy, KL",
        ":material/functions:",
        "information.py",
        "Shape two discrete distributions and read off entropy, cross-entropy and the "
        "asymmetric KL divergence.",
        ("Information theory",),
        gradio="lecture1_information",
    ),
)
