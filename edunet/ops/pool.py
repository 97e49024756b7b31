"""Pooling: shrinking feature maps by summarizing each window.

Max pooling keeps the largest value of each kh x kw window, average pooling the mean:

    max: y[n, c, oh, ow] = max_{i, j} x_padded[n, c, oh*sh + i*dh, ow*sw + j*dw]
    avg: y[n, c, oh, ow] = (sum of the same window) / divisor

Output size (PyTorch's rule), for each spatial dim:

    OH = floor((H + 2p - d*(k - 1) - 1) / s) + 1

With ``ceil_mode=True`` the floor becomes a ceiling, so a last, partial window is kept,
except that the last window must start inside the input or its left padding: if
(OH - 1)*s >= H + p, OH shrinks by one. Padding counts as -inf for max pooling (it
never wins) and as 0 for average pooling.

Gradients:

    max: each window's gradient goes to the position of its maximum, all of it (the
         first maximum in row-major order on a tie); overlapping windows add up.
    avg: each window's gradient, divided by the divisor, is spread evenly over the window.

Adaptive pooling takes the output size instead of a kernel; along a dim of size I
pooled to size O, window o covers [floor(o*I/O), ceil((o+1)*I/O)).

The windows are strided slices, one per kernel offset (i, j), as in im2col
(edunet/ops/im2col.py): a 2 x 2 pool is 4 vectorized operations, not a loop over
output positions. This file is the reference; edunet/kernels/pool.py computes the same
numbers faster for windows that tile the input (MaxPool2d(2)), one call in each op's
forward, and ``with edunet.kernels.reference():`` runs the code below instead.
"""

import math

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.kernels import pool as fast
from edunet.ops.conv_checks import INTEGER_DTYPES, check_supported_dtype
from edunet.ops.im2col import pad2d
from edunet.ops.indexing import scatter_add
from edunet.ops.pool_checks import (adaptive_output_size, as_2d_arguments,
                                    check_pool_input, pool_options)
from edunet.ops.pool_windows import (adaptive_max, average_divisors, averaging_matrix,
                                     first_max_offsets, lowest_value, max_positions,
                                     valid_masks, window_views)
from edunet.tensor import Tensor


# ---------------------------------------------------------------- max pooling
# ``geometry`` below is a dict: kernel_size, stride, dilation, grid_size (OH, OW) as pairs,
# and padding as ((top, bottom), (left, right)).
def _views(array, geometry):
    """One view (..., OH, OW) per kernel offset of the (padded) ``array``: its windows."""
    return window_views(array, geometry["kernel_size"], geometry["stride"],
                        geometry["dilation"], geometry["grid_size"])


def _max_pool_padded(array, geometry):
    """The input with its -inf padding (the input itself when there is none)."""
    return pad2d(array, geometry["padding"], lowest_value(array.dtype))


def _unpadded(grad_padded, geometry, input_shape):
    """The gradient of the padded input, without the padding: the input's gradient."""
    (top, _), (left, _) = geometry["padding"]
    height, width = input_shape[-2:]
    return grad_padded[..., top:top + height, left:left + width]


def _max_offsets(padded, output, geometry, input_size):
    """Which kernel offset holds each window's maximum (see :func:`first_max_offsets`)."""
    masks = None
    if any(before or after for before, after in geometry["padding"]):
        masks = valid_masks(input_size, **geometry)
    return first_max_offsets(_views(padded, geometry), output, masks)


class MaxPool2DWithIndices(Function):
    """y = the maximum of each window; the gradient flows back to where it was.

    Works on (N, C, H, W) and (C, H, W) alike (only the last two dims are pooled).
    ``padding`` is ((top, bottom), (left, right)), bottom/right including the extra
    rows that ceil_mode's partial windows need.
    """

    def forward(self, x, *, kernel_size, stride, padding, dilation, grid_size):
        xp = get_array_module(x)
        self.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                             dilation=dilation, grid_size=grid_size)
        self.input_shape = x.shape
        faster = fast.max_pool2d(x, self.geometry)    # None on the reference path
        self.on_fast_path = faster is not None
        if self.on_fast_path:
            output, fast_backward = faster
            self.save_for_backward(fast_backward)
            return output
        padded = _max_pool_padded(x, self.geometry)
        views = _views(padded, self.geometry)
        output = views[0].copy()
        for view in views[1:]:
            xp.maximum(output, view, out=output)
        self.save_for_backward(padded, output)
        return output

    def backward(self, grad_output):
        if self.on_fast_path:
            return self.saved_arrays[0](grad_output)
        padded, output = self.saved_arrays
        xp = get_array_module(grad_output)
        offsets = _max_offsets(padded, output, self.geometry, self.input_shape[-2:])
        # Each window sends its gradient to the offset of its maximum; windows may overlap.
        grad_padded = xp.zeros(padded.shape, dtype=grad_output.dtype)
        for offset, view in enumerate(_views(grad_padded, self.geometry)):
            view += grad_output * (offsets == offset)
        return _unpadded(grad_padded, self.geometry, self.input_shape)


