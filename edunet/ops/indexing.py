"""Indexing: ``x[key]``, ``x[key] = value``, gather, index_select, masked_fill.

Basic indexing (ints, slices, None, ``...``) gives a view: y = x[1:3] shares
memory with x, and its backward writes the gradient into zeros at [1:3].
Advanced indexing (integer tensors, boolean masks) copies the selected
elements; its backward *adds* the gradient at the chosen positions, so an
element picked twice gets both contributions (``scatter_add``).
"""

import operator

import numpy

from edunet.autograd import Function
from edunet.backend import device_of, get_array_module, move_array
from edunet.ops.arithmetic import broadcast_shapes, unbroadcast
from edunet.ops.shape import expanded_shape, with_node_name, wrap_dim
from edunet.tensor import Tensor


def scatter_add(target, index, values):
    """``target[index] += values``, where a position that repeats adds once per repeat.

    Plain ``target[index] += values`` adds only once for a repeated position (the
    last write wins). That is wrong for gradients: ``x[[0, 0]]`` uses x[0] twice, so
    x[0] must receive both gradients. NumPy's ``add.at`` adds every one; on a GPU,
    ``cupyx.scatter_add`` does the same.
    """
    if get_array_module(target) is numpy:
        numpy.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)
    return target


# ---------------------------------------------------------------- basic indexing: views
class BasicIndex(Function):
    """y = x[index] for an index of ints, slices and None only: a view of x.

    Backward: every element of y is one element of x, so x's gradient is zeros
    with grad_output written at [index].

    PyTorch names the node after what the index does last: SelectBackward0 (an
    int), SliceBackward0 (a slice), UnsqueezeBackward0 (None), AliasBackward0
    (``x[...]``); narrow, split, chunk and unbind use this node too.
    """

    is_view = True

    def forward(self, x, *, index):
        self.index, self.input_shape = index, x.shape
        return x[index + (Ellipsis,)]  # the Ellipsis makes NumPy return a 0-d view, not a number

    def backward(self, grad_output):
        grad = get_array_module(grad_output).zeros(self.input_shape, grad_output.dtype)
        grad[self.index] = grad_output
        return grad


# ---------------------------------------------------------------- indexing: the key
INDEX_TYPES_MESSAGE = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                       "Variables are valid indices (got {})")


def _is_index_array(entry):
    """True for the NumPy/CuPy arrays in a converted index (not ints, slices, None, ...)."""
    return hasattr(entry, "dtype")


def _plain(data):
    """Nested lists with any tensors inside replaced by their values."""
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_plain(item) for item in data]
    return data


def _convert_entry(entry, array):
    """One entry of a key as an int, slice, None, Ellipsis, or an int/bool array on array's device."""
    if entry is None or entry is Ellipsis:
        return entry
    if isinstance(entry, slice):
        start, stop, step = (None if bound is None else operator.index(bound)
                             for bound in (entry.start, entry.stop, entry.step))
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step is not None and step < 0:
            raise ValueError("step must be greater than zero (negative steps are not supported by "
                             "PyTorch; to reverse a tensor use x.flip(dim))")
        return slice(start, stop, step)
    if isinstance(entry, (bool, numpy.bool_)):
        values = numpy.asarray(entry)
    elif isinstance(entry, (int, numpy.integer)):
        return int(entry)
    elif isinstance(entry, Tensor):
        values = entry.array
    elif _is_index_array(entry):
        values = entry
    elif isinstance(entry, (list, tuple)):
        values = numpy.asarray(_plain(entry))
        if values.size == 0:
            values = values.astype(numpy.int64)  # x[[]] selects nothing
    elif isinstance(entry, str):  # x["a"]: a TypeError in PyTorch, with a hint here
        raise TypeError(f"a tensor is indexed by position, not by name: got x[{entry!r}]")
    else:
        raise IndexError(INDEX_TYPES_MESSAGE.format(type(entry).__name__))
    if values.dtype == numpy.uint8:
        values = values.astype(bool)  # PyTorch's older spelling of a mask
    if values.dtype.kind in "iu" and values.ndim == 0:
        return int(values)
    if values.dtype.kind not in "iub":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return move_array(values, device_of(array))


