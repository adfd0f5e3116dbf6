"""Lecture 3, CNNs: convolution arithmetic and the explorer, the homework CNN (config, model, training,
inspection, classifying drawings), the architecture gallery, initialisation, 1D and 3D convolution."""
