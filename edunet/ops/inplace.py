"""In-place operations: ``add_``, ``mul_``, ``zero_``, ``copy_``, ``x[i] = v``, ...

Optimizers and initialisers change parameters in place, and PyTorch's rule
applies: a leaf tensor that requires grad may only be changed inside
``with edunet.no_grad():`` (otherwise autograd would lose track of the value
it started from).

Two cases:

- Nothing records a graph (``no_grad``, or no tensor involved requires grad):
  the new values are written into the existing array, so every tensor sharing
  that memory (``p.data``, views from ``from_numpy``) sees the change.
- The operation is recorded: it is computed out of place, and the tensor takes
  the result's values and history (``grad_fn``). Saved values of earlier
  operations stay intact, so their gradients remain correct.

The arithmetic that optimizers run on every parameter at every step (``add_``,
``mul_``, ``addcmul_``, ``lerp_``, ...) has a fast path for the first case: when
nothing is recorded and no dtype conversion is needed, NumPy writes the result
straight into the tensor's array (``numpy.add(a, b, out=a)``), as PyTorch does,
instead of making a new array and copying it back: the same numbers, without the
new array and the copy. Everything else (errors included) takes the general path.
"""

import numpy

from edunet import dtypes
from edunet.backend import device_of, get_array_module, move_array
from edunet.grad_mode import is_grad_enabled
from edunet.kernels import workspace
from edunet.ops import arithmetic, elementwise, indexing
from edunet.ops import shape as shape_ops
from edunet.random import default_generator
from edunet.tensor import Tensor

LEAF_MESSAGE = (
    "a leaf Variable that requires grad is being used in an in-place operation. "
    "Changing a parameter in place would hide its original value from autograd. "
    "Optimizers and init functions do it inside `with edunet.no_grad():`; do the same, "
    "or use an out-of-place operation (x = x + 1 instead of x += 1)."
)


def _check_leaf(tensor):
    if tensor._requires_grad and tensor.grad_fn is None and is_grad_enabled():
        raise RuntimeError(LEAF_MESSAGE)


def _assign(tensor, result):
    """Give ``tensor`` the values of ``result`` (see the module docstring)."""
    if result.shape != tensor.shape:
        raise RuntimeError(f"output with shape {list(tensor.shape)} doesn't match the broadcast "
                           f"shape {list(result.shape)}. An in-place operation can't change the "
                           f"shape of the tensor it writes into.")
    if result.array.dtype != tensor.array.dtype:
        if dtypes.from_numpy_dtype(result.array.dtype).category > tensor.dtype.category:
            raise RuntimeError(f"result type {result.dtype.name.capitalize()} can't be cast to the "
                               f"desired output type {tensor.dtype.name.capitalize()}. Convert the "
                               f"tensor first (x = x.float()) or use the out-of-place operation.")
        result = result.to(tensor.dtype)
    if result.grad_fn is not None:
        tensor.array = result.array
        tensor.grad_fn = result.grad_fn
        tensor._requires_grad = True
    else:
        get_array_module(tensor.array).copyto(tensor.array, result.array)
    return tensor


def in_place(tensor, compute):
    """Apply ``compute(tensor)`` in place, following PyTorch's leaf rule."""
    _check_leaf(tensor)
    return _assign(tensor, compute(tensor))


# ---------------------------------------------------------------- the fast path
def _direct_arrays(tensor, *operands, floating_only=True):
    """The operands' arrays, if the fast path applies to writing into ``tensor``; else None.

    It applies when autograd records nothing and the result needs no conversion:
    every operand is a Python int or float (NumPy 2 computes those in the
    array's own dtype, as PyTorch does) or a tensor of ``tensor``'s dtype and
    device whose shape broadcasts into ``tensor``'s. (A NumPy float64 scalar
    would make NumPy compute in float64, so it takes the general path.)
    """
    if is_grad_enabled() and (tensor._requires_grad or any(
            isinstance(operand, Tensor) and operand._requires_grad for operand in operands)):
        return None
    target = tensor.array
    kind = target.dtype.kind
    if kind != "f" and (floating_only or kind not in "iu"):
        return None
    arrays = []
    for operand in operands:
        if type(operand) is float and kind == "f" or type(operand) is int and (
                kind == "f" or _fits(operand, target.dtype)):  # else wraps around, as PyTorch
            arrays.append(operand)
        elif isinstance(operand, Tensor) and operand.array.dtype == target.dtype:
            array = operand.array
            if type(array) is not type(target) or device_of(array) != device_of(target):
                return None
            if array.shape != target.shape:
                if arithmetic.broadcast_shapes(array.shape, target.shape) != target.shape:
                    return None  # the general path explains the shape error
            arrays.append(array)
        else:
            return None
    return arrays