# ---------------------------------------------------------------- average pooling
class AvgPool2D(Function):
    """y = (sum of each window) / divisor;  dL/dx: each window's g / divisor spread over it.

    ``divisor`` is an (OH, OW) array, or a number (divisor_override, or windows that all
    lie inside the input). Integer inputs divide and round toward zero, as PyTorch does.
    """

    def forward(self, x, *, kernel_size, stride, padding, grid_size, divisor):
        xp = get_array_module(x)
        self.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                             dilation=(1, 1), grid_size=grid_size)
        self.input_shape = x.shape
        self.divisor = xp.asarray(divisor, dtype=x.dtype)
        faster = fast.avg_pool2d(x, self.geometry, self.divisor)   # None: reference path
        self.on_fast_path = faster is not None
        if self.on_fast_path:
            output, fast_backward = faster
            self.save_for_backward(fast_backward)
            return output
        padded = pad2d(x, padding)
        self.padded_shape = padded.shape
        views = _views(padded, self.geometry)
        total = views[0].copy()
        for view in views[1:]:
            total += view
        if x.dtype.kind == "f":
            return total / self.divisor
        quotient = xp.abs(total) // self.divisor     # integer division rounding toward zero
        return xp.where(total < 0, -quotient, quotient)

    def backward(self, grad_output):
        if self.on_fast_path:
            return self.saved_arrays[0](grad_output)
        xp = get_array_module(grad_output)
        share = grad_output / self.divisor
        grad_padded = xp.zeros(self.padded_shape, dtype=grad_output.dtype)
        for view in _views(grad_padded, self.geometry):
            view += share
        return _unpadded(grad_padded, self.geometry, self.input_shape)


# ---------------------------------------------------------------- adaptive pooling
class AdaptiveAvgPool2D(Function):
    """Adaptive average pooling is linear and separable: y = A_h x A_w^T, dL/dx = A_h^T g A_w,

    where A_h (OH, H) and A_w (OW, W) average each window's rows and columns.
    """

    def forward(self, x, *, output_size):
        xp = get_array_module(x)
        self.rows = averaging_matrix(x.shape[-2], output_size[0], x.dtype, xp)
        self.cols = averaging_matrix(x.shape[-1], output_size[1], x.dtype, xp)
        if output_size == (1, 1):
            self.grad_fn_name = "MeanBackward1"  # PyTorch takes the mean for a global pool
        return xp.matmul(xp.matmul(self.rows, x), self.cols.T)

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        return xp.matmul(xp.matmul(self.rows.T, grad_output), self.cols)


class AdaptiveMaxPool2D(Function):
    """y = the maximum of each adaptive window; the gradient goes to its (first) position.

    The windows are few and of different sizes, so this loops over output positions.
    """

    def forward(self, x, *, output_size):
        output, self.indices = adaptive_max(x, output_size)
        self.input_shape = x.shape
        return output

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        height, width = self.input_shape[-2:]
        planes = math.prod(self.input_shape[:-2])
        # Windows may overlap, so one position can be the maximum of several: add, don't assign.
        grad = xp.zeros(planes * height * width, dtype=grad_output.dtype)
        plane_starts = xp.arange(planes)[:, None] * (height * width)
        cells = self.indices.shape[-2] * self.indices.shape[-1]
        positions = plane_starts + self.indices.reshape(planes, cells)
        scatter_add(grad, positions.reshape(-1), grad_output.reshape(-1))
        return grad.reshape(self.input_shape)


