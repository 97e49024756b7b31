"""Elementwise functions: each output element depends on one input element.

So each backward is ``grad_output * f'(x)``: the chain rule with a diagonal
Jacobian. Functions that only make sense for real numbers (``exp``, ``sqrt``,
``sigmoid``, ...) turn integer inputs into the default float dtype, as PyTorch does.
Comparisons return bool tensors and are not differentiable.
"""

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.kernels import activation as activation_kernels
from edunet.ops import checks
from edunet.ops.arithmetic import _check_broadcast, as_tensors, broadcast_shapes, unbroadcast
from edunet.tensor import Tensor


def _as_float(input):
    """Integer and bool tensors become the default float dtype (``exp(int)`` is a float)."""
    if input.array.dtype.kind == "f":
        return input
    return input.to(dtypes.get_default_dtype())


class Exp(Function):
    """y = e^x;  dy/dx = e^x = y"""

    def forward(self, x):
        output = get_array_module(x).exp(x)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return grad_output * output


class Log(Function):
    """y = ln(x);  dy/dx = 1 / x"""

    def forward(self, x):
        self.save_for_backward(x)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log(x)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        return grad_output / x


class Log1p(Function):
    """y = ln(1 + x), accurate for tiny x;  dy/dx = 1 / (1 + x)"""

    def forward(self, x):
        self.save_for_backward(x)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log1p(x)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        return grad_output / (1 + x)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 1 / (2y)"""

    def forward(self, x):
        with numpy.errstate(invalid="ignore"):
            output = get_array_module(x).sqrt(x)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        with numpy.errstate(divide="ignore"):
            return grad_output / (2 * output)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dy/dx = -1 / (2 x^(3/2)) = -y^3 / 2"""

    def forward(self, x):
        with numpy.errstate(divide="ignore", invalid="ignore"):
            output = 1 / get_array_module(x).sqrt(x)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return grad_output * -0.5 * output ** 3


class Abs(Function):
    """y = |x|;  dy/dx = sign(x), taken as 0 at x = 0"""

    def forward(self, x):
        self.save_for_backward(x)
        return get_array_module(x).abs(x)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        return grad_output * get_array_module(x).sign(x)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return get_array_module(x).sin(x)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        return grad_output * get_array_module(x).cos(x)


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return get_array_module(x).cos(x)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        return -grad_output * get_array_module(x).sin(x)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - tanh(x)^2 = 1 - y^2"""

    def forward(self, x):
        output = get_array_module(x).tanh(x)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return grad_output * (1 - output * output)


def logistic(x):
    """1 / (1 + e^-x) on an array, for any x (sigmoid's forward; losses use it too).

    Where x is very negative, e^-x overflows to inf and the result is 1 / inf = 0:
    the right value rounded, and the same as PyTorch's (it uses this formula too),
    so NumPy's overflow warning is silenced. float16 is computed in float32, as in
    PyTorch: in float16, e^-x overflows already at x = -11.1.
    """
    xp = get_array_module(x)
    computed = x.astype(numpy.float32) if x.dtype == numpy.float16 else x
    with numpy.errstate(over="ignore"):
        output = 1 / (1 + xp.exp(-computed))
    return output.astype(x.dtype, copy=False)


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)"""

    def forward(self, x):
        output = logistic(x)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return grad_output * output * (1 - output)


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0

    (edunet/kernels/activation.py computes the same maximum faster; None on the
    reference path.)
    """

    def forward(self, x):
        output = activation_kernels.relu(x)
        if output is None:
            output = get_array_module(x).maximum(x, 0)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return grad_output * (output > 0)


class Clamp(Function):
    """y = min(max(x, low), high);  dy/dx = 1 where low <= x <= high, else 0"""

    def forward(self, x, *, low, high):
        self.save_for_backward(x)
        self.low, self.high = low, high
        return get_array_module(x).clip(x, low, high)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        inside = True
        if self.low is not None:
            inside = x >= self.low
        if self.high is not None:
            inside = inside & (x <= self.high)
        return grad_output * inside


class Maximum(Function):
    """z = max(x, y) elementwise; the gradient goes to the larger, half to each on a tie."""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return get_array_module(x).maximum(x, y)

    def backward(self, grad_output):
        x, y = self.saved_arrays
        share_x = ((x > y) + 0.5 * (x == y)).astype(grad_output.dtype)
        return (unbroadcast(grad_output * share_x, x.shape),
                unbroadcast(grad_output * (1 - share_x), y.shape))


class Minimum(Function):
    """z = min(x, y) elementwise; the gradient goes to the smaller, half to each on a tie."""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return get_array_module(x).minimum(x, y)

    def backward(self, grad_output):
        x, y = self.saved_arrays
        share_x = ((x < y) + 0.5 * (x == y)).astype(grad_output.dtype)
        return (unbroadcast(grad_output * share_x, x.shape),
                unbroadcast(grad_output * (1 - share_x), y.shape))


class Where(Function):
    """z = x where condition else y; each gradient flows only where its value was chosen."""

    def forward(self, x, y, *, condition):
        self.save_for_backward(condition)
        self.shapes = x.shape, y.shape
        return get_array_module(x).where(condition, x, y)

    def backward(self, grad_output):
        (condition,) = self.saved_arrays
        x_shape, y_shape = self.shapes
        zero = grad_output.dtype.type(0)
        xp = get_array_module(grad_output)
        return (unbroadcast(xp.where(condition, grad_output, zero), x_shape),
                unbroadcast(xp.where(condition, zero, grad_output), y_shape))


class ZeroGradient(Function):
    """Piecewise-constant functions (sign, floor, ceil, round): the derivative is 0."""

    def forward(self, x, *, function):
        self.grad_fn_name = function.__name__.capitalize() + "Backward0"
        return function(x)

    def backward(self, grad_output):
        return grad_output * 0


# ---------------------------------------------------------------- functions
def exp(input):
    """Elementwise e^x."""
    return Exp.apply(_as_float(input))


def log(input):
    """Elementwise natural logarithm (nan for x < 0, -inf at 0)."""
    return Log.apply(_as_float(input))


def log1p(input):
    """Elementwise ln(1 + x), accurate when x is tiny."""
    return Log1p.apply(_as_float(input))


def sqrt(input):
    """Elementwise square root."""
    return Sqrt.apply(_as_float(input))


def rsqrt(input):
    """Elementwise 1 / sqrt(x)."""
    return Rsqrt.apply(_as_float(input))


def abs(input):
    """Elementwise absolute value (integers stay integers)."""
    return Abs.apply(input)


absolute = abs


def sin(input):
    """Elementwise sine (radians)."""
    return Sin.apply(_as_float(input))


def cos(input):
    """Elementwise cosine (radians)."""
    return Cos.apply(_as_float(input))


def tanh(input):
    """Elementwise hyperbolic tangent, in (-1, 1)."""
    return Tanh.apply(_as_float(input))


def sigmoid(input):
    """Elementwise logistic function 1 / (1 + e^-x), in (0, 1)."""
    return Sigmoid.apply(_as_float(input))


def relu(input):
    """Elementwise max(x, 0) (integers stay integers)."""
    return Relu.apply(input)


def clamp(input, min=None, max=None):
    """Limit every element to ``[min, max]``; either bound may be left out.

    Bounds may be numbers or tensors (broadcast against ``input``).
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for name, bound in (("min", min), ("max", max)):
        if bound is not None and not checks.is_operand(bound):
            raise TypeError(f"clamp(): argument '{name}' must be a Number or a Tensor, not "
                            f"{type(bound).__name__}")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = input
        if min is not None:
            result = maximum(result, min)
        if max is not None:
            result = minimum(result, max)
        return result
    if input.array.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        input = _as_float(input)
    return Clamp.apply(input, low=min, high=max)


clip = clamp


def maximum(input, other):
    """Elementwise larger of two tensors, broadcasting."""
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    return Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise smaller of two tensors, broadcasting."""
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    return Minimum.apply(input, other)


def where(condition, input=None, other=None):
    """Pick from ``input`` where ``condition`` is True, else from ``other``.

    ``where(condition)`` alone returns the indices of True elements, like ``nonzero``.
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if condition.array.dtype != numpy.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype}. Compare first, e.g. where(x > 0, a, b).")
    input, other = as_tensors(input, other)
    broadcast_shapes(condition.shape, input.shape, other.shape)
    return Where.apply(input, other, condition=condition.array)


