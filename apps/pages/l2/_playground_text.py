"""Explanations of the MLP playground page (kept apart so the page stays a short list of widgets)."""

REGULARISERS = (
    "**Regularisers.** *L2* adds $\\frac{\\lambda}{2}\\lVert w\\rVert^2$ (weights only) through the "
    "optimiser's `weight_decay` — for Adam too, which is L2 in the loss, not AdamW's decoupled decay. "
    "*L1* adds $\\lambda \\sum |w|$: its pull toward 0 does not fade as |w| shrinks, so many weights end up "
    "near 0 (counted under the curves), yet a gradient step, SGD's or Adam's, hovers around 0 instead of "
    "landing on it; exact zeros need a proximal step (soft-thresholding, as in the Lasso). *Dropout* "
    "(Srivastava et al. 2014) zeroes each hidden unit with probability p while training and scales the "
    "kept ones by 1/(1−p) (inverted dropout, as `torch.nn.Dropout` does), so evaluation just turns it off; "
    "the training curve is then drawn twice, with dropout on (the loop's running mean) and off. *Early "
    "stopping* restores the best validation epoch's weights. The test split is only measured."
)
