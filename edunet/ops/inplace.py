"""In-place operations: ``add_``, ``mul_``, ``zero_``, ``copy_``, ``x[i] = v``, ...

An in-place operation writes its result into the tensor's own memory, so every
tensor sharing that memory (its base, its views, ``p.data``, arrays from
``from_numpy``) sees the change. The readable recipe, :func:`in_place`:

1. check PyTorch's rules (a leaf that requires grad may only be changed under
   ``with edunet.no_grad():``, as optimizers and init functions do);
2. compute the result the ordinary, out-of-place way (``x * 10`` for ``x.mul_(10)``),
   recorded by autograd like any operation;
3. copy the result's values into the tensor's memory, count the change in the
   version counter, and give the tensor the result's history (``grad_fn``).

Step 3 is where views and saved values come in: edunet/views.py explains how the
base of a view gets its new history, and why a backward that needs an overwritten
value raises an error instead of computing a wrong gradient.

Optimizer arithmetic (``add_``, ``mul_``, ``addcmul_``, ...) first offers the work to
edunet/kernels/inplace.py, which, when nothing is recorded, writes the result
straight into the array (``numpy.add(a, b, out=a)``), skipping the new array and
the copy. It gives the same bits; ``edunet.kernels.reference()`` turns it off.
"""

import numpy

from edunet import dtypes, views
from edunet.autograd import Function
from edunet.backend import get_array_module, move_array
from edunet.grad_mode import is_grad_enabled
from edunet.kernels.inplace import write_directly, write_result
from edunet.ops import arithmetic, elementwise, indexing
from edunet.ops import shape as shape_ops
from edunet.random import default_generator
from edunet.tensor import Tensor


def in_place(tensor, compute, name=None):
    """Apply ``compute(tensor)`` in place: ``tensor`` takes the result's values and history.

    ``name`` (``"mul_"``) is remembered by the version counter for error messages.
    """
    views.check_in_place(tensor)
    node_before = tensor._gradient_edge()[0] if is_grad_enabled() else None
    return _assign(tensor, compute(tensor), node_before, name)


def _assign(tensor, result, node_before=None, name=None):
    """Write ``result`` into ``tensor`` (see the module docstring, step 3)."""
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
    if result._grad_fn is not None:
        views.check_recorded_change(tensor)
        views.keep_saved_values(result, tensor)
    if result.array is not tensor.array:
        write_result(tensor, result.array)  # copyto(tensor.array, result.array), or faster
    views.bump_version(tensor, name)
    if result._grad_fn is not None:
        views.rebase_history(tensor, result, node_before)
    return tensor


# ---------------------------------------------------------------- arithmetic
def add_(tensor, other, *, alpha=1):
    if write_directly("add_", tensor, other, alpha=alpha):
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, other, alpha=alpha), "add_")


def sub_(tensor, other, *, alpha=1):
    if write_directly("sub_", tensor, other, alpha=alpha):
        return tensor
    return in_place(tensor, lambda t: arithmetic.sub(t, other, alpha=alpha), "sub_")


def mul_(tensor, other):
    if write_directly("mul_", tensor, other):
        return tensor
    return in_place(tensor, lambda t: arithmetic.mul(t, other), "mul_")


def div_(tensor, other, *, rounding_mode=None):
    if write_directly("div_", tensor, other, rounding_mode=rounding_mode):
        return tensor
    return in_place(tensor, lambda t: arithmetic.div(t, other, rounding_mode=rounding_mode), "div_")


def pow_(tensor, exponent):
    return in_place(tensor, lambda t: arithmetic.pow(t, exponent), "pow_")


def addcmul_(tensor, tensor1, tensor2, *, value=1):
    """tensor += value * tensor1 * tensor2 (Adam's second-moment update)."""
    if write_directly("addcmul_", tensor, tensor1, tensor2, value=value):
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.mul(tensor1, tensor2), alpha=value),
                    "addcmul_")


def addcdiv_(tensor, tensor1, tensor2, *, value=1):
    """tensor += value * tensor1 / tensor2 (Adam's parameter update)."""
    if write_directly("addcdiv_", tensor, tensor1, tensor2, value=value):
        return tensor
    return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.div(tensor1, tensor2), alpha=value),
                    "addcdiv_")


def lerp_(tensor, end, weight):
    """tensor += weight * (end - tensor) (moving averages)."""
    if write_directly("lerp_", tensor, end, weight):
        return tensor
    if isinstance(weight, Tensor):
        return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.mul(weight, arithmetic.sub(end, t))),
                        "lerp_")
    return in_place(tensor, lambda t: arithmetic.add(t, arithmetic.sub(end, t), alpha=weight), "lerp_")


# ---------------------------------------------------------------- elementwise functions
def neg_(tensor):
    if write_directly("neg_", tensor):
        return tensor
    return in_place(tensor, arithmetic.neg, "neg_")


