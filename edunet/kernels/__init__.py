"""Speed, kept apart from the math: the fast paths of the ops, and the switch that turns
them off.

Every op in edunet/ops/ states its math plainly (a convolution is im2col, one matrix
product and col2im; pooling takes each window's maximum; ReLU is maximum(x, 0)). That
code is the *reference*. Some ops also have a fast path here, behind one call: the op
asks, for example, ``fast = conv.convolution(x, weight, ...)`` and gets either the
result (with a backward function), or None, and then runs its own reference code.
Fast paths return None inside ``with edunet.kernels.reference():`` and for cases they
do not handle, so the reference is always one switch away, and the tests run every op
both ways and require the same numbers (tests/kernels/).

- ``conv.py``: convolutions: kernel rows (``conv_rows.py``) for stride 1, two-stage
  im2col/col2im (``im2col.py``), weight gradients in the shape BLAS runs faster,
  scratch memory reused between steps.
- ``pool.py``: max/average pooling over tiling windows (MaxPool2d(2)) by a reshape,
  writing each input's gradient once; max pooling's backward in one compiled pass when
  numba is installed (a branch-free, vectorised loop for 2x2 windows).
- ``activation.py``: ReLU against a kept array of zeros.
- ``recurrent.py``: the LSTM layer with one exp for all four gates and the chain rule's
  factors precomputed for all steps; compiled forward and backward steps when numba is
  installed.
- ``workspace.py``: scratch arrays kept from one call to the next, and the allocator
  setting that keeps freed memory for reuse.
- ``compiled.py``: optional numba kernels, loaded lazily (``pip install edunet[fast]``);
  without numba everything runs on NumPy.

Everything is written with ``xp`` (NumPy or CuPy), except the compiled loops, which are
CPU-only and used only for NumPy arrays.
"""

import contextlib

_reference_only = False


def use_reference():
    """True inside ``with edunet.kernels.reference():``: every op runs its reference code."""
    return _reference_only


@contextlib.contextmanager
def reference():
    """Run every op on its plain reference code (edunet/ops/), with no fast path.

    >>> with edunet.kernels.reference():
    ...     y = model(x)             # the same numbers, computed the way the ops read
    """
    global _reference_only
    previous, _reference_only = _reference_only, True
    try:
        yield
    finally:
        _reference_only = previous
