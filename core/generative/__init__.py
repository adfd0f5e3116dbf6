"""Lecture 5, deep image synthesis: autoencoders, VAEs (beta-VAE, spatial broadcast decoder), a mixture
fitted to the latent space, a PixelCNN, a 2D GAN.

Modules: ``autoencoders`` (configs, models, the negative ELBO and its terms), ``ae_training`` (training,
held-out metrics, shipped checkpoints), ``latent`` (reconstructions, prior samples, latent maps,
traversals, interpolation, a Gaussian mixture fitted to the codes, and the input ranges both front ends
enforce), ``pixelcnn`` (masked convolutions, sampling, completion, what one pixel sees),
``pixelcnn_training`` (training, held-out likelihood, the shipped checkpoint), ``figures`` (pictures and
plots).
"""