def clamp_(tensor, min=None, max=None):
    if write_directly("clamp_", tensor, min=min, max=max):
        return tensor
    return in_place(tensor, lambda t: elementwise.clamp(t, min, max), "clamp_")


def relu_(tensor):
    if write_directly("relu_", tensor):
        return tensor
    return in_place(tensor, elementwise.relu, "relu_")


def sqrt_(tensor):
    if write_directly("sqrt_", tensor):
        return tensor
    return in_place(tensor, elementwise.sqrt, "sqrt_")


def exp_(tensor):
    if write_directly("exp_", tensor):
        return tensor
    return in_place(tensor, elementwise.exp, "exp_")


def masked_fill_(tensor, mask, value):
    return in_place(tensor, lambda t: indexing.masked_fill(t, mask, value), "masked_fill_")


# ---------------------------------------------------------------- overwriting: fill, copy, x[i] = v
class Fill(Function):
    """y = a tensor shaped like x, every element ``value`` (what ``x.fill_(value)`` records).

    Backward: x's old values no longer matter (gradient 0); a tensor ``value``
    gets the sum of the gradient.
    """

    def forward(self, x, value):
        self.shape = x.shape
        return get_array_module(x).full(x.shape, value, dtype=x.dtype)

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        grad_value = grad_output.sum().reshape(()) if self.needs_input_grad[1] else None
        return xp.zeros_like(grad_output), grad_value


class Copy(Function):
    """y = ``source`` broadcast to x's shape (what ``x.copy_(source)`` records).

    Backward: 0 for x's old values; source gets the gradient, summed over broadcast copies.
    """

    def forward(self, x, source):
        self.source_shape = source.shape
        return get_array_module(x).broadcast_to(source, x.shape).astype(x.dtype, copy=True)

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        grad_source = (arithmetic.unbroadcast(grad_output, self.source_shape)
                       if self.needs_input_grad[1] else None)
        return xp.zeros_like(grad_output), grad_source


def fill_(tensor, value, name="fill_"):
    """Set every element to ``value`` (a number or a one-element tensor)."""
    if write_directly("fill_", tensor, value):
        return tensor
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.dim()} dimensions.")
    else:
        value = Tensor._make(get_array_module(tensor.array).asarray(value, dtype=tensor.array.dtype))
    node_name = "ZeroBackward0" if name == "zero_" else "FillBackward2"
    return in_place(tensor, lambda t: shape_ops.with_node_name(
        Fill.apply(t, value.reshape(()).to(t.dtype)), node_name), name)


def zero_(tensor):
    """Set every element to 0."""
    return fill_(tensor, 0, "zero_")


def copy_(tensor, source):
    """Copy ``source``'s values into ``tensor`` (broadcast, converted, moved as needed)."""
    if not isinstance(source, Tensor):
        source = Tensor._make(numpy.asarray(source))
    source = source.to(device=tensor.device, dtype=tensor.dtype)
    shape_ops.expanded_shape(source.shape, tensor.shape)  # RuntimeError when it doesn't fit
    return in_place(tensor, lambda t: Copy.apply(t, source), "copy_")


def setitem(tensor, key, value):
    """``tensor[key] = value``."""
    if is_grad_enabled() and (tensor.requires_grad or isinstance(value, Tensor) and value.requires_grad):
        return in_place(tensor, lambda t: indexing.index_put(t, key, value), "__setitem__")
    views.check_in_place(tensor)
    index = indexing.array_index(key, tensor.array)
    if isinstance(value, Tensor):
        value = move_array(value.array, tensor.device)
    try:
        tensor.array[index] = value
    except ValueError:
        selected = tensor.array[index].shape
        raise RuntimeError(
            f"shape mismatch: value of shape {list(numpy.shape(value))} cannot be "
            f"broadcast to indexing result of shape {list(selected)}") from None
    views.bump_version(tensor, "__setitem__")
    return tensor


# ---------------------------------------------------------------- random fills
def _random_fill(tensor, array, name):
    views.check_in_place(tensor)
    xp = get_array_module(tensor.array)
    tensor.array[...] = xp.asarray(array, dtype=tensor.array.dtype)
    views.bump_version(tensor, name)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, *, generator=None):
    """Fill with uniform random numbers in [a, b)."""
    generator = generator or default_generator
    return _random_fill(tensor, generator.uniform(tensor.shape, a, b, tensor.array.dtype), "uniform_")


def normal_(tensor, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal random numbers of the given mean and standard deviation."""
    generator = generator or default_generator
    return _random_fill(tensor, generator.normal(tensor.shape, mean, std, tensor.array.dtype), "normal_")


def bernoulli_(tensor, p=0.5, *, generator=None):
    """Fill with 1 (probability p) or 0."""
    generator = generator or default_generator
    return _random_fill(tensor, generator.uniform(tensor.shape, dtype=numpy.float64) < p, "bernoulli_")
