"""Convolutions: im2col/col2im and kernel-row kernels, F.conv1d/conv2d/conv_transpose2d, layers.

Checked against naive NumPy loops (kernels), the kernel-row fast path against the im2col
reference, both against PyTorch (forward and backward, float32, copied weights), against
finite differences (float64), and for PyTorch's reprs, default initialisation, integer
behaviour and exception types.
"""

import math
import warnings
from unittest import mock

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
import edunet.nn.functional as F
from edunet import nn
from edunet.kernels import conv_rows, workspace
from edunet.kernels import im2col as im2col_module
from edunet.kernels.im2col import col2im, crop2d, im2col, output_size

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------- helpers
def as_numpy(tensor):
    array = tensor.detach().array
    return array.get() if hasattr(array, "get") else numpy.asarray(array)


def random_arrays(seed, *shapes, dtype=numpy.float32):
    random = numpy.random.default_rng(seed)
    return [random.uniform(-1, 1, size=shape).astype(dtype) for shape in shapes]


def check_against_torch(our_function, torch_function, arrays, options, device="cpu",
                        rtol=1e-4, atol=1e-5):
    """Same forward values, grad_fn name and input gradients as PyTorch (float32)."""
    ours = [edunet.tensor(a, requires_grad=True, device=device) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    our_output = our_function(*ours, **options)
    with warnings.catch_warnings():   # PyTorch's note that 'same' padding may copy the input
        warnings.simplefilter("ignore", UserWarning)
        their_output = torch_function(*theirs, **options)
    assert tuple(our_output.shape) == tuple(their_output.shape)
    numpy.testing.assert_allclose(as_numpy(our_output), their_output.detach().numpy(),
                                  rtol=rtol, atol=atol)
    assert our_output.grad_fn.name() == their_output.grad_fn.name()
    upstream = numpy.random.default_rng(1).standard_normal(tuple(their_output.shape))
    (our_output * edunet.tensor(upstream.astype(numpy.float32), device=device)).sum().backward()
    (their_output * torch.tensor(upstream.astype(numpy.float32))).sum().backward()
    for index, (our, their) in enumerate(zip(ours, theirs)):
        numpy.testing.assert_allclose(as_numpy(our.grad), their.grad.numpy(), rtol=rtol,
                                      atol=atol * 10, err_msg=f"gradient of input {index}")


def raises_like_torch(our_call, torch_call):
    """Both raise, and ours is an instance of the type PyTorch raises. Returns our message."""
    with pytest.raises(Exception) as theirs:
        torch_call()
    with pytest.raises(Exception) as ours:
        our_call()
    assert isinstance(ours.value, theirs.type), (ours.value, theirs.value)
    return str(ours.value)


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
    """Both ways of copying (kh*kw short copies; for stride 1 and a small matrix, two
    stages of long ones) give the loops' matrix."""
    shape, options = geometry
    (x,) = random_arrays(seed, shape, dtype=numpy.float64)
    expected = naive_im2col(x, **options)
    for limit in (0, 2**62):     # never two stages, two stages whenever stride is 1
        with mock.patch.object(im2col_module, "TWO_STAGES_MAX_BYTES", limit):
            numpy.testing.assert_array_equal(im2col(x, **options), expected)


def test_small_stride_one_matrices_are_copied_in_two_stages():
    """LeNet's layers (5 and 4 MB) take two stages, the course CNN's first (15 MB) does not."""
    calls = []
    with mock.patch.object(im2col_module, "_copy_in_two_stages",
                           side_effect=lambda *args: calls.append(args[1].shape)):
        for shape, stride in [((64, 1, 28, 28), 1), ((64, 6, 14, 14), 1), ((64, 3, 32, 32), 1),
                              ((64, 1, 28, 28), 2)]:
            im2col(numpy.zeros(shape, numpy.float32), (5, 5), (stride, stride), ((2, 2), (2, 2)))
    assert calls == [(1, 5, 5, 64, 28, 28), (6, 5, 5, 64, 14, 14)]


@given(kernel_geometries(), st.integers(0, 2**31))
def test_col2im_matches_loops_over_every_output_position(geometry, seed):
    """Every entry added back where im2col took it from (stride 1 goes in two stages)."""
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


# ---------------------------------------------------------------- F.conv1d / F.conv2d vs torch
@st.composite
def convolution_cases(draw, dims):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    padding_kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    if padding_kind == "same":
        stride, padding, pads = 1, "same", [0] * dims
    else:
        stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        pads = [draw(st.integers(0, 2)) for _ in range(dims)]
        padding = {"int": pads[0], "tuple": tuple(pads), "valid": "valid"}[padding_kind]
        if padding_kind != "tuple":
            pads = [pads[0] if padding_kind == "int" else 0] * dims
    sizes = [max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4))
             for k, d, p in zip(kernel, dilation, pads)]
    batch = draw(st.sampled_from([None, 1, 2, 3]))     # None: unbatched (C, *spatial)
    input_shape = ((in_channels,) if batch is None else (batch, in_channels)) + tuple(sizes)
    shapes = [input_shape, (out_channels, in_channels // groups, *kernel)]
    if draw(st.booleans()):
        shapes.append((out_channels,))
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return shapes, options


@given(convolution_cases(dims=2), st.integers(0, 2**31))
def test_conv2d_forward_and_backward_match_torch(case, seed):
    shapes, options = case
    check_against_torch(F.conv2d, torch.nn.functional.conv2d, random_arrays(seed, *shapes),
                        options)


@given(convolution_cases(dims=1), st.integers(0, 2**31))
def test_conv1d_forward_and_backward_match_torch(case, seed):
    shapes, options = case
    check_against_torch(F.conv1d, torch.nn.functional.conv1d, random_arrays(seed, *shapes),
                        options)


@st.composite
def transposed_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    sizes = [draw(st.integers(1, 4)) for _ in range(2)]
    for index, (size, s, p, d, k, extra) in enumerate(zip(sizes, stride, padding, dilation,
                                                            kernel, output_padding)):
        while (size - 1) * s - 2 * p + d * (k - 1) + extra + 1 <= 0:
            size += 1
        sizes[index] = size
    batch = draw(st.sampled_from([None, 1, 2]))
    input_shape = ((in_channels,) if batch is None else (batch, in_channels)) + tuple(sizes)
    shapes = [input_shape, (in_channels, out_channels // groups, *kernel)]
    if draw(st.booleans()):
        shapes.append((out_channels,))
    return shapes, dict(stride=stride, padding=padding, output_padding=output_padding,
                        groups=groups, dilation=dilation)


@given(transposed_cases(), st.integers(0, 2**31))
def test_conv_transpose2d_forward_and_backward_match_torch(case, seed):
    shapes, options = case
    check_against_torch(F.conv_transpose2d, torch.nn.functional.conv_transpose2d,
                        random_arrays(seed, *shapes), options)


def test_zero_batch_gives_an_empty_output_like_torch():
    x, weight = edunet.zeros(0, 3, 10, 30), edunet.zeros(32, 3, 5, 5)
    assert tuple(F.conv2d(x, weight).shape) == (0, 32, 6, 26)


GRADCHECK_CASES = [
    (F.conv2d, [(2, 2, 5, 4), (4, 1, 3, 2), (4,)], dict(stride=(2, 1), padding=1, groups=2)),
    (F.conv2d, [(2, 4, 4), (3, 2, 2, 2)], dict(padding="same", dilation=(1, 2))),
    (F.conv1d, [(2, 2, 6), (2, 2, 3), (2,)], dict(stride=2, padding=2, dilation=2)),
    (F.conv_transpose2d, [(1, 2, 3, 3), (2, 2, 3, 2), (2,)],
     dict(stride=2, padding=1, output_padding=1)),
    (F.conv_transpose2d, [(2, 3, 3), (2, 1, 2, 2)], dict(groups=2, dilation=2)),
]


@pytest.mark.parametrize("function, shapes, options", GRADCHECK_CASES)
def test_gradients_match_finite_differences(function, shapes, options, device):
    tensors = [edunet.tensor(a, dtype=edunet.float64, requires_grad=True, device=device)
               for a in random_arrays(0, *shapes, dtype=numpy.float64)]
    assert edunet.gradcheck(lambda *t: function(*t, **options), tuple(tensors), eps=1e-6,
                            atol=1e-6, rtol=1e-4)


def test_runs_on_every_device(device):
    x, weight, bias = random_arrays(3, (2, 3, 6, 6), (4, 3, 3, 3), (4,))
    check_against_torch(F.conv2d, torch.nn.functional.conv2d, [x, weight, bias],
                        dict(padding=1), device=device)


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
    out_height = cropped.shape[2] - dilation[0] * (kernel_size[0] - 1)
    numpy.testing.assert_allclose(
        conv_rows.row_products(matrix, weight, out_height, dilation[0]), expected, rtol=1e-12)
    (grad,) = random_arrays(seed + 1, expected.shape, dtype=numpy.float64)
    # G X^T with G back in im2col's (n, oh, ow) column order.
    batch, out_width = shape[0], expected.shape[1] // (out_height * shape[0])
    grad_im2col = grad.reshape(out_channels, out_height, batch, out_width).transpose(0, 2, 1, 3)
    expected_weight_grad = grad_im2col.reshape(out_channels, -1) @ columns.T
    numpy.testing.assert_allclose(
        conv_rows.row_weight_gradient(grad, matrix, kernel_size, out_height, dilation[0]),
        expected_weight_grad.reshape(weight.shape), rtol=1e-12)


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


def test_workspace_hands_back_memory_by_size_and_keeps_a_bounded_amount(monkeypatch):
    monkeypatch.setattr(workspace, "_spares", type(workspace._spares)())
    monkeypatch.setattr(workspace, "_spare_bytes", 0)
    first = workspace.empty((4, 6), numpy.float32, numpy)
    workspace.give_back(first)
    again = workspace.empty((2, 12), numpy.float32, numpy)        # same size, other shape
    assert again.shape == (2, 12) and numpy.shares_memory(again, first)
    assert not numpy.shares_memory(workspace.empty((2, 12), numpy.float32, numpy), first)
    assert workspace.empty((24,), numpy.float64, numpy).dtype == numpy.float64
    with pytest.raises(ValueError):
        workspace.give_back(numpy.zeros((4, 6)).T[::2])
    monkeypatch.setattr(workspace, "MAX_SPARE_BYTES", 1000)
    workspace.give_back(numpy.zeros(100, numpy.float32), numpy.zeros(200, numpy.float32))
    assert workspace._spare_bytes <= 1000                         # the older one was dropped
    assert workspace.empty((200,), numpy.float32, numpy) is not None


def test_workspace_zeros_are_one_kept_read_only_array(monkeypatch):
    """ReLU's zeros: views of one array per dtype, grown to the largest request, never
    writeable; past MAX_ZEROS_BYTES a 0-d zero (broadcasts the same)."""
    workspace.clear()
    small = workspace.zeros((2, 3), numpy.float32, numpy)
    large = workspace.zeros((4, 5), numpy.float32, numpy)
    again = workspace.zeros((3, 2), numpy.float32, numpy)
    assert small.shape == (2, 3) and large.shape == (4, 5) and again.shape == (3, 2)
    assert not large.any() and large.dtype == numpy.float32
    assert numpy.shares_memory(large, again)          # the grown array serves smaller requests
    assert workspace.zeros((), numpy.int64, numpy).dtype == numpy.int64
    with pytest.raises(ValueError, match="read-only"):
        again[0, 0] = 1
    monkeypatch.setattr(workspace, "MAX_ZEROS_BYTES", 16)
    assert workspace.zeros((5,), numpy.float32, numpy).shape == ()
    x = edunet.tensor([[-1.0, 2.0], [float("nan"), -0.0]])
    numpy.testing.assert_array_equal(F.relu(x).numpy(), torch.relu(torch.tensor(x.numpy())).numpy())
    workspace.clear()


def test_keeping_freed_memory_applies_on_glibc_and_can_be_switched_off():
    """The allocator setting is on by default and applies on Linux/glibc;
    EDUNET_KEEP_FREED_MEMORY=0 turns it off (fresh interpreters: the variable is read at import)."""
    import os
    import platform
    import subprocess
    import sys
    code = ("from edunet.kernels import workspace; "
            "print(workspace.KEEP_FREED_MEMORY, workspace.keep_freed_memory_for_reuse())")
    results = {}
    for value in ("1", "0"):
        environment = dict(os.environ, EDUNET_KEEP_FREED_MEMORY=value)
        output = subprocess.run([sys.executable, "-c", code], env=environment, check=True,
                                capture_output=True, text=True).stdout.split()
        results[value] = output
    assert results["1"][0] == "True" and results["0"][0] == "False"
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert results["1"][1] == str(bool(on_glibc))


@pytest.mark.parametrize("switched_on", [True, False])
def test_the_first_scratch_array_tunes_the_allocator_once(monkeypatch, switched_on):
    """Not at import: the first workspace.empty applies the setting (if switched on), later
    calls don't touch it again."""
    calls = []
    monkeypatch.setattr(workspace, "keep_freed_memory_for_reuse", lambda: calls.append(1))
    monkeypatch.setattr(workspace, "KEEP_FREED_MEMORY", switched_on)
    monkeypatch.setattr(workspace, "_allocator_checked", False)
    for _ in range(3):
        workspace.empty((4, 5), numpy.float32, numpy)
    assert calls == ([1] if switched_on else [])


def test_training_steps_reuse_the_workspace_and_inference_leaves_nothing_behind(monkeypatch):
    """Every scratch array goes back after backward (or at once under no_grad): the spares
    stop growing after the first step, and repeated steps give the same result."""
    monkeypatch.setattr(workspace, "_spares", type(workspace._spares)())
    monkeypatch.setattr(workspace, "_spare_bytes", 0)
    edunet.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.Conv2d(32, 16, 3, padding=1),
                          nn.Conv2d(16, 4, 3))
    (x,) = random_arrays(3, (2, 3, 8, 8))
    x = edunet.tensor(x)

    def spare_count():
        return sum(len(spares) for spares in workspace._spares.values())

    gradients = []
    for _ in range(3):
        model.zero_grad()
        model(x).square().sum().backward()
        gradients.append([p.grad.array.copy() for p in model.parameters()])
        if len(gradients) == 2:
            count = spare_count()
    assert spare_count() == count > 0
    for first, last in zip(gradients[0], gradients[-1]):
        numpy.testing.assert_array_equal(first, last)
    with edunet.no_grad():
        output = model(x).array.copy()
        assert spare_count() == count
        numpy.testing.assert_array_equal(model(x).array, output)


# ---------------------------------------------------------------- integers (the course's 5x5 example)
def course_example(library):
    image = library.arange(25).reshape(1, 1, 5, 5)
    kernel = library.tensor([[1, 0, -1], [1, 0, -1], [1, 0, -1]]).reshape(1, 1, 3, 3)
    return image, kernel


@pytest.mark.parametrize("options", [dict(), dict(stride=2), dict(padding=1)])
def test_integer_convolution_gives_torchs_values_and_dtype(options):
    ours = F.conv2d(*course_example(edunet), **options)
    theirs = torch.nn.functional.conv2d(*course_example(torch), **options)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch", "edunet") == "edunet.int64"
    numpy.testing.assert_array_equal(as_numpy(ours), theirs.numpy())


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["conv1d", "conv2d", "conv_transpose2d"])
def test_dtypes_are_accepted_or_refused_as_torch_does(name, dtype):
    dims = 1 if name == "conv1d" else 2
    x = numpy.arange(2 * 3 ** dims).reshape((1, 2) + (3,) * dims) % 5
    weight = (numpy.arange(4 * 2 ** dims).reshape((2, 2) + (2,) * dims) % 3)

    def run(library):
        function = getattr(library.nn.functional, name)
        kind = getattr(library, dtype)
        return function(library.tensor(x).to(kind), library.tensor(weight).to(kind))

    try:
        theirs = run(torch)
    except Exception as error:
        raises_like_torch(lambda: run(edunet), lambda: run(torch))
        assert isinstance(error, NotImplementedError)
        return
    ours = run(edunet)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    numpy.testing.assert_allclose(as_numpy(ours).astype(float), theirs.numpy().astype(float),
                                  rtol=1e-3)


# ---------------------------------------------------------------- layers vs torch
LAYERS = [
    ("Conv2d(3, 4, 3)", (2, 3, 7, 6)),
    ("Conv2d(4, 6, (3, 2), stride=2, padding=(1, 0), dilation=(1, 2), groups=2)", (2, 4, 7, 6)),
    ("Conv2d(3, 4, 4, padding='same', bias=False)", (3, 5, 5)),
    ("Conv1d(3, 4, 3, stride=2, padding=1)", (2, 3, 9)),
    ("Conv1d(2, 4, 2, padding='same', groups=2)", (2, 7)),
    ("ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1)", (2, 3, 4, 5)),
    ("ConvTranspose2d(4, 2, 2, groups=2, dilation=2, bias=False)", (4, 3, 3)),
]


@pytest.mark.parametrize("text, input_shape", LAYERS)
def test_layer_with_copied_weights_matches_torch(text, input_shape):
    ours, theirs = eval("nn." + text), eval("torch.nn." + text)
    ours.load_state_dict({name: edunet.tensor(value.detach().numpy())
                          for name, value in theirs.state_dict().items()})
    (x,) = random_arrays(5, input_shape)
    our_input, their_input = edunet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_output, their_output = ours(our_input), theirs(their_input)
    numpy.testing.assert_allclose(as_numpy(our_output), their_output.detach().numpy(),
                                  rtol=1e-4, atol=1e-5)
    our_output.square().sum().backward()
    their_output.square().sum().backward()
    numpy.testing.assert_allclose(as_numpy(our_input.grad), their_input.grad.numpy(), rtol=1e-4,
                                  atol=1e-4)
    for name, parameter in theirs.named_parameters():
        numpy.testing.assert_allclose(as_numpy(ours.get_parameter(name).grad),
                                      parameter.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)
    ours.eval()   # a convolution behaves the same in both modes
    numpy.testing.assert_array_equal(as_numpy(ours(our_input)), as_numpy(our_output))


def test_conv_transpose2d_output_size_chooses_output_padding_like_torch():
    ours, theirs = nn.ConvTranspose2d(4, 3, 3, stride=2), torch.nn.ConvTranspose2d(4, 3, 3, stride=2)
    x = numpy.zeros((2, 4, 5, 5), numpy.float32)
    for size in [(11, 11), (12, 12), (11, 12), [2, 3, 12, 12]]:
        assert ours(edunet.tensor(x), output_size=size).shape == theirs(torch.tensor(x),
                                                                        output_size=size).shape
    assert tuple(ours(edunet.tensor(x[0]), output_size=[12, 11]).shape) == (3, 12, 11)
    message = raises_like_torch(lambda: ours(edunet.tensor(x), output_size=(13, 12)),
                                lambda: theirs(torch.tensor(x), output_size=(13, 12)))
    assert "valid sizes range from [11, 11] to [12, 12]" in message


REPRS = [
    "Conv2d(3, 32, 5)", "Conv2d(3, 32, 5, padding=2)", "Conv2d(3, 32, kernel_size=(5, 3))",
    "Conv2d(3, 32, (5, 3), stride=2, padding='valid', dilation=2, bias=False)",
    "Conv2d(4, 32, 5, padding='same', groups=2)", "Conv2d(4, 32, 3, padding=(1, 0), stride=(2, 1))",
    "Conv1d(4, 32, 5)", "Conv1d(4, 32, 5, stride=2, padding=1, dilation=3, groups=2, bias=False)",
    "Conv1d(4, 8, 4, padding='same')", "ConvTranspose2d(4, 32, 5)",
    "ConvTranspose2d(4, 32, 5, stride=2, padding=1, output_padding=1, groups=2, bias=False, "
    "dilation=2)",
]


@pytest.mark.parametrize("text", REPRS)
def test_repr_is_torchs(text):
    assert repr(eval("nn." + text)) == repr(eval("torch.nn." + text))


def test_a_model_prints_like_torch():
    def model(library):
        return library.nn.Sequential(library.nn.Conv2d(3, 32, 5, padding=2), library.nn.ReLU(),
                                     library.nn.Conv2d(32, 64, 5, padding=2))
    assert repr(model(edunet)) == repr(model(torch))


# ---------------------------------------------------------------- parameters and init
@pytest.mark.parametrize("text, weight_shape, fan_in", [
    ("Conv2d(3, 32, 5)", (32, 3, 5, 5), 75),
    ("Conv2d(8, 16, (3, 2), groups=4)", (16, 2, 3, 2), 12),
    ("Conv1d(6, 64, 7)", (64, 6, 7), 42),
    ("ConvTranspose2d(16, 8, 3, groups=2)", (16, 4, 3, 3), 36),
])
def test_default_init_is_uniform_within_one_over_sqrt_fan_in(text, weight_shape, fan_in):
    edunet.manual_seed(0)
    layer = eval("nn." + text)
    weight, bias = as_numpy(layer.weight), as_numpy(layer.bias)
    assert weight.shape == weight_shape and weight.dtype == numpy.float32
    assert layer.weight.requires_grad and layer.bias.requires_grad
    bound = 1 / math.sqrt(fan_in)
    assert numpy.abs(weight).max() <= bound and numpy.abs(bias).max() <= bound
    # Uniform on [-b, b]: spread over the whole range, standard deviation b / sqrt(3).
    assert numpy.abs(weight).max() > 0.9 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.25 * bound / math.sqrt(3)
    assert abs(weight.mean()) < 0.2 * bound
    reference = eval("torch.nn." + text)
    assert sum(p.numel() for p in layer.parameters()) == sum(p.numel()
                                                             for p in reference.parameters())


def test_conv2d_3_32_5_has_2432_parameters_and_torchs_state_dict_keys():
    layer = nn.Conv2d(3, 32, 5)
    assert sum(p.numel() for p in layer.parameters()) == 32 * 3 * 5 * 5 + 32 == 2432
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert nn.Conv2d(3, 32, 5, bias=False).bias is None
    assert (layer.kernel_size, layer.stride, layer.padding, layer.dilation) == ((5, 5), (1, 1),
                                                                                (0, 0), (1, 1))


def test_float64_layer():
    layer = nn.Conv2d(2, 3, 3, dtype=edunet.float64)
    assert layer.weight.dtype == edunet.float64
    assert layer(edunet.zeros(1, 2, 4, 4, dtype=edunet.float64)).dtype == edunet.float64


# ---------------------------------------------------------------- errors that teach
def test_missing_channel_dimension_names_the_layer_the_layouts_and_the_fix():
    message = raises_like_torch(lambda: nn.Conv2d(3, 32, 5)(edunet.zeros(32, 32)),
                                lambda: torch.nn.Conv2d(3, 32, 5)(torch.zeros(32, 32)))
    assert message.startswith("Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1)) expects input "
                              "(N, 3, H, W) or (3, H, W); got (32, 32).")
    assert "x.unsqueeze(0)" in message and "in_channels=3" in message


def test_too_many_dimensions_say_so():
    message = raises_like_torch(lambda: nn.Conv1d(3, 4, 2)(edunet.zeros(1, 2, 3, 8)),
                                lambda: torch.nn.Conv1d(3, 4, 2)(torch.zeros(1, 2, 3, 8)))
    assert "(N, 3, L) or (3, L)" in message and "extra dimensions" in message


def test_wrong_channel_count_names_expected_and_actual_channels():
    message = raises_like_torch(lambda: nn.Conv2d(3, 32, 5)(edunet.zeros(2, 4, 32, 32)),
                                lambda: torch.nn.Conv2d(3, 32, 5)(torch.zeros(2, 4, 32, 32)))
    assert "expects 3 input channels" in message and "with 4 channels" in message
    message = raises_like_torch(lambda: nn.Conv2d(3, 32, 5)(edunet.zeros(2, 32, 32, 3)),
                                lambda: torch.nn.Conv2d(3, 32, 5)(torch.zeros(2, 32, 32, 3)))
    assert "x.permute(0, 3, 1, 2)" in message
    message = raises_like_torch(lambda: F.conv2d(edunet.zeros(1, 4, 5, 5), edunet.zeros(2, 3, 3, 3)),
                                lambda: torch.nn.functional.conv2d(torch.zeros(1, 4, 5, 5),
                                                                   torch.zeros(2, 3, 3, 3)))
    assert "expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels instead" in message


def test_kernel_larger_than_padded_input():
    message = raises_like_torch(lambda: nn.Conv2d(3, 8, 5)(edunet.zeros(1, 3, 3, 30)),
                                lambda: torch.nn.Conv2d(3, 8, 5)(torch.zeros(1, 3, 3, 30)))
    assert "Calculated padded input size per channel: (3 x 30). Kernel size: (5 x 5)" in message


ZEROS = (1, 4, 6, 6)
FUNCTIONAL_ERRORS = [
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(stride=2, padding="same")),
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(padding="full")),
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(padding=-1)),
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(stride=0)),
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(dilation=0)),
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(padding=(1, 2, 3))),
    ("conv2d", ZEROS, (4, 2, 3, 3), dict(groups=3)),
    ("conv2d", ZEROS, (4, 4, 3, 3), dict(groups=0)),
    ("conv2d", (1, 4, 6), (4, 4, 3, 3), dict()),
    ("conv1d", (1, 4, 6, 6), (4, 4, 3), dict()),
    ("conv_transpose2d", ZEROS, (4, 2, 3, 3), dict(output_padding=1)),
    ("conv_transpose2d", ZEROS, (4, 2, 3, 3), dict(padding="same")),
    ("conv_transpose2d", (1, 3, 6, 6), (4, 2, 3, 3), dict()),
    ("conv_transpose2d", (6, 6), (4, 2, 3, 3), dict()),
]


