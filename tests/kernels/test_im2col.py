"""The two-stage im2col and col2im (edunet/kernels/im2col.py) give the reference's
numbers (edunet/ops/im2col.py) for every geometry, and are used where they are faster."""

from unittest import mock

import numpy
from hypothesis import given
from hypothesis import strategies as st

from edunet.kernels import im2col as fast
from edunet.ops import im2col as reference
from tests.ops.test_im2col import kernel_geometries, random_arrays


@given(kernel_geometries(), st.integers(0, 2**31))
def test_fast_im2col_equals_the_reference(geometry, seed):
    shape, options = geometry
    (x,) = random_arrays(seed, shape, dtype=numpy.float64)
    expected = reference.im2col(x, **options)
    for limit in (0, 2**62):     # never two stages, two stages whenever stride is 1
        with mock.patch.object(fast, "TWO_STAGES_MAX_BYTES", limit):
            numpy.testing.assert_array_equal(fast.im2col(x, **options), expected)


@given(kernel_geometries(), st.integers(0, 2**31))
def test_fast_col2im_equals_the_reference(geometry, seed):
    """Two stages sum in another order: equal up to rounding."""
    shape, options = geometry
    (x,) = random_arrays(seed, shape, dtype=numpy.float64)
    (columns,) = random_arrays(seed + 1, reference.im2col(x, **options).shape,
                               dtype=numpy.float64)
    numpy.testing.assert_allclose(fast.col2im(columns, shape, **options),
                                  reference.col2im(columns, shape, **options),
                                  rtol=1e-12, atol=1e-12)


def test_small_stride_one_matrices_are_copied_in_two_stages():
    """LeNet's layers (5 and 4 MB) take two stages; the course CNN's first (15 MB) and a
    strided convolution take the reference's one stage."""
    calls = []
    with mock.patch.object(fast, "_copy_in_two_stages",
                           side_effect=lambda *args: calls.append(args[1].shape)):
        for shape, stride in [((64, 1, 28, 28), 1), ((64, 6, 14, 14), 1), ((64, 3, 32, 32), 1),
                              ((64, 1, 28, 28), 2)]:
            fast.im2col(numpy.zeros(shape, numpy.float32), (5, 5), (stride, stride),
                        ((2, 2), (2, 2)))
    assert calls == [(1, 5, 5, 64, 28, 28), (6, 5, 5, 64, 14, 14)]
