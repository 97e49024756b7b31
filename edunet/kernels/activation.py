"""The fast path of ReLU (edunet/ops/elementwise.py states the math: maximum(x, 0)).

NumPy's ``maximum(x, 0)`` with a Python number takes a loop that is 2-5x slower than
``maximum(x, z)`` with ``z`` an array of zeros of the same shape (measured on this
machine, NumPy 2.4, float32 64x6x28x28: 211 us with 0, 114 us with float32(0), 41 us
with an array), and making ``z`` anew each time costs more than that. So one read-only
array of zeros is kept (workspace.zeros) and compared with.
"""

from edunet.backend import get_array_module
from edunet.kernels import use_reference, workspace


def relu(x):
    """max(x, 0) on an array, or None on the reference path."""
    if use_reference():
        return None
    xp = get_array_module(x)
    return xp.maximum(x, workspace.zeros(x.shape, x.dtype, xp))
