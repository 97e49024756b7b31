"""The largest and smallest elements: max, min, amax, amin, argmax, argmin.

The gradient of a maximum flows only to the element that won: changing any other
element a little does not change the result. When several elements tie, ``max()``
over everything and ``amax`` share the gradient evenly among them (as PyTorch does);
``max(dim=...)`` gives it all to the index it returns.
"""

from typing import NamedTuple

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.elementwise import maximum, minimum
from edunet.ops.reduction import (as_gradient, check_not_empty, normalize_dims, one_dim,
                                  reduced_shape)
from edunet.tensor import Tensor


# ---------------------------------------------------------------- max and min
class Amax(Function):
    """y = the largest x over ``dims``.

    dy/dx_i = 1/k for each of the k elements equal to y (a tie shares the
    gradient evenly, as PyTorch), 0 for the others.
    """

    def reduce(self, x, dims):
        return x.max(axis=dims, keepdims=True)

    def forward(self, x, *, dims, keepdim):
        self.dims = dims
        extreme = self.reduce(x, dims)
        self.save_for_backward(x == extreme)
        return extreme.reshape(reduced_shape(x.shape, dims, keepdim))

    def backward(self, grad_output):
        (is_extreme,) = self.saved_arrays
        count = is_extreme.sum(axis=self.dims, keepdims=True).astype(grad_output.dtype)
        gradient = is_extreme * (grad_output.reshape(count.shape) / count)
        return as_gradient(gradient, is_extreme.shape)


class Amin(Amax):
    """y = the smallest x over ``dims``; ties share the gradient evenly."""

    def reduce(self, x, dims):
        return x.min(axis=dims, keepdims=True)


class MaxAll(Amax):
    """max(x): the largest element, ties sharing the gradient (MaxBackward1)."""

class MinAll(Amin):
    """min(x): the smallest element, ties sharing the gradient (MinBackward1)."""

class Max(Function):
    """values = x at ``indices`` along ``dim``: the maxima that argmax found.

    dvalues/dx_i = 1 at the returned index and 0 elsewhere, so on a tie the
    gradient goes to that one element (unlike :class:`Amax`).

    Shapes: x (*S); indices (S with dim as 1), int64 -> values (S reduced)
    """

    def forward(self, x, *, dim, indices, keepdim):
        self.input_shape, self.dim = x.shape, dim
        self.save_for_backward(indices)
        x = x.reshape(x.shape or (1,))  # a 0-d tensor: one element, at index 0
        values = get_array_module(x).take_along_axis(x, indices, axis=dim)
        return values.reshape(reduced_shape(self.input_shape, (dim,), keepdim))

    def backward(self, grad_output):
        (indices,) = self.saved_arrays
        xp = get_array_module(indices)
        length = (self.input_shape or (1,))[self.dim]
        positions = xp.arange(length).reshape([-1 if axis == self.dim else 1
                                               for axis in range(indices.ndim)])
        is_chosen = positions == indices  # one True per slice
        return as_gradient(is_chosen * grad_output.reshape(indices.shape), self.input_shape)


class Min(Max):
    """values = x at ``indices`` (found by argmin) along ``dim``; the gradient goes there."""


class return_types:
    """What max/min along a dim return, named as PyTorch's ``torch.return_types``."""

    class ValuesIndices(NamedTuple):
        values: Tensor
        indices: Tensor

        def __repr__(self):
            library = dtypes.printed_library_name()   # "torch" after edunet.as_torch()
            return (f"{library}.return_types.{type(self).__name__}(\nvalues={self.values!r},"
                    f"\nindices={self.indices!r})")

    class max(ValuesIndices):
        __slots__ = ()

    class min(ValuesIndices):
        __slots__ = ()


def _find_indices(find, array, dim):
    """argmax/argmin of ``array`` along ``dim``, keeping ``dim`` with size 1 (int64)."""
    xp = get_array_module(array)
    array = array.reshape(array.shape or (1,))
    return xp.expand_dims(find(array, axis=dim), dim).astype(numpy.int64)


