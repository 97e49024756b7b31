"""The fast path of the convolution (edunet/ops/conv.py states the math).

:func:`convolution` computes what the reference computes (im2col, one product,
col2im), faster:

- stride 1, one group, C_in*kw >= 32 and C_out >= 16 (the course CNN's second and
  third layers): by kernel rows, conv_rows.py: kw copies of the input, not kh*kw,
  padded on the way;
- otherwise im2col and col2im in two stages of long copies (im2col.py);
- the input gradient of a stride-1 convolution is itself a convolution, of G padded by
  d*(k-1) - p with the flipped kernel (C_in and C_out swapped); where the kernel-row
  method suits that convolution it replaces col2im's scatter:

      dL/dx = conv(G padded by d*(k-1) - p, w[:, :, ::-1, ::-1] with C_in and C_out swapped)

- weight gradients as X G^T, the transpose of G X^T: BLAS runs the tall shape faster;
- scratch matrices come from workspace.py and go back to it, so the next call does
  not fault fresh pages in.

tests/ops/test_conv.py runs every convolution test on every path (tests/kernel_paths.py)
and tests/kernels/test_conv.py compares the paths directly.
"""

import math
import weakref

from edunet.backend import get_array_module
from edunet.kernels import use_reference, workspace
from edunet.kernels.conv_rows import (padded_width_matrix, prefers_rows, row_products,
                                      row_weight_gradient, to_rows_layout)
from edunet.kernels.im2col import col2im, im2col
from edunet.ops.im2col import output_size


def convolution(x, weight, bias, stride, padding, dilation, groups, keep_for_backward):
    """y = conv(x, w) + b on arrays x (N, C_in, H, W), w (C_out, C_in/g, kh, kw), b or None.

    Returns (y, backward), with ``backward(grad_output, needs_input_grad)`` ->
    (grad_input, grad_weight, grad_bias) (None where not needed, or when
    ``keep_for_backward`` is False); or None on the reference path
    (``edunet.kernels.reference()``).
    """
    if use_reference():
        return None
    output, columns, by_rows = convolve(x, weight, bias, stride, padding, dilation, groups)
    if not keep_for_backward:
        workspace.give_back(columns)
        return output, None
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    input_shape, out_size = x.shape, output.shape[2:]

    def backward(grad_output, needs_input_grad):
        needs_input, needs_weight = needs_input_grad[:2]
        needs_bias = bias is not None and needs_input_grad[2]
        grad_rows = None     # G in the forward product's layout (a workspace array)
        if needs_weight or needs_bias:
            grad_rows = _grad_rows(grad_output, by_rows)
        grad_input = grad_weight = grad_bias = None
        if needs_weight:
            if by_rows:
                grad_weight = row_weight_gradient(grad_rows, columns, weight.shape[2:],
                                                  out_size[0], dilation[0])
            else:
                # (G X^T)^T = X G^T: BLAS runs this tall shape faster (measured, 1 thread:
                # the course CNN's first layer 8.4 -> 6.4 ms, LeNet's 1.0 -> 0.6 and 0.75 -> 0.44).
                xp = get_array_module(grad_rows)
                grad_weight_t = xp.matmul(_grouped(columns, groups),
                                          _grouped(grad_rows, groups).transpose(0, 2, 1))
                grad_weight = grad_weight_t.transpose(0, 2, 1).reshape(weight.shape)
        if needs_bias:
            grad_bias = grad_rows.reshape(weight.shape[0], -1).sum(axis=-1)
        if needs_input:
            grad_input = _input_gradient(grad_output, weight, input_shape, options,
                                         None if by_rows else grad_rows)
        if grad_rows is not None:
            workspace.give_back(grad_rows)
        return grad_input, grad_weight, grad_bias

    # When the graph lets go of backward (after it ran, or never), the matrix goes back to
    # the workspace: the next step's forward reuses it instead of faulting fresh pages in.
    weakref.finalize(backward, workspace.give_back, columns)
    return output, backward


