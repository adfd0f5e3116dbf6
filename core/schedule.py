"""The course schedule as data: lectures, dates, topics and homework.

It knows nothing of pages: the demos of each lecture are catalogued in ``apps/catalog.py``, which joins
this schedule for the navigation, the course map and the Gradio tabs.
"""

from __future__ import annotations

from dataclasses import dataclass


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
