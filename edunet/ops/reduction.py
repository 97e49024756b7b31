"""Reductions: sum, mean, prod, logsumexp, all, any over all elements or along dimensions.

(max, min and arg-max live in extrema.py; var, std and norm in statistics.py. They
share the helpers for dims and shapes defined here.)

A reduction collapses the dimensions listed in ``dim`` (an int, a tuple, negatives
counting from the end; None means all of them)::

    x.shape == (2, 3, 4)
    x.sum(dim=1).shape                 # (2, 4)
    x.sum(dim=1, keepdim=True).shape   # (2, 1, 4): reduced dimensions stay, with size 1
    x.sum().shape                      # (): every dimension

Every output element depends on a whole slice of the input, so each backward
starts the same way: put the reduced dimensions back (size 1) and broadcast the
gradient over the slice it came from. Then it multiplies by what the slice's
elements contributed: 1 for sum, 1/N for mean, the product of the others for prod.

Most forwards compute with ``keepdims=True`` (the shape backward needs) and reshape
to the requested output shape at the end.
"""

import builtins
import math
import operator

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.tensor import Tensor


# ---------------------------------------------------------------- dims and shapes
def normalize_dims(dim, ndim, empty_means_all=True):
    """``dim`` as a sorted tuple of non-negative axes.

    None means every axis; so does ``()`` unless ``empty_means_all=False`` (all/any
    read ``()`` as "no axis", as PyTorch does). A 0-d tensor accepts dim 0 and -1,
    which reduce nothing: the result is ``()``.

    >>> normalize_dims((-1, 0), 3)
    (0, 2)
    """
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims and empty_means_all:
        return tuple(range(ndim))
    size = builtins.max(ndim, 1)
    axes = []
    for d in dims:
        try:
            d = operator.index(d)
        except TypeError:
            raise TypeError(f"dim must be an int or a tuple of ints, got {d!r} "
                            f"({type(d).__name__})") from None
        if not -size <= d < size:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-size}, {size - 1}], but got {d})")
        if d % size in axes:
            raise RuntimeError(f"dim {d % size} appears multiple times in the list of dims")
        axes.append(d % size)
    return tuple(sorted(axes)) if ndim else ()


def one_dim(name, dim, ndim):
    """The axis of an op that reduces exactly one dim (max, argmax, prod); 0 for a 0-d tensor."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}. "
                        f"It reduces one dim at a time; for several use amax/amin, "
                        f"or call it once per dim.")
    return normalize_dims(dim, builtins.max(ndim, 1))[0]


def kept_shape(shape, dims):
    """The result's shape with keepdim=True: every reduced dim becomes 1."""
    return tuple(1 if axis in dims else size for axis, size in enumerate(shape))


def reduced_shape(shape, dims, keepdim):
    """The result's shape: reduced dims kept as 1 (keepdim) or dropped."""
    if keepdim:
        return kept_shape(shape, dims)
    return tuple(size for axis, size in enumerate(shape) if axis not in dims)


def as_gradient(gradient, shape):
    """``gradient`` as an array of ``shape`` (NumPy turns 0-d results into scalars)."""
    return get_array_module(gradient).asarray(gradient).reshape(shape)


def check_not_empty(name, input, dims, dim_given, error=RuntimeError):
    """Max-like reductions have no value for an empty slice: raise as PyTorch does."""
    if not dim_given and input.numel() == 0:
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    f"Specify the reduction dim with the 'dim' argument.")
    for axis in dims:
        if input.ndim and input.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


# ---------------------------------------------------------------- sum and mean
class Sum(Function):
    """y = sum of x over ``dims``;  dy/dx_i = 1, so the gradient is broadcast back.

    Shapes: x (*S) -> y (S without dims, or with them as 1 when keepdim)
    """

    def forward(self, x, *, dims, keepdim):
        self.input_shape, self.kept_shape = x.shape, kept_shape(x.shape, dims)
        return x.sum(axis=dims, keepdims=keepdim)

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        return xp.broadcast_to(grad_output.reshape(self.kept_shape), self.input_shape)