@pytest.mark.parametrize("name, input_shape, weight_shape, options", FUNCTIONAL_ERRORS)
def test_bad_arguments_raise_torchs_exception_types(name, input_shape, weight_shape, options):
    raises_like_torch(
        lambda: getattr(F, name)(edunet.zeros(*input_shape), edunet.zeros(*weight_shape), **options),
        lambda: getattr(torch.nn.functional, name)(torch.zeros(*input_shape),
                                                   torch.zeros(*weight_shape), **options))


def test_mixed_dtypes_and_bad_bias_raise_like_torch():
    message = raises_like_torch(
        lambda: F.conv2d(edunet.zeros(1, 1, 4, 4), edunet.zeros(1, 1, 2, 2, dtype=edunet.float64)),
        lambda: torch.nn.functional.conv2d(torch.zeros(1, 1, 4, 4),
                                           torch.zeros(1, 1, 2, 2, dtype=torch.float64)))
    assert message.startswith("expected scalar type Float but found Double")
    raises_like_torch(lambda: F.conv2d(edunet.zeros(1, 1, 4, 4), edunet.zeros(2, 1, 2, 2),
                                       edunet.zeros(3)),
                      lambda: torch.nn.functional.conv2d(torch.zeros(1, 1, 4, 4),
                                                         torch.zeros(2, 1, 2, 2), torch.zeros(3)))


@pytest.mark.parametrize("arguments", [
    dict(in_channels=3, out_channels=32, kernel_size=5, groups=2),
    dict(in_channels=4, out_channels=30, kernel_size=5, groups=4),
    dict(in_channels=4, out_channels=32, kernel_size=5, groups=0),
    dict(in_channels=4, out_channels=32, kernel_size=5, padding="same", stride=2),
    dict(in_channels=4, out_channels=32, kernel_size=5, padding="bogus"),
    dict(in_channels=4, out_channels=32, kernel_size=5, padding_mode="bogus"),
])
def test_bad_layer_arguments_raise_value_errors_like_torch(arguments):
    raises_like_torch(lambda: nn.Conv2d(**arguments), lambda: torch.nn.Conv2d(**arguments))


def test_other_padding_modes_are_not_implemented_and_say_what_to_do():
    with pytest.raises(NotImplementedError, match="F.pad"):
        nn.Conv2d(3, 8, 3, padding=1, padding_mode="reflect")
    raises_like_torch(lambda: nn.ConvTranspose2d(3, 8, 3, padding_mode="reflect"),
                      lambda: torch.nn.ConvTranspose2d(3, 8, 3, padding_mode="reflect"))
