"""Lecture 4's demos, in the order the navigation lists them."""

from apps.catalog import Demo

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l4-classifier",
        "ImageNet classifier",
        ":material/image_search:",
        "classifier.py",
        "Classify a photo with an ImageNet network and see each preprocessing step it needs.",
        ("ImageNet pre-training",),
        gradio="lecture4",
    ),
    Demo(
        "l4-saliency",
        "Saliency maps",
        ":material/visibility:",
        "saliency.py",
        "See which pixels an ImageNet network used, with four attribution methods and a faithfulness test.",
        ("Saliency", "Integrated Gradients", "Grad-CAM", "Occlusion"),
        gradio="lecture4_saliency",
    ),
    Demo(
        "l4-transfer",
        "Transfer learning (homework)",
        ":material/move_up:",
        "transfer.py",
        "Few labels per class: train from scratch, a linear probe on ImageNet features, or fine-tune.",
        ("DeCAF", "ImageNet pre-training"),
        gradio="lecture4_transfer",
    ),
    Demo(
        "l4-style",
        "Texture synthesis & style transfer",
        ":material/palette:",
        "style.py",
        "Gram matrices of ImageNet features as a perceptual loss: synthesise a texture or paint a photo.",
        ("Texture synthesis", "Style transfer", "Perceptual loss"),
        gradio="lecture4_style",
    ),
    Demo(
        "l4-detect",
        "Detection & segmentation",
        ":material/center_focus_strong:",
        "detect.py",
        "Boxes, instance masks and per-pixel classes from COCO models built on ImageNet backbones.",
        ("Object detection, segmentation",),
        gradio="lecture4_detect",
    ),
)
