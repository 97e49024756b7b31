"""The op table for + - * / ** and negation: NumPy, finite differences, PyTorch."""

import numpy
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, binary, broadcastable_shapes, shapes, table_tests, unary, values

import edunet


def scalar_operand(low=-2.0, high=2.0):
    """A tensor and a Python number, either side."""
    return shapes().flatmap(lambda shape: st.tuples(
        values(shape, low, high), st.floats(0.5, 2.0), st.booleans()).map(
        lambda drawn: Sample([drawn[0]], {"number": drawn[1], "number_first": drawn[2]})))


def with_number(operator):
    def call(lib, x, number, number_first):
        return operator(number, x) if number_first else operator(x, number)
    return call


def positive_base_pair():
    return broadcastable_shapes().flatmap(lambda pair: st.tuples(
        values(pair[0], 0.5, 2.0), values(pair[1], -2.0, 2.0)).map(lambda a: Sample(list(a))))


CASES = [
    OpCase("add", lambda lib, x, y: x + y, numpy.add, binary()),
    OpCase("add_alpha", lambda lib, x, y: lib.add(x, y, alpha=2.5),
           lambda x, y: x + 2.5 * y, binary()),
    OpCase("sub", lambda lib, x, y: x - y, numpy.subtract, binary()),
    OpCase("sub_alpha", lambda lib, x, y: lib.sub(x, y, alpha=-0.5),
           lambda x, y: x + 0.5 * y, binary()),
    OpCase("mul", lambda lib, x, y: x * y, numpy.multiply, binary()),
    OpCase("div", lambda lib, x, y: x / y, numpy.divide, binary().map(
        lambda s: Sample([s.arrays[0], numpy.where(numpy.abs(s.arrays[1]) < 0.5, 1.5, s.arrays[1])]))),
    OpCase("neg", lambda lib, x: -x, numpy.negative, unary()),
    OpCase("neg_function", lambda lib, x: lib.neg(x), numpy.negative, unary()),
    OpCase("pow_number", lambda lib, x: x ** 3, lambda x: x ** 3, unary()),
    OpCase("pow_fraction", lambda lib, x: lib.pow(x, 0.5), numpy.sqrt, unary(low=0.5, high=3.0)),
    OpCase("pow_zero", lambda lib, x: x ** 0, lambda x: x ** 0, unary()),
    OpCase("pow_tensor", lambda lib, x, y: x ** y, numpy.power, positive_base_pair()),
    OpCase("square", lambda lib, x: lib.square(x), numpy.square, unary()),
    OpCase("reciprocal", lambda lib, x: x.reciprocal(), numpy.reciprocal, unary(low=0.5, high=3.0)),
    OpCase("add_number", with_number(lambda a, b: a + b), lambda x, number, number_first: x + number,
           scalar_operand()),
    OpCase("sub_number", with_number(lambda a, b: a - b),
           lambda x, number, number_first: number - x if number_first else x - number, scalar_operand()),
    OpCase("mul_number", with_number(lambda a, b: a * b), lambda x, number, number_first: x * number,
           scalar_operand()),
    OpCase("div_number", with_number(lambda a, b: a / b),
           lambda x, number, number_first: number / x if number_first else x / number,
           scalar_operand(0.5, 2.0)),
    OpCase("pow_number_base", with_number(lambda a, b: a ** b),
           lambda x, number, number_first: number ** x if number_first else x ** number,
           scalar_operand(0.5, 2.0)),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


def test_unbroadcast_sums_stretched_dimensions():
    from edunet.ops.arithmetic import unbroadcast
    gradient = numpy.arange(24.0).reshape(2, 3, 4)
    numpy.testing.assert_array_equal(unbroadcast(gradient, (3, 1)), gradient.sum(axis=(0, 2))[:, None])
    numpy.testing.assert_array_equal(unbroadcast(gradient, (4,)), gradient.sum(axis=(0, 1)))
    numpy.testing.assert_array_equal(unbroadcast(gradient, ()), gradient.sum())


def test_broadcast_error_names_both_shapes_and_the_rule():
    import pytest
    with pytest.raises(RuntimeError) as error:
        edunet.ones(2, 3) + edunet.ones(2, 4)
    message = str(error.value)
    assert "(2, 3)" in message and "(2, 4)" in message and "equal or one of them 1" in message
    assert "must match the size of tensor b (4) at non-singleton dimension 1" in message


def test_integer_arithmetic_and_true_division_follow_torch():
    torch = __import__("pytest").importorskip("torch")
    pairs = [([1, 2, 3], 2), ([1, 2, 3], 2.5), ([True, False], 1), ([4, -7, 9], -2)]
    for data, number in pairs:
        for operation in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b,
                          lambda a, b: a // b, lambda a, b: a % b, lambda a, b: a - b):
            try:
                expected = operation(torch.tensor(data), number)
            except RuntimeError:
                continue
            got = operation(edunet.tensor(data), number)
            assert str(got.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
            numpy.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_bool_negation_and_subtraction_raise_like_torch():
    import pytest
    mask = edunet.tensor([True, False])
    with pytest.raises(RuntimeError, match="logical_not"):
        -mask
    with pytest.raises(RuntimeError, match="logical_not"):
        mask - mask


def test_pow_gradient_conventions_at_zero_match_torch():
    torch = __import__("pytest").importorskip("torch")
    base = [0.0, 0.0, 2.0, 0.0]
    exponent = [0.0, 2.0, 0.0, 0.5]
    ours_x = edunet.tensor(base, requires_grad=True)
    ours_y = edunet.tensor(exponent, requires_grad=True)
    (ours_x ** ours_y).sum().backward()
    theirs_x = torch.tensor(base, requires_grad=True)
    theirs_y = torch.tensor(exponent, requires_grad=True)
    (theirs_x ** theirs_y).sum().backward()
    numpy.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy())
    numpy.testing.assert_allclose(ours_y.grad.numpy(), theirs_y.grad.numpy())
