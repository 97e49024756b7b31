"""The fast convolution (edunet/kernels/conv.py, conv_rows.py): the kernel-row method
against the im2col reference, both methods against PyTorch, and the fast path against
the reference op (edunet/ops/conv.py) on the course's layers."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
import edunet.nn.functional as F
from edunet import kernels
from edunet.kernels import conv_rows
from edunet.ops.im2col import crop2d, im2col, output_size
from tests.ops.test_conv import check_against_torch, convolution_cases, random_arrays

torch = pytest.importorskip("torch")

# Sums of float64 products taken in another order: an entry that cancels to near zero
# keeps an absolute error of a few units of the largest term, not a relative one.
ROUNDING = 1e-12


# ---------------------------------------------------------------- the kernel-row fast path
@pytest.fixture(params=["im2col", "rows"])
def conv_path(request, monkeypatch):
    """Run a test with every stride-1 convolution forced onto one method: the im2col
    reference, or the kernel rows of edunet/kernels/conv_rows.py wherever they apply."""
    limit = 10**9 if request.param == "im2col" else 1
    monkeypatch.setattr(conv_rows, "ROWS_MIN_WIDTH", limit)
    monkeypatch.setattr(conv_rows, "ROWS_MIN_OUT_CHANNELS", limit)
    return request.param


@st.composite
def stride_one_geometries(draw):
    """(N, C, H, W), kernel, (before, after) padding pairs (possibly negative: a crop) and
    dilation of a stride-1 convolution whose output is not empty."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(-1, 3)), draw(st.integers(-1, 3))) for _ in range(2))
    sizes = []
    for k, d, (before, after) in zip(kernel, dilation, padding):
        smallest = max(1, d * (k - 1) + 1 - before - after, -before, -after)
        sizes.append(draw(st.integers(smallest, smallest + 4)))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *sizes)
    return shape, kernel, padding, dilation


def rows_reference(x, weight, padding, dilation):
    """y (C_out, OH*N*OW) by the im2col reference, in the kernel-row layout."""
    kernel_size = weight.shape[2:]
    (top, bottom), (left, right) = padding
    height, width = x.shape[2:]
    cropped = crop2d(x, (-top, -left), (top + height + bottom, left + width + right))
    columns = im2col(cropped, kernel_size, dilation=dilation)
    output = weight.reshape(weight.shape[0], -1) @ columns          # (C_out, N*OH*OW)
    out_height = output_size(cropped.shape[2], kernel_size[0], 1, (0, 0), dilation[0])
    output = output.reshape(weight.shape[0], x.shape[0], out_height, -1)
    return output.transpose(0, 2, 1, 3).reshape(weight.shape[0], -1), columns, cropped


@given(stride_one_geometries(), st.integers(1, 3), st.integers(0, 2**31))
def test_kernel_rows_match_the_im2col_reference(geometry, out_channels, seed):
    """to_rows_layout + width_matrix + row_products is the convolution im2col computes, and
    row_weight_gradient is G X^T, for any padding (negative: cropped) and dilation."""
    shape, kernel_size, padding, dilation = geometry
    x, weight = random_arrays(seed, shape, (out_channels, shape[1], *kernel_size),
                              dtype=numpy.float64)
    expected, columns, cropped = rows_reference(x, weight, padding, dilation)
    padded = conv_rows.to_rows_layout(x, padding)
    numpy.testing.assert_array_equal(padded, cropped.transpose(1, 2, 0, 3))
    matrix = conv_rows.width_matrix(padded, kernel_size[1], dilation[1])
    numpy.testing.assert_array_equal(
        conv_rows.padded_width_matrix(x, padding, kernel_size[1], dilation[1]), matrix)
    out_height = cropped.shape[2] - dilation[0] * (kernel_size[0] - 1)
    numpy.testing.assert_allclose(
        conv_rows.row_products(matrix, weight, out_height, dilation[0]), expected,
        rtol=1e-12, atol=ROUNDING * numpy.abs(expected).max(initial=1.0))
    (grad,) = random_arrays(seed + 1, expected.shape, dtype=numpy.float64)
    # G X^T with G back in im2col's (n, oh, ow) column order.
    batch, out_width = shape[0], expected.shape[1] // (out_height * shape[0])
    grad_im2col = grad.reshape(out_channels, out_height, batch, out_width).transpose(0, 2, 1, 3)
    expected_weight_grad = grad_im2col.reshape(out_channels, -1) @ columns.T
    numpy.testing.assert_allclose(
        conv_rows.row_weight_gradient(grad, matrix, kernel_size, out_height, dilation[0]),
        expected_weight_grad.reshape(weight.shape),
        rtol=1e-12, atol=ROUNDING * numpy.abs(expected_weight_grad).max(initial=1.0))


