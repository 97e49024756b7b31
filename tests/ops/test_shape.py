"""The op table for shape ops and indexing: NumPy, finite differences, PyTorch.

Then targeted tests: gradients of repeated indices, masks, ``x[key] = value``
(recorded and not), views and copies, the error messages, and every error's type
against PyTorch's.
"""

import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import edunet
from edunet.ops import indexing, padding
from tests.ops.harness import OpCase, Sample, shapes, table_tests, values


# ---------------------------------------------------------------- small helpers
def small_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3):
    """Shapes of at most 3 dims of at most 3, size-0 dims included: keeps gradcheck quick."""
    return shapes(min_dims, max_dims, min_side, max_side)


def swapped(array):
    """NumPy's ``x.transpose(0, -1)``: a non-contiguous view (0-d arrays stay as they are)."""
    return numpy.swapaxes(array, 0, -1) if array.ndim else array


def wrap(dim, ndim):
    return dim % max(ndim, 1)


def signed_dim(dim, ndim):
    """``dim`` (in 0..ndim-1) or its negative spelling."""
    return st.sampled_from([dim, dim - ndim])


def one_input(shape_strategy, options):
    """Samples with one float input of a drawn shape and options drawn by ``options(shape)``."""
    @st.composite
    def draw_sample(draw):
        shape = draw(shape_strategy)
        return Sample([draw(values(shape))], draw(options(shape)))
    return draw_sample()


def no_options(shape):
    return st.just({})


def divisors(number):
    return [d for d in range(1, number + 1) if number % d == 0]


# ---------------------------------------------------------------- reshape, view, flatten
def reshape_targets(shape):
    """Shapes with the same number of elements, some with a -1."""
    numel = math.prod(shape)
    targets = [(numel,), tuple(reversed(shape)), (1,) + tuple(shape), tuple(shape) + (1,)]
    if numel:
        targets += [(-1,)] + [(d, -1) for d in divisors(numel)] + [(-1, d, 1) for d in divisors(numel)]
    else:
        targets += [(0, 2), (3, 0, 1), (2, 0)]
    if numel == 1:
        targets.append(())
    return st.sampled_from(targets).map(lambda target: {"shape": target})


def flatten_dims(shape):
    ndim = len(shape)
    return st.tuples(st.integers(0, max(ndim - 1, 0)), st.integers(0, max(ndim - 1, 0))).flatmap(
        lambda pair: st.tuples(signed_dim(min(pair), max(ndim, 1)),
                               signed_dim(max(pair), max(ndim, 1)))).map(
        lambda pair: {"start_dim": pair[0], "end_dim": pair[1]})


def flatten_reference(array, start_dim, end_dim):
    if array.ndim == 0:
        return array.reshape(1)
    start, end = wrap(start_dim, array.ndim), wrap(end_dim, array.ndim)
    shape = array.shape
    return array.reshape(shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten_options(shape):
    @st.composite
    def draw_options(draw):
        dim = draw(st.integers(0, len(shape) - 1))
        size = shape[dim]
        if size:
            d = draw(st.sampled_from(divisors(size)))
            sizes = draw(st.sampled_from([(d, size // d), (d, -1), (-1, d), (1, size, 1), (size,)]))
        else:
            sizes = draw(st.sampled_from([(0,), (2, 0), (-1, 2)]))
        return {"dim": draw(signed_dim(dim, len(shape))), "sizes": sizes}
    return draw_options()


def unflatten_reference(array, dim, sizes):
    dim = wrap(dim, array.ndim)
    known = math.prod(size for size in sizes if size != -1)
    sizes = tuple(array.shape[dim] // known if size == -1 else size for size in sizes)
    return array.reshape(array.shape[:dim] + sizes + array.shape[dim + 1:])


# ---------------------------------------------------------------- squeeze ... flip
def squeeze_options(shape):
    ndim = len(shape)
    some_dims = st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=max(ndim, 1))
    return st.one_of(
        st.just({}),
        st.integers(0, max(ndim - 1, 0)).flatmap(lambda d: signed_dim(d, max(ndim, 1))).map(
            lambda d: {"dim": d}),
        some_dims.map(lambda dims: {"dim": tuple(dims)}))


def squeeze_reference(array, dim=None):
    if dim is None:
        dims = range(array.ndim)
    else:
        dims = [wrap(d, array.ndim) for d in (dim if isinstance(dim, tuple) else (dim,))]
    return array.reshape([size for d, size in enumerate(array.shape) if not (d in dims and size == 1)])


def permutations(shape):
    ndim = len(shape)
    return st.permutations(range(ndim)).flatmap(
        lambda order: st.tuples(*[signed_dim(d, ndim) for d in order])).map(lambda dims: {"dims": dims})


def two_dims(shape):
    ndim = max(len(shape), 1)
    return st.tuples(st.integers(-ndim, ndim - 1), st.integers(-ndim, ndim - 1)).map(
        lambda pair: {"dim0": pair[0], "dim1": pair[1]})


def transpose_reference(array, dim0, dim1):
    return numpy.swapaxes(array, dim0, dim1) if array.ndim else array


def expand_sizes(shape):
    @st.composite
    def draw_options(draw):
        sizes = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2)))]
        for size in shape:
            choices = [1, 0, 2, 3, -1] if size == 1 else [size, -1]
            sizes.append(draw(st.sampled_from(choices)))
        return {"sizes": tuple(sizes)}
    return draw_options()


def expand_reference(array, sizes):
    new_dims = len(sizes) - array.ndim
    target = [array.shape[d - new_dims] if size == -1 else size for d, size in enumerate(sizes)]
    return numpy.broadcast_to(array, target)


def repeat_sizes(shape):
    return st.integers(len(shape), len(shape) + 2).flatmap(
        lambda count: st.lists(st.integers(0, 3), min_size=count, max_size=count)).map(
        lambda sizes: {"sizes": tuple(sizes)})


def flip_dims(shape):
    ndim = len(shape)
    return st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=ndim).flatmap(
        lambda dims: st.tuples(*[signed_dim(d, ndim) for d in dims])).map(lambda dims: {"dims": dims})


