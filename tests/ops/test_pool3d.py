"""max_pool3d and avg_pool3d in the op table (NumPy, finite differences, PyTorch)."""

import itertools
import math

import numpy
import pytest
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, table_tests, values

import edunet
from edunet.nn import functional as F


def _triple(value):
    return (value,) * 3 if isinstance(value, int) else tuple(value)


def _grid(sizes, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's output size rule, written out from its documentation."""
    grid = []
    for size, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        span = (size + 2 * p - d * (k - 1) - 1) / s
        count = (math.ceil(span) if ceil_mode else math.floor(span)) + 1
        if ceil_mode and (count - 1) * s >= size + p:
            count -= 1
        grid.append(count)
    return grid


def numpy_pool3d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 count_include_pad=True, kind="max"):
    """Each window visited one output at a time, with explicit bounds (float64)."""
    kernel = _triple(kernel_size)
    stride = kernel if stride is None else _triple(stride)
    padding, dilation = _triple(padding), _triple(dilation)
    sizes = x.shape[-3:]
    grid = _grid(sizes, kernel, stride, padding, dilation, ceil_mode)
    y = numpy.zeros((*x.shape[:-3], *grid))
    for position in itertools.product(*map(range, grid)):
        starts = [o * s - p for o, s, p in zip(position, stride, padding)]
        if kind == "max":
            best = numpy.full(x.shape[:-3], -numpy.inf)
            for offset in itertools.product(*map(range, kernel)):
                index = [start + i * d for start, i, d in zip(starts, offset, dilation)]
                if all(0 <= i < size for i, size in zip(index, sizes)):
                    best = numpy.maximum(best, x[(..., *index)])
            y[(..., *position)] = best
        else:
            ends = [min(start + k, size + p) for start, k, size, p in
                    zip(starts, kernel, sizes, padding)]
            inside = [(max(start, 0), min(end, size)) for start, end, size in
                      zip(starts, ends, sizes)]
            total = x[(..., *(slice(a, b) for a, b in inside))].sum(axis=(-3, -2, -1))
            divisor = math.prod((e - s) for s, e in (zip(starts, ends) if count_include_pad
                                                      else inside))
            y[(..., *position)] = total / divisor
    return y


@st.composite
def pool_samples(draw, kind):
    kernel = draw(st.tuples(*[st.integers(1, 3)] * 3))
    stride = draw(st.one_of(st.none(), st.integers(1, 2), st.tuples(*[st.integers(1, 3)] * 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (1, 1, 1) if kind == "avg" else draw(st.tuples(*[st.integers(1, 2)] * 3))
    # at least one dilated window of real values (a window of padding alone is -inf)
    smallest = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    sizes = tuple(draw(st.integers(low, max(low, 5))) for low in smallest)
    leading = draw(st.sampled_from([(1, 2), (2, 1), (3,)]))
    options = dict(kernel_size=kernel, stride=stride, padding=padding,
                   ceil_mode=draw(st.booleans()))
    if kind == "max":
        options["dilation"] = dilation
    else:
        options["count_include_pad"] = draw(st.booleans())
    return Sample([draw(values((*leading, *sizes)))], options)


CASES = [
    OpCase("max_pool3d", lambda lib, x, **o: lib.nn.functional.max_pool3d(x, **o),
           lambda x, **o: numpy_pool3d(x, kind="max", **o), pool_samples("max")),
    OpCase("avg_pool3d", lambda lib, x, **o: lib.nn.functional.avg_pool3d(x, **o),
           lambda x, **o: numpy_pool3d(x, kind="avg", **o), pool_samples("avg")),
    OpCase("MaxPool3d", lambda lib, x, **o: lib.nn.MaxPool3d(**o)(x),
           lambda x, **o: numpy_pool3d(x, kind="max", **o), pool_samples("max")),
    OpCase("AvgPool3d", lambda lib, x, **o: lib.nn.AvgPool3d(**o)(x),
           lambda x, **o: numpy_pool3d(x, kind="avg", **o), pool_samples("avg")),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


def test_indices_and_integer_tensors_match_torch():
    torch = pytest.importorskip("torch")
    x = numpy.random.default_rng(3).permutation(2 * 5 * 4 * 6).reshape(1, 2, 5, 4, 6)
    ours, our_indices = F.max_pool3d(edunet.tensor(x), (2, 3, 2), stride=(2, 1, 2), padding=1,
                                     ceil_mode=True, return_indices=True)
    theirs, their_indices = torch.nn.functional.max_pool3d(
        torch.tensor(x), (2, 3, 2), stride=(2, 1, 2), padding=1, ceil_mode=True,
        return_indices=True)
    assert ours.tolist() == theirs.tolist() and ours.dtype == edunet.int64
    assert our_indices.tolist() == their_indices.tolist() and our_indices.dtype == edunet.int64
    averaged = F.avg_pool3d(edunet.tensor(x - 100), 2, 1, 1, count_include_pad=False)
    assert averaged.tolist() == torch.nn.functional.avg_pool3d(
        torch.tensor(x - 100), 2, 1, 1, count_include_pad=False).tolist()


def test_divisor_override_matches_torch():
    torch = pytest.importorskip("torch")
    x = numpy.random.default_rng(4).standard_normal((2, 3, 4, 5, 4)).astype(numpy.float32)
    ours = F.avg_pool3d(edunet.tensor(x), 3, 2, 1, ceil_mode=True, divisor_override=5)
    theirs = torch.nn.functional.avg_pool3d(torch.tensor(x), 3, 2, 1, ceil_mode=True,
                                            divisor_override=5)
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2, padding=2),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, 5),
    lambda lib, x: lib.nn.functional.max_pool3d(x[0, 0], 2),
])
def test_bad_arguments_raise_runtime_error_as_in_torch(call):
    torch = pytest.importorskip("torch")
    x = numpy.ones((1, 2, 4, 4, 4), dtype=numpy.float32)
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor(x))
    with pytest.raises(RuntimeError):
        call(edunet, edunet.tensor(x))


def test_int32_average_is_not_implemented_as_in_torch():
    with pytest.raises(NotImplementedError, match="avg_pool3d"):
        F.avg_pool3d(edunet.ones(1, 1, 2, 2, 2, dtype=edunet.int32), 2)
