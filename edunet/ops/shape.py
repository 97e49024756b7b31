"""Shape operations: the same numbers, rearranged.

(Selecting is in indexing.py, combining and cutting in joining.py, padding in
padding.py; they share this file's helpers.)

None of these ops computes new values, they only move values around, so every
backward moves the gradient back the way the forward moved the values:

    forward                              backward
    reshape (2, 3) -> (3, 2)             reshape the gradient (3, 2) -> (2, 3)
    transpose, permute                   the inverse permutation
    expand (1, 3) -> (4, 3)              sum over the copies (unbroadcast)
    x[1:3], narrow, split                zeros shaped like x, the gradient written into [1:3]
    x[index], gather, index_select       zeros, the gradient *added* at index (repeats add up)
    cat, stack                           cut the gradient into the pieces

**Views and copies.** As in PyTorch, view, reshape (when it can), transpose,
permute, expand, squeeze, unsqueeze and basic indexing (ints, slices, None) give
*views*: tensors that share memory with their input, so an in-place change to one
shows in the other. flip, repeat, cat, stack, indexing with tensors or masks,
gather and pad make new memory. A view op's class says ``is_view = True``; what
autograd then does when a view or its base is changed in place is in edunet/views.py.
"""

import itertools
import math
import operator

import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.arithmetic import unbroadcast


# ---------------------------------------------------------------- helpers
def wrap_dim(dim, ndim):
    """``dim`` as a position 0..ndim-1 (-1 is the last); IndexError when out of range.

    A 0-d tensor accepts dim 0 and -1, as in PyTorch.
    """
    dim = operator.index(dim)
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-size}, {size - 1}], but got {dim})")
    return dim % size


def wrap_distinct_dims(dims, ndim):
    """Several dims, wrapped; RuntimeError if one appears twice (flip, squeeze)."""
    wrapped = [wrap_dim(dim, ndim) for dim in dims]
    for dim in wrapped:
        if wrapped.count(dim) > 1:
            raise RuntimeError(f"dim {dim} appears multiple times in the list of dims")
    return wrapped


def with_node_name(tensor, name):
    """Give the node that made ``tensor`` PyTorch's name for this use of the op."""
    if tensor.grad_fn is not None:
        tensor.grad_fn.grad_fn_name = name
    return tensor


def as_sizes(sizes):
    """A shape argument as a tuple of Python ints (an int alone means a 1-d shape)."""
    if isinstance(sizes, (int, numpy.integer)):
        return (int(sizes),)
    return tuple(operator.index(size) for size in sizes)


# ---------------------------------------------------------------- reshape and view
class View(Function):
    """y = x with a new shape: the same elements in the same (row-major) order.

    Backward: the gradient is reshaped back to x's shape.
    """

    is_view = True

    def forward(self, x, *, shape):
        self.input_shape = x.shape
        return x.reshape(shape)

    def backward(self, grad_output):
        return grad_output.reshape(self.input_shape)


def _infer_shape(shape, input_shape):
    """``shape`` with its -1 (at most one) replaced by the size that keeps the element count."""
    shape = list(as_sizes(shape))
    numel = math.prod(input_shape)
    unknown = [position for position, size in enumerate(shape) if size == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for position, size in enumerate(shape):
        if size < -1:
            raise RuntimeError(f"invalid shape dimension {size} at index {position} of shape {shape}")
    known = math.prod(size for size in shape if size != -1)
    if unknown and known == 0 and numel == 0:
        raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {shape} because the "
                           f"unspecified dimension size -1 can be any value and is ambiguous")
    if unknown and known != 0 and numel % known == 0:
        shape[unknown[0]] = numel // known
        return tuple(shape)
    if not unknown and known == numel:
        return tuple(shape)
    holds = (f"no size for the -1 makes {shape} hold {numel} ({numel} is not a multiple of {known})"
             if unknown else f"{shape} holds {known}")
    raise RuntimeError(
        f"shape '{shape}' is invalid for input of size {numel}: the input has shape "
        f"{tuple(input_shape)}, {numel} elements, but {holds}. A reshape keeps every element, so "
        f"the new sizes must multiply to {numel} (one of them may be -1, to have it computed).")