def _fits(integer, dtype):
    limits = numpy.iinfo(dtype)
    return limits.min <= integer <= limits.max


def _is_number(value):
    return type(value) in (int, float)


def _direct_scaled(tensor, other, alpha):
    """For add_ and sub_: the array ``alpha * other`` if the fast path applies, else None.

    (A number times ``alpha`` goes the general way, which rounds the product as PyTorch does.)
    """
    if not _is_number(alpha) or (alpha != 1 and _is_number(other)):
        return None
    direct = _direct_arrays(tensor, other, alpha, floating_only=False)
    if direct is None:
        return None
    return direct[0] if alpha == 1 else direct[0] * alpha


# ---------------------------------------------------------------- arithmetic
def add_(tensor, other, *, alpha=1):
    scaled = _direct_scaled(tensor, other, alpha)
    if scaled is not None:
        get_array_module(tensor.array).add(tensor.array, scaled, out=tensor.array)
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, other, alpha=alpha))


def sub_(tensor, other, *, alpha=1):
    scaled = _direct_scaled(tensor, other, alpha)
    if scaled is not None:
        get_array_module(tensor.array).subtract(tensor.array, scaled, out=tensor.array)
        return tensor
    return in_place(tensor, lambda t: arithmetic.sub(t, other, alpha=alpha))


def mul_(tensor, other):
    direct = _direct_arrays(tensor, other, floating_only=False)
    if direct is not None:
        get_array_module(tensor.array).multiply(tensor.array, direct[0], out=tensor.array)
        return tensor
    return in_place(tensor, lambda t: arithmetic.mul(t, other))


def div_(tensor, other, *, rounding_mode=None):
    direct = _direct_arrays(tensor, other) if rounding_mode is None else None
    if direct is not None:
        with numpy.errstate(divide="ignore", invalid="ignore"):  # 1/0 = inf, as in PyTorch
            get_array_module(tensor.array).divide(tensor.array, direct[0], out=tensor.array)
        return tensor
    return in_place(tensor, lambda t: arithmetic.div(t, other, rounding_mode=rounding_mode))


def pow_(tensor, exponent):
    return in_place(tensor, lambda t: arithmetic.pow(t, exponent))


def addcmul_(tensor, tensor1, tensor2, *, value=1):
    """tensor += value * tensor1 * tensor2 (Adam's second-moment update)."""
    direct = _direct_arrays(tensor, tensor1, tensor2)
    if direct is not None and isinstance(tensor1, Tensor) and _is_number(value):
        product = direct[0] * direct[1]
        if value != 1:
            product *= value
        tensor.array += product
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.mul(tensor1, tensor2), alpha=value))


def addcdiv_(tensor, tensor1, tensor2, *, value=1):
    """tensor += value * tensor1 / tensor2 (Adam's parameter update)."""
    direct = _direct_arrays(tensor, tensor1, tensor2)
    if direct is not None and isinstance(tensor1, Tensor) and _is_number(value):
        with numpy.errstate(divide="ignore", invalid="ignore"):
            quotient = direct[0] / direct[1]
        if value != 1:
            quotient *= value
        tensor.array += quotient
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.div(tensor1, tensor2), alpha=value))


def lerp_(tensor, end, weight):
    """tensor += weight * (end - tensor) (moving averages)."""
    direct = _direct_arrays(tensor, end, weight)
    if direct is not None and isinstance(end, Tensor):
        end_array, weight_value = direct
        step = end_array - tensor.array
        step *= weight_value
        tensor.array += step
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.sub(end, t), alpha=weight)
                     if not isinstance(weight, Tensor) else
                     arithmetic.add(t, arithmetic.mul(weight, arithmetic.sub(end, t))))