def test_width_matrix_entries_follow_the_formula():
    """X[(c, j), (h, n, ow)] = padded[c, h, n, ow + j*dw], checked entry by entry."""
    (padded,) = random_arrays(0, (2, 3, 2, 6))
    matrix = conv_rows.width_matrix(padded, 3, 2).reshape(2, 3, 3, 2, 2)  # (c, j, h, n, ow)
    for c, j, h, n, ow in numpy.ndindex(matrix.shape):
        assert matrix[c, j, h, n, ow] == padded[c, h, n, ow + 2 * j]


def test_which_convolutions_use_kernel_rows():
    """Stride 1, one group, C_in*kw >= 32 and C_out >= 16: the course CNN's 2nd and 3rd layers."""
    assert conv_rows.prefers_rows(32, 32, (5, 5), (1, 1), 1)
    assert conv_rows.prefers_rows(32, 64, (5, 5), (1, 1), 1)
    assert not conv_rows.prefers_rows(3, 32, (5, 5), (1, 1), 1)     # thin: im2col
    assert not conv_rows.prefers_rows(32, 6, (5, 5), (1, 1), 1)     # few outputs: im2col
    assert not conv_rows.prefers_rows(32, 32, (5, 5), (2, 2), 1)    # strided: im2col
    assert not conv_rows.prefers_rows(32, 32, (5, 5), (1, 1), 2)    # grouped: im2col


@pytest.mark.parametrize("input_shape, out_channels, options", [
    ((2, 32, 16, 16), 32, dict(padding=2)),                  # the course CNN's 2nd layer
    ((2, 32, 8, 8), 64, dict(padding=2)),                    # ... and its 3rd
    ((2, 16, 9, 7), 16, dict(padding=(3, 0), dilation=(1, 2))),
    ((3, 40, 6, 5), 8, dict(padding="same")),                # rows forward, col2im backward
    ((2, 8, 6, 6), 16, dict(padding=5)),                     # input gradient crops G
    ((1, 32, 7), 16, dict(padding=1)),                       # unbatched
])
def test_both_methods_match_torch_at_course_sizes(conv_path, input_shape, out_channels, options):
    in_channels = input_shape[-3]
    shapes = [input_shape, (out_channels, in_channels, 5, 3), (out_channels,)]
    check_against_torch(F.conv2d, torch.nn.functional.conv2d, random_arrays(7, *shapes),
                        options, rtol=1e-4, atol=1e-4)


@given(convolution_cases(dims=2), st.integers(0, 2**31))
def test_conv2d_on_both_methods_matches_torch(conv_path, case, seed):
    shapes, options = case
    check_against_torch(F.conv2d, torch.nn.functional.conv2d, random_arrays(seed, *shapes),
                        options)


@pytest.mark.parametrize("channels", [(3, 8), (32, 32), (40, 8), (8, 32)])
def test_an_empty_batch_gets_gradients_on_every_path(channels):
    in_channels, out_channels = channels
    x = edunet.zeros(0, in_channels, 10, 12, requires_grad=True)
    weight = edunet.ones(out_channels, in_channels, 5, 5, requires_grad=True)
    bias = edunet.ones(out_channels, requires_grad=True)
    output = F.conv2d(x, weight, bias, padding=2)
    assert tuple(output.shape) == (0, out_channels, 10, 12)
    output.sum().backward()
    assert tuple(x.grad.shape) == (0, in_channels, 10, 12)
    assert not weight.grad.array.any() and not bias.grad.array.any()


@pytest.mark.parametrize("input_shape, weight_shape, options", [
    ((4, 3, 32, 32), (32, 3, 5, 5), dict(padding=2)),     # the course CNN: im2col, 2 stages
    ((4, 32, 16, 16), (32, 32, 5, 5), dict(padding=2)),   # kernel rows
    ((4, 32, 8, 8), (64, 32, 5, 5), dict(padding=2)),
    ((4, 1, 28, 28), (6, 1, 5, 5), dict(padding=2)),      # LeNet
    ((4, 6, 14, 14), (16, 6, 5, 5), dict()),
    ((2, 4, 9, 9), (6, 2, 3, 3), dict(stride=2, groups=2, dilation=2)),
])
def test_fast_path_equals_the_reference_op(input_shape, weight_shape, options):
    """Forward and every gradient, float64: equal to rounding."""
    x, weight, bias = random_arrays(5, input_shape, weight_shape, weight_shape[:1],
                                    dtype=numpy.float64)

    def run():
        tensors = [edunet.tensor(a, requires_grad=True) for a in (x, weight, bias)]
        output = F.conv2d(*tensors, **options)
        (output * output).sum().backward()
        return [output.detach().numpy()] + [t.grad.numpy() for t in tensors]

    fast = run()
    with kernels.reference():
        reference = run()
    for ours, expected in zip(fast, reference):
        numpy.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)