class SumAll(Sum):
    """sum(x) over every element: PyTorch names its node SumBackward0 (Sum's is SumBackward1)."""

class Mean(Function):
    """y = (1/N) sum of x over ``dims``, N = the number of elements summed;  dy/dx_i = 1/N"""

    def forward(self, x, *, dims, keepdim):
        self.input_shape, self.kept_shape = x.shape, kept_shape(x.shape, dims)
        self.count = math.prod(x.shape[axis] for axis in dims)
        with numpy.errstate(invalid="ignore"):  # an empty slice: 0/0 = nan, as PyTorch
            return x.sum(axis=dims, keepdims=keepdim) / self.count

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        return xp.broadcast_to(grad_output.reshape(self.kept_shape) / self.count, self.input_shape)


class MeanAll(Mean):
    """mean(x) over every element (MeanBackward0; Mean's is MeanBackward1)."""

def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or along ``dim`` (an int or a tuple of ints).

    Bool and integer tensors sum to int64 (so counting True values works) unless
    ``dtype`` says otherwise; ``dtype`` converts the input before summing.

    >>> edunet.tensor([[1., 2.], [3., 4.]]).sum(dim=0)
    tensor([4., 6.])
    """
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    elif not input.is_floating_point():
        input = input.to(dtypes.int64)
    dims = normalize_dims(dim, input.ndim)
    return (SumAll if dim is None else Sum).apply(input, dims=dims, keepdim=keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Average of all elements, or along ``dim``:  mean = (1/N) sum x_i.

    Only for floating-point tensors (or with a floating ``dtype``), as in PyTorch.

    >>> edunet.tensor([[1., 2.], [3., 4.]]).mean(dim=1)
    tensor([1.5000, 3.5000])
    """
    checked = dtypes.to_dtype(dtype) if dtype is not None else input.dtype
    if not checked.is_floating_point:
        which = "Optional dtype" if dtype is not None else "Input dtype"
        raise RuntimeError(
            f"mean(): could not infer output dtype. {which} must be either a floating point or "
            f"complex dtype. Got: {checked}. The mean of integers is "
            f"usually a fraction: convert first, x.float().mean(), or pass dtype=edunet.float32.")
    if dtype is not None:
        input = input.to(checked)
    dims = normalize_dims(dim, input.ndim)
    return (MeanAll if dim is None else Mean).apply(input, dims=dims, keepdim=keepdim)


# ---------------------------------------------------------------- prod
def _exclusive_cumprod(x):
    """out[..., i] = x[..., 0] * ... * x[..., i-1] (1 for i = 0): the product before i."""
    xp = get_array_module(x)
    inclusive = xp.cumprod(x, axis=-1)
    return xp.concatenate([xp.ones_like(x[..., :1]), inclusive[..., :-1]], axis=-1)


class Prod(Function):
    """y = x_1 * x_2 * ... * x_N along ``dim`` (every element when dim is None).

    dy/dx_i = the product of all the others = (product before i) * (product after i).
    Both come from cumulative products, so no division: exact when some x_j = 0.
    """

    def forward(self, x, *, dim, keepdim):
        self.input_shape = x.shape
        dims = tuple(range(x.ndim)) if dim is None else (dim,)
        x = x.reshape(-1) if dim is None else x.reshape(x.shape or (1,))
        self.dim = 0 if dim is None else dim
        self.save_for_backward(x)
        return x.prod(axis=self.dim).reshape(reduced_shape(self.input_shape, dims, keepdim))

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        xp = get_array_module(x)
        x = xp.moveaxis(x, self.dim, -1)
        before = _exclusive_cumprod(x)
        after = xp.flip(_exclusive_cumprod(xp.flip(x, axis=-1)), axis=-1)
        product_of_others = xp.moveaxis(before * after, -1, self.dim)
        kept = kept_shape(product_of_others.shape, (self.dim,))
        return as_gradient(product_of_others * grad_output.reshape(kept), self.input_shape)


