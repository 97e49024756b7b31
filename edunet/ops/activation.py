"""Softmax and log-softmax: turning scores (logits) into probabilities.

    softmax(x)_i = e^(x_i) / sum_j e^(x_j)
    log_softmax(x)_i = x_i - log(sum_j e^(x_j))

Both subtract max(x) first: that changes nothing mathematically (it cancels)
but keeps e^x from overflowing, so logits of 1e4 work.
"""

import warnings

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module


class Softmax(Function):
    """y = softmax(x) along ``dim``;  dL/dx = y * (g - sum(g * y))"""

    def forward(self, x, *, dim):
        self.dim = dim
        xp = get_array_module(x)
        exponentials = xp.exp(x - x.max(axis=dim, keepdims=True))
        output = exponentials / exponentials.sum(axis=dim, keepdims=True)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return output * (grad_output - (grad_output * output).sum(axis=self.dim, keepdims=True))


class LogSoftmax(Function):
    """y = log_softmax(x) along ``dim``;  dL/dx = g - softmax(x) * sum(g)"""

    def forward(self, x, *, dim):
        self.dim = dim
        xp = get_array_module(x)
        shifted = x - x.max(axis=dim, keepdims=True)
        output = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        xp = get_array_module(output)
        return grad_output - xp.exp(output) * grad_output.sum(axis=self.dim, keepdims=True)


def _prepare(name, input, dim, dtype):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                      f"Change the call to include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{name} needs a floating-point tensor, got {input.dtype}. "
                           f"Convert first: x.float(), or pass dtype=edunet.float32.")
    return input, input._wrap_dim(dim) if input.ndim else None


def softmax(input, dim=None, dtype=None):
    """Probabilities along ``dim``: every slice is positive and sums to 1.

    >>> edunet.softmax(edunet.tensor([1., 2., 3.]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    input, dim = _prepare("softmax", input, dim, dtype)
    return Softmax.apply(input, dim=dim)


def log_softmax(input, dim=None, dtype=None):
    """The logarithm of :func:`softmax`, computed stably in one step."""
    input, dim = _prepare("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, dim=dim)