def _dims_used(entry):
    """How many dims of the indexed tensor an entry of the key consumes."""
    if entry is None or entry is Ellipsis:
        return 0
    if _is_index_array(entry) and entry.dtype == bool:
        return entry.ndim  # a mask covers as many dims as it has
    return 1


def _expand_ellipsis(entries, ndim):
    """Replace ``...`` by full slices (and fill up the key with them): one entry per dim."""
    if sum(entry is Ellipsis for entry in entries) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_dims_used(entry) for entry in entries)
    if used > ndim:
        if ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python to "
                             "convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    fill = [slice(None)] * (ndim - used)
    for position, entry in enumerate(entries):
        if entry is Ellipsis:
            return entries[:position] + fill + entries[position + 1:]
    return entries + fill


def _check_bounds(index, shape):
    """IndexError like PyTorch's for an int or index value out of range, or a misfit mask."""
    dim = 0
    for entry in index:
        if entry is None:
            continue
        if _is_index_array(entry) and entry.dtype == bool:
            for offset, (got, size) in enumerate(zip(entry.shape, shape[dim:])):
                if got != size:
                    raise IndexError(f"The shape of the mask {list(entry.shape)} at index {offset} "
                                     f"does not match the shape of the indexed tensor "
                                     f"{list(shape)} at index {dim + offset}")
            dim += entry.ndim
            continue
        size = shape[dim]
        if isinstance(entry, int):
            extremes = (entry,)
        elif _is_index_array(entry) and entry.size:
            extremes = (int(entry.min()), int(entry.max()))
        else:
            extremes = ()
        for value in extremes:
            if not -size <= value < size:
                raise IndexError(f"index {value} is out of bounds for dimension {dim} with size {size}")
        dim += 1


def _numpy_disagrees(index):
    """True where NumPy would place the indexed dims elsewhere than PyTorch.

    PyTorch applies the ints first (each removes its dim) and then the index
    tensors; NumPy counts ints as index tensors. When the index tensors sit
    together (ignoring ints), PyTorch keeps their result dims in place; NumPy does
    that only when the ints sit with them too. So ``x[0, :, [1, 2]]`` on a
    (5, 3, 4) tensor is (3, 2) in PyTorch, but (2, 3) in NumPy.
    """
    kinds = ["array" if _is_index_array(entry) else "int" if isinstance(entry, int) else "other"
             for entry in index]
    arrays = [position for position, kind in enumerate(kinds) if kind == "array"]
    if not arrays:
        return False
    together_for_pytorch = "other" not in kinds[arrays[0]:arrays[-1] + 1]
    advanced = [position for position, kind in enumerate(kinds) if kind != "other"]
    together_for_numpy = "other" not in kinds[advanced[0]:advanced[-1] + 1]
    return together_for_pytorch and not together_for_numpy


def _spelled_out(index, shape, xp):
    """PyTorch's meaning of ``index`` as one index array per dim, which NumPy can't misread.

    Each slice becomes the range of positions it selects and each index tensor is
    reshaped, so that all of them broadcast to PyTorch's result shape; with only
    ints and arrays, adjacent, NumPy's result has exactly that broadcast shape.
    """
    entries, dim = [], 0  # (entry, the dim of the tensor it indexes); masks as int arrays
    for entry in index:
        if _is_index_array(entry) and entry.dtype == bool:
            if entry.ndim == 0:
                raise IndexError("a True/False index together with ints separated by slices is "
                                 "not supported; index in two steps, e.g. x[0][:, True]")
            for positions in xp.nonzero(entry):
                entries.append((positions, dim))
                dim += 1
        else:
            entries.append((entry, dim))
            dim += entry is not None
    block = numpy.broadcast_shapes(*(e.shape for e, _ in entries if _is_index_array(e)))
    ndim = sum(1 for e, _ in entries if e is None or isinstance(e, slice)) + len(block)
    spelled, position, block_start = [], 0, None
    for entry, dim in entries:
        if entry is None:
            position += 1
        elif isinstance(entry, int):
            spelled.append(entry)
        elif isinstance(entry, slice):
            positions = xp.arange(*entry.indices(shape[dim]))
            spelled.append(positions.reshape([len(positions) if d == position else 1
                                              for d in range(ndim)]))
            position += 1
        else:
            if block_start is None:
                block_start, position = position, position + len(block)
            padded = (1,) * (len(block) - entry.ndim) + entry.shape
            after = ndim - block_start - len(block)
            spelled.append(entry.reshape((1,) * block_start + padded + (1,) * after))
    return tuple(spelled)


