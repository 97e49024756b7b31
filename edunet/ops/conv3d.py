"""3-D convolution: ``conv3d``, over volumes (video clips, CT scans).

The 2-D convolution of edunet/ops/conv.py with one more spatial dim. Each output
channel's kernel slides over depth, height and width:

    y[n, o, od, oh, ow] = b[o] + sum_{c, i, j, k} w[o, c, i, j, k]
                          * x_pad[n, c, od*sd + i*dd, oh*sh + j*dh, ow*sw + k*dw]

Shapes: x (N, C_in, D, H, W), w (C_out, C_in / groups, kd, kh, kw), b (C_out,)
-> y (N, C_out, OD, OH, OW), with for each spatial dim

    OD = floor((D + 2*pd - dd*(kd - 1) - 1) / sd) + 1

This file is the readable reference, written as in the textbook: ``vol2col`` lays
every kd x kh x kw patch out as one column, and the layer is one matrix product
(one per group). Both gradients are matrix products too:

    X = vol2col(x)            (C_in*kd*kh*kw, N*OD*OH*OW)
    Y = W X + b               W = w.reshape(C_out, C_in*kd*kh*kw)
    dL/dW = G X^T             G = dL/dY, laid out like Y
    dL/dx = col2vol(W^T G)    col2vol adds each column back onto its patch
    dL/db = G summed over its columns

``groups`` splits the channels into independent convolutions, as in conv2d: W and X
become ``groups`` stacked blocks and each product is a batch of ``groups`` products.
"""

import math

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.conv_checks import (check_bias, check_channels, check_groups, check_kernel_fits,
                                     check_positive, check_tensors, int_tuple, padding_pairs)


def output_size(size, kernel, stride, padding_pair, dilation):
    """How many positions the kernel takes along one dim: floor((S + p - d(k-1) - 1) / s) + 1,
    with p the padding before and after together."""
    return (size + sum(padding_pair) - dilation * (kernel - 1) - 1) // stride + 1


