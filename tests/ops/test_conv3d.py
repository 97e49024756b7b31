"""conv3d in the op table (NumPy, finite differences, PyTorch), plus its errors."""

import itertools

import numpy
import pytest
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, table_tests, values

import edunet
from edunet.nn import functional as F


def numpy_conv3d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """The definition, one output value at a time (float64)."""
    stride, padding, dilation = ((v,) * 3 if isinstance(v, int) else v
                                 for v in (stride, padding, dilation))
    batch, in_channels = x.shape[:2]
    out_channels, group_channels, *kernel = weight.shape
    padded = numpy.pad(x, ((0, 0), (0, 0), *((p, p) for p in padding)))
    out = [(size + 2 * p - d * (k - 1) - 1) // s + 1 for size, p, d, k, s in
           zip(x.shape[2:], padding, dilation, kernel, stride)]
    y = numpy.zeros((batch, out_channels, *out))
    per_group = out_channels // groups
    for n, o, a, b, c in itertools.product(range(batch), range(out_channels), *map(range, out)):
        first = (o // per_group) * group_channels
        patch = padded[n, first:first + group_channels,
                       a * stride[0]:a * stride[0] + dilation[0] * (kernel[0] - 1) + 1:dilation[0],
                       b * stride[1]:b * stride[1] + dilation[1] * (kernel[1] - 1) + 1:dilation[1],
                       c * stride[2]:c * stride[2] + dilation[2] * (kernel[2] - 1) + 1:dilation[2]]
        y[n, o, a, b, c] = (patch * weight[o]).sum() + (0 if bias is None else bias[o])
    return y


@st.composite
def conv3d_samples(draw, with_bias=True):
    groups = draw(st.integers(1, 2))
    in_channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(*[st.integers(1, 3)] * 3))
    stride = draw(st.one_of(st.integers(1, 2), st.tuples(*[st.integers(1, 2)] * 3)))
    padding = draw(st.one_of(st.integers(0, 1), st.tuples(*[st.integers(0, 2)] * 3)))
    dilation = draw(st.one_of(st.just(1), st.tuples(*[st.integers(1, 2)] * 3)))
    as_triple = [(v,) * 3 if isinstance(v, int) else v for v in (padding, dilation)]
    # each spatial size at least as large as the dilated kernel minus the padding
    smallest = [max(1, d * (k - 1) + 1 - 2 * p) for k, p, d in zip(kernel, *as_triple)]
    sizes = [draw(st.integers(low, max(low, 4))) for low in smallest]
    batch = draw(st.integers(1, 2))
    arrays = [draw(values((batch, in_channels, *sizes))),
              draw(values((out_channels, in_channels // groups, *kernel)))]
    if with_bias and draw(st.booleans()):
        arrays.append(draw(values((out_channels,))))
    return Sample(arrays, dict(stride=stride, padding=padding, dilation=dilation, groups=groups))


def call_conv3d(lib, x, weight, bias=None, **options):
    return lib.nn.functional.conv3d(x, weight, bias, **options)


def call_layer(lib, x, weight, bias=None, **options):
    """nn.Conv3d with the sample's weights: the layer passes its settings through."""
    layer = lib.nn.Conv3d(x.shape[1], weight.shape[0], tuple(weight.shape[2:]),
                          bias=bias is not None, dtype=x.dtype, **options)
    with lib.no_grad():
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(bias)
    return layer(x)


CASES = [
    OpCase("conv3d", call_conv3d, numpy_conv3d, conv3d_samples(), rtol=1e-4, atol=1e-5),
    OpCase("conv3d_unbatched", lambda lib, x, w, **o: lib.nn.functional.conv3d(x[0], w, **o),
           lambda x, w, **o: numpy_conv3d(x, w, **o)[0], conv3d_samples(with_bias=False),
           rtol=1e-4, atol=1e-5),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


def test_padding_same_and_valid_match_torch():
    torch = pytest.importorskip("torch")
    random = numpy.random.default_rng(1)
    x = random.standard_normal((2, 3, 5, 4, 6)).astype(numpy.float32)
    weight = random.standard_normal((4, 3, 2, 3, 3)).astype(numpy.float32)
    for padding in ("same", "valid"):
        ours = F.conv3d(edunet.tensor(x), edunet.tensor(weight), padding=padding, dilation=(2, 1, 1))
        theirs = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(weight), padding=padding,
                                            dilation=(2, 1, 1))
        numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5)


def test_integer_tensors_convolve_as_in_torch():
    torch = pytest.importorskip("torch")
    x = numpy.arange(2 * 4 * 4 * 4).reshape(1, 2, 4, 4, 4) % 7
    weight = numpy.arange(3 * 2 * 8).reshape(3, 2, 2, 2, 2) % 5 - 2
    ours = F.conv3d(edunet.tensor(x), edunet.tensor(weight), stride=2)
    theirs = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(weight), stride=2)
    assert ours.dtype == edunet.int64 and ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("make_arguments, message", [
    (lambda: (edunet.ones(1, 2, 4, 4), edunet.ones(1, 2, 2, 2, 2)), "to have 2 channels"),
    (lambda: (edunet.ones(1, 2, 4, 4, 4, 4), edunet.ones(1, 2, 2, 2, 2)), "Expected 4D"),
    (lambda: (edunet.ones(1, 2, 4, 4, 4), edunet.ones(1, 2, 2, 2)), "5-D weight"),
    (lambda: (edunet.ones(1, 2, 2, 2, 2), edunet.ones(1, 2, 3, 3, 3)), "Kernel size can't be"),
    (lambda: (edunet.ones(1, 2, 4, 4, 4), edunet.ones(1, 2, 2, 2, 2, dtype=edunet.float64)),
     "expected scalar type Float but found Double"),
])
def test_bad_input_raises_torchs_runtime_error(make_arguments, message):
    torch = pytest.importorskip("torch")
    x, weight = make_arguments()
    with pytest.raises(RuntimeError, match=message):
        F.conv3d(x, weight)
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv3d(torch.from_numpy(x.numpy()), torch.from_numpy(weight.numpy()))


def test_strided_same_padding_is_refused_as_in_torch():
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv3d(edunet.ones(1, 1, 4, 4, 4), edunet.ones(1, 1, 2, 2, 2), stride=2, padding="same")
