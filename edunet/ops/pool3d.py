"""3-D pooling: ``max_pool3d`` and ``avg_pool3d``, over volumes.

The 2-D pooling of edunet/ops/pool.py with one more spatial dim. Each kd x kh x kw
window of every channel becomes one number, its maximum or its mean:

    max: y[n, c, od, oh, ow] = max_{i, j, k} x_pad[n, c, od*sd + i*dd, oh*sh + j*dh, ow*sw + k*dw]
    avg: y[n, c, od, oh, ow] = (sum of the same window, without dilation) / divisor

Output size along each spatial dim (PyTorch's rule):

    OD = floor((D + 2p - d*(k - 1) - 1) / s) + 1

``ceil_mode=True`` rounds up instead, keeping a last, partial window, unless that
window would start in the right padding. Padding counts as -inf for max pooling (it
never wins) and as 0 for average pooling.

The windows are read as strided slices of the padded input, one slice per kernel
offset (i, j, k): stacked, they form ``windows``, an array (kd*kh*kw, N, C, OD, OH, OW),
and pooling is a max or a sum over its first axis. The gradients, side by side:

    max: each window's gradient goes, all of it, to the position of its maximum (the
         first one, in (i, j, k) order, on a tie); overlapping windows add up.
    avg: each window's gradient, divided by the divisor, is spread over the window.
"""

import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.conv_checks import INTEGER_DTYPES, check_supported_dtype
from edunet.ops.pool_checks import check_padding, pool_output_size
from edunet.tensor import Tensor


def _offsets(kernel_size):
    """Every kernel offset (i, j, k), in row-major order."""
    return [(i, j, k) for i in range(kernel_size[0]) for j in range(kernel_size[1])
            for k in range(kernel_size[2])]


def _window_slices(offset, geometry):
    """The slices of the padded input that kernel offset (i, j, k) reads, one per output."""
    return tuple(slice(o * d, o * d + s * (count - 1) + 1, s) for o, d, s, count in
                 zip(offset, geometry["dilation"], geometry["stride"], geometry["grid_size"]))


def _pad(x, geometry, value):
    """x with ``padding`` on each side of the three spatial dims, plus what ceil_mode's
    last window needs at the end, filled with ``value``."""
    xp = get_array_module(x)
    extra = [((count - 1) * s + d * (k - 1) + 1) - (size + 2 * p) for count, s, d, k, size, p in
             zip(geometry["grid_size"], geometry["stride"], geometry["dilation"],
                 geometry["kernel_size"], x.shape[-3:], geometry["padding"])]
    widths = [(p, p + max(e, 0)) for p, e in zip(geometry["padding"], extra)]
    return xp.pad(x, ((0, 0),) * (x.ndim - 3) + tuple(widths), constant_values=value)


def _windows(padded, geometry):
    """All windows, stacked: (kd*kh*kw, N, C, OD, OH, OW), offset (i, j, k) first."""
    xp = get_array_module(padded)
    return xp.stack([padded[(..., *_window_slices(offset, geometry))]
                     for offset in _offsets(geometry["kernel_size"])])


def _unpad(grad_padded, geometry, input_shape):
    """The gradient of the padded input without its padding: the input's gradient."""
    front, top, left = geometry["padding"]
    depth, height, width = input_shape[-3:]
    return grad_padded[..., front:front + depth, top:top + height, left:left + width]


def _lowest(dtype):
    """What max-pooling's padding holds: -inf, or an integer type's smallest value."""
    return -numpy.inf if numpy.dtype(dtype).kind == "f" else numpy.iinfo(dtype).min


class MaxPool3D(Function):
    """y = the maximum of each window; the gradient flows back to where it was.

    x (N, C, D, H, W) -> y (N, C, OD, OH, OW). ``self.offsets`` keeps which kernel
    offset held each maximum; backward adds each output's gradient there.
    """

    grad_fn_name = "MaxPool3DWithIndicesBackward0"

    def forward(self, x, *, geometry):
        self.geometry, self.input_shape = geometry, x.shape
        padded = _pad(x, geometry, _lowest(x.dtype))
        windows = _windows(padded, geometry)
        self.padded_shape = padded.shape
        self.offsets = windows.argmax(axis=0)           # the first maximum on a tie
        xp = get_array_module(x)
        return xp.take_along_axis(windows, self.offsets[None], axis=0)[0]

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        grad_padded = xp.zeros(self.padded_shape, dtype=grad_output.dtype)
        for number, offset in enumerate(_offsets(self.geometry["kernel_size"])):
            grad_padded[(..., *_window_slices(offset, self.geometry))] += (
                grad_output * (self.offsets == number))
        return _unpad(grad_padded, self.geometry, self.input_shape)

    def indices(self):
        """Each maximum's position d*H*W + h*W + w in its (D, H, W) volume (int64)."""
        xp = get_array_module(self.offsets)
        kernel = numpy.array(_offsets(self.geometry["kernel_size"]))   # (K, 3)
        position = 0
        for axis in range(3):
            count, s, d, p = (self.geometry[name][axis] for name in
                              ("grid_size", "stride", "dilation", "padding"))
            starts = xp.arange(count) * s - p
            shape = [1, 1, 1]
            shape[axis] = count
            along = starts.reshape(shape) + xp.asarray(kernel[:, axis] * d)[self.offsets]
            position = position * self.input_shape[-3 + axis] + along
        return position.astype(numpy.int64)