def _window(offset, stride, count):
    """The slice of a padded dim that kernel offset ``offset`` reads for ``count`` outputs."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def vol2col(x, kernel_size, stride, padding, dilation):
    """Every patch of ``x`` as a column: (N, C, D, H, W) -> (C*kd*kh*kw, N*OD*OH*OW).

    Row (c, i, j, k) of the result holds, for every output position, the input value
    that kernel entry (i, j, k) of channel c multiplies there. ``padding`` is three
    (before, after) pairs. One strided slice per kernel offset, so a 3x3x3 kernel is
    27 array copies, not a loop over output positions.
    """
    xp = get_array_module(x)
    batch, channels = x.shape[:2]
    padded = xp.pad(x, ((0, 0), (0, 0), *padding))
    out_size = [output_size(size, k, s, p, d) for size, k, s, p, d in
                zip(x.shape[2:], kernel_size, stride, padding, dilation)]
    columns = xp.empty((channels, *kernel_size, batch, *out_size), dtype=x.dtype)
    for i in range(kernel_size[0]):
        for j in range(kernel_size[1]):
            for k in range(kernel_size[2]):
                window = padded[:, :, _window(i * dilation[0], stride[0], out_size[0]),
                                _window(j * dilation[1], stride[1], out_size[1]),
                                _window(k * dilation[2], stride[2], out_size[2])]
                columns[:, i, j, k] = window.transpose(1, 0, 2, 3, 4)   # (C, N, OD, OH, OW)
    return columns.reshape(channels * math.prod(kernel_size), batch * math.prod(out_size))


def col2vol(columns, input_shape, kernel_size, stride, padding, dilation):
    """The adjoint of :func:`vol2col`: add each column back onto its patch.

    (C*kd*kh*kw, N*OD*OH*OW) -> (N, C, D, H, W). Where patches overlap, their values
    add up, which is exactly what the input's gradient needs.
    """
    xp = get_array_module(columns)
    batch, channels, *sizes = input_shape
    out_size = [output_size(size, k, s, p, d) for size, k, s, p, d in
                zip(sizes, kernel_size, stride, padding, dilation)]
    padded_shape = [size + sum(pair) for size, pair in zip(sizes, padding)]
    grad_padded = xp.zeros((batch, channels, *padded_shape), dtype=columns.dtype)
    columns = columns.reshape(channels, *kernel_size, batch, *out_size)
    for i in range(kernel_size[0]):
        for j in range(kernel_size[1]):
            for k in range(kernel_size[2]):
                grad_padded[:, :, _window(i * dilation[0], stride[0], out_size[0]),
                            _window(j * dilation[1], stride[1], out_size[1]),
                            _window(k * dilation[2], stride[2], out_size[2])] += (
                    columns[:, i, j, k].transpose(1, 0, 2, 3, 4))
    (front, _), (top, _), (left, _) = padding
    depth, height, width = sizes
    return grad_padded[:, :, front:front + depth, top:top + height, left:left + width]


def _grouped(array, groups):
    """(groups, rows / groups, everything else): weight (C_out, C_in/g, kd, kh, kw) ->
    (g, C_out/g, C_in/g*kd*kh*kw); columns (C_in*kd*kh*kw, M) -> (g, C_in/g*kd*kh*kw, M)."""
    return array.reshape(groups, array.shape[0] // groups, math.prod(array.shape[1:]))


class Convolution3D(Function):
    """y = conv3d(x, w) + b as one matrix product per group (see the module docstring)."""

    grad_fn_name = "ConvolutionBackward0"

    def forward(self, x, weight, *bias, stride, padding, dilation, groups):
        xp = get_array_module(x)
        kernel_size = weight.shape[2:]
        self.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                             dilation=dilation)
        self.input_shape, self.groups, self.has_bias = x.shape, groups, bool(bias)
        columns = vol2col(x, **self.geometry)                          # X
        self.save_for_backward(weight, columns)
        product = xp.matmul(_grouped(weight, groups), _grouped(columns, groups))   # W X
        out_channels = weight.shape[0]
        out_size = [output_size(size, k, s, p, d) for size, k, s, p, d in
                    zip(x.shape[2:], kernel_size, stride, padding, dilation)]
        output = product.reshape(out_channels, x.shape[0], *out_size)   # (C_out, N, OD, OH, OW)
        if bias:
            output = output + bias[0][:, None, None, None, None]
        return xp.ascontiguousarray(output.transpose(1, 0, 2, 3, 4))

    def backward(self, grad_output):
        weight, columns = self.saved_arrays
        xp = get_array_module(grad_output)
        groups, out_channels = self.groups, weight.shape[0]
        # G: the output's gradient laid out like Y, (C_out, N*OD*OH*OW).
        grad_rows = grad_output.transpose(1, 0, 2, 3, 4).reshape(out_channels, -1)
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_columns = xp.matmul(_grouped(weight, groups).transpose(0, 2, 1),
                                     _grouped(grad_rows, groups))          # W^T G
            grad_input = col2vol(grad_columns.reshape(columns.shape), self.input_shape,
                                 **self.geometry)
        if self.needs_input_grad[1]:
            grad_weight = xp.matmul(_grouped(grad_rows, groups),
                                    _grouped(columns, groups).transpose(0, 2, 1))   # G X^T
            grad_weight = grad_weight.reshape(weight.shape)
        if self.has_bias and self.needs_input_grad[2]:
            grad_bias = grad_rows.sum(axis=1)
        return (grad_input, grad_weight, grad_bias) if self.has_bias else (grad_input, grad_weight)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over volumes (``torch.nn.functional.conv3d``); see the module docstring.

    Shapes: input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_out, C_in / groups,
    kd, kh, kw), bias (C_out,) -> (N, C_out, OD, OH, OW),
    OD = floor((D + 2p - d(kd - 1) - 1) / s) + 1 (and the same for OH, OW).
    ``stride``, ``padding``, ``dilation``: an int or a (d, h, w) triple; ``padding`` may
    also be 'valid' (none) or 'same' (output as large as the input; stride 1 only).

    >>> x = edunet.ones(1, 1, 4, 4, 4)
    >>> F.conv3d(x, edunet.ones(1, 1, 2, 2, 2)).shape      # sums of 2 x 2 x 2 cubes: 8s
    edunet.Size([1, 1, 3, 3, 3])
    """
    check_tensors(input, weight, bias, 3, "conv3d")
    stride = int_tuple(stride, 3, "stride", "conv3d")
    dilation = int_tuple(dilation, 3, "dilation", "conv3d")
    if not isinstance(padding, str):
        padding = int_tuple(padding, 3, "padding", "conv3d")
        check_positive(padding, "padding", allow_zero=True)
    check_positive(stride, "stride")
    check_positive(dilation, "dilation")
    check_groups(groups, weight)
    batched = input.ndim == 5
    check_channels(input, weight, groups, batched, transposed=False)
    check_bias(bias, weight.shape[0], weight)
    padding = padding_pairs(padding, weight.shape[2:], stride, dilation, 3)
    check_kernel_fits(input.shape[-3:], weight.shape[2:], padding, dilation)
    tensors = (input if batched else input.unsqueeze(0), weight)
    output = Convolution3D.apply(*tensors, *([] if bias is None else [bias]), stride=stride,
                                 padding=padding, dilation=dilation, groups=groups)
    return output if batched else output.squeeze(0)
