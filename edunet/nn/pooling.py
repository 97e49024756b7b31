"""Pooling layers: MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool2d, AdaptiveMaxPool2d.

A pooling layer summarizes each window of a feature map by one number (its maximum
or its mean), channel by channel. It has no parameters. ``MaxPool2d(2)`` halves the
height and width, (N, C, 32, 32) -> (N, C, 16, 16): fewer numbers for the next
layers, and a little robustness to small shifts of the input.

Output size, for each spatial dim (``stride`` defaults to ``kernel_size``):

    OH = floor((H + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1

(``ceil_mode=True`` rounds up instead, keeping a last, partial window). Adaptive
pooling takes the output size instead and works the windows out itself:
``AdaptiveAvgPool2d(1)`` averages each whole feature map to one number.

The computations are in edunet/ops/pool.py, the 3-D ones in edunet/ops/pool3d.py.
"""

from edunet.nn.module import Module
from edunet.ops import pool as pool_ops
from edunet.ops import pool3d as pool3d_ops


def _check_input(layer, input, dims):
    """(N, C, H, W) or (C, H, W) for 2-D layers; (N, C, L) or (C, L) for 1-D ones."""
    if input.ndim in (dims + 1, dims + 2):
        return
    spatial = {1: "L", 2: "H, W", 3: "D, H, W"}[dims]
    if input.ndim < dims + 1:
        hint = (f"Did you forget the channel dimension? x.unsqueeze(0) gives "
                f"{(1, *tuple(input.shape))}.")
    else:
        hint = "Remove the extra dimensions, e.g. with x.squeeze(dim)."
    raise RuntimeError(f"{layer!r} expects input (N, C, {spatial}) or (C, {spatial}); got "
                       f"{tuple(input.shape)}. {hint}")


def _single(value):
    """AvgPool1d keeps its sizes as 1-tuples, as PyTorch's does: 2 -> (2,)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class _MaxPoolNd(Module):
    """MaxPool1d and MaxPool2d keep their arguments as given (``stride`` defaults to
    ``kernel_size``), which is what their repr shows."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The maximum of each window along a sequence: (N, C, L) -> (N, C, L_out)."""

    def forward(self, input):
        _check_input(self, input, 1)
        return pool_ops.max_pool1d(input, self.kernel_size, self.stride, self.padding,
                                   self.dilation, self.ceil_mode, self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """The maximum of each window: (N, C, H, W) -> (N, C, OH, OW).

    >>> nn.MaxPool2d(2)(edunet.arange(16.).reshape(1, 1, 4, 4))
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """

    def forward(self, input):
        _check_input(self, input, 2)
        return pool_ops.max_pool2d(input, self.kernel_size, self.stride, self.padding,
                                   self.dilation, self.ceil_mode, self.return_indices)


class AvgPool1d(Module):
    """The mean of each window along a sequence: (N, C, L) -> (N, C, L_out)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        _check_input(self, input, 1)
        return pool_ops.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                                   self.ceil_mode, self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """The mean of each window: (N, C, H, W) -> (N, C, OH, OW).

    ``count_include_pad``: whether padding zeros count in the divisor;
    ``divisor_override``: divide by this number instead.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        _check_input(self, input, 2)
        return pool_ops.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                                   self.ceil_mode, self.count_include_pad,
                                   self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: (N, C, H, W) -> (N, C, *output_size).

    ``output_size``: an int, a pair, or a pair with None (keep that dim).
    ``AdaptiveAvgPool2d(1)`` is global average pooling.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        _check_input(self, input, 2)
        return pool_ops.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed output size: (N, C, H, W) -> (N, C, *output_size)."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        _check_input(self, input, 2)
        return pool_ops.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class MaxPool3d(_MaxPoolNd):
    """The maximum of each window of a volume: (N, C, D, H, W) -> (N, C, OD, OH, OW).

    >>> nn.MaxPool3d(2)(edunet.randn(1, 4, 8, 16, 16)).shape
    edunet.Size([1, 4, 4, 8, 8])
    """

    def forward(self, input):
        _check_input(self, input, 3)
        return pool3d_ops.max_pool3d(input, self.kernel_size, self.stride, self.padding,
                                     self.dilation, self.ceil_mode, self.return_indices)


class AvgPool3d(Module):
    """The mean of each window of a volume: (N, C, D, H, W) -> (N, C, OD, OH, OW).

    ``count_include_pad``: whether padding zeros count in the divisor;
    ``divisor_override``: divide by this number instead.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        _check_input(self, input, 3)
        return pool3d_ops.avg_pool3d(input, self.kernel_size, self.stride, self.padding,
                                     self.ceil_mode, self.count_include_pad,
                                     self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