def _is_viewable(shape, strides, new_shape):
    """Whether ``new_shape`` can read the memory of an array (shape, strides) without a copy.

    Split the dimensions into runs that are contiguous in memory (each dimension's
    stride = the next one's stride * size). A view may regroup the dimensions of one
    run, but never merge two runs: the element counts where runs end (counted from
    the last dimension) must also be where groups of the new shape end.
    A transposed (3, 2) matrix has two runs of 2 and 3 elements, so it can be viewed
    as (3, 2, 1) but not as (6,). This is PyTorch's rule (``computeStride``).
    """
    if math.prod(shape) == 0:
        return True
    dims = [(size, stride) for size, stride in zip(shape, strides) if size != 1]
    run_ends, count = set(), 1
    for position in reversed(range(len(dims))):
        size, stride = dims[position]
        count *= size
        if position == 0 or dims[position - 1][1] != stride * size:
            run_ends.add(count)
    group_ends = set(itertools.accumulate(reversed(new_shape), operator.mul, initial=1))
    return run_ends <= group_ends


def reshape(input, shape):
    """``input`` with a new shape and the same elements; one size may be -1 (computed).

    A view of ``input`` when its memory layout allows, otherwise a copy.

    Shapes: (*input_shape) -> shape, where prod(shape) = prod(input_shape)

    >>> edunet.arange(6).reshape(2, -1)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    shape = _infer_shape(shape, input.shape)
    viewable = _is_viewable(input.array.shape, input.array.strides, shape)
    # PyTorch copies first when no view is possible and calls the node UnsafeViewBackward0.
    return with_node_name(View.apply(input, shape=shape),
                  "ViewBackward0" if viewable else "UnsafeViewBackward0")


def view(input, shape):
    """Like :func:`reshape`, but always a view: RuntimeError when that needs a copy.

    After ``transpose``/``permute`` the elements are no longer in row-major order in
    memory, and merging such dimensions needs a copy: use reshape (or contiguous()).
    """
    shape = _infer_shape(shape, input.shape)
    if not _is_viewable(input.array.shape, input.array.strides, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(This tensor of shape {tuple(input.shape)} is not contiguous in memory, e.g. after "
            f"transpose() or permute(), so viewing it as {shape} would need a copy; reshape() "
            "copies when it must, or call .contiguous() first.)")
    return View.apply(input, shape=shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge the dims ``start_dim..end_dim`` into one.

    Shapes: (2, 3, 4, 5) with start_dim=1, end_dim=2 -> (2, 12, 5); a 0-d tensor -> (1,)
    """
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if input.ndim == 0:
        return reshape(input, (1,))
    if start == end:
        return input  # nothing to merge: PyTorch returns the tensor itself
    shape = input.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1): the inverse of flatten.

    Shapes: (2, 12) with dim=1, sizes=(3, -1) -> (2, 3, 4)
    """
    if input.ndim == 0:
        raise RuntimeError("unflatten: a 0-d tensor has no dimension to unflatten")
    dim = wrap_dim(dim, input.ndim)
    sizes = list(as_sizes(sizes))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    size = input.shape[dim]
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes and known != 0:
        sizes[sizes.index(-1)] = size // known
    if math.prod(sizes) != size or min(sizes) < 0:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of "
                           f"dim {dim} ({size}) in the input tensor")
    return View.apply(input, shape=input.shape[:dim] + tuple(sizes) + input.shape[dim + 1:])


# ---------------------------------------------------------------- squeeze and unsqueeze
class Squeeze(Function):
    """y = x without some of its size-1 dims.  Backward: reshape the gradient back."""

    is_view = True

    def forward(self, x, *, shape):
        self.input_shape = x.shape
        return x.reshape(shape)

    def backward(self, grad_output):
        return grad_output.reshape(self.input_shape)


def squeeze(input, dim=None):
    """Remove size-1 dims: all of them, or only ``dim`` (an int or a tuple) if size 1.

    A named dim whose size is not 1 is left alone, as in PyTorch.
    Shapes: (2, 1, 3, 1) -> (2, 3);  with dim=1 -> (2, 3, 1)
    """
    if dim is None:
        dims, name = range(input.ndim), "SqueezeBackward0"
    elif isinstance(dim, (tuple, list)):
        dims, name = wrap_distinct_dims(dim, input.ndim), "SqueezeBackward2"
    else:
        dims, name = [wrap_dim(dim, input.ndim)], "SqueezeBackward1"
    shape = tuple(size for d, size in enumerate(input.shape) if not (d in dims and size == 1))
    return with_node_name(Squeeze.apply(input, shape=shape), name)


class Unsqueeze(Function):
    """y = x with a new size-1 dim at ``dim``.  Backward: remove it from the gradient."""

    is_view = True

    def forward(self, x, *, dim):
        self.dim = dim
        return get_array_module(x).expand_dims(x, dim)

    def backward(self, grad_output):
        return grad_output.squeeze(self.dim)


def unsqueeze(input, dim):
    """Insert a size-1 dim at position ``dim`` (-1: at the end).

    Shapes: (3, 4) with dim=0 -> (1, 3, 4) (e.g. a batch of one); dim=-1 -> (3, 4, 1)
    """
    return Unsqueeze.apply(input, dim=wrap_dim(dim, input.ndim + 1))


# ---------------------------------------------------------------- permute and transpose
class Permute(Function):
    """y = x with its dims reordered: y's dim i is x's dim ``dims[i]``.

    Backward: put the gradient's dims back with the inverse permutation.
    """

    is_view = True

    def forward(self, x, *, dims):
        self.inverse = tuple(numpy.argsort(dims))
        return x.transpose(dims)

    def backward(self, grad_output):
        return grad_output.transpose(self.inverse)


def permute(input, dims):
    """Reorder the dims: ``x.permute(0, 2, 3, 1)`` turns (N, C, H, W) into (N, H, W, C)."""
    dims = as_sizes(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{input.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(dim, input.ndim) for dim in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


class Transpose(Function):
    """y = x with dims ``dim0`` and ``dim1`` swapped.  Backward: swap them back."""

    is_view = True

    def forward(self, x, *, dim0, dim1):
        self.dims = dim0, dim1
        if x.ndim == 0:
            return x.view()
        return get_array_module(x).swapaxes(x, dim0, dim1)

    def backward(self, grad_output):
        if grad_output.ndim == 0:
            return grad_output
        return get_array_module(grad_output).swapaxes(grad_output, *self.dims)


def transpose(input, dim0, dim1):
    """Swap two dims: (2, 3, 4) with dim0=0, dim1=2 -> (4, 3, 2)."""
    return Transpose.apply(input, dim0=wrap_dim(dim0, input.ndim), dim1=wrap_dim(dim1, input.ndim))


def t(input):
    """Transpose a matrix (2-D); 0-d and 1-D tensors are returned as they are."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D. "
                           f"For more dimensions say which two to swap: x.transpose(-2, -1), or x.mT.")
    return with_node_name(transpose(input, 0, input.ndim - 1 if input.ndim else 0), "TBackward0")


