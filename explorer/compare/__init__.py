"""CNN vs classical ML: the course's non-convolutional baselines and MLP on the same split."""