def array_index(key, array):
    """Turn an indexing key into a plain NumPy/CuPy index for ``array``, meaning what PyTorch means.

    The key may hold ints, slices (positive steps), None, ``...``, and index
    tensors, lists or arrays of ints (positions) or bools (masks). Index tensors
    become arrays on ``array``'s device; a 0-d int tensor becomes an int. Raises
    PyTorch's errors for out-of-range indices and misfit masks. Works for reading
    (``array[index]``) and writing (``array[index] = value``).
    """
    entries = list(key) if isinstance(key, tuple) else [key]
    entries = [_convert_entry(entry, array) for entry in entries]
    index = _expand_ellipsis(entries, array.ndim)
    _check_bounds(index, array.shape)
    if _numpy_disagrees(index):
        return _spelled_out(index, array.shape, get_array_module(array))
    return tuple(index)


def _basic_index_name(key, index, shape):
    """PyTorch's node name for a basic index: after the last thing it does (see BasicIndex)."""
    if isinstance(key, slice):
        return "SliceBackward0"
    name, dim = "AliasBackward0", 0
    for entry in index:
        if entry is None:
            name = "UnsqueezeBackward0"
            continue
        if isinstance(entry, int):
            name = "SelectBackward0"
        elif entry.indices(shape[dim]) != (0, shape[dim], 1):  # x[:, 1:] -- a full slice does nothing
            name = "SliceBackward0"
        dim += 1
    return name


# ---------------------------------------------------------------- indexing: the ops
class AdvancedIndex(Function):
    """y = x[index] where the index holds index arrays or masks: a copy (IndexBackward0).

    Backward: zeros shaped like x, with grad_output *added* at [index]: ``x[[0, 0]]``
    uses x[0] twice, so x[0] gets both gradients (:func:`scatter_add`).
    """

    def forward(self, x, *, index):
        self.input_shape = x.shape
        self.save_for_backward(*index)
        return x[index]

    def backward(self, grad_output):
        grad = get_array_module(grad_output).zeros(self.input_shape, grad_output.dtype)
        return scatter_add(grad, self.saved_arrays, grad_output)


def getitem(input, key):
    """``input[key]``: ints, slices, None, ``...``, index tensors/lists and bool masks.

    Ints, slices and None give a view (``x[0]``, ``x[:, 1:3]``, ``x[None]``); index
    tensors and masks give a copy (``x[[0, 2]]``, ``x[x > 0]``). As in PyTorch, ints
    are applied before index tensors (see ``_numpy_disagrees``), and slice steps
    must be positive.
    """
    index = array_index(key, input.array)
    if any(_is_index_array(entry) for entry in index):
        return AdvancedIndex.apply(input, index=index)
    return with_node_name(BasicIndex.apply(input, index=index), _basic_index_name(key, index, input.shape))


class IndexPut(Function):
    """y = a copy of x with ``y[index] = value``: the assignment, done out of place.

    Backward: the overwritten elements of x no longer reach y, so x's gradient is
    grad_output with zeros at [index]; value's gradient is grad_output[index],
    summed over the copies that broadcasting made of value.
    """

    def forward(self, x, value, *, index):
        output = x.copy()
        target_shape = output[index].shape
        # Like PyTorch, accept extra leading size-1 dims on value: (1, 4) into a row of 4.
        self.value_shape = value.shape
        while value.ndim > len(target_shape) and value.shape[0] == 1:
            value = value.reshape(value.shape[1:])
        expanded_shape(value.shape, target_shape)  # RuntimeError when value doesn't fit
        output[index] = value
        self.index, self.fitted_shape = index, value.shape
        return output

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        grad_input = grad_value = None
        if self.needs_input_grad[0]:
            grad_input = grad_output.copy()
            grad_input[self.index] = 0
        if self.needs_input_grad[1]:
            selected = xp.asarray(grad_output[self.index])
            grad_value = unbroadcast(selected, self.fitted_shape).reshape(self.value_shape)
        return grad_input, grad_value


