"""The course schedule as data: lectures, dates, topics, homework, and the demos of each lecture.

The Streamlit navigation, the Home page and the Gradio tabs are all generated from this module, so a
demo appears in the gallery by being listed here *and* having its page file on disk (see
:func:`available_demos`): a planned demo whose page does not exist yet is simply not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parent.parent / "apps"


@dataclass(frozen=True)
class Demo:
    """One interactive page of the gallery."""

    slug: str
    """URL path of the page (``/slug``); unique across the gallery."""
    title: str
    """Short title shown in the navigation."""
    icon: str
    """Material icon name (``:material/...:``) for the navigation."""
    page: str
    """Streamlit page file, relative to ``apps/``."""
    summary: str
    """One sentence: what the user can do on the page."""
    topics: tuple[str, ...] = ()
    """Lecture topics the demo covers (shown on the course map)."""
    gradio: str | None = None
    """Module under ``apps/gradio_tabs`` that builds this demo's Gradio tab, if it has one."""

    @property
    def path(self) -> Path:
        return APPS_DIR / self.page

    @property
    def exists(self) -> bool:
        return self.path.is_file()


@dataclass(frozen=True)
class Lecture:
    """One lecture of the schedule (possibly spanning several sessions)."""

    number: int
    """Lecture number, 1-based, as in the course schedule."""
    title: str
    """Lecture title."""
    dates: tuple[str, ...]
    """Session dates of the WS 2019/20 schedule (day.month.)."""
    topics: tuple[str, ...]
    """Topics covered in the sessions."""
    homework: str = ""
    """The homework assignment handed out with this lecture (empty if none)."""
    homework_due: str = ""
    """Due date of the homework (day.month.)."""
    demos: tuple[Demo, ...] = ()
    """Gallery pages that belong to this lecture."""

    @property
    def slug(self) -> str:
        return f"lecture-{self.number}"


COURSE_TITLE = "Deep Learning"
COURSE_TERM = "WS 2019/20"

LECTURES: tuple[Lecture, ...] = (
    Lecture(
        1,
        "Math & ML basics",
        ("25.11.", "28.11."),
        (
            "Linear algebra, probability, information theory",
            "Supervised, unsupervised and reinforcement learning",
            "Empirical risk minimisation",
            "Overfitting",
            "No free lunch theorem",
        ),
        homework=(
            "Linear and logistic regression in numpy with hand-written (batch) gradient descent, no "
            "autodiff; separate training, validation and test sets; overfitting and L2 regularisation."
        ),
        homework_due="16.12.",
        demos=(
            Demo(
                "l1-regression",
                "Regression by gradient descent",
                ":material/show_chart:",
                "pages/l1_regression.py",
                "Fit polynomials and logistic classifiers with hand-written gradient descent; watch "
                "overfitting appear and L2 tame it.",
                ("Empirical risk minimisation", "Overfitting", "L2 regularisation"),
                gradio="lecture1",
            ),
            Demo(
                "l1-information",
                "Entropy, cross-entropy, KL",
                ":material/functions:",
                "pages/l1_information.py",
                "Shape two discrete distributions and read off entropy, cross-entropy and the "
                "asymmetric KL divergence.",
                ("Information theory",),
            ),
        ),
    ),
    Lecture(
        2,
        "Perceptron & MLP, optimisation, regularisation",
        ("16.12.", "19.12."),
        (
            "Perceptron and multi-layer perceptron; why deep",
            "Gradient descent and backpropagation",
            "SGD, momentum, RMSProp, Adam",
            "Early stopping, L1/L2, dropout",
            "Hyperparameter optimisation: grid vs random search",
        ),
        homework=(
            "An MLP on a relatively small nonlinear data set in PyTorch; explore regularisers (early "
            "stopping, L2, dropout) via random search."
        ),
        homework_due="6.1.",
        demos=(
            Demo(
                "l2-perceptron",
                "Perceptron",
                ":material/linear_scale:",
                "pages/l2_perceptron.py",
                "Step through the perceptron learning rule on separable data and on XOR.",
                ("Perceptron",),
            ),
            Demo(
                "l2-playground",
                "MLP playground",
                ":material/hub:",
                "pages/l2_playground.py",
                "Train an MLP live on 2D data or your own CSV and compare runs.",
                ("Multi-layer perceptron", "Dropout", "Early stopping", "L1/L2"),
                gradio="lecture2",
            ),
            Demo(
                "l2-optimisers",
                "Optimiser race",
                ":material/sprint:",
                "pages/l2_optimisers.py",
                "Race SGD, momentum, RMSProp and Adam on classic 2D loss surfaces.",
                ("SGD, momentum, RMSProp, Adam",),
                gradio="lecture2_optim",
            ),
            Demo(
                "l2-backprop",
                "Backprop step-through",
                ":material/account_tree:",
                "pages/l2_backprop.py",
                "Follow one example forward and backward through a tiny network.",
                ("Backpropagation",),
            ),
            Demo(
                "l2-search",
                "Regularisation & search",
                ":material/manage_search:",
                "pages/l2_search.py",
                "Random search vs grid search over regularisers on the same budget.",
                ("Hyperparameter optimisation",),
            ),
        ),
    ),
    Lecture(
        3,
        "Convolutional neural networks",
        ("9.1.",),
        (
            "Weight sharing, sparse connectivity, receptive fields",
            "Pooling, striding, dilation, deconvolution, padding",
            "LeNet, AlexNet, VGG, ResNet, Inception, DenseNet, NAS",
            "Initialisation; vanishing and exploding gradients; batch normalisation",
            "Time series (1D) and video (3D) convolution",
        ),
        homework=(
            "A CNN on (Fashion-)MNIST, CIFAR-10 or similar; explore the number of features, kernel "
            "sizes, pooling, striding and padding; batch normalisation."
        ),
        homework_due="13.1.",
        demos=(
            Demo(
                "l3-convolution",
                "Convolution explorer",
                ":material/filter:",
                "pages/l3_convolution.py",
                "Convolve and pool real images; see output sizes and receptive fields.",
                ("Convolution", "Pooling", "Receptive fields"),
                gradio="lecture3",
            ),
            Demo(
                "l3-trainer",
                "CNN trainer",
                ":material/model_training:",
                "pages/l3_trainer.py",
                "Train a CNN on Fashion-MNIST or MNIST and inspect what it learned.",
                ("CNN", "Batch normalisation"),
                gradio="lecture3_classify",
            ),
            Demo(
                "l3-architectures",
                "Architecture gallery",
                ":material/account_balance:",
                "pages/l3_architectures.py",
                "Compare classic and modern CNN architectures from their real definitions.",
                ("LeNet, AlexNet, VGG, ResNet, Inception, DenseNet, NAS",),
            ),
            Demo(
                "l3-initialisation",
                "Initialisation & gradients",
                ":material/stacked_line_chart:",
                "pages/l3_initialisation.py",
                "Watch activations and gradients vanish or explode with depth, and batch norm fix it.",
                ("Initialisation", "Vanishing/exploding gradients", "Batch normalisation"),
            ),
            Demo(
                "l3-beyond",
                "1D and 3D convolution",
                ":material/timeline:",
                "pages/l3_beyond.py",
                "Convolve a time series and a short video clip.",
                ("Time series (1D) and video (3D) convolution",),
            ),
        ),
    ),
    Lecture(
        4,
        "Transfer learning & perceptual losses",
        ("13.1.",),
        (
            "Pre-training on ImageNet; DeCAF",
            "Object detection, segmentation",
            "Saliency",
            "Deep features as perceptual loss functions",
            "Texture synthesis and style transfer",
        ),
        homework=(
            "Fine-tune, or train the classification layer of, a pre-trained ResNet on an image "
            "classification task with relatively little data."
        ),
        homework_due="20.1.",
    ),
    Lecture(
        5,
        "Deep image synthesis",
        ("16.1.", "20.1."),
        (
            "Autoencoders (convolutional), VAE, beta-VAE, spatial broadcast VAE",
            "Autoregressive models, mixture models, spatial LSTM, PixelCNN",
            "Generative adversarial networks",
            "Image-to-image models, domain translation, style transfer, super-resolution",
        ),
        homework="A VAE on MNIST; visualise the classes in latent space and latent traversals.",
        homework_due="27.1.",
    ),
    Lecture(
        6,
        "Recurrent neural networks & text",
        ("23.1.", "27.1."),
        ("Unfolding the computational graph", "RNN", "LSTM"),
        homework=(
            "A text processing problem (topic classification or sentiment analysis) solved with an LSTM "
            "and by transfer learning from BERT / GPT-2."
        ),
        homework_due="3.2.",
    ),
    Lecture(
        7,
        "Deep reinforcement learning",
        ("30.1.", "3.2."),
        (
            "Review of reinforcement learning",
            "Vanilla policy gradient, TRPO, PPO",
            "DDPG, TD3, SAC",
            "Practical example: AlphaGo / AlphaZero",
        ),
    ),
    Lecture(8, "Review", ("6.2.",), ("Backup and review of the course",)),
)


