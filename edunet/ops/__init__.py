"""Differentiable operations: one class per op, forward and backward side by side.

Files by family: arithmetic, elementwise, reduction, shape, linalg, activation,
conversion. Each file also holds the lowercase functions (``add``, ``exp``, ...)
that Tensor methods and ``edunet.*`` call.
"""
