"""Pooling layers: MaxPool1d/2d, AvgPool1d/2d, adaptive pools vs PyTorch in train and eval
mode, reprs, devices, and the errors a learner meets. The functions are tested in
tests/ops/test_pool.py, the fast kernels in tests/kernels/test_pool.py.
"""

import numpy
import pytest

import edunet
from edunet import nn
from tests.ops.test_pool import (as_numpy, check_against_torch, raises_like_torch,  # noqa: F401
                                 tied_values)

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------- layers
REPRS = [
    "MaxPool2d(2)", "MaxPool2d((2, 3), stride=1, padding=(1, 0), dilation=2, ceil_mode=True)",
    "MaxPool2d(3, 2, 1, return_indices=True)", "MaxPool1d(2)", "MaxPool1d(3, 2, 1)",
    "AvgPool2d(2)", "AvgPool2d(3, 2, 1)",
    "AvgPool2d((2, 3), stride=(1, 2), padding=1, ceil_mode=True, count_include_pad=False, "
    "divisor_override=3)",
    "AvgPool1d(2)", "AvgPool1d(2, stride=1, padding=1, ceil_mode=True)", "AvgPool1d((3,))",
    "AdaptiveAvgPool2d(2)", "AdaptiveAvgPool2d((2, None))", "AdaptiveAvgPool2d((5, 7))",
    "AdaptiveMaxPool2d((2, 3))", "AdaptiveMaxPool2d(2, return_indices=True)",
]


@pytest.mark.parametrize("text", REPRS)
def test_repr_is_torchs(text):
    assert repr(eval("nn." + text)) == repr(eval("torch.nn." + text))


LAYERS = [
    ("MaxPool2d(2)", (2, 3, 6, 5)), ("MaxPool2d(3, stride=2, padding=1, ceil_mode=True)", (3, 7, 7)),
    ("MaxPool2d(2, return_indices=True)", (1, 2, 4, 4)), ("MaxPool1d(2, stride=1)", (2, 3, 6)),
    ("AvgPool2d(2, ceil_mode=True)", (2, 2, 5, 5)), ("AvgPool1d(3, padding=1)", (2, 4)),
    ("AdaptiveAvgPool2d((2, 3))", (2, 2, 5, 7)), ("AdaptiveMaxPool2d(1, return_indices=True)",
                                                  (2, 3, 4, 4)),
]


@pytest.mark.parametrize("text, shape", LAYERS)
def test_layers_match_torch_in_train_and_eval_mode(text, shape):
    ours, theirs = eval("nn." + text), eval("torch.nn." + text)
    assert list(ours.parameters()) == []
    x = tied_values(7, shape)
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        our_input = edunet.tensor(x, requires_grad=True)
        their_input = torch.tensor(x, requires_grad=True)
        our_output, their_output = ours(our_input), theirs(their_input)
        if isinstance(their_output, tuple):
            numpy.testing.assert_array_equal(as_numpy(our_output[1]), their_output[1].numpy())
            our_output, their_output = our_output[0], their_output[0]
        numpy.testing.assert_allclose(as_numpy(our_output), their_output.detach().numpy(),
                                      rtol=1e-6, atol=1e-6)
        our_output.square().sum().backward()
        their_output.square().sum().backward()
        numpy.testing.assert_allclose(as_numpy(our_input.grad), their_input.grad.numpy(),
                                      rtol=1e-5, atol=1e-6)


def test_runs_on_every_device(device):
    check_against_torch("max_pool2d", tied_values(0, (2, 3, 6, 6)), dict(kernel_size=2),
                        device=device)
    check_against_torch("avg_pool2d", tied_values(1, (2, 3, 6, 6)),
                        dict(kernel_size=3, stride=2, padding=1), device=device)


# ---------------------------------------------------------------- errors that teach
def test_a_layer_given_the_wrong_rank_names_itself_and_the_layout():
    message = raises_like_torch(lambda: nn.MaxPool2d(2)(edunet.zeros(5)),
                                lambda: torch.nn.MaxPool2d(2)(torch.zeros(5)))
    assert message.startswith("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                              "ceil_mode=False) expects input (N, C, H, W) or (C, H, W); got (5,)")
    message = raises_like_torch(lambda: nn.AvgPool1d(2)(edunet.zeros(1, 1, 5, 5)),
                                lambda: torch.nn.AvgPool1d(2)(torch.zeros(1, 1, 5, 5)))
    assert "(N, C, L) or (C, L)" in message
