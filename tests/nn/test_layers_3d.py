"""Conv3d, MaxPool3d and AvgPool3d: PyTorch's signatures, defaults, reprs, init and numbers."""

import inspect
import math

import numpy
import pytest

import edunet
from edunet import nn

LAYERS = [
    ("Conv3d", (2, 4, 3), {}),
    ("Conv3d", (2, 4, (1, 2, 3)), dict(stride=2, padding=1, dilation=2, groups=2, bias=False)),
    ("Conv3d", (3, 6, 3), dict(padding="same", groups=3)),
    ("Conv3d", (3, 6, 2), dict(stride=(1, 2, 1), padding=(0, 1, 1))),
    ("MaxPool3d", (2,), {}),
    ("MaxPool3d", ((2, 3, 1),), dict(stride=1, padding=(1, 1, 0), ceil_mode=True,
                                     return_indices=True)),
    ("MaxPool3d", (3,), dict(stride=2, dilation=2)),
    ("AvgPool3d", (3,), {}),
    ("AvgPool3d", (3, 2, 1, True, False, 2), {}),
    ("AvgPool3d", ((1, 2, 2),), dict(count_include_pad=False)),
]


@pytest.mark.parametrize("name, args, kwargs", LAYERS)
def test_repr_matches_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("name", ["Conv3d", "MaxPool3d", "AvgPool3d"])
def test_signature_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(nn, name))
    theirs = inspect.signature(getattr(torch.nn, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()]


# PyTorch's documented signatures (its builtins have none to inspect); calling PyTorch
# with every argument by keyword below proves the names.
FUNCTIONAL_CALLS = {
    "conv3d": dict(weight=numpy.ones((2, 3, 2, 2, 2), numpy.float32), bias=None, stride=1,
                   padding=0, dilation=1, groups=1),
    "max_pool3d": dict(kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=False,
                       return_indices=False),
    "avg_pool3d": dict(kernel_size=2, stride=None, padding=0, ceil_mode=False,
                       count_include_pad=True, divisor_override=None),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL_CALLS))
def test_functional_names_defaults_and_keywords_match_torch(name):
    torch = pytest.importorskip("torch")
    arguments = FUNCTIONAL_CALLS[name]
    signature = inspect.signature(getattr(nn.functional, name))
    assert list(signature.parameters) == ["input", *arguments]
    for key, value in arguments.items():
        if key not in ("weight", "kernel_size"):   # required: no default
            assert signature.parameters[key].default == value, key
    x = numpy.random.default_rng(0).standard_normal((1, 3, 4, 4, 4)).astype(numpy.float32)
    convert = {"weight": lambda array, lib: lib.tensor(array)}
    ours = getattr(nn.functional, name)(input=edunet.tensor(x), **{
        key: convert.get(key, lambda v, lib: v)(value, edunet) for key, value in arguments.items()})
    theirs = getattr(torch.nn.functional, name)(input=torch.tensor(x), **{
        key: convert.get(key, lambda v, lib: v)(value, torch) for key, value in arguments.items()})
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5)


def test_conv3d_parameters_and_default_init():
    edunet.manual_seed(0)
    layer = nn.Conv3d(3, 8, kernel_size=3, groups=1)
    assert layer.weight.shape == (8, 3, 3, 3, 3) and layer.bias.shape == (8,)
    assert sum(p.numel() for p in layer.parameters()) == 8 * 3 * 27 + 8 == 656
    bound = 1 / math.sqrt(3 * 27)     # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    weights = layer.weight.detach().numpy()
    assert numpy.abs(weights).max() <= bound and numpy.abs(weights).max() > 0.9 * bound
    assert numpy.abs(layer.bias.detach().numpy()).max() <= bound
    assert list(layer.state_dict()) == ["weight", "bias"]
    grouped = nn.Conv3d(4, 6, 2, groups=2, bias=False)
    assert grouped.weight.shape == (6, 2, 2, 2, 2) and grouped.bias is None


@pytest.mark.parametrize("kwargs", [dict(stride=2, padding=1), dict(dilation=(1, 2, 1), groups=2),
                                    dict(padding="same")])
def test_conv3d_layer_forward_and_backward_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours = nn.Conv3d(4, 6, (3, 2, 3), **kwargs)
    theirs = torch.nn.Conv3d(4, 6, (3, 2, 3), **kwargs)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.detach().numpy()))
        theirs.bias.copy_(torch.from_numpy(ours.bias.detach().numpy()))
    x = numpy.random.default_rng(0).standard_normal((2, 4, 5, 6, 7)).astype(numpy.float32)
    our_x, their_x = edunet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_y, their_y = ours(our_x), theirs(their_x)
    numpy.testing.assert_allclose(our_y.detach().numpy(), their_y.detach().numpy(), rtol=1e-4,
                                  atol=1e-5)
    (our_y ** 2).sum().backward()
    (their_y ** 2).sum().backward()
    for our, their in ((our_x.grad, their_x.grad), (ours.weight.grad, theirs.weight.grad),
                       (ours.bias.grad, theirs.bias.grad)):
        numpy.testing.assert_allclose(our.numpy(), their.numpy(), rtol=1e-4, atol=1e-4)


def test_pool_layers_match_torch_on_a_volume():
    torch = pytest.importorskip("torch")
    x = numpy.random.default_rng(1).standard_normal((2, 3, 5, 6, 7)).astype(numpy.float32)
    for name, args, kwargs in LAYERS[4:]:
        ours = getattr(nn, name)(*args, **kwargs)(edunet.tensor(x))
        theirs = getattr(torch.nn, name)(*args, **kwargs)(torch.tensor(x))
        if isinstance(theirs, tuple):
            assert ours[1].tolist() == theirs[1].tolist()
            ours, theirs = ours[0], theirs[0]
        numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


def test_a_small_3d_cnn_runs_and_learns_shapes():
    model = nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2),
                          nn.Conv3d(4, 8, 3, padding=1), nn.ReLU(), nn.AvgPool3d(2),
                          nn.Flatten(), nn.Linear(8 * 2 * 2 * 2, 3))
    y = model(edunet.randn(2, 1, 8, 8, 8))
    assert y.shape == (2, 3)
    y.sum().backward()
    assert model[0].weight.grad.shape == (4, 1, 3, 3, 3)


def test_wrong_rank_names_the_layer_and_the_layout():
    with pytest.raises(RuntimeError, match=r"Conv3d\(2, 4.*expects input \(N, 2, D, H, W\)"):
        nn.Conv3d(2, 4, 3)(edunet.ones(2, 8, 8))
    with pytest.raises(RuntimeError, match=r"MaxPool3d.*expects input \(N, C, D, H, W\)"):
        nn.MaxPool3d(2)(edunet.ones(8, 8))
    with pytest.raises(RuntimeError, match="expects 2 input channels"):
        nn.Conv3d(2, 4, 3)(edunet.ones(1, 3, 8, 8, 8))