class AvgPool3D(Function):
    """y = the sum of each window / divisor; backward spreads grad / divisor over the window.

    ``divisor`` is a number or an array (OD, OH, OW) (see :func:`average_divisors`).
    """

    grad_fn_name = "AvgPool3DBackward0"

    def forward(self, x, *, geometry, divisor):
        self.geometry, self.input_shape, self.divisor = geometry, x.shape, divisor
        padded = _pad(x, geometry, 0)
        self.padded_shape = padded.shape
        total = _windows(padded, geometry).sum(axis=0)
        if x.dtype.kind != "f":      # integer tensors: PyTorch divides and rounds towards 0
            xp = get_array_module(x)
            return xp.trunc(total / divisor).astype(x.dtype)
        return (total / divisor).astype(x.dtype)

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        grad_padded = xp.zeros(self.padded_shape, dtype=grad_output.dtype)
        share = (grad_output / self.divisor).astype(grad_output.dtype)
        for offset in _offsets(self.geometry["kernel_size"]):
            grad_padded[(..., *_window_slices(offset, self.geometry))] += share
        return _unpad(grad_padded, self.geometry, self.input_shape)


def average_divisors(sizes, geometry, count_include_pad):
    """How many values each window averages, as PyTorch counts them: (OD, OH, OW).

    A window counts the padding when ``count_include_pad``, but never the part of a
    ceil_mode window that lies past the padding; without it, only real input values.
    """
    counts = []
    for size, k, s, p, count in zip(sizes, geometry["kernel_size"], geometry["stride"],
                                    geometry["padding"], geometry["grid_size"]):
        start = numpy.arange(count) * s - p
        end = numpy.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = numpy.maximum(start, 0), numpy.minimum(end, size)
        counts.append(end - start)
    return counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]


# ---------------------------------------------------------------- argument checks
def _triple(value, name, op_name):
    """An int or a sequence of one or three ints as a tuple of three ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(isinstance(v, (int, numpy.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{op_name}(): argument '{name}' must be tuple of ints, not "
                        f"{type(value).__name__} ({value!r})")
    if len(values) not in (1, 3):
        raise RuntimeError(f"{op_name}: {name} must either be a single int, or a tuple of three "
                           f"ints (got {value!r})")
    return tuple(int(v) for v in values) * (3 if len(values) == 1 else 1)


def _geometry(input, kernel_size, stride, padding, dilation, ceil_mode, op_name):
    """Check the input and arguments (PyTorch's rules) and lay out the windows."""
    if input.ndim not in (4, 5) or 0 in input.shape[-4:]:
        raise RuntimeError(
            f"{op_name}: non-empty 4D or 5D (batch mode) tensor expected for input, but got "
            f"{list(input.shape)}. The layout is (N, C, D, H, W) or (C, D, H, W): add a missing "
            f"dimension with x.unsqueeze(0), or remove extra ones with x.squeeze(dim).")
    kernel_size = _triple(kernel_size, "kernel_size", op_name)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    stride = kernel_size if no_stride else _triple(stride, "stride", op_name)
    padding = _triple(padding, "padding", op_name)
    dilation = _triple(dilation, "dilation", op_name)
    for name, values in (("kernel size", kernel_size), ("stride", stride),
                         ("dilation", dilation)):
        if min(values) <= 0:
            raise RuntimeError(f"{name} should be greater than zero, but got {name}="
                               f"{list(values)}")
    check_padding(kernel_size, padding, dilation)
    sizes = input.shape[-3:]
    grid_size = tuple(pool_output_size(size, k, s, p, d, ceil_mode) for size, k, s, p, d in
                      zip(sizes, kernel_size, stride, padding, dilation))
    if min(grid_size) < 1:
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, input.shape[-4:]))}). Calculated output "
            f"size: ({input.shape[-4]}x{'x'.join(map(str, grid_size))}). Output size is too "
            f"small: the window ({'x'.join(map(str, kernel_size))}) is larger than the padded "
            f"input. Use a smaller kernel or fewer pooling layers before this one.")
    return dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
                grid_size=grid_size)


# ---------------------------------------------------------------- the functions
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window (``torch.nn.functional.max_pool3d``).

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW) or (C, OD, OH, OW), OD by
    the rule in the module docstring. ``stride`` defaults to ``kernel_size``. With
    ``return_indices=True`` also returns each maximum's position d*H*W + h*W + w within
    its (D, H, W) volume (int64).

    >>> F.max_pool3d(edunet.arange(8.).reshape(1, 1, 2, 2, 2), 2)
    tensor([[[[[7.]]]]])
    """
    check_supported_dtype(input, "max_pool3d", INTEGER_DTYPES)
    geometry = _geometry(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")
    output = MaxPool3D.apply(input, geometry=geometry)
    if not return_indices:
        return output
    return output, Tensor._make(output.grad_fn.indices() if output.grad_fn is not None
                                else _indices_without_graph(input, geometry))


def _indices_without_graph(input, geometry):
    """The indices when no graph was kept (no_grad, or an input without requires_grad)."""
    pool = MaxPool3D()
    pool.forward(input.array, geometry=geometry)
    return pool.indices()


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window (``torch.nn.functional.avg_pool3d``).

    The divisor is the window's volume, counting the padding (``count_include_pad=True``)
    or not, but never the part of a ceil_mode window past the padding;
    ``divisor_override`` replaces it. Shapes as :func:`max_pool3d`.

    >>> F.avg_pool3d(edunet.arange(8.).reshape(1, 1, 2, 2, 2), 2)
    tensor([[[[[3.5000]]]]])
    """
    check_supported_dtype(input, "avg_pool3d", ("int64",))
    geometry = _geometry(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool3d")
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = divisor_override
    else:
        divisor = average_divisors(input.shape[-3:], geometry, count_include_pad)
        xp = get_array_module(input.array)
        divisor = xp.asarray(divisor)
    return AvgPool3D.apply(input, geometry=geometry, divisor=divisor)