class ProdAll(Prod):
    """prod(x) over every element (ProdBackward0; Prod's is ProdBackward1)."""

def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one ``dim`` (an int, as PyTorch).

    Bool and integer tensors multiply in int64 unless ``dtype`` says otherwise.

    >>> edunet.tensor([[1., 2.], [3., 4.]]).prod(dim=1)
    tensor([ 2., 12.])
    """
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    elif not input.is_floating_point():
        input = input.to(dtypes.int64)
    if dim is None:
        return ProdAll.apply(input, dim=None, keepdim=keepdim)
    return Prod.apply(input, dim=one_dim("prod", dim, input.ndim), keepdim=keepdim)


# ---------------------------------------------------------------- logsumexp
class Logsumexp(Function):
    """y = log(sum exp(x_i)) over ``dims``, computed as m + log(sum exp(x_i - m)), m = max x_i.

    Shifting by the max keeps exp from overflowing (logits of 1e4 are fine) and
    keeps one term equal to 1. dy/dx_i = exp(x_i) / sum exp(x_j) = exp(x_i - y):
    the softmax.
    """

    def forward(self, x, *, dims, keepdim):
        xp = get_array_module(x)
        slice_shape = kept_shape(x.shape, dims)
        shift = x.max(axis=dims, keepdims=True) if x.size else xp.zeros(slice_shape, x.dtype)
        # A slice of only -inf (or with +inf) would give inf - inf = nan: shift it by 0.
        shift = xp.where(xp.isfinite(shift), shift, 0).astype(x.dtype, copy=False)
        with numpy.errstate(divide="ignore"):  # log(0) = -inf for a slice of -inf
            output = xp.log(xp.exp(x - shift).sum(axis=dims, keepdims=True)) + shift
        self.save_for_backward(x, output)
        return output.reshape(reduced_shape(x.shape, dims, keepdim))

    def backward(self, grad_output):
        x, output = self.saved_arrays
        xp = get_array_module(x)
        with numpy.errstate(invalid="ignore"):  # -inf - (-inf): nan, as PyTorch
            gradient = grad_output.reshape(output.shape) * xp.exp(x - output)
        return as_gradient(gradient, x.shape)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over ``dim`` (required), without overflow.

    >>> edunet.tensor([10000., 10000.]).logsumexp(dim=0)    # 10000 + log 2
    tensor(10000.6934)
    """
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType. "
                        "For all elements pass every dim, e.g. dim=(0, 1).")
    if not input.is_floating_point():
        input = input.to(dtypes.get_default_dtype())
    return Logsumexp.apply(input, dims=normalize_dims(dim, input.ndim), keepdim=keepdim)


# ---------------------------------------------------------------- all and any
def _logical_result(input, result):
    """A bool tensor; uint8 for a uint8 input (PyTorch keeps that for old code)."""
    if input.array.dtype == numpy.uint8:
        result = result.astype(numpy.uint8)
    return Tensor._make(result)


def all(input, dim=None, keepdim=False):
    """True where every element (of the tensor, or along ``dim``) is non-zero; no gradient.

    ``dim=()`` reduces nothing here (it means "all dims" for sum and mean), as in PyTorch.

    >>> edunet.tensor([[True, False], [True, True]]).all(dim=1)
    tensor([False,  True])
    """
    dims = normalize_dims(dim, input.ndim, empty_means_all=False)
    return _logical_result(input, (input.array != 0).all(axis=dims, keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    """True where some element (of the tensor, or along ``dim``) is non-zero; no gradient."""
    dims = normalize_dims(dim, input.ndim, empty_means_all=False)
    return _logical_result(input, (input.array != 0).any(axis=dims, keepdims=keepdim))
