"""Convolutions: ``conv1d``, ``conv2d`` and ``conv_transpose2d``.

A 2-D convolution (strictly a cross-correlation, as in every deep learning library)
slides each output channel's kernel over the input:

    y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * x_pad[n, c, oh*sh + i*dh, ow*sw + j*dw]

Shapes: x (N, C_in, H, W), w (C_out, C_in / groups, kh, kw), b (C_out,) -> y (N, C_out, OH, OW)
with OH = floor((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1 (and the same for OW).

With ``im2col`` (edunet/ops/im2col.py) the whole layer is one matrix product, and
so are both of its gradients:

    X = im2col(x)            (C_in*kh*kw, N*OH*OW)   every patch as a column
    Y = W X + b              W = w.reshape(C_out, C_in*kh*kw)
    dL/dW = G X^T            G = dL/dY, the output gradient laid out like Y
    dL/dx = col2im(W^T G)    col2im adds each column back onto its patch
    dL/db = G summed over its columns

``groups`` splits the channels into independent convolutions: input channels
[g*C_in/groups, (g+1)*C_in/groups) only feed output channels
[g*C_out/groups, (g+1)*C_out/groups). W and X then become ``groups`` stacked blocks
and each product above is a batch of ``groups`` products.

A transposed convolution runs the same linear map backwards: its forward is the
input-gradient of a convolution (col2im of W^T x), which makes the output larger:
OH = (H - 1)*sh - 2*ph + dh*(kh - 1) + output_padding + 1.

This file is the reference. The same numbers come faster from edunet/kernels/conv.py
(fewer copies, reused memory), one call in ``Convolution.forward``; inside
``with edunet.kernels.reference():`` the code below runs instead, and the tests run
both and require equal results.
"""

import math

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.grad_mode import is_grad_enabled
from edunet.kernels import conv as fast
from edunet.ops.conv_checks import (check_bias, check_channels, check_groups,
                                     check_kernel_fits, check_positive, check_tensors,
                                     int_tuple, padding_pairs)
from edunet.ops.im2col import col2im, crop2d, im2col, output_size