def index_put(input, key, value):
    """A copy of ``input`` with ``[key] = value`` written in: what ``x[key] = value`` records.

    ``value`` is a number or a tensor that broadcasts to ``input[key]``'s shape; it is
    converted to input's dtype. Gradients flow to both input and value.
    """
    index = array_index(key, input.array)
    if isinstance(value, Tensor):
        value = value.to(input.dtype)
    else:
        value = Tensor._make(get_array_module(input.array).asarray(value, dtype=input.array.dtype))
    return with_node_name(IndexPut.apply(input, value, index=index), _index_put_name(index, input.shape))


def _index_put_name(index, shape):
    """PyTorch's node name for ``x[key] = value``.

    IndexPutBackward0 when the key only holds index tensors (and full slices);
    otherwise PyTorch first takes a view (x[0], x[1:]) and writes into it, which
    it calls CopySlices.
    """
    dim = 0
    for entry in index:
        if _is_index_array(entry):
            dim += entry.ndim if entry.dtype == bool else 1
            continue
        if not isinstance(entry, slice) or entry.indices(shape[dim]) != (0, shape[dim], 1):
            return "CopySlices"
        dim += 1
    return "IndexPutBackward0" if dim and any(_is_index_array(e) for e in index) else "CopySlices"


def _index_tensor(index, name, dtypes_text="int32 or int64"):
    """Check an index tensor's dtype (PyTorch's RuntimeError)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.array.dtype not in (numpy.int32, numpy.int64):
        raise RuntimeError(f"{name}(): Expected dtype {dtypes_text} for index "
                           f"(got {index.dtype.name}); convert with index.long()")
    return index


def _check_positions(index, size, dim, prefix=""):
    """RuntimeError for an index value outside 0..size-1 (negative counts as outside)."""
    if index.numel():
        for value in (int(index.array.min()), int(index.array.max())):
            if not 0 <= value < size:
                raise RuntimeError(f"{prefix}index {value} is out of bounds for dimension {dim} "
                                   f"with size {size}")


class IndexSelect(Function):
    """y = the entries ``index`` of x along ``dim`` (repeats allowed).

    y.select(dim, i) = x.select(dim, index[i]). Backward: zeros shaped like x, each
    slice of grad_output added back at its index (repeats add up).
    """

    def forward(self, x, index, *, dim):
        self.input_shape, self.dim = x.shape, dim
        self.save_for_backward(index)
        return get_array_module(x).take(x, index, axis=dim)

    def backward(self, grad_output):
        (index,) = self.saved_arrays
        grad = get_array_module(grad_output).zeros(self.input_shape, grad_output.dtype)
        scatter_add(grad, (slice(None),) * self.dim + (index,), grad_output)
        return grad, None


def index_select(input, dim, index):
    """The entries at positions ``index`` (a 1-D int tensor) along ``dim``.

    Shapes: input (3, 4), dim=1, index (5,) -> (3, 5)
    """
    dim = wrap_dim(dim, input.ndim)
    _index_tensor(index, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if input.ndim == 0:
        if index.numel() != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{index.numel()} value(s)")
        _check_positions(index, 1, 0, "index_select(): ")
        return IndexSelect.apply(input.reshape(1), index.reshape(1), dim=0).reshape(())
    _check_positions(index, input.shape[dim], dim, "index_select(): ")
    return IndexSelect.apply(input, index.reshape(-1), dim=dim)


class Gather(Function):
    """y[i][j][k] = x[i][index[i][j][k]][k] for dim=1, and likewise for any dim.

    y has index's shape. Forward and backward use one index array per dim: y's own
    position (an arange) for every dim but ``dim``, where it is ``index``.
    Backward: grad_output is added to x's gradient at those positions (repeats add up).
    """

    def forward(self, x, index, *, dim):
        xp = get_array_module(x)
        positions = [xp.arange(size).reshape([size if d == axis else 1 for d in range(index.ndim)])
                     for axis, size in enumerate(index.shape)]
        positions[dim] = index
        self.input_shape = x.shape
        self.save_for_backward(*positions)
        return x[tuple(positions)]

    def backward(self, grad_output):
        grad = get_array_module(grad_output).zeros(self.input_shape, grad_output.dtype)
        return scatter_add(grad, self.saved_arrays, grad_output), None


def gather(input, dim, index):
    """Pick one entry along ``dim`` for every position of ``index`` (an int tensor).

    ``index`` has input's number of dims, and no dim but ``dim`` longer than input's.
    A classic use: the score of each sample's label, ``scores.gather(1, labels[:, None])``.
    """
    dim = wrap_dim(dim, input.ndim)
    _index_tensor(index, "gather", "int32/int64")
    if input.ndim <= 1 and index.ndim <= 1 and input.ndim != index.ndim:
        # PyTorch treats a 0-d tensor here as a 1-d tensor of one element.
        return gather(input.reshape(-1), 0, index.reshape(-1)).reshape(index.shape)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor "
                           f"(index has shape {tuple(index.shape)}, input {tuple(input.shape)})")
    if input.ndim == 0:
        return gather(input.reshape(1), 0, index.reshape(1)).reshape(())
    for d in range(input.ndim):
        if d != dim and index.shape[d] > input.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(index.shape)} to be no larger than self {list(input.shape)} "
                               f"apart from dimension {dim}")
    _check_positions(index, input.shape[dim], dim)
    return Gather.apply(input, index, dim=dim)


class MaskedFill(Function):
    """y = value where mask is True, x elsewhere (mask broadcasts against x).

    Backward: x's gradient is grad_output where the mask is False (0 where x was
    overwritten, summed back to x's shape); value's gradient is the sum of
    grad_output over the masked positions.
    """

    def forward(self, x, mask, value):
        self.input_shape = x.shape
        self.save_for_backward(mask)
        return get_array_module(x).where(mask, value, x)

    def backward(self, grad_output):
        (mask,) = self.saved_arrays
        xp = get_array_module(grad_output)
        zero = grad_output.dtype.type(0)  # a zero of the gradient's dtype keeps that dtype
        grad_input = grad_value = None
        if self.needs_input_grad[0]:
            grad_input = unbroadcast(xp.where(mask, zero, grad_output), self.input_shape)
        if self.needs_input_grad[2]:
            grad_value = xp.asarray(xp.where(mask, grad_output, zero).sum(), dtype=grad_output.dtype)
        return grad_input, None, grad_value


def masked_fill(input, mask, value):
    """``input`` with ``value`` where the bool ``mask`` is True.

    ``value`` is a number or a 0-d tensor (which then gets a gradient). The usual
    use: ``scores.masked_fill(~allowed, float('-inf'))`` before a softmax.
    """
    if not isinstance(mask, Tensor):  # PyTorch: TypeError for a mask that isn't a tensor
        raise TypeError(f"masked_fill(): argument 'mask' must be a bool Tensor, not "
                        f"{type(mask).__name__}. Make one with a comparison: mask = x > 0.")
    if mask.array.dtype != numpy.bool_:
        got = mask.dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype "
                           f"{got}. Make one with a comparison (mask = x > 0) or mask.bool().")
    broadcast_shapes(input.shape, mask.shape)  # RuntimeError naming both shapes
    name = "MaskedFillBackward0"
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        value, name = value.to(input.dtype), "MaskedFillBackward1"
    else:
        value = Tensor._make(get_array_module(input.array).asarray(value, dtype=input.array.dtype))
    return with_node_name(MaskedFill.apply(input, mask, value), name)
