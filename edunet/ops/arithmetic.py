"""Arithmetic: ``+ - * / **`` and negation, with broadcasting.

Broadcasting lets ``x + b`` add a bias of shape (3,) to every row of an (N, 3)
batch: shapes are compared from the last dimension backwards, and a size-1 (or
missing) dimension is stretched to match the other. In the backward pass the
stretched gradient must be summed back to the operand's own shape; that is
:func:`unbroadcast`, called in every binary op's backward.
"""

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops import checks
from edunet.tensor import Tensor


# ---------------------------------------------------------------- broadcasting
def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to; RuntimeError if none.

    >>> broadcast_shapes((4, 1, 3), (5, 1))
    (4, 5, 3)
    """
    ndim = max((len(shape) for shape in shapes), default=0)
    result = []
    for position in range(-ndim, 0):
        size = 1
        for shape in shapes:
            if len(shape) < -position:
                continue
            other = shape[position]
            if other != 1 and size != 1 and other != size:
                first, second = [s for s in shapes if len(s) >= -position][:2]
                raise RuntimeError(
                    f"The size of tensor a ({first[position]}) must match the size of tensor b "
                    f"({second[position]}) at non-singleton dimension {ndim + position}. "
                    f"Shapes {tuple(first)} and {tuple(second)} can't be broadcast: comparing from "
                    f"the last dimension backwards, each pair of sizes must be equal or one of them 1."
                )
            if other != 1:
                size = other
        result.append(size)
    return tuple(result)


def unbroadcast(gradient, shape):
    """Sum ``gradient`` down to ``shape``, undoing the broadcast of an operand.

    If ``b`` of shape (3,) was broadcast to (N, 3) in ``x + b``, each of b's
    values touched N outputs, so its gradient is the sum over those N rows.

    Shapes: gradient (*broadcast_shape) -> (*shape)
    """
    if gradient.shape == shape:
        return gradient
    extra_dims = gradient.ndim - len(shape)
    # Dimensions the operand did not have at all, then the ones it had with size 1.
    stretched = tuple(range(extra_dims)) + tuple(
        extra_dims + dim for dim, size in enumerate(shape)
        if size == 1 and gradient.shape[extra_dims + dim] != 1)
    summed = gradient.sum(axis=stretched, keepdims=True) if stretched else gradient
    return summed.reshape(shape)


def as_tensors(*values):
    """Turn Python numbers into tensors and give every operand one dtype.

    The dtype follows PyTorch's promotion rules (``edunet.result_type``); numbers
    become 0-d tensors on the device of the first tensor.
    """
    first = values[0]
    if isinstance(first, Tensor) and all(isinstance(value, Tensor) and
                                         value.array.dtype == first.array.dtype
                                         for value in values[1:]):
        return list(values)  # the usual case: tensors of one dtype, nothing to convert
    values = [checks.operand(value) for value in values]  # NumPy numbers, and a clear TypeError
    dtype = _shared_floating_dtype(values) or dtypes.result_type(*values)
    device_array = next((v.array for v in values if isinstance(v, Tensor)), None)
    xp = get_array_module(device_array) if device_array is not None else numpy
    tensors = []
    for value in values:
        if isinstance(value, Tensor):
            if value.array.dtype != dtype.numpy_type:
                value = value.to(dtype)
        elif isinstance(value, int) and numpy.dtype(dtype.numpy_type).kind in "iu":
            # uint8 * -1 wraps around as in PyTorch (two's complement), no OverflowError
            value = Tensor._make(xp.asarray(value, dtype=numpy.int64).astype(dtype.numpy_type))
        else:
            value = Tensor._make(xp.asarray(value, dtype=dtype.numpy_type))
        tensors.append(value)
    return tensors


def _shared_floating_dtype(values):
    """The usual case, decided quickly: the tensors all have one floating dtype and the
    rest are Python numbers, which never widen a float tensor. Else None."""
    dtype = None
    for value in values:
        if isinstance(value, Tensor):
            if dtype is None:
                dtype = value.array.dtype
            elif value.array.dtype != dtype:
                return None
        elif not isinstance(value, (bool, int, float)):
            return None
    if dtype is None or dtype.kind != "f":
        return None
    return dtypes.from_numpy_dtype(dtype)


def _float_operands(*values):
    """Like :func:`as_tensors`, but integers are promoted to the default float dtype."""
    tensors = as_tensors(*values)
    if tensors[0].array.dtype.kind != "f":
        tensors = [t.to(dtypes.get_default_dtype()) for t in tensors]
    return tensors


def _check_broadcast(first, second):
    if first.array.shape != second.array.shape:
        broadcast_shapes(first.array.shape, second.array.shape)


# ---------------------------------------------------------------- operations
class Add(Function):
    """z = x + y"""

    def forward(self, x, y):
        self.shapes = x.shape, y.shape
        return x + y

    def backward(self, grad_output):
        x_shape, y_shape = self.shapes
        return unbroadcast(grad_output, x_shape), unbroadcast(grad_output, y_shape)


class Sub(Function):
    """z = x - y"""

    def forward(self, x, y):
        self.shapes = x.shape, y.shape
        return x - y

    def backward(self, grad_output):
        x_shape, y_shape = self.shapes
        return unbroadcast(grad_output, x_shape), unbroadcast(-grad_output, y_shape)


class Mul(Function):
    """z = x * y;  dz/dx = y, dz/dy = x"""

    saved_input_used_by = {0: (1,), 1: (0,)}  # (for the version check: edunet/views.py)

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return x * y

    def backward(self, grad_output):
        x, y = self.saved_arrays
        grad_x = unbroadcast(grad_output * y, x.shape) if self.needs_input_grad[0] else None
        grad_y = unbroadcast(grad_output * x, y.shape) if self.needs_input_grad[1] else None
        return grad_x, grad_y


class Div(Function):
    """z = x / y;  dz/dx = 1 / y, dz/dy = -x / y^2"""

    saved_input_used_by = {0: (1,)}  # (for the version check: edunet/views.py)

    def forward(self, x, y):
        self.save_for_backward(x, y)
        with numpy.errstate(divide="ignore", invalid="ignore"):  # 1/0 = inf, as in PyTorch
            return x / y

    def backward(self, grad_output):
        x, y = self.saved_arrays
        grad_x = unbroadcast(grad_output / y, x.shape) if self.needs_input_grad[0] else None
        grad_y = (unbroadcast(-grad_output * x / (y * y), y.shape)
                  if self.needs_input_grad[1] else None)
        return grad_x, grad_y


class Neg(Function):
    """z = -x"""

    def forward(self, x):
        return -x

    def backward(self, grad_output):
        return -grad_output


class Pow(Function):
    """z = x ** p for a number p;  dz/dx = p * x ** (p - 1)"""

    def forward(self, x, *, exponent):
        self.exponent = exponent
        self.save_for_backward(x)
        return x ** exponent

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        if self.exponent == 0:
            return grad_output * 0
        return grad_output * self.exponent * x ** (self.exponent - 1)


class PowTensor(Function):
    """z = x ** y for tensors;  dz/dx = y * x ** (y - 1),  dz/dy = z * log(x)

    Where x = 0 and y >= 0, dz/dy is taken as 0 (PyTorch's convention), not nan.
    """

    def forward(self, x, y):
        output = x ** y
        self.save_for_backward(x, y, output)
        return output

    def backward(self, grad_output):
        x, y, output = self.saved_arrays
        xp = get_array_module(x)
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            with numpy.errstate(divide="ignore", invalid="ignore"):
                grad_x = xp.where(y == 0, 0, grad_output * y * x ** (y - 1))
            grad_x = unbroadcast(grad_x.astype(x.dtype, copy=False), x.shape)
        if self.needs_input_grad[1]:
            with numpy.errstate(divide="ignore", invalid="ignore"):
                grad_y = grad_output * output * xp.log(x)
            grad_y = xp.where((x == 0) & (y >= 0), 0, grad_y).astype(y.dtype, copy=False)
            grad_y = unbroadcast(grad_y, y.shape)
        return grad_x, grad_y


# ---------------------------------------------------------------- functions
def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcasting.

    >>> edunet.add(edunet.tensor([1., 2.]), 10)
    tensor([11., 12.])
    """
    if alpha != 1:
        other = mul(other, alpha)
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    return Add.apply(input, other)


def sub(input, other, *, alpha=1):
    """``input - alpha * other``, broadcasting."""
    if input.__class__ is Tensor and input.array.dtype == numpy.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    return Sub.apply(input, other)


def mul(input, other):
    """Elementwise product, broadcasting."""
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    return Mul.apply(input, other)


multiply = mul


def div(input, other, *, rounding_mode=None):
    """Elementwise true division (integers give floats), broadcasting.

    ``rounding_mode="floor"`` or ``"trunc"`` rounds the quotient (no gradient).
    """
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        input, other = as_tensors(input, other)
        _check_broadcast(input, other)
        checks.check_integer_divisor(input, other)
        xp = get_array_module(input.array)
        if rounding_mode == "floor":
            return Tensor._make(xp.floor_divide(input.array, other.array))
        quotient = input.array / other.array
        quotient = xp.trunc(quotient)
        return Tensor._make(quotient.astype(input.array.dtype, copy=False))
    input, other = _float_operands(input, other)
    _check_broadcast(input, other)
    return Div.apply(input, other)


true_divide = divide = div


def floor_divide(input, other):
    """Elementwise ``input // other`` (rounded towards minus infinity; no gradient)."""
    return div(input, other, rounding_mode="floor")


def remainder(input, other):
    """Elementwise ``input % other`` with the sign of ``other``, as Python's ``%``."""
    input, other = as_tensors(input, other)
    _check_broadcast(input, other)
    # x % y = x - floor(x / y) * y: the gradient is 1 for x (y's is left out: rarely needed).
    quotient = floor_divide(input, other).detach()
    return sub(input, mul(quotient, other.detach()))


def neg(input):
    """Elementwise negation ``-input``."""
    if input.array.dtype == numpy.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    """Elementwise power ``input ** exponent``; either side may be a number.

    d/dx x^p = p x^(p-1);  d/dp x^p = x^p log(x)
    """
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and isinstance(input, Tensor):
        if input.array.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed. "
                               "Use a float tensor: x.float() ** -1.")
        if input.array.dtype.kind != "f" and isinstance(exponent, float):
            input = input.to(dtypes.get_default_dtype())
        return Pow.apply(input, exponent=exponent)
    input, exponent = as_tensors(input, exponent)
    _check_broadcast(input, exponent)
    return PowTensor.apply(input, exponent)


def square(input):
    """Elementwise ``input ** 2``."""
    return pow(input, 2)


def reciprocal(input):
    """Elementwise ``1 / input`` (integers give floats)."""
    return div(1.0, input) if input.array.dtype.kind != "f" else div(1, input)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, mul(input, alpha))

