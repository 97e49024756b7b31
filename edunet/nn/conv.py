"""Convolution layers: Conv1d, Conv2d, Conv3d and ConvTranspose2d.

``Conv2d(in_channels, out_channels, kernel_size)`` learns ``out_channels`` filters,
each of shape (in_channels / groups, kh, kw), and slides them over the input:

    input (N, C_in, H, W) -> output (N, C_out, OH, OW)
    OH = floor((H + 2*padding - dilation*(kh - 1) - 1) / stride) + 1

Parameters: weight (C_out, C_in / groups, kh, kw) and bias (C_out,), so Conv2d(3, 32, 5)
has 32*3*5*5 + 32 = 2432. The same filter is used at every position: that weight
sharing is why a convolution needs so few parameters compared with a Linear layer on
the flattened image.

Default initialisation (PyTorch's): weight and bias uniform in [-b, b] with
b = 1 / sqrt(fan_in), fan_in = C_in / groups * kh * kw (``kaiming_uniform_`` with
a = sqrt(5)).

The computation itself (im2col and one matrix product, or for most stride-1 layers
one product per kernel row) is in edunet/ops/conv.py; Conv3d's (vol2col and one
matrix product) in edunet/ops/conv3d.py.
"""

import math

from edunet import creation
from edunet.nn import init
from edunet.nn.module import Module
from edunet.nn.parameter import Parameter
from edunet.ops import conv as conv_ops
from edunet.ops import conv3d as conv3d_ops

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _as_tuple(value, dims):
    """``kernel_size=3`` -> (3, 3) for a 2-D layer; a tuple or list stays as given."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: arguments, parameters, init, repr."""

    spatial_dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, padding_mode, device, dtype, output_padding=0):
        super().__init__()
        dims = self.spatial_dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError(f"in_channels must be divisible by groups (got in_channels="
                             f"{in_channels}, groups={groups})")
        if out_channels % groups != 0:
            raise ValueError(f"out_channels must be divisible by groups (got out_channels="
                             f"{out_channels}, groups={groups})")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _as_tuple(kernel_size, dims)
        self.stride = _as_tuple(stride, dims)
        self.dilation = _as_tuple(dilation, dims)
        self.output_padding = _as_tuple(output_padding, dims)
        self.groups = groups
        self.padding = padding if isinstance(padding, str) else _as_tuple(padding, dims)
        self._check_padding(padding_mode)
        self.padding_mode = padding_mode
        # Conv: (out, in / groups, *kernel); transposed: (in, out / groups, *kernel).
        if self.transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _check_padding(self, padding_mode):
        if isinstance(self.padding, str):
            if self.padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {self.padding!r}, should be one of "
                                 f"{{'same', 'valid'}}")
            if self.padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if padding_mode != "zeros":
            raise NotImplementedError(
                f"padding_mode='{padding_mode}' is not implemented in edunet; only 'zeros' is. "
                f"Pad explicitly instead: F.pad(x, (p, p, p, p), mode='{padding_mode}') before a "
                f"convolution with padding=0.")

    def reset_parameters(self):
        """PyTorch's default: U(-b, b) with b = 1/sqrt(fan_in) for weight and bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input):
        """Rank and channels, with a message that names this layer and the likely fix."""
        dims = self.spatial_dims
        spatial = {1: "L", 2: "H, W", 3: "D, H, W"}[dims]
        channels = self.in_channels
        got = tuple(input.shape)
        if input.ndim not in (dims + 1, dims + 2):
            if input.ndim > dims + 2:
                hint = (f"Remove the extra dimensions, e.g. with x.squeeze(dim) or "
                        f"x.reshape(N, {channels}, {spatial}).")
            elif channels == 1:
                hint = (f"Did you forget the channel dimension? x.unsqueeze(0) gives "
                        f"{(1, *got)}; x.unsqueeze(0).unsqueeze(0) a batch of one, {(1, 1, *got)}.")
            else:
                hint = (f"Did you forget the channel dimension? x.unsqueeze(0) gives {(1, *got)}: "
                        f"one channel, but this layer wants {channels} (in_channels={channels}), "
                        f"so check the data's channels too.")
            raise RuntimeError(f"{self!r} expects input (N, {channels}, {spatial}) or "
                               f"({channels}, {spatial}); got {got}. {hint}")
        channel_dim = input.ndim - dims - 1
        if input.shape[channel_dim] != channels:
            hint = ("Check that the previous layer's out_channels equals this layer's "
                    "in_channels, and the images' channels (RGB: 3, grayscale: 1).")
            if input.shape[-1] == channels and dims == 2:
                hint = ("The input looks channels-last (N, H, W, C); move the channels first "
                        "with x.permute(0, 3, 1, 2) (or x.permute(2, 0, 1) for one image).")
            raise RuntimeError(f"{self!r} expects {channels} input channels (in_channels="
                               f"{channels}), but got input of shape {got} with "
                               f"{input.shape[channel_dim]} channels in dimension "
                               f"{channel_dim}. {hint}")

    def extra_repr(self):
        dims = self.spatial_dims
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over sequences: (N, C_in, L) or (C_in, L) -> (N, C_out, L_out).

    L_out = floor((L + 2*padding - dilation*(k - 1) - 1) / stride) + 1.
    """

    spatial_dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        self._check_input(input)
        return conv_ops.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                               self.dilation, self.groups)