# ---------------------------------------------------------------- expand and repeat
class Expand(Function):
    """y = x broadcast to a bigger shape: a view that repeats x without copying.

    Backward: every copy of an element sends its gradient back, so they are summed
    (unbroadcast).
    """

    is_view = True

    def forward(self, x, *, shape):
        self.input_shape = x.shape
        return get_array_module(x).broadcast_to(x, shape)

    def backward(self, grad_output):
        return unbroadcast(grad_output, self.input_shape)


def expanded_shape(shape, sizes):
    """The shape ``expand(sizes)`` gives a tensor of ``shape``; RuntimeError if it can't."""
    sizes = as_sizes(sizes)
    new_dims = len(sizes) - len(shape)
    if new_dims < 0:
        raise RuntimeError(f"expand(size={list(sizes)}): the number of sizes provided ({len(sizes)}) "
                           f"must be greater or equal to the number of dimensions in the tensor "
                           f"({len(shape)}). Tensor sizes: {list(shape)}")
    result = []
    for position, size in enumerate(sizes):
        if position < new_dims:
            if size < 0:
                raise RuntimeError(f"The expanded size of the tensor ({size}) isn't allowed in a "
                                   f"leading, non-existing dimension {position}")
            result.append(size)
            continue
        existing = shape[position - new_dims]
        if size == -1:
            size = existing
        elif size != existing and (existing != 1 or size < 0):
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size "
                f"({existing}) at non-singleton dimension {position}.  Target sizes: {list(sizes)}."
                f"  Tensor sizes: {list(shape)}. Only size-1 dimensions can be expanded; "
                f"to copy a tensor several times use repeat().")
        result.append(size)
    return tuple(result)


