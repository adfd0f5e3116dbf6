"""Lecture 2, perceptron and MLP: the perceptron rule, the MLP playground, backprop, optimisers, search."""