def convolve(x, weight, bias, stride, padding, dilation, groups):
    """y = conv(x, w) + b -> (y, columns, by_rows): y a contiguous (N, C_out, OH, OW);
    ``columns`` the matrix the product read (the width matrix when ``by_rows``, see
    conv_rows.py, else im2col's). ``padding`` pairs may be negative (a crop) on the
    kernel-row path, which the input gradient's convolution needs."""
    xp = get_array_module(x)
    batch, in_channels, height, width = x.shape
    out_channels, _, kernel_height, kernel_width = weight.shape
    out_height = output_size(height, kernel_height, stride[0], padding[0], dilation[0])
    out_width = output_size(width, kernel_width, stride[1], padding[1], dilation[1])
    if prefers_rows(in_channels, out_channels, (kernel_height, kernel_width), stride, groups):
        columns = padded_width_matrix(x, padding, kernel_width, dilation[1])  # (C_in*kw, Hp*N*OW)
        rows = row_products(columns, weight, out_height, dilation[0])     # (C_out, OH*N*OW)
        if bias is not None:
            rows += bias[:, None]
        output = xp.ascontiguousarray(
            rows.reshape(out_channels, out_height, batch, out_width).transpose(2, 0, 1, 3))
        workspace.give_back(rows)
        return output, columns, True
    columns = im2col(x, (kernel_height, kernel_width), stride, padding, dilation)
    product = workspace.empty((out_channels, batch * out_height * out_width), x.dtype, xp)
    xp.matmul(_grouped(weight, groups), _grouped(columns, groups),
              out=product.reshape(groups, out_channels // groups, -1))
    if bias is not None:
        product += bias[:, None]
    output = xp.ascontiguousarray(
        product.reshape(out_channels, batch, out_height, out_width).transpose(1, 0, 2, 3))
    workspace.give_back(product)
    return output, columns, False


def _grad_rows(grad_output, by_rows):
    """G as the forward's product laid it out: (C_out, OH*N*OW) by kernel rows, else
    (C_out, N*OH*OW). A workspace array: give it back when done."""
    if by_rows:
        return to_rows_layout(grad_output).reshape(grad_output.shape[1], -1)
    xp = get_array_module(grad_output)
    batch, out_channels, out_height, out_width = grad_output.shape
    grad_rows = workspace.empty((out_channels, batch * out_height * out_width),
                                grad_output.dtype, xp)
    grad_rows.reshape(out_channels, batch, out_height, out_width)[...] = (
        grad_output.transpose(1, 0, 2, 3))
    return grad_rows


def _input_gradient(grad_output, weight, input_shape, options, grad_rows=None):
    """dL/dx: the flipped-kernel convolution of G by kernel rows where that suits the
    swapped channel counts, else col2im(W^T G). ``grad_rows``: G in im2col's layout."""
    xp = get_array_module(grad_output)
    stride, padding = options["stride"], options["padding"]
    dilation, groups = options["dilation"], options["groups"]
    in_channels, out_channels = input_shape[1], weight.shape[0]
    if prefers_rows(out_channels, in_channels, weight.shape[2:], stride, groups):
        flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)   # (C_in, C_out, kh, kw)
        grad_padding = tuple((d * (k - 1) - before, d * (k - 1) - after)
                             for d, k, (before, after) in zip(dilation, weight.shape[2:],
                                                              padding))
        grad_input, columns, _ = convolve(grad_output, flipped, None, stride=(1, 1),
                                          padding=grad_padding, dilation=dilation, groups=1)
        workspace.give_back(columns)
        return grad_input
    own_rows = grad_rows is None
    if own_rows:
        grad_rows = _grad_rows(grad_output, by_rows=False)
    grouped_weight = _grouped(weight, groups)                      # (g, C_out/g, C_in/g*kh*kw)
    grad_columns = workspace.empty((groups, grouped_weight.shape[2], grad_rows.shape[1]),
                                   grad_rows.dtype, xp)
    xp.matmul(grouped_weight.transpose(0, 2, 1), _grouped(grad_rows, groups),
              out=grad_columns)                                    # W^T G
    grad_input = col2im(grad_columns.reshape(groups * grouped_weight.shape[2],
                                             grad_rows.shape[1]), input_shape,
                        weight.shape[2:], stride, padding, dilation)
    workspace.give_back(grad_columns)
    if own_rows:
        workspace.give_back(grad_rows)
    return grad_input


def _grouped(array, groups):
    """(groups, rows / groups, everything else), as in edunet/ops/conv.py."""
    return array.reshape(groups, array.shape[0] // groups, math.prod(array.shape[1:]))