# ---------------------------------------------------------------- cat, stack, split
@st.composite
def joinable(draw, int_input=False):
    """1-3 arrays whose shapes differ only along the drawn ``dim`` (for cat)."""
    shape = list(draw(small_shapes(min_dims=1)))
    dim = draw(st.integers(0, len(shape) - 1))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        shape[dim] = draw(st.integers(0, 3))
        arrays.append(draw(values(tuple(shape))))
    if int_input:
        arrays.append(numpy.arange(math.prod(shape)).reshape(shape) - 2)
    return Sample(arrays, {"dim": draw(signed_dim(dim, len(shape)))})


@st.composite
def stackable(draw):
    shape = draw(small_shapes())
    arrays = [draw(values(shape)) for _ in range(draw(st.integers(1, 3)))]
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return Sample(arrays, {"dim": dim})


def split_options(shape, sections):
    @st.composite
    def draw_options(draw):
        dim = draw(st.integers(0, len(shape) - 1))
        size = shape[dim]
        if sections:
            cuts = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
            pieces = [b - a for a, b in zip([0] + cuts, cuts + [size])]
            split = draw(st.sampled_from([pieces, tuple(pieces)]))
        else:
            split = draw(st.integers(1, 4))
        return {"split": split, "dim": draw(signed_dim(dim, len(shape)))}
    return draw_options()


def split_reference(array, split, dim):
    size = array.shape[dim]
    sections = list(split) if isinstance(split, (list, tuple)) else (
        [min(split, size - start) for start in range(0, size, split)] or [0])
    edges = numpy.cumsum([0] + sections)
    return [numpy.take(array, range(a, b), axis=dim) for a, b in zip(edges[:-1], edges[1:])]


def chunk_reference(array, chunks, dim):
    size = array.shape[dim]
    if size == 0:
        return [array] * chunks
    return split_reference(array, -(-size // chunks), wrap(dim, array.ndim))


def narrow_options(shape):
    @st.composite
    def draw_options(draw):
        dim = draw(st.integers(0, len(shape) - 1))
        size = shape[dim]
        start = draw(st.integers(-size, size))
        length = draw(st.integers(0, size - (start + size if start < 0 else start)))
        return {"dim": draw(signed_dim(dim, len(shape))), "start": start, "length": length}
    return draw_options()


def narrow_reference(array, dim, start, length):
    start = start + array.shape[dim] if start < 0 else start
    return numpy.take(array, range(start, start + length), axis=dim)


# ---------------------------------------------------------------- index_select, gather, masked_fill
@st.composite
def index_select_samples(draw):
    shape = draw(small_shapes(min_dims=1))
    dim = draw(st.integers(0, len(shape) - 1))
    count = draw(st.integers(0, 4)) if shape[dim] else 0
    index = numpy.array(draw(st.lists(st.integers(0, max(shape[dim] - 1, 0)), min_size=count,
                                      max_size=count)), dtype=numpy.int64)
    return Sample([draw(values(shape)), index], {"dim": draw(signed_dim(dim, len(shape)))})


@st.composite
def gather_samples(draw):
    shape = draw(small_shapes(min_dims=1))
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = [draw(st.integers(0, 4)) if d == dim else draw(st.integers(0, size))
                   for d, size in enumerate(shape)]
    if shape[dim] == 0:
        index_shape[dim] = 0
    seed = draw(st.integers(0, 2**32 - 1))
    index = numpy.random.default_rng(seed).integers(0, max(shape[dim], 1), size=index_shape)
    return Sample([draw(values(shape)), index], {"dim": draw(signed_dim(dim, len(shape)))})


def gather_reference(array, index, dim):
    region = array[tuple(slice(0, n) if d != dim % array.ndim else slice(None)
                         for d, n in enumerate(index.shape))]
    return numpy.take_along_axis(region, index, axis=dim)


@st.composite
def masked_fill_samples(draw, tensor_value=False):
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    mask = draw(values(pair[1])) > 0
    arrays = [draw(values(pair[0])), mask]
    if tensor_value:
        return Sample(arrays + [draw(values(()))])
    return Sample(arrays, {"value": draw(st.sampled_from([0.0, -1.5, 7]))})


# ---------------------------------------------------------------- pad
@st.composite
def constant_pad_samples(draw):
    shape = draw(small_shapes())
    pad = []
    for size in reversed(shape[len(shape) - draw(st.integers(0, len(shape))):]):
        before = draw(st.integers(-size, 2))
        pad += [before, draw(st.integers(-(size - max(-before, 0)), 2))]  # crop at most all
    options = {"pad": tuple(pad)}
    value = draw(st.sampled_from([None, 0.5, -2.0]))
    if value is not None:
        options["value"] = value
    return Sample([draw(values(shape))], options)


def constant_pad_reference(array, pad, value=None):
    pairs = [(0, 0)] * (array.ndim - len(pad) // 2) + [
        (pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    if array.ndim == 0:
        return array
    grown = numpy.pad(array, [(max(b, 0), max(a, 0)) for b, a in pairs], constant_values=value or 0)
    return grown[tuple(slice(max(-b, 0), grown.shape[d] - max(-a, 0)) for d, (b, a) in enumerate(pairs))]


@st.composite
def copying_pad_samples(draw, mode):
    padded_dims = draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(2,), (1, 2)]))
    shape = batch + tuple(draw(st.integers(1, 3)) for _ in range(padded_dims))
    pad = []
    for size in reversed(shape[-padded_dims:]):
        largest = {"reflect": size - 1, "replicate": 3, "circular": size}[mode]
        before = draw(st.integers(-1 if size > 1 else 0, largest))
        if mode == "circular":  # wraps around what is left after cropping
            largest = size - max(-before, 0)
        pad += [before, draw(st.integers(0, largest))]
    return Sample([draw(values(shape))], {"pad": tuple(pad), "mode": mode})


def copying_pad_reference(array, pad, mode):
    pairs = [(0, 0)] * (array.ndim - len(pad) // 2) + [
        (pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    if mode == "circular":  # PyTorch crops first, then wraps around what is left
        kept = tuple(slice(max(-b, 0), size - max(-a, 0)) for size, (b, a) in zip(array.shape, pairs))
        cropped = array[kept]
        return numpy.pad(cropped, [(max(b, 0), max(a, 0)) for b, a in pairs], mode=numpy_mode)
    grown = numpy.pad(array, [(max(b, 0), max(a, 0)) for b, a in pairs], mode=numpy_mode)
    return grown[tuple(slice(max(-b, 0), grown.shape[d] - max(-a, 0)) for d, (b, a) in enumerate(pairs))]


def pad_call(lib, x, **options):
    return padding.pad(x, **options)


def torch_pad(torch, x, **options):
    return torch.nn.functional.pad(x, **options)


# ---------------------------------------------------------------- indexing keys
@st.composite
def basic_keys(draw, shape):
    """A key of ints, slices (positive steps), None and maybe ``...`` for a tensor of ``shape``."""
    def entry(size):
        if size and draw(st.booleans()):
            return draw(st.integers(-size, size - 1))
        bound = st.one_of(st.none(), st.integers(-size - 1, size + 1))
        return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3])))

    leading = draw(st.integers(0, len(shape)))
    entries = [entry(size) for size in shape[:leading]]
    if draw(st.booleans()):  # ..., then entries for the last dims
        trailing = draw(st.integers(0, len(shape) - leading))
        entries += [Ellipsis] + [entry(size) for size in shape[len(shape) - trailing:]]
    for _ in range(draw(st.integers(0, 2))):
        entries.insert(draw(st.integers(0, len(entries))), None)
    if len(entries) == 1 and draw(st.booleans()):
        return entries[0]
    return tuple(entries)