def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of index tensors."""
    xp = get_array_module(input.array)
    indices = xp.nonzero(input.array)
    if as_tuple:
        return tuple(Tensor._make(index.astype(numpy.int64)) for index in indices)
    return Tensor._make(xp.stack(indices, axis=1).astype(numpy.int64))


def sign(input):
    """Elementwise -1, 0 or 1."""
    return ZeroGradient.apply(input, function=get_array_module(input.array).sign)


def floor(input):
    """Elementwise round down."""
    return ZeroGradient.apply(input, function=get_array_module(input.array).floor)


def ceil(input):
    """Elementwise round up."""
    return ZeroGradient.apply(input, function=get_array_module(input.array).ceil)


def round(input, *, decimals=0):
    """Elementwise round to nearest, ties to even (as PyTorch and NumPy)."""
    xp = get_array_module(input.array)

    def round(array):
        return xp.round(array, decimals)

    return ZeroGradient.apply(input, function=round)


# ---------------------------------------------------------------- comparisons and logic
def _compare(name, input, other):
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    xp = get_array_module(input.array)
    return Tensor._make(getattr(xp, name)(input.array, other.array))


def eq(input, other):
    """Elementwise ``input == other`` as a bool tensor."""
    return _compare("equal", input, other)


def ne(input, other):
    """Elementwise ``input != other`` as a bool tensor."""
    return _compare("not_equal", input, other)


def lt(input, other):
    """Elementwise ``input < other`` as a bool tensor."""
    return _compare("less", input, other)


def le(input, other):
    """Elementwise ``input <= other`` as a bool tensor."""
    return _compare("less_equal", input, other)


def gt(input, other):
    """Elementwise ``input > other`` as a bool tensor."""
    return _compare("greater", input, other)


def ge(input, other):
    """Elementwise ``input >= other`` as a bool tensor."""
    return _compare("greater_equal", input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input, other):
    return _compare("logical_and", input, other)


def logical_or(input, other):
    return _compare("logical_or", input, other)


def logical_xor(input, other):
    return _compare("logical_xor", input, other)


def logical_not(input):
    return Tensor._make(get_array_module(input.array).logical_not(input.array))


def bitwise_not(input):
    return Tensor._make(get_array_module(input.array).invert(input.array))


def isnan(input):
    return Tensor._make(get_array_module(input.array).isnan(input.array))


def isinf(input):
    return Tensor._make(get_array_module(input.array).isinf(input.array))


def isfinite(input):
    return Tensor._make(get_array_module(input.array).isfinite(input.array))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` as a bool tensor."""
    input, other = as_tensors(input, other)
    xp = get_array_module(input.array)
    return Tensor._make(xp.isclose(input.array, other.array, rtol, atol, equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is close (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def equal(input, other):
    """True when both tensors have the same shape and the same values."""
    checks.check_tensor_argument("equal", "other", 2, other)
    return input.shape == other.shape and bool((input.array == other.array).all())
