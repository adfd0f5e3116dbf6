"""Lecture 3, CNNs: convolution arithmetic and the explorer, CNN models and trainer, architectures, initialisation, 1D/3D."""
