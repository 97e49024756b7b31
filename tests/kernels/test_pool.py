"""The fast pooling (edunet/kernels/pool.py, compiled.py) gives the reference's numbers
(edunet/ops/pool.py): values, indices and gradients, with ties and NaNs."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
import edunet.nn.functional as F
from edunet import kernels
from edunet.kernels import compiled
from edunet.kernels import pool as fast_pool
from tests.ops.test_pool import as_numpy, tied_values

FAST_PATHS = ["numpy"] + (["compiled"] if compiled.available() else [])


def run(function, x, kernel, path, requires_grad=True, **options):
    """(output[, indices], input gradient) of ``function`` on ``path``."""
    previous = compiled.ENABLED
    compiled.ENABLED = path == "compiled"
    try:
        tensor = edunet.tensor(x, requires_grad=requires_grad)
        if path == "reference":
            with kernels.reference():
                result = function(tensor, kernel, **options)
        else:
            result = function(tensor, kernel, **options)
        outputs = result if isinstance(result, tuple) else (result,)
        arrays = [as_numpy(output) for output in outputs]
        if requires_grad:
            output = outputs[0]
            output.backward(edunet.tensor(numpy.arange(output.numel(), dtype=x.dtype)
                                          .reshape(output.shape)))
            arrays.append(as_numpy(tensor.grad))
        return arrays
    finally:
        compiled.ENABLED = previous


@pytest.mark.parametrize("path", FAST_PATHS)
@given(shape=st.sampled_from([(2, 3, 8, 8), (3, 7, 6), (1, 2, 9, 5), (64, 2, 4, 4)]),
       kernel=st.sampled_from([1, 2, 3]), dtype=st.sampled_from(["float32", "float64"]),
       seed=st.integers(0, 2**31))
def test_max_pool_fast_path_equals_the_reference(path, shape, kernel, dtype, seed):
    """MaxPool2d(k) tiles the input; ties go to the first maximum, a NaN window to its
    last NaN, on every path."""
    x = tied_values(seed, shape).astype(dtype)
    x[(0,) * (len(shape) - 2) + (0, 0)] = numpy.nan   # one NaN window, too
    expected = run(F.max_pool2d, x, kernel, "reference", return_indices=True)
    for ours, theirs in zip(run(F.max_pool2d, x, kernel, path, return_indices=True), expected):
        numpy.testing.assert_array_equal(ours, theirs)


@given(shape=st.sampled_from([(2, 3, 8, 8), (3, 7, 6), (1, 2, 9, 5)]),
       kernel=st.sampled_from([1, 2, 3]), integers=st.booleans(), seed=st.integers(0, 2**31))
def test_average_fast_path_equals_the_reference(shape, kernel, integers, seed):
    """AvgPool2d(k) tiles the input; integers stay on the reference (rounding toward zero)."""
    x = tied_values(seed, shape)
    if integers:
        x = x.astype(numpy.int64)
    expected = run(F.avg_pool2d, x, kernel, "reference", requires_grad=not integers)
    for ours, theirs in zip(run(F.avg_pool2d, x, kernel, "numpy", requires_grad=not integers),
                            expected):
        numpy.testing.assert_array_equal(ours, theirs)


def test_which_pools_take_the_fast_path():
    """Tiling windows only (stride == kernel, no padding, no dilation); never on the
    reference path."""
    tiling = dict(kernel_size=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)),
                  dilation=(1, 1), grid_size=(2, 2))
    x = numpy.zeros((1, 1, 4, 4), numpy.float32)
    assert fast_pool.max_pool2d(x, tiling) is not None
    for change in (dict(stride=(1, 1), grid_size=(3, 3)), dict(padding=((1, 1), (0, 0))),
                   dict(dilation=(2, 1), grid_size=(1, 2))):
        assert fast_pool.max_pool2d(x, dict(tiling, **change)) is None
    with kernels.reference():
        assert fast_pool.max_pool2d(x, tiling) is None
        assert fast_pool.avg_pool2d(x, tiling, 4) is None


@pytest.mark.skipif(not compiled.available(), reason="the compiled loops need numba")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_2x2_loop_agrees_with_the_general_loop_on_every_window_pattern(dtype):
    """Every 2x2 window over the values {0, 1, NaN} (81 patterns: ties, NaNs in every
    place), with an odd row and column past the last window: the branch-free 2x2 loop
    sends each gradient where the general loop does, which the test above ties to the
    reference."""
    import itertools
    values = numpy.array([0.0, 1.0, numpy.nan], dtype=dtype)
    patterns = numpy.array(list(itertools.product(values, repeat=4)), dtype=dtype)
    x = numpy.full((len(patterns), 3, 5), 7.0, dtype=dtype)
    x[:, :2, :2] = patterns.reshape(-1, 2, 2)
    x[:, :2, 2:4] = patterns[::-1].reshape(-1, 2, 2)
    windows = x[:, :2, :4].reshape(-1, 1, 2, 2, 2).transpose(0, 1, 3, 2, 4)
    output = numpy.where(numpy.isnan(windows).any(axis=(3, 4)), numpy.nan,
                         numpy.nanmax(numpy.nan_to_num(windows, nan=-1), axis=(3, 4)))
    grad_output = numpy.arange(1, output.size + 1, dtype=dtype).reshape(output.shape)
    loops = compiled._load()
    general, two_by_two = numpy.full_like(x, -5), numpy.full_like(x, -5)
    loops["max_pool_backward"](x, output, grad_output, general, 2, 2)
    loops["max_pool_backward_2x2"](x, output, grad_output, two_by_two, x.dtype.type(0))
    numpy.testing.assert_array_equal(two_by_two, general)
    # The compiled forward finds the same maxima (NaN where a window holds one).
    numpy.testing.assert_array_equal(compiled.max_pool2d_2x2(x, (1, 2)), output)
    assert (general[:, 2] == 0).all() and (general[:, :, 4] == 0).all()
    # each window's gradient lands exactly once
    assert (general[:, :2, :4] != 0).sum() == output.size
