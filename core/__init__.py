"""UI-agnostic core of the deep-learning lecture gallery: data, models, training, figures.

Nothing under ``core`` imports streamlit or gradio; the front ends in ``apps/`` only call into it.
"""
