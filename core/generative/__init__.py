"""Lecture 5, deep image synthesis: autoencoders, VAEs (beta-VAE, spatial broadcast decoder), a 2D GAN.

Modules: ``autoencoders`` (configs, models, the negative ELBO and its terms), ``ae_training`` (training,
held-out metrics, shipped checkpoints), ``latent`` (reconstructions, prior samples, latent maps,
traversals, interpolation, and the input ranges both front ends enforce), ``figures`` (pictures and plots).
"""