class Conv2d(_ConvNd):
    """2-D convolution over images: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, OH, OW).

    >>> conv = nn.Conv2d(3, 32, 5, padding=2)     # keeps 32 x 32 images 32 x 32
    >>> conv(edunet.randn(64, 3, 32, 32)).shape
    edunet.Size([64, 32, 32, 32])
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        self._check_input(input)
        return conv_ops.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                               self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution ("up-convolution"): it enlarges feature maps.

    (N, C_in, H, W) -> (N, C_out, OH, OW) with
    OH = (H - 1)*stride - 2*padding + dilation*(kh - 1) + output_padding + 1.
    ``forward(input, output_size)`` may ask for an exact output size instead of
    ``output_padding`` (a stride above 1 makes several sizes possible).
    """

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d takes numbers for padding, not {padding!r}: "
                             f"'same' and 'valid' exist only for Conv1d/Conv2d.")
        if padding_mode != "zeros" and padding_mode in _PADDING_MODES:
            raise ValueError('Only "zeros" padding mode is supported for ConvTranspose2d')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def forward(self, input, output_size=None):
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        return conv_ops.conv_transpose2d(input, self.weight, self.bias, self.stride,
                                         self.padding, output_padding, self.groups,
                                         self.dilation)

    def _output_padding(self, input, output_size):
        """The output_padding that gives ``output_size`` (N, C, H, W), (H, W) or (C, H, W)."""
        if output_size is None:
            return self.output_padding
        output_size = tuple(int(size) for size in output_size)
        if len(output_size) == input.ndim:      # the input's full shape: keep (H, W)
            output_size = output_size[-2:]
        if len(output_size) != 2:
            raise ValueError(f"ConvTranspose2D: for {input.ndim}D input, output_size must "
                             f"have 2 or {input.ndim} elements (got {output_size})")
        smallest = [(size - 1) * s - 2 * p + d * (k - 1) + 1 for size, s, p, d, k in zip(
            input.shape[-2:], self.stride, self.padding, self.dilation, self.kernel_size)]
        largest = [size + s - 1 for size, s in zip(smallest, self.stride)]
        for size, low, high in zip(output_size, smallest, largest):
            if not low <= size <= high:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {smallest} to {largest} (for an input of "
                                 f"{tuple(input.shape[-2:])})")
        return tuple(size - low for size, low in zip(output_size, smallest))


class Conv3d(_ConvNd):
    """3-D convolution over volumes (video clips, scans):
    (N, C_in, D, H, W) or (C_in, D, H, W) -> (N, C_out, OD, OH, OW).

    OD = floor((D + 2*padding - dilation*(kd - 1) - 1) / stride) + 1, and the same for
    OH and OW. Parameters: weight (C_out, C_in / groups, kd, kh, kw) and bias (C_out,),
    so Conv3d(3, 8, 3) has 8*3*3*3*3 + 8 = 656.

    >>> conv = nn.Conv3d(3, 8, kernel_size=3, padding=1)
    >>> conv(edunet.randn(2, 3, 16, 32, 32)).shape
    edunet.Size([2, 8, 16, 32, 32])
    """

    spatial_dims = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        self._check_input(input)
        return conv3d_ops.conv3d(input, self.weight, self.bias, self.stride, self.padding,
                                 self.dilation, self.groups)