def _max_or_min(name, input, dim, keepdim):
    """max/min shared: over everything, along one dim, or elementwise with another tensor."""
    if isinstance(dim, Tensor):
        return (maximum if name == "max" else minimum)(input, dim)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}(): keepdim=True needs a dim, e.g. x.{name}(dim=1, "
                            f"keepdim=True); x.amax(dim=(0, 1), keepdim=True) reduces several.")
        check_not_empty(name, input, (), dim_given=False)
        function = MaxAll if name == "max" else MinAll
        return function.apply(input, dims=tuple(range(input.ndim)), keepdim=False)
    axis = one_dim(name, dim, input.ndim)
    check_not_empty(name, input, (axis,), dim_given=True)
    xp = get_array_module(input.array)
    indices = _find_indices(xp.argmax if name == "max" else xp.argmin, input.array, axis)
    function = Max if name == "max" else Min
    values = function.apply(input, dim=axis, indices=indices, keepdim=keepdim)
    result_type = return_types.max if name == "max" else return_types.min
    return result_type(values, Tensor._make(indices.reshape(values.shape)))


def max(input, dim=None, keepdim=False):
    """The largest element; or, along ``dim``, the named tuple ``(values, indices)``.

    ``max(x)``: a 0-d tensor; tied maxima share the gradient evenly.
    ``max(x, dim)``: ``values`` and the int64 ``indices`` where they are (the first on a
    tie); the gradient goes to those indices. ``max(x, other)``: :func:`maximum`.

    >>> values, indices = edunet.tensor([[1., 5.], [7., 2.]]).max(dim=1)
    >>> values, indices
    (tensor([5., 7.]), tensor([1, 0]))
    """
    return _max_or_min("max", input, dim, keepdim)


def min(input, dim=None, keepdim=False):
    """The smallest element; or, along ``dim``, ``(values, indices)``. See :func:`max`."""
    return _max_or_min("min", input, dim, keepdim)


def amax(input, dim=(), keepdim=False):
    """The largest values over ``dim`` (an int or a tuple; ``()`` means all).

    Unlike ``max(x, dim)``, no indices, several dims at once, and tied maxima
    share the gradient evenly.

    >>> edunet.tensor([[1., 5.], [7., 2.]]).amax(dim=(0, 1))
    tensor(7.)
    """
    dims = normalize_dims(dim, input.ndim)
    check_not_empty("amax", input, dims, dim_given=dim not in (None, ()))
    return Amax.apply(input, dims=dims, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    """The smallest values over ``dim``; ties share the gradient evenly. See :func:`amax`."""
    dims = normalize_dims(dim, input.ndim)
    check_not_empty("amin", input, dims, dim_given=dim not in (None, ()))
    return Amin.apply(input, dims=dims, keepdim=keepdim)


def _arg_max_or_min(name, input, dim, keepdim):
    if input.array.dtype == numpy.bool_:
        raise RuntimeError(f"{name}(): does not support bool input. Convert first: x.int().{name}()")
    xp = get_array_module(input.array)
    find = xp.argmax if name == "argmax" else xp.argmin
    if dim is None:  # the index into the flattened tensor
        check_not_empty(name, input, (), dim_given=False, error=IndexError)
        index = find(input.array.reshape(-1), axis=0)
        return Tensor._make(xp.asarray(index, dtype=numpy.int64).reshape(
            (1,) * input.ndim if keepdim else ()))
    axis = one_dim(name, dim, input.ndim)
    check_not_empty(name, input, (axis,), dim_given=True)
    indices = _find_indices(find, input.array, axis)
    return Tensor._make(indices.reshape(reduced_shape(input.shape, (axis,), keepdim)))


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor, or along ``dim``); int64, no gradient.

    >>> edunet.tensor([[1., 5.], [7., 2.]]).argmax(dim=1)
    tensor([1, 0])
    """
    return _arg_max_or_min("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element; int64, no gradient. See :func:`argmax`."""
    return _arg_max_or_min("argmin", input, dim, keepdim)