def _other_entries(draw, size):
    """For one dim, an int or a slice, maybe after a None: what sits between index arrays."""
    kind = draw(st.sampled_from(["int", "slice", "none"]))
    if kind == "int" and size:
        return [draw(st.integers(-size, size - 1))]
    entry = slice(draw(st.sampled_from([None, 1, -2])), None, draw(st.sampled_from([None, 2])))
    return [None, entry] if kind == "none" else [entry]


@st.composite
def advanced_keys(draw, shape, distinct=False):
    """Keys with index arrays or lists (repeats, negatives) or one mask, among ints, slices, None.

    With ``distinct``, no position is selected twice (for assignments, where the
    write that wins among repeats is up to the library).
    """
    if not shape:
        return True
    if draw(st.booleans()):  # a mask over some dims, with ints/slices/None around it
        first = draw(st.integers(0, len(shape) - 1))
        mask_dims = draw(st.integers(1, len(shape) - first))
        before = [e for size in shape[:first] for e in _other_entries(draw, size)]
        mask = draw(values(shape[first:first + mask_dims])) > 0
        after = [e for size in shape[first + mask_dims:] for e in _other_entries(draw, size)]
        return tuple(before + [mask] + after)
    length = draw(st.integers(1, 2)) if distinct else None
    index_shape = (length,) if distinct else draw(st.sampled_from([(2,), (3,), (2, 1), (1, 2), ()]))
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    entries = []
    for dim, size in enumerate(shape):
        kind = draw(st.sampled_from(["array", "array", "other", "stop"]))
        if kind == "stop" and any(isinstance(e, numpy.ndarray) or isinstance(e, list) for e in entries):
            break
        if kind == "array" and size >= (length or 1):
            if distinct:
                positions = rng.permutation(size)[:length]
                positions = numpy.where(rng.random(length) < 0.5, positions - size, positions)
            else:
                positions = rng.integers(-size, size, size=index_shape)
            entries.append(positions.tolist() if positions.ndim == 1 and draw(st.booleans()) else positions)
        else:
            entries += _other_entries(draw, size)
    if not any(isinstance(e, (numpy.ndarray, list)) for e in entries):
        return (numpy.array([0] if distinct else [0, -1, 0]) if shape[0] else numpy.zeros(0, numpy.int64),)
    return tuple(entries)


def pytorch_style_index(array, key):
    """``array[key]`` the PyTorch way, in two steps: ints, slices and None first, then the arrays.

    An independent formulation of what ``edunet.ops.indexing.array_index`` does in one step.
    """
    entries = list(key) if isinstance(key, tuple) else [key]
    entries = [numpy.asarray(e) if isinstance(e, list) else e for e in entries]
    entries = [int(e) if isinstance(e, numpy.ndarray) and e.ndim == 0 and e.dtype != bool else e
               for e in entries]  # a 0-d int index is an int
    basic, advanced = [], []
    for entry in entries:
        if isinstance(entry, numpy.ndarray) and entry.ndim:
            basic += [slice(None)] * (entry.ndim if entry.dtype == bool else 1)
            advanced.append(entry)
        elif isinstance(entry, numpy.ndarray):  # a 0-d mask
            advanced.append(entry)
        else:
            basic.append(entry)
            if not isinstance(entry, int):
                advanced.append(entry if entry is Ellipsis else slice(None))
    if not any(entry is Ellipsis for entry in basic):
        basic.append(Ellipsis)  # makes NumPy return a 0-d view rather than a number
    return array[tuple(basic)], tuple(advanced)


def getitem_reference(array, key):
    view, advanced = pytorch_style_index(array, key)
    return view[advanced]


def setitem_reference(array, value, key):
    result = array.copy()
    view, advanced = pytorch_style_index(result, key)
    view[advanced] = value
    return result


def index_samples(key_strategy, transposed=False):
    @st.composite
    def draw_sample(draw):
        shape = draw(small_shapes(max_dims=4, max_side=3))
        key_shape = swapped(numpy.empty(shape)).shape if transposed else shape
        return Sample([draw(values(shape))], {"key": draw(key_strategy(key_shape))})
    return draw_sample()


