"""F.conv1d, F.conv2d and F.conv_transpose2d (edunet/ops/conv.py), on every kernel path.

Checked against PyTorch (forward and backward, float32), against finite differences
(float64), for integer behaviour, dtypes and exception types. Each test runs on the
reference code and on the fast kernels (tests/kernel_paths.py).
"""

import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
import edunet.nn.functional as F
from tests.kernel_paths import kernel_path  # noqa: F401  (the fixture)
from tests.ops.torch_checks import (accepts_or_refuses_dtype_as_torch_does, as_numpy,
                                    raises_like_torch)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("kernel_path")


# ---------------------------------------------------------------- helpers
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

    accepts_or_refuses_dtype_as_torch_does(run)


# ---------------------------------------------------------------- errors
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