def expand(input, sizes):
    """A view of ``input`` broadcast to ``sizes`` (no copy).

    Size-1 dims can grow to any size; -1 keeps a dim's size; new dims can be added in
    front. Shapes: (3, 1) with sizes (2, -1, 4) -> (2, 3, 4)
    """
    return Expand.apply(input, shape=expanded_shape(input.shape, sizes))


def broadcast_to(input, size):
    """``input`` broadcast to the shape ``size`` (same as expand)."""
    return expand(input, size)


class Repeat(Function):
    """y = x tiled ``repeats[d]`` times along each dim d (x first gets leading size-1 dims).

    Backward: each element of x appears once in every tile, so its gradient is the
    sum over the tiles. Viewing the gradient as (r0, s0, r1, s1, ...), with r the
    repeats and s x's sizes, that is a sum over the r axes.
    """

    def forward(self, x, *, repeats):
        self.input_shape, self.repeats = x.shape, repeats
        return get_array_module(x).tile(x, repeats)

    def backward(self, grad_output):
        padded_shape = (1,) * (len(self.repeats) - len(self.input_shape)) + self.input_shape
        interleaved = [size for pair in zip(self.repeats, padded_shape) for size in pair]
        summed = grad_output.reshape(interleaved).sum(axis=tuple(range(0, len(interleaved), 2)))
        return summed.reshape(self.input_shape)


def repeat(input, sizes):
    """``input`` copied ``sizes[d]`` times along each dim d (PyTorch's repeat, NumPy's tile).

    Shapes: (2, 3) with sizes (2, 1, 2) -> (2, 2, 6). Not numpy.repeat, which
    repeats each element: that is ``repeat_interleave`` in PyTorch.
    """
    sizes = as_sizes(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           f"dimensions of tensor (got {len(sizes)} repeats for a {input.ndim}-D tensor)")
    shape = (1,) * (len(sizes) - input.ndim) + input.shape
    if min(sizes, default=0) < 0:
        bad = [size * repeats for size, repeats in zip(shape, sizes)]
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(bad)}: {bad}")
    return Repeat.apply(input, repeats=sizes)


class Flip(Function):
    """y = x with the order of elements reversed along ``dims`` (a copy, as in PyTorch).

    Backward: flip the gradient the same way.
    """

    def forward(self, x, *, dims):
        self.reverse = tuple(slice(None, None, -1) if d in dims else slice(None)
                             for d in range(x.ndim))
        return x[self.reverse].copy()

    def backward(self, grad_output):
        return grad_output[self.reverse]


def flip(input, dims):
    """Reverse the order of elements along each dim in ``dims``."""
    dims = as_sizes(dims)
    return Flip.apply(input, dims=wrap_distinct_dims(dims, input.ndim))
