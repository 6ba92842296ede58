"""The Learn section's maths and pictures: convolution, pooling, their geometry, kernels, the
step walk, 1-D signals, the design calculators and the course's volume pictures."""
