"""Activation layers: ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, ...

Each layer only remembers its options and calls the function of the same name in
``edunet.nn.functional`` (forward and backward live in edunet/ops/activation.py
and edunet/ops/elementwise.py). None has parameters, so ``nn.ReLU()`` and
``F.relu(x)`` are interchangeable; the layer form fits in ``nn.Sequential``.

``inplace=True`` overwrites the input instead of allocating a new tensor. It saves
memory, but fails (as in PyTorch) on a leaf tensor that requires grad.
"""

import warnings

from edunet.nn.module import Module
from edunet.ops import activation
from edunet.ops import elementwise
from edunet.ops import inplace as inplace_ops


def _inplace_text(inplace):
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """max(x, 0) elementwise: the default activation of deep networks."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return inplace_ops.relu_(input) if self.inplace else elementwise.relu(input)

    def extra_repr(self):
        return _inplace_text(self.inplace)


class LeakyReLU(Module):
    """x for x > 0, ``negative_slope * x`` otherwise: negative inputs keep a small gradient."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return activation.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x for x > 0, ``alpha * (e^x - 1)`` otherwise: smooth, and never below -alpha."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return activation.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x * Phi(x), Phi the normal CDF (``approximate='tanh'``: the tanh formula)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return activation.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x), also called swish."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return activation.silu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace)


class Sigmoid(Module):
    """1 / (1 + e^-x): squashes into (0, 1), e.g. a probability for binary classification."""

    def forward(self, input):
        return elementwise.sigmoid(input)


class Tanh(Module):
    """tanh(x): squashes into (-1, 1)."""

    def forward(self, input):
        return elementwise.tanh(input)


class Softmax(Module):
    """Probabilities along ``dim``: positive, and each slice sums to 1.

    For a batch of logits (N, classes) use ``Softmax(dim=1)``. (For training with
    ``nn.CrossEntropyLoss``, don't add a Softmax: the loss applies log-softmax itself.)
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return activation.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably; pairs with ``nn.NLLLoss``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return activation.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softplus(Module):
    """log(1 + e^(beta x)) / beta: a smooth ReLU (x itself where beta x > threshold)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return activation.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Clamp to [min_val, max_val] (default [-1, 1]): a piecewise-linear tanh."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        if not max_val > min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return activation.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): a ReLU capped at 6."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace)
