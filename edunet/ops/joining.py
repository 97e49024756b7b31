"""Combining and cutting tensors: cat, stack, and split, chunk, unbind, narrow.

    cat([a, b], dim=0)     (2, 3) and (4, 3) -> (6, 3); backward cuts the gradient into pieces
    stack([a, b], dim=0)   (2, 3) and (2, 3) -> (2, 2, 3): a new dimension
    split / chunk / unbind / narrow: views of parts of a tensor (see indexing.BasicIndex)
"""

import itertools
import operator

from edunet import dtypes, views
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.shape import as_sizes, with_node_name, wrap_dim
from edunet.tensor import Tensor
from edunet.ops.indexing import BasicIndex


# ---------------------------------------------------------------- joining: cat and stack
class Cat(Function):
    """y = the inputs joined along ``dim``.  Backward: cut the gradient into the same pieces."""

    def forward(self, *arrays, dim):
        self.dim = dim
        self.boundaries = list(itertools.accumulate(a.shape[dim] for a in arrays))[:-1]
        return get_array_module(*arrays).concatenate(arrays, axis=dim)

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        return tuple(xp.split(grad_output, self.boundaries, axis=self.dim))


def _tensor_list(tensors, name):
    """``tensors`` as a list, with PyTorch's TypeError for a lone tensor or a non-tensor."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"Tensor. Put the tensors in a list: edunet.{name}([a, b]).")
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    tensors = list(tensors)
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got "
                            f"{type(tensor).__name__}")
    return tensors


def _common_dtype(tensors):
    """The dtype that holds every input's values (``float32`` for int64 and float32)."""
    dtype = tensors[0].dtype
    for tensor in tensors[1:]:
        dtype = dtypes.promote_types(dtype, tensor.dtype)
    return dtype


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other dims must match.

    Shapes: (2, 3) and (4, 3) with dim=0 -> (6, 3). Mixed dtypes are promoted as in
    ``a + b``. A 1-D empty tensor (shape (0,)) is skipped, as in PyTorch, so
    ``out = edunet.tensor([]); out = edunet.cat([out, x])`` works in a loop.
    """
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dtype = _common_dtype(tensors)
    numbered = list(enumerate(tensors))
    if any(tensor.ndim != 1 for tensor in tensors):
        numbered = [(n, tensor) for n, tensor in numbered if tensor.shape != (0,)] or numbered[:1]
    for number, tensor in numbered:
        if tensor.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {number}) cannot be "
                               f"concatenated. Give it a dimension first: x.unsqueeze(0) or x.reshape(1).")
    first = numbered[0][1]
    dim = wrap_dim(dim, first.ndim)
    for number, tensor in numbered:
        if tensor.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} "
                               f"and {tensor.ndim}")
        for d in range(first.ndim):
            if d != dim and tensor.shape[d] != first.shape[d]:
                shapes = ", ".join(str(tuple(t.shape)) for _, t in numbered)
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{first.shape[d]} but got size {tensor.shape[d]} for tensor number {number} "
                    f"in the list. (The shapes are {shapes}: cat joins along dim {dim}, so every "
                    f"other dimension must be the same.)")
    return Cat.apply(*(tensor.to(dtype) for _, tensor in numbered), dim=dim)


concat = concatenate = cat


class Stack(Function):
    """y = the inputs joined along a new dim ``dim``: y.select(dim, i) is input i.

    Backward: input i's gradient is grad_output.select(dim, i).
    """

    def forward(self, *arrays, dim):
        self.dim = dim
        return get_array_module(*arrays).stack(arrays, axis=dim)

    def backward(self, grad_output):
        before = (slice(None),) * self.dim
        return tuple(grad_output[before + (i,)] for i in range(grad_output.shape[self.dim]))


def stack(tensors, dim=0):
    """Join tensors of one shape along a new dim: three (2, 3) tensors -> (3, 2, 3)."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for entry, tensor in enumerate(tensors):
        if tensor.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(tensor.shape)} at "
                               f"entry {entry}")
    dtype = _common_dtype(tensors)
    dim = wrap_dim(dim, tensors[0].ndim + 1)
    return Stack.apply(*(tensor.to(dtype) for tensor in tensors), dim=dim)


def _slice(input, dim, start, length, name):
    """``input`` narrowed to ``start:start + length`` along ``dim`` (a view)."""
    index = (slice(None),) * dim + (slice(start, start + length),)
    return with_node_name(BasicIndex.apply(input, index=index), name)


def narrow(input, dim, start, length):
    """The part ``start:start + length`` of dim ``dim`` (a view); ``start`` may be negative."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input.ndim)
    start, length = operator.index(start), operator.index(length)
    size = input.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, dim, start, length, "SliceBackward0")


def select(input, dim, index):
    """The slice at position ``index`` of dim ``dim``, that dim removed (a view): x[:, index].

    Shapes: (2, 3, 4) with dim=1, index=2 -> (2, 4)
    """
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input.ndim)
    index, size = operator.index(index), input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    position = (slice(None),) * dim + (index % size,)
    return with_node_name(BasicIndex.apply(input, index=position), "SelectBackward0")


def split(tensor, split_size_or_sections, dim=0):
    """Cut ``tensor`` along ``dim`` into pieces (views).

    An int gives pieces of that size (the last one smaller if needed); a list
    gives pieces of those sizes, which must add up to the dim's size.
    Shapes: (5, 3) split 2 -> (2, 3), (2, 3), (1, 3)
    """
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, tensor.ndim)
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sections = list(as_sizes(split_size_or_sections))
        if min(sections, default=0) < 0:
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sections}")
        if sum(sections) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sections}")
        name = "SplitWithSizesBackward0"
    else:
        piece = operator.index(split_size_or_sections)
        if piece < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={piece}")
        if piece == 0 and size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sections = [min(piece, size - start) for start in range(0, size, piece)] if size else [0]
        name = "SplitBackward0"
    starts = itertools.accumulate(sections, initial=0)
    pieces = tuple(_slice(tensor, dim, start, length, name) for start, length in zip(starts, sections))
    return views.mark_multiple_outputs(pieces, name.replace("Backward0", ""))


def chunk(input, chunks, dim=0):
    """Cut into ``chunks`` pieces of equal size ceil(n / chunks), the last smaller.

    May give fewer pieces than asked: 6 elements in 4 chunks -> sizes 2, 2, 2.
    """
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[wrap_dim(dim, input.ndim)]
    if size == 0:
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, as a tuple: (3, 4) -> three (4,) tensors."""
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(dim, input.ndim)
    before = (slice(None),) * dim
    pieces = tuple(with_node_name(BasicIndex.apply(input, index=before + (i,)), "UnbindBackward0")
                   for i in range(input.shape[dim]))
    return views.mark_multiple_outputs(pieces, "Unbind")
