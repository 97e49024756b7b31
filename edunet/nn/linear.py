"""Fully connected layers and reshaping layers: Identity, Linear, Bilinear, Flatten, Unflatten.

``Linear(in_features, out_features)`` computes y = x W^T + b:

    x: (*, in_features)   W: (out_features, in_features)   b: (out_features,)
    y: (*, out_features)

and has ``out_features * in_features + out_features`` parameters (Linear(3, 3):
3 x 3 + 3 = 12).
"""

import math

from edunet import creation
from edunet.nn import functional, init
from edunet.nn.module import Module
from edunet.nn.parameter import Parameter
from edunet.ops import linalg
from edunet.ops import shape as shape_ops


def _factory(device, dtype):
    return {"device": device, "dtype": dtype}


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a layer)."""

    _accepts_any_input = True

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b, applied to the last dimension of x.

    Weights and bias start uniform in [-1/sqrt(in_features), 1/sqrt(in_features)],
    PyTorch's default.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(creation.empty(out_features, in_features, **_factory(device, dtype)))
        if bias:
            self.bias = Parameter(creation.empty(out_features, **_factory(device, dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default init: kaiming_uniform_ with a = sqrt(5), i.e. U(+-1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            got = tuple(input.shape)
            hint = ""
            if input.ndim >= 2 and math.prod(input.shape[1:]) == self.in_features:
                hint = (f" The input's features are spread over several dimensions: flatten them "
                        f"first with nn.Flatten() or x.flatten(1).")
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied: {self!r} expects inputs whose last "
                f"dimension is in_features={self.in_features}, shape (*, {self.in_features}); "
                f"got {got}.{hint}")
        return functional.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y = x1^T A x2 + b for each output feature.

    x1: (*, in1_features), x2: (*, in2_features), A: (out, in1, in2), y: (*, out)
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(creation.empty(out_features, in1_features, in2_features,
                                               **_factory(device, dtype)))
        if bias:
            self.bias = Parameter(creation.empty(out_features, **_factory(device, dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return linalg.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Flattens dimensions ``start_dim`` to ``end_dim``; by default keeps the batch dimension.

    (N, C, H, W) -> (N, C*H*W). ``edunet.flatten(x)`` starts at 0 and so also
    merges the batch: that is the difference between the two.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return shape_ops.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dimension ``dim`` into ``unflattened_size``: (N, 12) -> (N, 3, 4)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return shape_ops.unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