class Convolution(Function):
    """y = conv(x, w) + b, 1-D or 2-D, as one matrix product (see the module docstring).

    1-D inputs (N, C, L) are handled as 2-D inputs of height 1, (N, C, 1, L).
    ``padding`` is ((top, bottom), (left, right)); stride and dilation are pairs.
    """

    def forward(self, x, weight, *bias, stride, padding, dilation, groups):
        self.is_1d = x.ndim == 3
        if self.is_1d:
            x, weight = x[:, :, None, :], weight[:, :, None, :]
        self.has_bias = bool(bias)
        bias = bias[0] if bias else None
        faster = fast.convolution(x, weight, bias, stride, padding, dilation, groups,
                                  keep_for_backward=is_grad_enabled())
        self.on_fast_path = faster is not None      # None on the reference path
        if self.on_fast_path:
            output, fast_backward = faster
            self.save_for_backward(fast_backward)   # it holds what its backward needs
        else:
            output = self._reference_forward(x, weight, bias, stride, padding, dilation, groups)
        return output[:, :, 0, :] if self.is_1d else output

    def _reference_forward(self, x, weight, bias, stride, padding, dilation, groups):
        xp = get_array_module(x)
        batch, _, height, width = x.shape
        out_channels, _, kernel_height, kernel_width = weight.shape
        out_height = output_size(height, kernel_height, stride[0], padding[0], dilation[0])
        out_width = output_size(width, kernel_width, stride[1], padding[1], dilation[1])
        columns = im2col(x, (kernel_height, kernel_width), stride, padding, dilation)
        # Y = W X, one product per group: (g, C_out/g, C_in/g*kh*kw) @ (g, C_in/g*kh*kw, N*OH*OW)
        product = xp.matmul(_grouped(weight, groups), _grouped(columns, groups))
        product = product.reshape(out_channels, batch * out_height * out_width)
        if bias is not None:
            product += bias[:, None]
        self.geometry = dict(input_shape=x.shape, kernel_size=(kernel_height, kernel_width),
                             stride=stride, padding=padding, dilation=dilation)
        self.groups = groups
        self.save_for_backward(weight, columns)
        # (C_out, N, OH, OW) -> a contiguous (N, C_out, OH, OW), PyTorch's layout.
        return xp.ascontiguousarray(
            product.reshape(out_channels, batch, out_height, out_width).transpose(1, 0, 2, 3))

    def backward(self, grad_output):
        saved = self.saved_arrays        # raises if the graph was already freed
        if self.is_1d:
            grad_output = grad_output[:, :, None, :]
        if self.on_fast_path:
            grads = saved[0](grad_output, self.needs_input_grad)
        else:
            grads = self._reference_backward(grad_output, *saved)
        grad_input, grad_weight, grad_bias = grads
        if self.is_1d:
            grad_input = None if grad_input is None else grad_input[:, :, 0, :]
            grad_weight = None if grad_weight is None else grad_weight[:, :, 0, :]
        return (grad_input, grad_weight, grad_bias) if self.has_bias else (grad_input, grad_weight)

    def _reference_backward(self, grad_output, weight, columns):
        xp = get_array_module(grad_output)
        groups = self.groups
        out_channels = weight.shape[0]
        # G: the output's gradient laid out like Y, (C_out, N*OH*OW).
        grad_rows = xp.ascontiguousarray(grad_output.transpose(1, 0, 2, 3))
        grad_rows = grad_rows.reshape(out_channels, -1)
        grad_weight = xp.matmul(_grouped(grad_rows, groups),                  # G X^T
                                _grouped(columns, groups).transpose(0, 2, 1)).reshape(weight.shape)
        grad_bias = grad_rows.sum(axis=1) if self.has_bias else None
        grad_columns = xp.matmul(_grouped(weight, groups).transpose(0, 2, 1),  # W^T G
                                 _grouped(grad_rows, groups))
        grad_input = col2im(grad_columns.reshape(columns.shape), **self.geometry)
        return grad_input, grad_weight, grad_bias


class TransposedConvolution(Function):
    """y = conv_transpose(x, w) + b: scatter each input value, times the kernel, onto the output.

    x (N, C_in, H, W), w (C_in, C_out / groups, kh, kw) -> y (N, C_out, OH, OW).
    Forward: columns = W^T X (one column per input position), then col2im adds them
    up on a grid of size (H - 1)*s + d*(k - 1) + 1, from which ``padding`` rows and
    columns are cut off at the start (and ``output_padding`` zero rows added at the end
    where the grid is too short). Backward is a convolution: im2col of the gradient.
    """

    grad_fn_name = "ConvolutionBackward0"   # PyTorch's name: the same node as a convolution

    def forward(self, x, weight, *bias, stride, padding, output_padding, dilation, groups):
        xp = get_array_module(x)
        batch, in_channels, height, width = x.shape
        kernel_size = weight.shape[2:]
        out_channels = weight.shape[1] * groups
        full_size = tuple((size - 1) * s + d * (k - 1) + 1
                          for size, s, d, k in zip((height, width), stride, dilation, kernel_size))
        self.output_start = padding
        out_size = tuple(full - 2 * p + extra
                         for full, p, extra in zip(full_size, padding, output_padding))
        self.input_shape, self.full_shape = x.shape, (batch, out_channels, *full_size)
        self.geometry = dict(kernel_size=kernel_size, stride=stride, dilation=dilation)
        self.groups, self.has_bias = groups, bool(bias)
        # X: the input as (groups, C_in/g, N*H*W), each column one input position.
        input_rows = _grouped(x.transpose(1, 0, 2, 3), groups)
        self.save_for_backward(weight, input_rows)
        columns = xp.matmul(_grouped(weight, groups).transpose(0, 2, 1), input_rows)  # W^T X
        columns = columns.reshape(columns.shape[0] * columns.shape[1], columns.shape[2])
        full = col2im(columns, self.full_shape, **self.geometry)
        output = crop2d(full, padding, out_size)
        if bias:
            output += bias[0][:, None, None]
        return output

    def backward(self, grad_output):
        weight, input_rows = self.saved_arrays
        xp = get_array_module(grad_output)
        groups = self.groups
        in_channels = weight.shape[0]
        # Adjoint of the crop: put the gradient back where the output sat on the full grid.
        start = tuple(-p for p in self.output_start)
        grad_full = crop2d(grad_output, start, self.full_shape[2:])
        grad_columns = im2col(grad_full, **self.geometry)     # (C_out*kh*kw, N*H*W)
        grad_columns = _grouped(grad_columns, groups)
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_rows = xp.matmul(_grouped(weight, groups), grad_columns)
            batch, _, height, width = self.input_shape
            grad_input = xp.ascontiguousarray(
                grad_rows.reshape(in_channels, batch, height, width).transpose(1, 0, 2, 3))
        if self.needs_input_grad[1]:
            grad_weight = xp.matmul(input_rows, grad_columns.transpose(0, 2, 1))
            grad_weight = grad_weight.reshape(weight.shape)
        if self.has_bias and self.needs_input_grad[2]:
            grad_bias = grad_output.sum(axis=(0, 2, 3))
        return (grad_input, grad_weight, grad_bias) if self.has_bias else (grad_input, grad_weight)