# ---------------------------------------------------------------- elementwise functions
def _apply_directly(tensor, function):
    """Fast path of the one-input functions below: ``function(array, out=array)``."""
    if _direct_arrays(tensor) is None:
        return False
    with numpy.errstate(invalid="ignore"):  # sqrt(-1) = nan, as in PyTorch
        function(tensor.array, out=tensor.array)
    return True


def neg_(tensor):
    if _apply_directly(tensor, get_array_module(tensor.array).negative):
        return tensor
    return in_place(tensor, arithmetic.neg)


def clamp_(tensor, min=None, max=None):
    if (min is None or _is_number(min)) and (max is None or _is_number(max)) and (
            min is not None or max is not None):
        xp = get_array_module(tensor.array)
        if _apply_directly(tensor, lambda array, out: xp.clip(array, min, max, out=out)):
            return tensor
    return in_place(tensor, lambda t: elementwise.clamp(t, min, max))


def relu_(tensor):
    xp = get_array_module(tensor.array)
    if _apply_directly(tensor, lambda array, out: xp.maximum(
            array, workspace.zeros(array.shape, array.dtype, xp), out=out)):
        return tensor
    return in_place(tensor, elementwise.relu)


def sqrt_(tensor):
    if _apply_directly(tensor, get_array_module(tensor.array).sqrt):
        return tensor
    return in_place(tensor, elementwise.sqrt)


def exp_(tensor):
    if _apply_directly(tensor, get_array_module(tensor.array).exp):
        return tensor
    return in_place(tensor, elementwise.exp)


def masked_fill_(tensor, mask, value):
    return in_place(tensor, lambda t: indexing.masked_fill(t, mask, value))


def fill_(tensor, value):
    """Set every element to ``value`` (a number or a one-element tensor)."""
    _check_leaf(tensor)
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.dim()} dimensions.")
        if value._requires_grad and is_grad_enabled():
            return _assign(tensor, shape_ops.expand(value.reshape(()), tensor.shape))
        value = value.item()
    if tensor._requires_grad and is_grad_enabled():  # a non-leaf: its history ends here
        tensor.grad_fn, tensor._requires_grad = None, False
    tensor.array.fill(value)
    return tensor


def copy_(tensor, source):
    """Copy ``source``'s values into ``tensor`` (broadcast, converted, moved as needed)."""
    _check_leaf(tensor)
    if not isinstance(source, Tensor):
        source = Tensor._make(numpy.asarray(source))
    source = source.to(device=tensor.device, dtype=tensor.dtype)
    if source.shape != tensor.shape:
        source = shape_ops.expand(source, tensor.shape)
    return _assign(tensor, source)


def setitem(tensor, key, value):
    """``tensor[key] = value``."""
    _check_leaf(tensor)
    records = is_grad_enabled() and (tensor._requires_grad or
                                     (isinstance(value, Tensor) and value._requires_grad))
    if records:
        return _assign(tensor, indexing.index_put(tensor, key, value))
    index = indexing.array_index(key, tensor.array)
    value_array = move_array(value.array, tensor.device) if isinstance(value, Tensor) else value
    try:
        tensor.array[index] = value_array
    except ValueError:
        selected = tensor.array[index].shape
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(numpy.shape(value_array))} cannot be "
            f"broadcast to indexing result of shape {list(selected)}") from None
    return tensor


def _random_fill(tensor, array):
    _check_leaf(tensor)
    xp = get_array_module(tensor.array)
    tensor.array[...] = xp.asarray(array, dtype=tensor.array.dtype)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, *, generator=None):
    """Fill with uniform random numbers in [a, b)."""
    generator = generator or default_generator
    return _random_fill(tensor, generator.uniform(tensor.shape, a, b, tensor.array.dtype))


def normal_(tensor, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal random numbers of the given mean and standard deviation."""
    generator = generator or default_generator
    return _random_fill(tensor, generator.normal(tensor.shape, mean, std, tensor.array.dtype))


def bernoulli_(tensor, p=0.5, *, generator=None):
    """Fill with 1 (probability p) or 0."""
    generator = generator or default_generator
    return _random_fill(tensor, generator.uniform(tensor.shape, dtype=numpy.float64) < p)
