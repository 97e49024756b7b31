"""Conv1d, Conv2d, ConvTranspose2d layers: copied weights vs PyTorch, reprs, default
initialisation, parameters and the errors a learner meets. The functions and their
math are tested in tests/ops/test_conv.py, the fast kernels in tests/kernels/.
"""

import math

import numpy
import pytest

import edunet
import edunet.nn.functional as F
from edunet import nn

torch = pytest.importorskip("torch")


# The helpers live with the op tests: tests/ops/test_conv.py.
from tests.ops.test_conv import (as_numpy, random_arrays,  # noqa: E402
                                 raises_like_torch)


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
