"""nn.init: gains and fans as PyTorch computes them; distributions with the right spread."""

import math

import numpy
import pytest

import edunet
from edunet.nn import init

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("sigmoid", None), ("tanh", None),
                                                 ("relu", None), ("leaky_relu", None),
                                                 ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param))


@pytest.mark.parametrize("shape", [(30, 20), (16, 3, 5, 5), (8, 4, 3)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(edunet.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("name, kwargs", [
    ("xavier_uniform_", {}), ("xavier_normal_", {"gain": 2.0}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}), ("uniform_", {"a": -0.3, "b": 0.7}),
    ("normal_", {"mean": 1.0, "std": 0.5}), ("trunc_normal_", {"std": 2.0}), ("orthogonal_", {"gain": 1.5}),
])
def test_distributions_have_torch_spread(name, kwargs):
    edunet.manual_seed(0)
    torch.manual_seed(0)
    ours = getattr(init, name)(edunet.empty(200, 300), **kwargs).numpy()
    theirs = getattr(torch.nn.init, name)(torch.empty(200, 300), **kwargs).numpy()
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.02)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    assert ours.min() >= theirs.min() - 0.1 * abs(theirs.min()) - 1e-3
    assert ours.max() <= theirs.max() + 0.1 * abs(theirs.max()) + 1e-3


def test_constant_zeros_ones_eye_and_orthogonality():
    assert init.constant_(edunet.empty(2, 2), 0.5).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert init.zeros_(edunet.ones(3)).tolist() == [0.0] * 3
    assert init.ones_(edunet.zeros(2)).tolist() == [1.0, 1.0]
    assert init.eye_(edunet.empty(2, 3)).tolist() == torch.nn.init.eye_(torch.empty(2, 3)).tolist()
    q = init.orthogonal_(edunet.empty(4, 6)).numpy()
    numpy.testing.assert_allclose(q @ q.T, numpy.eye(4), atol=1e-5)


def test_init_works_on_parameters_that_require_grad():
    weight = edunet.nn.Parameter(edunet.empty(3, 3))
    init.kaiming_uniform_(weight)
    assert weight.requires_grad and weight.is_leaf and weight.grad_fn is None
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(edunet.empty(3))
