"""Lecture 6's demos, in the order the navigation lists them."""

from apps.catalog import Demo

SECTION = "RNNs & text"

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l6-unfold",
        "An RNN unfolded",
        ":material/linear_scale:",
        "unfold.py",
        "Type a sentence and watch an RNN and an LSTM read it: hidden state and gates at every character.",
        ("Unfolding the computational graph", "RNN", "LSTM"),
        gradio="lecture6",
    ),
    Demo(
        "l6-memory",
        "Vanishing gradients",
        ":material/trending_down:",
        "memory.py",
        "Remember the first symbol after T steps: gradient norms per step and training of an RNN, LSTM, GRU.",
        ("Vanishing gradients", "LSTM", "GRU"),
        gradio="lecture6_memory",
    ),
    Demo(
        "l6-generate",
        "Generating text",
        ":material/edit_note:",
        "generate.py",
        "Let character-level models trained on Shakespeare continue your text: temperature, top-k, length.",
        ("Language models", "Sampling"),
        gradio="lecture6",
    ),
    Demo(
        "l6-classify",
        "Classifying text",
        ":material/sentiment_satisfied:",
        "classify.py",
        "Sentiment of tweets: an LSTM, MiniLM probed and fine-tuned, a GPT probe; why each decided.",
        ("Text classification", "LSTM", "Transfer learning", "Fine-tuning", "Integrated Gradients"),
        gradio="lecture6_classify",
    ),
)
