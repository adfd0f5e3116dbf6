"""Lecture 2: SGD, momentum, RMSProp and Adam racing from one start on classic 2D loss surfaces."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l2._optimiser_views import rate_section
from core.mlp import optimisers as ov
from core.mlp.optimiser_figures import loss_figure, race_figure
from core.mlp.surfaces import SURFACES
from core.training.optim import LABELS, OPTIMIZERS, make_optimizer


def suggest() -> None:
    """Load the chosen surface's suggested learning rates, steps and start (on surface change / button)."""
    s = SURFACES[st.session_state["l2opt_surface"]]
    st.session_state.update(l2opt_lr=s.lr, l2opt_lra=s.lr_adaptive, l2opt_steps=s.steps,
                            l2opt_x0=s.start[0], l2opt_y0=s.start[1])


page_header("l2-optimisers")
with st.sidebar:
    name = ui.selectbox("Surface", "l2opt_surface", tuple(SURFACES), "bowl",
                        format_func=lambda k: SURFACES[k].title, on_change=suggest)
    surf = SURFACES[name]
    params = {}
    if "condition" in surf.params:
        params["condition"] = ui.select_slider("Condition number κ", "l2opt_cond", ov.CONDITIONS, 50)
    lr = ui.select_slider("Learning rate: SGD, momentum", "l2opt_lr", ov.LEARNING_RATES, surf.lr)
    lra = ui.select_slider("Learning rate: RMSProp, Adam", "l2opt_lra", ov.LEARNING_RATES, surf.lr_adaptive)
    steps = ui.slider("Steps", "l2opt_steps", *ov.STEPS, surf.steps, 10)
    x0 = ui.slider("Start x", "l2opt_x0", *ov.START, surf.start[0], 0.01)
    y0 = ui.slider("Start y", "l2opt_y0", *ov.START, surf.start[1], 0.01)
    st.button("Suggested settings for this surface", on_click=suggest, key="l2opt_suggest")
    st.subheader("Hyperparameters")
    momentum = ui.slider("Momentum μ", "l2opt_mom", *ov.MOMENTUM, 0.9, 0.01)
    alpha = ui.select_slider("RMSProp decay α", "l2opt_alpha", ov.ALPHAS, 0.99)
    beta1 = ui.slider("Adam β₁", "l2opt_b1", *ov.BETA1, 0.9, 0.01)
    beta2 = ui.select_slider("Adam β₂", "l2opt_b2", ov.BETA2S, 0.999)
    st.subheader("Racers")
    shown = [k for k in OPTIMIZERS if ui.checkbox(LABELS[k], f"l2opt_show_{k}", True)]

st.markdown(f"**{surf.title}:** ${surf.formula}$. {surf.lesson}")
if not shown:
    st.warning("No optimiser selected: tick at least one racer in the sidebar.")
    st.stop()
x_lo, x_hi, y_lo, y_hi = surf.box
if not (x_lo <= x0 <= x_hi and y_lo <= y0 <= y_hi):
    st.info(f"The start ({x0:g}, {y0:g}) lies outside the view box; the paths enter it from the edge.")
lrs = {"sgd": lr, "momentum": lr, "rmsprop": lra, "adam": lra}
race = ov.race(name, lrs, steps, (x0, y0), optimizers=shown, momentum=momentum, alpha=alpha,
               beta1=beta1, beta2=beta2, **params)
for k, run in race.runs.items():
    if run.diverged_at is not None:
        # Stability limits on a quadratic with largest curvature κ (SGD; heavy-ball momentum).
        limit = {"sgd": ("2/κ", 2), "momentum": ("2(1+μ)/κ", 2 * (1 + momentum))}.get(k) if params else None
        hint = (f" On this bowl it is stable only for lr < {limit[0]} = {limit[1] / params['condition']:.3g}."
                if limit else "")
        st.error(f"**{LABELS[k]} diverged** at step {run.diverged_at} with lr = {run.lr:g}: the path "
                 f"stops there. Lower its learning rate.{hint}")
