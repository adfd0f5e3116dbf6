"""Lecture 1, math and ML basics: linear and logistic regression by hand-written gradient descent,
capacity, information theory."""
