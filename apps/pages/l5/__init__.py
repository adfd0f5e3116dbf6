"""Lecture 5's demos, in the order the navigation lists them."""

from apps.catalog import Demo

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l5-autoencoders",
        "Autoencoders & VAEs",
        ":material/blur_on:",
        "autoencoders.py",
        "Explore the latent space of autoencoders and VAEs on MNIST and Fashion-MNIST with codes of 2 to 32 "
        "dimensions; draw a digit to encode it; retrain any cell live.",
        ("Autoencoders", "VAE", "beta-VAE", "Spatial broadcast decoder"),
        gradio="lecture5",
    ),
    Demo(
        "l5-gan2d",
        "A GAN you watch train",
        ":material/scatter_plot:",
        "gan2d.py",
        "Train a GAN on a 2D mixture of Gaussians live: samples, the discriminator's map, both losses.",
        ("GANs", "Mode collapse"),
        gradio="lecture5_gan2d",
    ),
    Demo(
        "l5-dcgan",
        "DCGAN on Fashion-MNIST",
        ":material/checkroom:",
        "dcgan.py",
        "Sample clothes from a DCGAN by seed, walk the latent line between two seeds, and see how many "
        "samples the shipped classifier recognises.",
        ("GANs", "DCGAN", "Latent interpolation"),
        gradio="lecture5_dcgan",
    ),
    Demo(
        "l5-pixelcnn",
        "PixelCNN",
        ":material/grid_on:",
        "pixelcnn.py",
        "Sample MNIST digits pixel by pixel, complete half images, and see what masked convolutions let a "
        "pixel see.",
        ("Autoregressive models", "PixelCNN"),
        gradio="lecture5_pixelcnn",
    ),
    Demo(
        "l5-superres",
        "Super-resolution",
        ":material/zoom_in:",
        "superres.py",
        "Shrink a photo and enlarge it back with bicubic and with an ESPCN; compare them side by side with "
        "PSNR and SSIM.",
        ("Image-to-image", "Super-resolution", "Sub-pixel convolution"),
        gradio="lecture5_superres",
    ),
)
