"""Linear, Bilinear, Identity, Flatten, Unflatten vs PyTorch; the course's parameter counts."""

import math

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
from edunet import nn

torch = pytest.importorskip("torch")


def copy_into(source, target):
    for (name, theirs), (_, ours) in zip(source.named_parameters(), target.named_parameters()):
        with edunet.no_grad():
            ours.copy_(edunet.tensor(theirs.detach().numpy()))


@given(leading=st.lists(st.integers(1, 3), max_size=2), sizes=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       bias=st.booleans(), seed=st.integers(0, 1000))
def test_linear_forward_and_backward_match_torch(leading, sizes, bias, seed):
    theirs = torch.nn.Linear(*sizes, bias=bias)
    ours = nn.Linear(*sizes, bias=bias)
    copy_into(theirs, ours)
    x = numpy.random.default_rng(seed).standard_normal((*leading, sizes[0])).astype(numpy.float32)
    our_x, their_x = edunet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_y, their_y = ours(our_x), theirs(their_x)
    numpy.testing.assert_allclose(our_y.detach().numpy(), their_y.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert our_y.grad_fn.name() == their_y.grad_fn.name()
    weight = numpy.random.default_rng(seed + 1).standard_normal(tuple(our_y.shape)).astype(numpy.float32)
    (our_y * edunet.tensor(weight)).sum().backward()
    (their_y * torch.tensor(weight)).sum().backward()
    numpy.testing.assert_allclose(our_x.grad.numpy(), their_x.grad.numpy(), rtol=1e-5, atol=1e-5)
    for (_, mine), (_, other) in zip(ours.named_parameters(), theirs.named_parameters()):
        numpy.testing.assert_allclose(mine.grad.numpy(), other.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_linear_gradcheck():
    layer = nn.Linear(3, 2).double()
    x = edunet.randn(4, 3, dtype=edunet.float64, requires_grad=True)
    assert edunet.gradcheck(lambda t: layer(t), x)
    assert edunet.gradcheck(lambda w, b: edunet.nn.functional.linear(x, w, b), (layer.weight, layer.bias))


def test_default_init_follows_torch_bounds():
    edunet.manual_seed(0)
    layer = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    assert layer.weight.abs().max().item() <= bound and layer.bias.abs().max().item() <= bound
    assert layer.weight.abs().max().item() > 0.9 * bound  # spread over the whole range
    assert abs(layer.weight.std().item() - bound / math.sqrt(3)) < 0.01


def test_reprs_match_torch():
    for make in (lambda lib: lib.nn.Linear(3, 4), lambda lib: lib.nn.Linear(3, 4, bias=False),
                 lambda lib: lib.nn.Bilinear(2, 3, 4), lambda lib: lib.nn.Flatten(),
                 lambda lib: lib.nn.Flatten(0, 2), lambda lib: lib.nn.Unflatten(1, (2, 3)),
                 lambda lib: lib.nn.Identity()):
        assert repr(make(edunet)) == repr(make(torch))


def test_wrong_feature_size_names_the_layer_and_shapes():
    with pytest.raises(RuntimeError) as error:
        nn.Linear(784, 10)(edunet.ones(8, 1, 28, 28))
    message = str(error.value)
    assert "Linear(in_features=784, out_features=10, bias=True)" in message
    assert "(8, 1, 28, 28)" in message and "Flatten" in message
    with pytest.raises(RuntimeError):
        torch.nn.Linear(784, 10)(torch.ones(8, 1, 28, 28))


def test_bilinear_matches_torch():
    theirs = torch.nn.Bilinear(2, 3, 4)
    ours = nn.Bilinear(2, 3, 4)
    copy_into(theirs, ours)
    rng = numpy.random.default_rng(0)
    a, b = rng.standard_normal((5, 2)).astype(numpy.float32), rng.standard_normal((5, 3)).astype(numpy.float32)
    numpy.testing.assert_allclose(ours(edunet.tensor(a), edunet.tensor(b)).detach().numpy(),
                                  theirs(torch.tensor(a), torch.tensor(b)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_flatten_layer_keeps_the_batch_but_the_function_does_not():
    x = edunet.ones(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12) and edunet.flatten(x).shape == (24,)
    assert nn.Unflatten(1, (3, 4))(edunet.ones(2, 12)).shape == (2, 3, 4)


def test_course_parameter_counts():
    # 3-3-2-2 network: (3x3 + 3) + (3x2 + 2) + (2x2 + 2) = 12 + 8 + 6 = 26
    small = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2), nn.Linear(2, 2))
    assert sum(p.numel() for p in small.parameters()) == 26
    # 20-64-32-1 binary classifier: 1344 + 2080 + 33 = 3457
    classifier = nn.Sequential(nn.Linear(20, 64), nn.Linear(64, 32), nn.Linear(32, 1))
    assert sum(p.numel() for p in classifier.parameters()) == 3457
