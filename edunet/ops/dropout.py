"""Dropout: during training, zero random elements and scale up the rest.

    y = x * mask / (1 - p),   mask ~ Bernoulli(1 - p), a fresh mask every call

Each element is zeroed with probability p; dividing the survivors by 1 - p keeps
the expected value of every element unchanged (E[y] = x), so at evaluation time
the layer can simply pass x through. The network can't rely on any single unit,
which reduces overfitting.

``dropout2d`` zeroes whole channels of (N, C, H, W) feature maps: neighbouring
pixels are strongly correlated, so dropping single pixels would hide little.

Masks come from ``edunet.random.default_generator``: ``edunet.manual_seed(s)``
makes them repeatable.
"""

import warnings

import numpy

from edunet.autograd import Function
from edunet.backend import move_array
from edunet.ops import checks
from edunet.ops import inplace as inplace_ops
from edunet.random import default_generator


class Dropout(Function):
    """y = x * m with m = mask / (1 - p) fixed in forward;  dy/dx = m"""

    def forward(self, x, *, multiplier):
        self.save_for_backward(multiplier)
        return x * multiplier

    def backward(self, grad_output):
        (multiplier,) = self.saved_arrays
        return grad_output * multiplier


def _check_probability(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _multiplier(input, p, mask_shape):
    """mask / (1 - p), with mask 1 with probability 1 - p, drawn on the CPU, moved to the input."""
    keep = default_generator.uniform(mask_shape, dtype=numpy.float64) >= p
    scale = 1.0 / (1.0 - p) if p < 1 else 0.0  # p = 1: everything is dropped
    multiplier = keep.astype(input.array.dtype) * input.array.dtype.type(scale)
    return move_array(multiplier, input.device)


def _dropout(input, p, training, inplace, mask_shape):
    if not training or p == 0:
        return input
    if not input.is_floating_point():
        raise RuntimeError(f"dropout needs a floating-point tensor (it scales by 1 / (1 - p)), "
                           f"got {input.dtype}. Convert first: x.float().")
    multiplier = _multiplier(input, p, mask_shape)

    def compute(tensor):
        return Dropout.apply(tensor, multiplier=multiplier)

    return inplace_ops.in_place(input, compute) if inplace else compute(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p).

    With ``training=False`` the input is returned unchanged. (``nn.Dropout`` passes
    its module's ``training`` flag, set by ``model.train()`` / ``model.eval()``.)

    >>> edunet.manual_seed(0)
    >>> F.dropout(edunet.ones(6), p=0.5)   # about half zeros, the rest 2
    """
    _check_probability(p)
    return _dropout(input, p, training, inplace, input.shape)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: each (n, c) slice of (N, C, H, W) is dropped with probability ``p``.

    As in PyTorch, a 3-D input is read as (N, C, L) (a warning says so); other
    shapes work but are deprecated there.
    """
    _check_probability(p)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            f"will result in an error in a future release. To retain the behavior and silence "
            f"this warning, please use dropout instead. Note that dropout2d exists to provide "
            f"channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            f"and an optional batch dimension (i.e. 3D or 4D inputs).", UserWarning,
            stacklevel=checks.user_stacklevel())
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=checks.user_stacklevel())
    if input.ndim < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input; got "
                           f"shape {tuple(input.shape)}. dropout2d expects (N, C, H, W).")
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)  # one draw per channel
    return _dropout(input, p, training, inplace, mask_shape)
