"""Lecture 2: the perceptron learning rule, update by update, on separable data and on XOR."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from core.mlp import perceptron as pc

STEP = "l2perc_step"


def go_to(step: int) -> None:
    """Step-through buttons: move the step slider (runs before the next rerun draws it)."""
    st.session_state[STEP] = step


page_header("l2-perceptron")
st.markdown(
    "The perceptron predicts $\\operatorname{sign}(w \\cdot x + b)$. **Rosenblatt's rule** (1958) visits the "
    "points in a fixed order and, whenever one is misclassified, pulls the weights toward it:"
)
st.latex(r"y_i\,(w \cdot x_i + b) \le 0 \;\Rightarrow\; "
         r"w \leftarrow w + \eta\, y_i\, x_i,\quad b \leftarrow b + \eta\, y_i")
with st.sidebar:
    dataset = ui.selectbox("Data set", "l2perc_data", tuple(pc.DATASETS), "separable",
                           format_func=pc.DATASETS.get)
    lr = ui.select_slider("Learning rate η", "l2perc_lr", pc.LEARNING_RATES, 1.0)
    epochs = ui.slider("Max epochs", "l2perc_epochs", *pc.EPOCH_RANGE, 20)
    random_init = ui.checkbox("Start from random weights", "l2perc_random", False)
    seed = ui.number_input("Seed (data, order, initial weights)", "l2perc_seed", *pc.SEED_RANGE, 0)
    if dataset not in pc.RANDOM_SETS and not random_init:
        st.caption("The gates are the four corners of the unit square: the seed changes nothing here.")

run = pc.run(pc.PerceptronConfig(dataset, lr, epochs, "random" if random_init else "zeros", seed))
n = run.n_updates
if n == 0:
    st.info("The initial weights already classify every point: no update was needed.")
    step = 0
else:
    if STEP in st.session_state:
        # Re-assert the value: a new slider range makes a new widget, which would otherwise restart at 0;
        # with fewer updates than before, stay within the range.
        st.session_state[STEP] = min(st.session_state[STEP], n)
    step = ui.slider("Update", STEP, 0, n, 0,
                     help="0 shows the initial weights; k the weights after k updates.")
    moves = (("First", 0, "first", "first_page"), ("Previous", max(step - 1, 0), "prev", "chevron_left"),
             ("Next", min(step + 1, n), "next", "chevron_right"), ("Last", n, "last", "last_page"))
    for col, (label, target, key, icon) in zip(st.columns(4), moves):
        col.button(label, key=f"l2perc_{key}", on_click=go_to, args=(target,), icon=f":material/{icon}:",
                   width="stretch")

(st.success if run.converged else st.error if not run.separable else st.warning)(run.verdict())
if step > 0:
    u = run.updates[step - 1]
    x, y = run.X[u.index], run.y[u.index]
    st.markdown(f"**Update {step}** (epoch {u.epoch}): point #{u.index}, $x = ({x[0]:.2f}, {x[1]:.2f})$, "
                f"$y = {y:+d}$, was misclassified: $y\\,(w\\cdot x + b) = {u.score:.2f} \\le 0$, so")
    st.latex(rf"w = ({u.w_before[0]:.2f}, {u.w_before[1]:.2f}) + {lr:g}\cdot({y:+d})"
             rf"\cdot({x[0]:.2f}, {x[1]:.2f})"
             rf" = ({u.w_after[0]:.2f}, {u.w_after[1]:.2f}),\qquad b = {u.b_before:.2f} + {lr:g}\cdot({y:+d})"
             rf" = {u.b_after:.2f}")
else:
    w, b = run.weights(0)
    st.markdown(f"**Initial weights** $w = ({w[0]:.2f}, {w[1]:.2f})$, $b = {b:.2f}$. "
                "Press *Next* to apply the rule.")
left, right = st.columns([3, 2])
left.plotly_chart(pc.figure(run, step), key="l2perc_fig")
with right:
    c1, c2 = st.columns(2)
    c1.metric("Misclassified now", int(run.errors(step).sum()))
    c2.metric("Updates in all", n)
    st.plotly_chart(pc.mistakes_figure(run, step), key="l2perc_fig_mistakes")

st.subheader("Why it converges, and why XOR never does")
bound = (f" Here R = {run.radius:.2f} and γ = {run.margin:.3f}, so at most {run.bound:.0f} updates; "
         f"it made {n}."
         if run.bound else "")
st.markdown(
    "**Perceptron convergence theorem** (Novikoff 1962). If some unit-length $(w^*, b^*)$ separates the data "
    "with margin $\\gamma$, i.e. $y_i(w^*\\cdot x_i + b^*) \\ge \\gamma$, and every $\\lVert(x_i, "
    "1)\\rVert \\le R$, "
    "then starting from $w = 0$ the rule makes at most $(R/\\gamma)^2$ updates, in any order. Each update "
    "raises $(w, b)\\cdot(w^*, b^*)$ by at least $\\eta\\gamma$ while $\\lVert (w, b)\\rVert^2$ "
    "grows by at most "
    "$\\eta^2 R^2$; both cannot go on forever. From $w = 0$ the learning rate only rescales $w$: "
    "every η gives "
    f"the same mistakes.{bound}"
)
st.markdown(
    "**XOR is not linearly separable.** With $(0,0)\\mapsto -1$, $(1,1)\\mapsto -1$, $(0,1)\\mapsto +1$, "
    "$(1,0)\\mapsto +1$ a line would need $b < 0$, $w_1 + w_2 + b < 0$, $w_2 + b > 0$ and $w_1 + "
    "b > 0$. Adding "
    "the last two gives $w_1 + w_2 + 2b > 0$, so $w_1 + w_2 + b > -b > 0$: a contradiction. The rule then "
    "never stops: on the XOR gate the weights return exactly to an earlier state and the same updates repeat "
    "(Minsky & Papert 1969). A hidden layer fixes this: two perceptrons (OR, NAND) and an AND of "
    "their outputs "
    "compute XOR, the starting point of the MLP."
)
show_source(pc.run, pc.separability)