def lecture(number: int) -> Lecture:
    """The lecture with this number (KeyError if there is none)."""
    for lec in LECTURES:
        if lec.number == number:
            return lec
    raise KeyError(f"no lecture {number}; the schedule has 1-{len(LECTURES)}")


def all_demos() -> tuple[Demo, ...]:
    """Every demo of the schedule, whether or not its page exists yet."""
    return tuple(d for lec in LECTURES for d in lec.demos)


def available_demos(lec: Lecture | None = None) -> tuple[Demo, ...]:
    """Demos whose page file exists, in schedule order (optionally of one lecture)."""
    demos = lec.demos if lec is not None else all_demos()
    return tuple(d for d in demos if d.exists)


def demo(slug: str) -> Demo:
    """The demo with this URL slug (KeyError if there is none)."""
    for d in all_demos():
        if d.slug == slug:
            return d
    raise KeyError(f"no demo {slug!r}")


def lecture_of(slug: str) -> Lecture:
    """The lecture a demo belongs to."""
    for lec in LECTURES:
        if any(d.slug == slug for d in lec.demos):
            return lec
    raise KeyError(f"no demo {slug!r}")


def course_map_markdown() -> str:
    """The schedule as Markdown (the Gradio front end's course map; also handy for docs)."""
    lines = [f"# {COURSE_TITLE} ({COURSE_TERM})", ""]
    for lec in LECTURES:
        lines.append(f"## {lec.number} · {lec.title}")
        lines.append(f"*Sessions: {', '.join(lec.dates)}*")
        lines += [f"- {t}" for t in lec.topics]
        if lec.homework:
            lines.append(f"\n**Homework** (due {lec.homework_due}): {lec.homework}")
        demos = available_demos(lec)
        if demos:
            lines.append("\n**Interactive pages:** " + ", ".join(d.title for d in demos))
        lines.append("")
    return "\n".join(lines)


def schedule_dict() -> list[dict[str, object]]:
    """The schedule as plain JSON-able data (served by the Gradio API as ``/schedule``)."""
    return [
        {
            "number": lec.number,
            "title": lec.title,
            "dates": list(lec.dates),
            "topics": list(lec.topics),
            "homework": lec.homework,
            "homework_due": lec.homework_due,
            "demos": [{"slug": d.slug, "title": d.title, "summary": d.summary} for d in available_demos(lec)],
        }
        for lec in LECTURES
    ]
