"""The op table for elementwise functions and comparisons: NumPy, finite differences, PyTorch."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ops.harness import (OpCase, Sample, away_from, binary, broadcastable_shapes, shapes,
                               table_tests, unary, values)

import edunet


def sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def kinked(points=(0.0,)):
    """One float input kept away from the non-differentiable ``points``."""
    return shapes().flatmap(lambda shape: away_from(shape, points).map(lambda a: Sample([a])))


def distinct_pair():
    """Two broadcastable inputs that are never (nearly) equal, for maximum/minimum."""
    def separate(sample):
        x, y = sample.arrays
        gap = numpy.broadcast_to(x, numpy.broadcast_shapes(x.shape, y.shape)) - y
        if gap.size and numpy.abs(gap).min() < 0.05:
            y = y + 0.5  # shifted pairs still differ: values are continuous
        return Sample([x, y])
    return binary().map(separate)


def where_sample():
    return broadcastable_shapes(count=3).flatmap(lambda shapes_: st.tuples(
        values(shapes_[0]), values(shapes_[1]), values(shapes_[2])).map(
        lambda a: Sample([a[0] > 0, a[1], a[2]])))


def compare(name, operator):
    return OpCase(name, lambda lib, x, y: operator(x, y), operator, binary(), differentiable=False)


def clamp_sample():
    return shapes().flatmap(lambda shape: away_from(shape, (-0.5, 0.7)).map(
        lambda a: Sample([a], {"min": -0.5, "max": 0.7})))


CASES = [
    OpCase("exp", lambda lib, x: x.exp(), numpy.exp, unary()),
    OpCase("log", lambda lib, x: lib.log(x), numpy.log, unary(low=0.2, high=3.0)),
    OpCase("log1p", lambda lib, x: x.log1p(), numpy.log1p, unary(low=-0.5, high=3.0)),
    OpCase("sqrt", lambda lib, x: lib.sqrt(x), numpy.sqrt, unary(low=0.2, high=3.0)),
    OpCase("rsqrt", lambda lib, x: x.rsqrt(), lambda x: 1 / numpy.sqrt(x), unary(low=0.2, high=3.0)),
    OpCase("abs", lambda lib, x: x.abs(), numpy.abs, kinked()),
    OpCase("sin", lambda lib, x: lib.sin(x), numpy.sin, unary(low=-4, high=4)),
    OpCase("cos", lambda lib, x: x.cos(), numpy.cos, unary(low=-4, high=4)),
    OpCase("tanh", lambda lib, x: lib.tanh(x), numpy.tanh, unary(low=-4, high=4)),
    OpCase("sigmoid", lambda lib, x: x.sigmoid(), sigmoid, unary(low=-6, high=6)),
    OpCase("relu", lambda lib, x: lib.relu(x), lambda x: numpy.maximum(x, 0), kinked()),
    OpCase("clamp", lambda lib, x, min, max: x.clamp(min, max),
           lambda x, min, max: numpy.clip(x, min, max), clamp_sample()),
    OpCase("clamp_min_only", lambda lib, x: lib.clamp(x, min=0.1),
           lambda x: numpy.maximum(x, 0.1), kinked((0.1,))),
    OpCase("clamp_tensor_bounds", lambda lib, x, low: lib.clamp(x, min=low),
           numpy.maximum, distinct_pair()),
    OpCase("maximum", lambda lib, x, y: lib.maximum(x, y), numpy.maximum, distinct_pair()),
    OpCase("minimum", lambda lib, x, y: x.minimum(y), numpy.minimum, distinct_pair()),
    OpCase("where", lambda lib, condition, x, y: lib.where(condition, x, y), numpy.where,
           where_sample()),
    OpCase("sign", lambda lib, x: x.sign(), numpy.sign, kinked()),
    OpCase("floor", lambda lib, x: lib.floor(x), numpy.floor, kinked((-1.0, 1.0))),
    OpCase("ceil", lambda lib, x: x.ceil(), numpy.ceil, kinked((-1.0, 1.0))),
    OpCase("round", lambda lib, x: lib.round(x), numpy.round, kinked((-1.5, -0.5, 0.5, 1.5))),
    compare("eq", lambda x, y: x == y),
    compare("ne", lambda x, y: x != y),
    compare("lt", lambda x, y: x < y),
    compare("le", lambda x, y: x <= y),
    compare("gt", lambda x, y: x > y),
    compare("ge", lambda x, y: x >= y),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs",
                                  "relu", "neg", "sign"])
def test_integer_inputs_give_torch_dtypes(name):
    torch = pytest.importorskip("torch")
    data = [1, 2, 3]
    got = getattr(edunet, name)(edunet.tensor(data))
    expected = getattr(torch, name)(torch.tensor(data))
    assert got.dtype.name == str(expected.dtype).split(".")[1]
    numpy.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_gradients_at_kinks_follow_torch():
    torch = pytest.importorskip("torch")
    data = [-1.0, 0.0, 0.0, 2.0]
    other = [0.0, 0.0, 1.0, 2.0]
    for name in ("relu", "abs", "sign"):
        ours = edunet.tensor(data, requires_grad=True)
        theirs = torch.tensor(data, requires_grad=True)
        getattr(edunet, name)(ours).sum().backward()
        getattr(torch, name)(theirs).sum().backward()
        numpy.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy(), err_msg=name)
    for name in ("maximum", "minimum"):  # ties share the gradient
        ours = [edunet.tensor(v, requires_grad=True) for v in (data, other)]
        theirs = [torch.tensor(v, requires_grad=True) for v in (data, other)]
        getattr(edunet, name)(*ours).sum().backward()
        getattr(torch, name)(*theirs).sum().backward()
        for our, their in zip(ours, theirs):
            numpy.testing.assert_array_equal(our.grad.numpy(), their.grad.numpy(), err_msg=name)
    ours = edunet.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    ours.clamp(0.0, 2.0).sum().backward()
    theirs.clamp(0.0, 2.0).sum().backward()
    numpy.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@given(x=st.floats(-1e4, 1e4, allow_nan=False))
def test_sigmoid_is_finite_and_exact_for_extreme_inputs(x):
    torch = pytest.importorskip("torch")
    got = edunet.sigmoid(edunet.tensor([x])).numpy()
    expected = torch.sigmoid(torch.tensor([x])).numpy()
    assert numpy.isfinite(got).all()
    numpy.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-30)


def test_sigmoid_float16_is_computed_like_torch_without_underflow():
    torch = pytest.importorskip("torch")
    data = [-30.0, -15.0, -12.0, -11.0, -1.0, 0.0, 2.5, 12.0]
    got = edunet.sigmoid(edunet.tensor(data, dtype=edunet.float16))
    expected = torch.sigmoid(torch.tensor(data, dtype=torch.float16))
    assert got.dtype == edunet.float16
    numpy.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_comparisons_with_numbers_and_logic():
    x = edunet.tensor([1.0, 2.0, 3.0])
    assert (x > 1.5).tolist() == [False, True, True]
    assert (2 < x).tolist() == [False, False, True]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]
    assert (~(x > 1)).tolist() == [True, False, False]
    assert (x == 2).dtype == edunet.bool
    assert edunet.equal(x, edunet.tensor([1.0, 2.0, 3.0])) is True
    assert edunet.allclose(x, x + 1e-9)


def test_where_needs_a_bool_condition():
    with pytest.raises(RuntimeError, match="boolean"):
        edunet.where(edunet.tensor([1.0, 0.0]), edunet.ones(2), edunet.zeros(2))


def test_where_with_numbers_follows_torch_dtype():
    torch = pytest.importorskip("torch")
    condition = [True, False, True]
    got = edunet.where(edunet.tensor(condition), edunet.tensor([1.0, 2.0, 3.0]), 0.0)
    expected = torch.where(torch.tensor(condition), torch.tensor([1.0, 2.0, 3.0]), 0.0)
    assert got.tolist() == expected.tolist() and got.dtype == edunet.float32
