"""im2col, col2im and crop2d, the reference (edunet/ops/im2col.py), against plain loops
over every output position; the fast two-stage versions are in tests/kernels/test_im2col.py.
"""

import numpy
from hypothesis import given
from hypothesis import strategies as st

from edunet.ops.im2col import col2im, crop2d, im2col, output_size


def random_arrays(seed, *shapes, dtype=numpy.float32):
    random = numpy.random.default_rng(seed)
    return [random.uniform(-1, 1, size=shape).astype(dtype) for shape in shapes]


# ---------------------------------------------------------------- the kernels
def naive_im2col(x, kernel_size, stride, padding, dilation):
    """columns[(c, i, j), (n, oh, ow)] with plain loops over every output position."""
    (kh, kw), (sh, sw), ((top, bottom), (left, right)), (dh, dw) = (kernel_size, stride,
                                                                    padding, dilation)
    padded = numpy.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    batch, channels = x.shape[:2]
    out_h = output_size(x.shape[2], kh, sh, (top, bottom), dh)
    out_w = output_size(x.shape[3], kw, sw, (left, right), dw)
    columns = numpy.zeros((channels, kh, kw, batch, out_h, out_w), x.dtype)
    for n in range(batch):
        for oh in range(out_h):
            for ow in range(out_w):
                for i in range(kh):
                    for j in range(kw):
                        columns[:, i, j, n, oh, ow] = padded[n, :, oh * sh + i * dh, ow * sw + j * dw]
    return columns.reshape(channels * kh * kw, -1)


@st.composite
def kernel_geometries(draw):
    """An input shape with kernel, stride, (before, after) padding and dilation that fit it."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    sizes = []
    for k, d, (before, after) in zip(kernel, dilation, padding):
        smallest = max(1, d * (k - 1) + 1 - before - after)
        sizes.append(draw(st.integers(smallest, smallest + 4)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *sizes)
    return shape, dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)


@given(kernel_geometries(), st.integers(0, 2**31))
def test_im2col_matches_loops_over_every_output_position(geometry, seed):
    shape, options = geometry
    (x,) = random_arrays(seed, shape, dtype=numpy.float64)
    numpy.testing.assert_array_equal(im2col(x, **options), naive_im2col(x, **options))


@given(kernel_geometries(), st.integers(0, 2**31))
def test_col2im_matches_loops_over_every_output_position(geometry, seed):
    """Every entry added back where im2col took it from."""
    shape, options = geometry
    (kh, kw), (sh, sw), ((top, bottom), (left, right)), (dh, dw) = (
        options[name] for name in ("kernel_size", "stride", "padding", "dilation"))
    out_h = output_size(shape[2], kh, sh, (top, bottom), dh)
    out_w = output_size(shape[3], kw, sw, (left, right), dw)
    (columns,) = random_arrays(seed, (shape[1] * kh * kw, shape[0] * out_h * out_w),
                               dtype=numpy.float64)
    entries = columns.reshape(shape[1], kh, kw, shape[0], out_h, out_w)
    padded = numpy.zeros((shape[0], shape[1], shape[2] + top + bottom, shape[3] + left + right))
    for n in range(shape[0]):
        for oh in range(out_h):
            for ow in range(out_w):
                for i in range(kh):
                    for j in range(kw):
                        padded[n, :, oh * sh + i * dh, ow * sw + j * dw] += entries[:, i, j, n, oh, ow]
    expected = padded[:, :, top:top + shape[2], left:left + shape[3]]
    numpy.testing.assert_allclose(col2im(columns, shape, **options), expected, rtol=1e-12,
                                  atol=1e-12)


@given(kernel_geometries(), st.integers(0, 2**31))
def test_col2im_is_the_adjoint_of_im2col(geometry, seed):
    """<im2col(x), c> == <x, col2im(c)> for every x and c: col2im is im2col's transpose."""
    shape, options = geometry
    (x,) = random_arrays(seed, shape, dtype=numpy.float64)
    columns = im2col(x, **options)
    (c,) = random_arrays(seed + 1, columns.shape, dtype=numpy.float64)
    back = col2im(c, shape, **options)
    assert back.shape == shape and back.flags.c_contiguous
    assert numpy.isclose((columns * c).sum(), (x * back).sum())


def test_crop2d_pads_with_zeros_and_is_its_own_adjoint():
    random = numpy.random.default_rng(0)
    a, b = random.standard_normal((2, 3, 4, 5)), random.standard_normal((2, 3, 6, 2))
    cropped = crop2d(a, (-1, 2), (6, 2))       # rows -1..4 (row -1 and 4 are zeros), cols 2..3
    assert cropped.shape == (2, 3, 6, 2)
    assert not cropped[..., 0, :].any() and not cropped[..., 5, :].any()
    numpy.testing.assert_array_equal(cropped[..., 1:5, :], a[..., :, 2:4])
    assert numpy.isclose((cropped * b).sum(), (a * crop2d(b, (1, -2), (4, 5))).sum())