@st.composite
def setitem_samples(draw, number=False):
    shape = draw(small_shapes(min_dims=1, max_side=3))
    key = draw(st.one_of(basic_keys(shape), advanced_keys(shape, distinct=True)))
    array = draw(values(shape))
    target = getitem_reference(array, key).shape
    if number:
        return Sample([array], {"key": key, "value": 0.25})
    value_shape = target[draw(st.integers(0, len(target))):]
    value_shape = tuple(1 if draw(st.booleans()) else size for size in value_shape)
    return Sample([array, draw(values(value_shape))], {"key": key})


def assign(lib, x, value, key):
    result = x * 1  # a non-leaf, so the assignment is recorded
    result[key] = value
    return result


# ---------------------------------------------------------------- the table
CASES = [
    OpCase("reshape", lambda lib, x, shape: lib.reshape(x, shape), lambda a, shape: a.reshape(shape),
        one_input(small_shapes(), reshape_targets)),
    OpCase("reshape_non_contiguous", lambda lib, x, shape: x.transpose(0, -1).reshape(shape),
        lambda a, shape: swapped(a).reshape(shape), one_input(small_shapes(), reshape_targets)),
    OpCase("view", lambda lib, x, shape: x.view(shape), lambda a, shape: a.reshape(shape),
        one_input(small_shapes(), reshape_targets)),
    OpCase("flatten", lambda lib, x, **o: lib.flatten(x, **o), flatten_reference,
        one_input(small_shapes(max_dims=4), flatten_dims)),
    OpCase("flatten_non_contiguous", lambda lib, x, **o: x.transpose(0, -1).flatten(**o),
        lambda a, **o: flatten_reference(swapped(a), **o), one_input(small_shapes(max_dims=4), flatten_dims)),
    OpCase("unflatten", lambda lib, x, dim, sizes: x.unflatten(dim, sizes), unflatten_reference,
        one_input(small_shapes(min_dims=1), unflatten_options)),
    OpCase("squeeze", lambda lib, x, **o: lib.squeeze(x, **o), squeeze_reference,
        one_input(small_shapes(max_side=2), squeeze_options)),
    OpCase("unsqueeze", lambda lib, x, dim: lib.unsqueeze(x, dim), lambda a, dim: numpy.expand_dims(a, dim),
        one_input(small_shapes(), lambda shape: st.integers(-len(shape) - 1, len(shape)).map(
            lambda dim: {"dim": dim}))),
    OpCase("permute", lambda lib, x, dims: lib.permute(x, dims), lambda a, dims: numpy.transpose(a, dims),
        one_input(small_shapes(max_dims=4), permutations)),
    OpCase("permute_method", lambda lib, x, dims: x.permute(*dims), lambda a, dims: numpy.transpose(a, dims),
        one_input(small_shapes(min_dims=1), permutations)),
    OpCase("transpose", lambda lib, x, dim0, dim1: lib.transpose(x, dim0, dim1), transpose_reference,
        one_input(small_shapes(), two_dims)),
    OpCase("t", lambda lib, x: lib.t(x), lambda a: a.T, one_input(small_shapes(max_dims=2), no_options)),
    OpCase("t_method", lambda lib, x: x.t(), lambda a: a.T, one_input(small_shapes(max_dims=2), no_options)),
    OpCase("expand", lambda lib, x, sizes: x.expand(*sizes) if sizes else x.expand(()), expand_reference,
        one_input(small_shapes(max_side=2), expand_sizes)),
    OpCase("expand_non_contiguous", lambda lib, x, sizes: x.transpose(0, -1).expand(sizes),
        lambda a, sizes: expand_reference(swapped(a), sizes),
        one_input(small_shapes(max_side=2), lambda shape: expand_sizes(swapped(numpy.empty(shape)).shape))),
    OpCase("broadcast_to", lambda lib, x, sizes: lib.broadcast_to(x, sizes), expand_reference,
        one_input(small_shapes(max_side=2), lambda shape: expand_sizes(shape).filter(
            lambda o: -1 not in o["sizes"]))),
    OpCase("repeat", lambda lib, x, sizes: x.repeat(*sizes) if sizes else x.repeat(()),
        lambda a, sizes: numpy.tile(a, sizes), one_input(small_shapes(), repeat_sizes)),
    OpCase("flip", lambda lib, x, dims: lib.flip(x, dims),
        lambda a, dims: numpy.flip(a, tuple(wrap(d, a.ndim) for d in dims)) if a.ndim else a,
        one_input(small_shapes(), flip_dims)),
    OpCase("cat", lambda lib, *xs, dim: lib.cat(xs, dim), lambda *a, dim: numpy.concatenate(a, axis=dim),
        joinable()),
    OpCase("cat_mixed_dtypes", lambda lib, *xs, dim: lib.cat(list(xs), dim=dim),
        lambda *a, dim: numpy.concatenate(a, axis=dim), joinable(int_input=True)),
    OpCase("concat", lambda lib, *xs, dim: lib.concat(xs, dim=dim),
        lambda *a, dim: numpy.concatenate(a, axis=dim), joinable()),
    OpCase("concatenate", lambda lib, *xs, dim: lib.concatenate(xs, dim),
        lambda *a, dim: numpy.concatenate(a, axis=dim), joinable()),
    OpCase("stack", lambda lib, *xs, dim: lib.stack(xs, dim), lambda *a, dim: numpy.stack(a, axis=dim),
        stackable()),
    OpCase("split_size", lambda lib, x, split, dim: lib.split(x, split, dim),
        lambda a, split, dim: split_reference(a, split, wrap(dim, a.ndim)),
        one_input(small_shapes(min_dims=1, max_side=4), lambda shape: split_options(shape, False))),
    OpCase("split_sections", lambda lib, x, split, dim: x.split(split, dim),
        lambda a, split, dim: split_reference(a, split, wrap(dim, a.ndim)),
        one_input(small_shapes(min_dims=1, max_side=4), lambda shape: split_options(shape, True))),
    OpCase("chunk", lambda lib, x, chunks, dim: lib.chunk(x, chunks, dim), chunk_reference,
        one_input(small_shapes(min_dims=1, max_side=4), lambda shape: st.fixed_dictionaries({
            "chunks": st.integers(1, 6), "dim": st.integers(-len(shape), len(shape) - 1)}))),
    OpCase("unbind", lambda lib, x, dim: lib.unbind(x, dim),
        lambda a, dim: [numpy.take(a, i, axis=dim) for i in range(a.shape[dim])],
        # min_side=1: unbinding a size-0 dim gives no outputs, which gradcheck refuses.
        one_input(small_shapes(min_dims=1, min_side=1), lambda shape: st.integers(
            -len(shape), len(shape) - 1).map(lambda dim: {"dim": dim}))),
    OpCase("narrow", lambda lib, x, **o: lib.narrow(x, **o),
        lambda a, dim, start, length: narrow_reference(a, wrap(dim, a.ndim), start, length),
        one_input(small_shapes(min_dims=1), narrow_options)),
    OpCase("index_select", lambda lib, x, index, dim: lib.index_select(x, dim, index),
        lambda a, index, dim: numpy.take(a, index, axis=dim), index_select_samples()),
    OpCase("gather", lambda lib, x, index, dim: lib.gather(x, dim, index), gather_reference,
        gather_samples()),
    OpCase("masked_fill", lambda lib, x, mask, value: lib.masked_fill(x, mask, value),
        lambda a, mask, value: numpy.where(mask, value, a), masked_fill_samples()),
    OpCase("masked_fill_tensor_value", lambda lib, x, mask, value: x.masked_fill(mask, value),
        lambda a, mask, value: numpy.where(mask, value, a), masked_fill_samples(tensor_value=True)),
    OpCase("pad_constant", pad_call, constant_pad_reference, constant_pad_samples(), torch_call=torch_pad),
    OpCase("pad_reflect", pad_call, copying_pad_reference, copying_pad_samples("reflect"),
        torch_call=torch_pad),
    OpCase("pad_replicate", pad_call, copying_pad_reference, copying_pad_samples("replicate"),
        torch_call=torch_pad),
    OpCase("pad_circular", pad_call, copying_pad_reference, copying_pad_samples("circular"),
        torch_call=torch_pad),
    OpCase("getitem_basic", lambda lib, x, key: x[key], lambda a, key: a[key], index_samples(basic_keys)),
    OpCase("getitem_basic_non_contiguous", lambda lib, x, key: x.transpose(0, -1)[key],
        lambda a, key: swapped(a)[key], index_samples(basic_keys, transposed=True)),
    OpCase("getitem_advanced", lambda lib, x, key: x[key], getitem_reference, index_samples(advanced_keys)),
    OpCase("getitem_advanced_non_contiguous", lambda lib, x, key: x.transpose(0, -1)[key],
        lambda a, key: getitem_reference(swapped(a), key), index_samples(advanced_keys, transposed=True)),
    OpCase("setitem", assign, setitem_reference, setitem_samples()),
    OpCase("setitem_number", lambda lib, x, key, value: assign(lib, x, value, key),
        lambda a, key, value: setitem_reference(a, value, key), setitem_samples(number=True)),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


# ---------------------------------------------------------------- indexing and assignment
try:
    import torch
except ImportError:  # the table above still runs; these tests compare with PyTorch
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch, which is not installed")


def both(data, requires_grad=True):
    """The same float64 values as an edunet and a torch tensor."""
    array = numpy.asarray(data, dtype=numpy.float64)
    return (edunet.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def assert_same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)


@needs_torch
def test_repeated_indices_accumulate_gradients_like_torch():
    ours, theirs = both(numpy.arange(12.0).reshape(3, 4))
    weight = numpy.arange(20.0).reshape(5, 4)
    for index in ([0, 2, 0, 0, -1], numpy.array([1, 1, 1, 2, 2])):
        (ours[index] * edunet.tensor(weight)).sum().backward()
        (theirs[torch.as_tensor(numpy.asarray(index))] * torch.tensor(weight)).sum().backward()
    assert_same(ours.grad, theirs.grad)


@needs_torch
def test_repeated_indices_accumulate_in_gather_and_index_select():
    for lib in (edunet, torch):
        x = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        x.index_select(0, lib.tensor([2, 2, 0])).sum().backward()
        x.gather(0, lib.tensor([1, 1, 1, 2])).sum().backward()
        assert x.grad.tolist() == [1.0, 3.0, 3.0]


@needs_torch
def test_bool_mask_indexing_matches_torch():
    ours, theirs = both(numpy.linspace(-1, 1, 24).reshape(2, 3, 4))
    for key in [lambda t: t > 0, lambda t: t.sum(-1) > 0, lambda t: (slice(None), t[0, :, 0] > -0.5)]:
        got, expected = ours[key(ours)], theirs[key(theirs)]
        assert got.grad_fn.name() == expected.grad_fn.name() == "IndexBackward0"
        assert_same(got, expected)
        weight = numpy.random.default_rng(1).standard_normal(tuple(got.shape))
        (got * edunet.tensor(weight)).sum().backward()
        (expected * torch.tensor(weight)).sum().backward()
    assert_same(ours.grad, theirs.grad)


@needs_torch
def test_ints_apply_before_index_tensors_as_in_torch():
    array = numpy.arange(360.0).reshape(5, 3, 4, 6)
    keys = [(0, slice(None), [0, 1]), (slice(None), 0, slice(None), [0, 1]), (None, 0, [0, 1]),
            (0, slice(1, None), 2, [[1], [0]]), ([0, 1], slice(None), [1, 2]), (1, [True, False, True]),
            (slice(None), 1, slice(None), numpy.array([True, False] * 3)), (Ellipsis, 0, [2, 2])]
    for key in keys:
        ours, theirs = both(array)
        their_key = tuple(torch.tensor(e) if isinstance(e, (list, numpy.ndarray)) else e for e in key)
        got, expected = ours[key], theirs[their_key]
        assert_same(got, expected)
        got.sum().backward()
        expected.sum().backward()
        assert_same(ours.grad, theirs.grad)
        our_result, their_result = ours * 1, theirs * 1
        our_result[key] = 7.0
        their_result[their_key] = 7.0
        assert_same(our_result, their_result)


@needs_torch
def test_recorded_assignment_matches_torch():
    for key, value_shape in [((0,), (4,)), ((slice(None), [0, 2]), (3, 1)), ((0, [1, 3]), (2,)),
                             ((edunet.tensor([2, 0]),), (1, 4)), ((slice(1, None), 1), ())]:
        ours, theirs = both(numpy.arange(12.0).reshape(3, 4))
        our_value, their_value = both(numpy.arange(1.0, 1.0 + math.prod(value_shape)).reshape(value_shape))
        their_key = tuple(torch.tensor(e.tolist()) if isinstance(e, edunet.Tensor) else e for e in key)
        our_result, their_result = ours * 2, theirs * 2
        our_result[key] = our_value
        their_result[their_key] = their_value
        assert our_result.grad_fn.name() == their_result.grad_fn.name().split("::")[-1]
        assert_same(our_result, their_result)
        weight = numpy.arange(12.0).reshape(3, 4)
        (our_result * edunet.tensor(weight)).sum().backward()
        (their_result * torch.tensor(weight)).sum().backward()
        assert_same(ours.grad, theirs.grad)
        assert_same(our_value.grad, their_value.grad)


def test_recorded_assignment_of_a_number_and_into_a_leaf_value():
    x = edunet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[y > 1.5] = 0.0
    y.sum().backward()
    assert y.tolist() == [1.0, 0.0, 0.0] and x.grad.tolist() == [1.0, 0.0, 0.0]
    buffer = edunet.zeros(2, 3)
    value = edunet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    buffer[1] = value  # buffer doesn't require grad, value does: recorded
    buffer.sum().backward()
    assert buffer.requires_grad and value.grad.tolist() == [1.0, 1.0, 1.0]


def test_unrecorded_assignment_writes_in_place():
    x = edunet.zeros(3, 4)
    row = x[1]  # a view
    x[edunet.tensor([0, 2]), 1:3] = 5.0
    x[1] = edunet.tensor([1.0, 2.0, 3.0, 4.0])
    x[x > 4] = -1.0
    expected = numpy.zeros((3, 4))
    expected[[0, 2], 1:3] = -1.0
    expected[1] = [1.0, 2.0, 3.0, 4.0]
    numpy.testing.assert_array_equal(x.numpy(), expected)
    assert row.tolist() == [1.0, 2.0, 3.0, 4.0] and x.grad_fn is None
    ints = edunet.zeros(3, dtype=edunet.int64)
    ints[0] = 2.7  # truncated, as in PyTorch
    assert ints.tolist() == [2, 0, 0]
    with edunet.no_grad():
        parameter = edunet.zeros(2, requires_grad=True)
        parameter[0] = 1.0
    assert parameter.tolist() == [1.0, 0.0] and parameter.grad_fn is None


MASK = [True, False, True, False, False]


@needs_torch
def test_array_index_gives_plain_arrays():
    array = numpy.zeros((3, 4, 5))
    index = indexing.array_index((edunet.tensor([0, 1]), Ellipsis, edunet.tensor(2), MASK), array)
    assert all(isinstance(e, (int, slice, numpy.ndarray)) for e in index)
    assert array[index].shape == torch.zeros(3, 4, 5)[torch.tensor([0, 1]), ..., 2, MASK].shape
    assert indexing.array_index(edunet.tensor(1), array) == (1, slice(None), slice(None))


# ---------------------------------------------------------------- views and copies
def test_views_share_memory_and_copies_do_not():
    x = edunet.arange(12.0).reshape(3, 4)
    for view in (x.view(4, 3), x.reshape(2, 6), x.t(), x[1], x[:, ::2], x[None], x.permute(1, 0),
                 x.unsqueeze(0), x.narrow(1, 1, 2), x.split(2)[0], x.unbind()[2], x.expand(2, 3, 4)):
        assert numpy.shares_memory(view.numpy(), x.numpy())
    for copy in (x.flip(0), x.repeat(1, 1), edunet.cat([x]), edunet.stack([x]), x[[0, 1]], x[x > 2],
                 padding.pad(x, (1, 1)), x.t().reshape(12)):
        assert not numpy.shares_memory(copy.numpy(), x.numpy())
    row = x[1]
    row[0] = 100.0
    assert x[1, 0].item() == 100.0


@needs_torch
def test_view_of_a_transposed_tensor_needs_reshape_like_torch():
    for lib in (edunet, torch):
        transposed = lib.arange(6.0).reshape(2, 3).t()
        with pytest.raises(RuntimeError, match=r"view size is not compatible.*Use \.reshape"):
            transposed.view(6)
        assert transposed.view(3, 2, 1).shape == (3, 2, 1)
        assert transposed.reshape(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        assert not transposed.is_contiguous() and transposed.contiguous().view(6).shape == (6,)


@needs_torch
def test_viewability_rule_matches_torch_on_sliced_and_permuted_tensors():
    base_ours, base_theirs = edunet.arange(120.0).reshape(2, 3, 4, 5), torch.arange(120.0).reshape(2, 3, 4, 5)
    makers = [lambda x: x.permute(0, 2, 1, 3), lambda x: x[:, 1:], lambda x: x[:, :, ::2],
              lambda x: x.transpose(1, 2)[:, :, :1], lambda x: x[:, None].expand(2, 2, 3, 4, 5)]
    for make in makers:
        ours, theirs = make(base_ours), make(base_theirs)
        numel = theirs.numel()
        for shape in [(numel,), (ours.shape[0], -1), (-1, ours.shape[-1]), tuple(ours.shape) + (1,),
                      (ours.shape[0] * ours.shape[1], -1)]:
            try:
                expected = theirs.view(shape)
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    ours.view(shape)
                continue
            assert_same(ours.view(shape), expected)


# ---------------------------------------------------------------- sizes and names like torch
@needs_torch
def test_chunk_and_split_sizes_match_torch():
    for size in range(0, 13):
        for chunks in range(1, 8):
            ours = [p.shape[0] for p in edunet.zeros(size, 2).chunk(chunks)]
            assert ours == [p.shape[0] for p in torch.zeros(size, 2).chunk(chunks)], (size, chunks)
        for piece in range(1 if size else 0, 6):
            ours = [p.shape[1] for p in edunet.zeros(2, size).split(piece, 1)]
            assert ours == [p.shape[1] for p in torch.zeros(2, size).split(piece, 1)], (size, piece)


@needs_torch
def test_grad_fn_names_match_torch():
    calls = [
        lambda lib, x: x.reshape(12), lambda lib, x: x.view(4, 3), lambda lib, x: x.t().reshape(12),
        lambda lib, x: x.flatten(), lambda lib, x: x.unflatten(1, (2, 2)), lambda lib, x: x.squeeze(),
        lambda lib, x: x[None].squeeze(0), lambda lib, x: x[None].squeeze((0,)),
        lambda lib, x: x.unsqueeze(1), lambda lib, x: x.permute(1, 0), lambda lib, x: x.transpose(0, 1),
        lambda lib, x: x.t(), lambda lib, x: x.expand(2, 3, 4), lambda lib, x: x.repeat(2, 1),
        lambda lib, x: x.flip(0), lambda lib, x: lib.cat([x, x]), lambda lib, x: lib.stack([x, x]),
        lambda lib, x: x.split(2)[1], lambda lib, x: x.split([1, 2])[0], lambda lib, x: x.chunk(2)[0],
        lambda lib, x: x.unbind()[0], lambda lib, x: x.narrow(0, 1, 1),
        lambda lib, x: x.index_select(0, lib.tensor([0, 0])), lambda lib, x: x.gather(1, lib.tensor([[0]])),
        lambda lib, x: x.masked_fill(x > 0, 0.0), lambda lib, x: x.masked_fill(x > 0, lib.tensor(1.0)),
        lambda lib, x: x[0], lambda lib, x: x[1:], lambda lib, x: x[:], lambda lib, x: x[:, 1:],
        lambda lib, x: x[:, :], lambda lib, x: x[None], lambda lib, x: x[1, None], lambda lib, x: x[None, 1],
        lambda lib, x: x[...], lambda lib, x: x[[0, 0]], lambda lib, x: x[x > 0],
    ]
    ours, theirs = both(numpy.arange(12.0).reshape(3, 4) - 5)
    for call in calls:
        assert call(edunet, ours).grad_fn.name() == call(torch, theirs).grad_fn.name()
    our_pad = padding.pad(ours[None], (1, 1), mode="reflect").grad_fn.name()
    assert our_pad == torch.nn.functional.pad(theirs[None], (1, 1), mode="reflect").grad_fn.name()
    assert padding.pad(ours, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"


# ---------------------------------------------------------------- errors
def test_reshape_error_names_both_shapes_and_counts():
    with pytest.raises(RuntimeError) as error:
        edunet.zeros(2, 3).reshape(2, 5)
    message = str(error.value)
    assert message.startswith("shape '[2, 5]' is invalid for input of size 6")
    assert "(2, 3)" in message and "10" in message


def test_cat_error_names_the_shapes():
    with pytest.raises(RuntimeError) as error:
        edunet.cat([edunet.zeros(2, 3), edunet.zeros(2, 4)])
    message = str(error.value)
    assert "Expected size 3 but got size 4 for tensor number 1" in message
    assert "(2, 3)" in message and "(2, 4)" in message


@needs_torch
def test_cat_promotes_dtypes_and_skips_legacy_empty_tensors_like_torch():
    for lib in (edunet, torch):
        joined = lib.cat([lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.float16)])
        assert str(joined.dtype).endswith("float16")
        mixed = lib.cat([lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.int32)])
        assert str(mixed.dtype).endswith("int32")
        assert lib.cat([lib.tensor([]), lib.ones(2, 3)]).shape == (2, 3)
        x = lib.ones(2, 3, requires_grad=True)
        lib.cat([x, lib.tensor([])], 1).sum().backward()
        assert x.grad.tolist() == [[1.0] * 3] * 2


ERROR_CASES = {
    "reshape wrong size": lambda lib, x: x.reshape(2, 5),
    "reshape two -1": lambda lib, x: x.reshape(-1, -1),
    "reshape -2": lambda lib, x: x.reshape(-2, 3),
    "reshape empty ambiguous": lambda lib, x: x[:0].reshape(-1, 0),
    "view wrong size": lambda lib, x: x.view(5),
    "view non-contiguous": lambda lib, x: x.t().view(6),
    "flatten start after end": lambda lib, x: x.flatten(1, 0),
    "flatten dim out of range": lambda lib, x: x.flatten(0, 2),
    "unflatten wrong sizes": lambda lib, x: x.unflatten(1, (2, 2)),
    "unflatten no sizes": lambda lib, x: x.unflatten(1, ()),
    "squeeze dim out of range": lambda lib, x: x.squeeze(2),
    "squeeze repeated dim": lambda lib, x: x[None].squeeze((0, 0)),
    "unsqueeze dim out of range": lambda lib, x: x.unsqueeze(3),
    "permute repeated dim": lambda lib, x: x.permute(0, 0),
    "permute too few dims": lambda lib, x: x.permute(0),
    "permute dim out of range": lambda lib, x: x.permute(2, 0),
    "transpose dim out of range": lambda lib, x: x.transpose(0, 2),
    "t of 3-D": lambda lib, x: x[None].t(),
    "expand non-singleton": lambda lib, x: x.expand(2, 4),
    "expand too few sizes": lambda lib, x: x.expand(3),
    "expand -1 in new dim": lambda lib, x: x.expand(-1, 2, 3),
    "broadcast_to misfit": lambda lib, x: lib.broadcast_to(x, (4, 2, 4)),
    "repeat too few": lambda lib, x: x.repeat(2),
    "repeat negative": lambda lib, x: x.repeat(-1, 1),
    "flip repeated dim": lambda lib, x: x.flip(0, 0),
    "flip dim out of range": lambda lib, x: x.flip(2),
    "cat lone tensor": lambda lib, x: lib.cat(x),
    "cat empty list": lambda lib, x: lib.cat([]),
    "cat 0-d": lambda lib, x: lib.cat([x[0, 0], x[0, 0]]),
    "cat ndim": lambda lib, x: lib.cat([x, x[0]]),
    "cat sizes": lambda lib, x: lib.cat([x, x[:, :2]]),
    "cat dim out of range": lambda lib, x: lib.cat([x, x], 2),
    "stack empty": lambda lib, x: lib.stack([]),
    "stack sizes": lambda lib, x: lib.stack([x, x[:, :2]]),
    "stack dim out of range": lambda lib, x: lib.stack([x, x], 3),
    "split 0": lambda lib, x: x.split(0, 1),
    "split negative": lambda lib, x: x.split(-1),
    "split sizes don't add up": lambda lib, x: x.split([1, 1], 1),
    "split float": lambda lib, x: x.split(1.5),
    "split 0-d": lambda lib, x: x[0, 0].split(1),
    "chunk 0": lambda lib, x: x.chunk(0),
    "chunk 0-d": lambda lib, x: x[0, 0].chunk(1),
    "unbind 0-d": lambda lib, x: x[0, 0].unbind(),
    "narrow past the end": lambda lib, x: x.narrow(1, 2, 2),
    "narrow start out of range": lambda lib, x: x.narrow(1, 4, 0),
    "narrow negative length": lambda lib, x: x.narrow(1, 0, -1),
    "narrow 0-d": lambda lib, x: x[0, 0].narrow(0, 0, 1),
    "index_select float index": lambda lib, x: x.index_select(1, lib.tensor([0.0])),
    "index_select 2-D index": lambda lib, x: x.index_select(1, lib.tensor([[0]])),
    "index_select out of range": lambda lib, x: x.index_select(1, lib.tensor([3])),
    "index_select negative": lambda lib, x: x.index_select(1, lib.tensor([-1])),
    "gather ndim": lambda lib, x: x.gather(1, lib.tensor([0, 1])),
    "gather index too big": lambda lib, x: x.gather(1, lib.tensor([[0], [1], [2]])),
    "gather out of range": lambda lib, x: x.gather(1, lib.tensor([[0], [3]])),
    "gather float index": lambda lib, x: x.gather(1, lib.zeros(2, 1)),
    "gather dim out of range": lambda lib, x: x.gather(2, lib.zeros(2, 1, dtype=lib.int64)),
    "masked_fill int mask": lambda lib, x: x.masked_fill(lib.tensor([1, 0, 1]), 0.0),
    "masked_fill 1-D value": lambda lib, x: x.masked_fill(x > 0, lib.tensor([1.0])),
    "masked_fill misfit mask": lambda lib, x: x.masked_fill(lib.tensor([True, False]), 0.0),
    "index out of range": lambda lib, x: x[5],
    "negative index out of range": lambda lib, x: x[-3],
    "second index out of range": lambda lib, x: x[0, 7],
    "too many indices": lambda lib, x: x[0, 0, 0],
    "index of 0-d": lambda lib, x: x[0, 0][0],
    "float index": lambda lib, x: x[1.0],
    "float tensor index": lambda lib, x: x[lib.tensor([1.0])],
    "negative step": lambda lib, x: x[::-1],
    "zero step": lambda lib, x: x[::0],
    "index tensor out of range": lambda lib, x: x[lib.tensor([5])],
    "index list out of range": lambda lib, x: x[[0, -3]],
    "mask misfit": lambda lib, x: x[lib.tensor([True, False, True])],
    "assignment misfit": lambda lib, x: x.clone().__setitem__(0, lib.ones(2)),
    "assignment extra dims": lambda lib, x: x.clone().__setitem__(0, lib.ones(2, 3)),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
@needs_torch
def test_errors_have_torch_types(name):
    call = ERROR_CASES[name]
    with pytest.raises(Exception) as expected:
        call(torch, torch.arange(6.0).reshape(2, 3).requires_grad_())
    with pytest.raises(Exception) as got:
        call(edunet, edunet.arange(6.0).reshape(2, 3).requires_grad_())
    assert got.type is expected.type, f"{name}: {got.type.__name__}: {got.value}"


PAD_ERROR_CASES = {
    "odd length": lambda F, x: F.pad(x, (1,)),
    "too long": lambda F, x: F.pad(x, (1,) * 8),
    "unknown mode": lambda F, x: F.pad(x, (1, 1), mode="mirror"),
    "reflect too wide": lambda F, x: F.pad(x, (3, 3), mode="reflect"),
    "reflect with value": lambda F, x: F.pad(x, (1, 1), mode="reflect", value=1.0),
    "circular wraps twice": lambda F, x: F.pad(x, (4, 4), mode="circular"),
    "replicate 1-D": lambda F, x: F.pad(x[0, 0], (1, 1), mode="replicate"),
    "replicate on 5 pads dims": lambda F, x: F.pad(x, (1,) * 6, mode="replicate"),
    "crop too much": lambda F, x: F.pad(x, (-2, -2)),
}


@pytest.mark.parametrize("name", list(PAD_ERROR_CASES))
@needs_torch
def test_pad_errors_have_torch_types(name):
    call = PAD_ERROR_CASES[name]
    with pytest.raises(Exception) as expected:
        call(torch.nn.functional, torch.zeros(1, 2, 3))
    with pytest.raises(Exception) as got:
        call(padding, edunet.zeros(1, 2, 3))
    assert got.type is expected.type, f"{name}: {got.type.__name__}: {got.value}"


@needs_torch
@settings(max_examples=30)
@given(shape=small_shapes(max_dims=4), data=st.data())
def test_index_errors_match_torch_for_any_int(shape, data):
    key = tuple(data.draw(st.integers(-size - 2, size + 1)) for size in shape[:data.draw(
        st.integers(0, len(shape)))])
    outcomes = []
    for lib in (torch, edunet):
        try:
            outcomes.append(tuple(lib.zeros(shape)[key].shape))
        except Exception as error:  # noqa: BLE001 -- the type is what is compared
            outcomes.append(type(error))
    assert outcomes[0] == outcomes[1]