def _grouped(array, groups):
    """(groups, rows / groups, everything else): the first axis split into the groups.

    weight (C_out, C_in/g, kh, kw) -> (g, C_out/g, C_in/g*kh*kw); columns (C_in*kh*kw, M)
    -> (g, C_in/g*kh*kw, M). ``matmul`` then multiplies group by group.
    """
    return array.reshape(groups, array.shape[0] // groups, math.prod(array.shape[1:]))


# ---------------------------------------------------------------- the functions
def _convolution(input, weight, bias, stride, padding, dilation, groups, dims, op_name):
    check_tensors(input, weight, bias, dims, op_name)
    stride = int_tuple(stride, dims, "stride", op_name)
    dilation = int_tuple(dilation, dims, "dilation", op_name)
    if not isinstance(padding, str):
        padding = int_tuple(padding, dims, "padding", op_name)
        check_positive(padding, "padding", allow_zero=True)
    check_positive(stride, "stride")
    check_positive(dilation, "dilation")
    check_groups(groups, weight)
    batched = input.ndim == dims + 2
    check_channels(input, weight, groups, batched, transposed=False)
    check_bias(bias, weight.shape[0], weight)
    padding = padding_pairs(padding, weight.shape[2:], stride, dilation, dims)
    check_kernel_fits(input.shape[-dims:], weight.shape[2:], padding, dilation)
    if dims == 1:  # the 2-D code with a height of 1
        stride, dilation, padding = (1, *stride), (1, *dilation), ((0, 0), *padding)
    tensors = (input if batched else input.unsqueeze(0), weight)
    output = Convolution.apply(*tensors, *([] if bias is None else [bias]), stride=stride,
                               padding=padding, dilation=dilation, groups=groups)
    return output if batched else output.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over a sequence (``torch.nn.functional.conv1d``).

    y[n, o, t] = b[o] + sum_{c, i} w[o, c, i] * x_padded[n, c, t*stride + i*dilation]

    Shapes: input (N, C_in, L) or (C_in, L), weight (C_out, C_in / groups, k),
    bias (C_out,) -> (N, C_out, L_out), L_out = floor((L + 2p - d(k - 1) - 1) / s) + 1.
    ``padding`` is an int, or 'valid' (none) or 'same' (output as long as the input).

    >>> x = edunet.tensor([[[1., 2., 3., 4.]]])          # (N=1, C=1, L=4)
    >>> F.conv1d(x, edunet.tensor([[[1., -1.]]]))         # differences: [[[-1., -1., -1.]]]
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over images (``torch.nn.functional.conv2d``); see the module docstring.

    Shapes: input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in / groups, kh, kw),
    bias (C_out,) -> (N, C_out, OH, OW), OH = floor((H + 2p - d(kh - 1) - 1) / s) + 1.
    ``stride``, ``padding``, ``dilation``: an int or an (h, w) pair; ``padding`` may also
    be 'valid' (none) or 'same' (output as large as the input; stride 1 only).

    >>> x = edunet.arange(25.).reshape(1, 1, 5, 5)
    >>> F.conv2d(x, edunet.ones(1, 1, 3, 3)).shape         # sums of 3 x 3 patches
    edunet.Size([1, 1, 3, 3])
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-D convolution, the "up-sampling" convolution (``F.conv_transpose2d``).

    Each input value scatters a copy of the kernel, scaled by that value, onto the
    output; overlapping copies add up. It is the gradient of ``conv2d`` with respect to
    its input, so a conv_transpose2d with the same settings undoes a conv2d's change of size.

    Shapes: input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out / groups, kh, kw),
    bias (C_out,) -> (N, C_out, OH, OW) with
    OH = (H - 1)*stride - 2*padding + dilation*(kh - 1) + output_padding + 1.

    >>> x = edunet.ones(1, 1, 2, 2)
    >>> F.conv_transpose2d(x, edunet.ones(1, 1, 2, 2), stride=2).shape
    edunet.Size([1, 1, 4, 4])
    """
    op_name = "conv_transpose2d"
    if isinstance(padding, str):
        raise TypeError(f"{op_name}(): argument 'padding' must be tuple of ints, not str "
                        f"('same' and 'valid' exist only for conv1d/conv2d)")
    check_tensors(input, weight, bias, 2, op_name, transposed=True)
    stride = int_tuple(stride, 2, "stride", op_name)
    padding = int_tuple(padding, 2, "padding", op_name)
    output_padding = int_tuple(output_padding, 2, "output_padding", op_name)
    dilation = int_tuple(dilation, 2, "dilation", op_name)
    check_positive(stride, "stride")
    check_positive(dilation, "dilation")
    check_positive(padding, "padding", allow_zero=True)
    check_positive(output_padding, "output_padding", allow_zero=True)
    if any(extra >= s and extra >= d for extra, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {output_padding[0]} output_padding_width: "
            f"{output_padding[1]} stride_height: {stride[0]} stride_width: {stride[1]} "
            f"dilation_height: {dilation[0]} dilation_width: {dilation[1]}")
    check_groups(groups, weight)
    batched = input.ndim == 4
    check_channels(input, weight, groups, batched, transposed=True)
    check_bias(bias, weight.shape[1] * groups, weight)
    sizes = [(size - 1) * s - 2 * p + d * (k - 1) + extra + 1 for size, s, p, d, k, extra in
             zip(input.shape[-2:], stride, padding, dilation, weight.shape[2:], output_padding)]
    if min(sizes) <= 0 or math.prod(input.shape[-2:]) == 0:
        raise RuntimeError(f"Given input size per channel: ({input.shape[-2]} x "
                           f"{input.shape[-1]}). Calculated output size per channel: "
                           f"({sizes[0]} x {sizes[1]}). Output size is too small: use less "
                           f"padding or a larger stride or kernel.")
    tensors = (input if batched else input.unsqueeze(0), weight)
    output = TransposedConvolution.apply(*tensors, *([] if bias is None else [bias]),
                                         stride=stride, padding=padding,
                                         output_padding=output_padding, dilation=dilation,
                                         groups=groups)
    return output if batched else output.squeeze(0)