# ---------------------------------------------------------------- the functions
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window (``torch.nn.functional.max_pool2d``).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW); OH by the rule in
    the module docstring. ``stride`` defaults to ``kernel_size``. With
    ``return_indices=True`` also returns, for each output, the position h*W + w of the
    maximum within its (H, W) plane (int64).

    >>> x = edunet.arange(16.).reshape(1, 1, 4, 4)
    >>> F.max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    check_pool_input(input, "max_pool2d")
    check_supported_dtype(input, "max_pool2d", INTEGER_DTYPES)
    options = pool_options(input, kernel_size, stride, padding, dilation, ceil_mode,
                            "max_pool2d")
    output = MaxPool2DWithIndices.apply(input, **options)
    if not return_indices:
        return output
    padded = _max_pool_padded(input.array, options)
    offsets = _max_offsets(padded, output.array, options, input.shape[-2:])
    indices = max_positions(offsets, input.shape[-2:], options["kernel_size"], options["stride"],
                            options["padding"], options["dilation"])
    return output, Tensor._make(indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window along a sequence: (N, C, L) or (C, L) -> (N, C, L_out).

    L_out = floor((L + 2p - d(k - 1) - 1) / s) + 1; see :func:`max_pool2d`.
    """
    check_pool_input(input, "max_pool1d", dims=1)
    # PyTorch 2.13's CPU max_pool1d takes integers only on its path with indices.
    check_supported_dtype(input, "max_pool1d", INTEGER_DTYPES if return_indices else ())
    arguments = as_2d_arguments("max_pool1d", kernel_size, stride, padding, dilation)
    result = max_pool2d(input.unsqueeze(-2), *arguments, ceil_mode, return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each window (``torch.nn.functional.avg_pool2d``).

    The divisor is the window's area, counting padding (``count_include_pad=True``) or
    not, but never the part of a ceil_mode window past the padding;
    ``divisor_override`` replaces it. Shapes as :func:`max_pool2d`.

    >>> F.avg_pool2d(edunet.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    check_pool_input(input, "avg_pool2d")
    check_supported_dtype(input, "avg_pool2d", ("int64",))
    options = pool_options(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = divisor_override
    else:
        unpadded = tuple(before for before, _ in options["padding"])
        divisor = average_divisors(input.shape[-2:], options["kernel_size"], options["stride"],
                                   unpadded, options["grid_size"], count_include_pad)
    return AvgPool2D.apply(input, kernel_size=options["kernel_size"], stride=options["stride"],
                           padding=options["padding"], grid_size=options["grid_size"],
                           divisor=divisor)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window along a sequence: (N, C, L) or (C, L) -> (N, C, L_out)."""
    check_pool_input(input, "avg_pool1d", dims=1)
    kernel_size, stride, padding, _ = as_2d_arguments("avg_pool1d", kernel_size, stride, padding)
    output = avg_pool2d(input.unsqueeze(-2), kernel_size, stride, padding, ceil_mode,
                        count_include_pad)
    return output.squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a chosen output size (``F.adaptive_avg_pool2d``).

    Window o along a dim of size I covers [floor(o*I/O), ceil((o+1)*I/O)); with output
    size 1 it is the global average. (N, C, H, W) or (C, H, W) -> (..., OH, OW);
    ``output_size`` is an int, a pair, or a pair with None (keep that dim).
    """
    check_pool_input(input, "adaptive_avg_pool2d")
    check_supported_dtype(input, "adaptive_avg_pool2d", ())
    return AdaptiveAvgPool2D.apply(
        input, output_size=adaptive_output_size(input, output_size, "adaptive_avg_pool2d"))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a chosen output size; windows as :func:`adaptive_avg_pool2d`.

    With ``return_indices=True`` also returns each maximum's position h*W + w in its plane.
    """
    check_pool_input(input, "adaptive_max_pool2d")
    check_supported_dtype(input, "adaptive_max_pool2d", ())
    output_size = adaptive_output_size(input, output_size, "adaptive_max_pool2d")
    output = AdaptiveMaxPool2D.apply(input, output_size=output_size)
    if not return_indices:
        return output
    _, indices = adaptive_max(input.array, output_size)
    return output, Tensor._make(indices)