left, right = st.columns([3, 2])
left.plotly_chart(race_figure(race), key="l2opt_fig_race")
right.plotly_chart(loss_figure(race), key="l2opt_fig_loss")
cols = {"optimiser": ("optimiser", 100), "learning rate": ("lr", 80), "status": ("status", 90),
        "final loss": ("loss", 110), "steps to loss gap < 1e-3": ("steps to gap < 1e-3", 160),
        "y-step reversals": ("y reversals", 110)}  # the divergence step is in the message above
st.dataframe(race.table(), hide_index=True, width="stretch", column_order=tuple(cols),  # fits 1280 px
             column_config={k: st.column_config.Column(label, width=w) for k, (label, w) in cols.items()})
if "condition" in params:
    rate_section(params["condition"], lr, momentum, (x0, y0), steps)

st.subheader("The update rules")
st.markdown("Each racer is `torch.optim` stepping one 2-vector θ with gradient "
            "$g_t = \\nabla f(\\theta_{t-1})$:")
c1, c2 = st.columns(2)
c1.markdown("**SGD**")
c1.latex(r"\theta_t = \theta_{t-1} - \eta\, g_t")
c1.markdown("**Momentum** (heavy ball, Polyak 1964)")
c1.latex(r"v_t = \mu\, v_{t-1} + g_t")
c1.latex(r"\theta_t = \theta_{t-1} - \eta\, v_t")
c2.markdown("**RMSProp** (Tieleman & Hinton 2012)")
c2.latex(r"s_t = \alpha\, s_{t-1} + (1-\alpha)\, g_t^2")
c2.latex(r"\theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{s_t} + \epsilon}")
c2.markdown("**Adam** (Kingma & Ba 2015)")
c2.latex(r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t")
c2.latex(r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2")
c2.latex(r"\hat m_t = \frac{m_t}{1-\beta_1^t},\quad \hat v_t = \frac{v_t}{1-\beta_2^t}")
c2.latex(r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}")
st.markdown(
    "**Momentum in the ravine.** With η between 1/κ and 2/κ SGD overshoots the floor of the ravine, so "
    "its y step changes sign at every step (the table's *y reversals*); it cannot take a larger η, "
    "because the steep direction caps it: on the bowl SGD diverges once η > 2/κ. Heavy-ball momentum adds "
    "those alternating gradients into its velocity $v$, where they partly cancel, so y swings across more "
    "slowly (fewer reversals); along the floor the gradients point the same way and add up, to "
    "$\\eta/(1-\\mu)$ per unit gradient: ten times SGD's step for μ = 0.9. The swing itself shrinks only "
    "by a factor √μ per step (Polyak 1964; Goh 2017): too much momentum overshoots, so lower μ and watch "
    "the oscillation across the bowl die out faster.\n\n"
    "**Per-coordinate scaling.** RMSProp and Adam divide by a running root-mean-square of each coordinate's "
    "gradient, so a steep and a shallow coordinate move at similar speeds: the step is about η in "
    "parameter units, whatever the gradient's scale. That is why their learning rate has its own slider, "
    "and why they escape the saddle's flat ridge, where SGD's step is proportional to a tiny gradient.\n\n"
    "**Adam's bias correction.** $m$ and $v$ start at 0, so early on they are biased toward 0 by the "
    "factors $1-\\beta_1^t$ and $1-\\beta_2^t$; dividing by those factors removes the bias. RMSProp has no "
    "correction: its first step is $\\eta/\\sqrt{1-\\alpha}$, 10η for α = 0.99, visible as its jump at the "
    "start on Rosenbrock. Adam's corrected first step is exactly η·sign(g) in each coordinate."
)
show_source(ov.trajectory, make_optimizer, ov._Racer.advance)
# The opening races are precomputed; a new setting runs torch.optim, whose first optimizer imports
# torch._dynamo (~1 s): start that once the page is drawn, while the reader looks at it.
ov.warm_up_in_background()
