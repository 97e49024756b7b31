"""The op table for matmul in all its forms: NumPy, finite differences, PyTorch."""

import numpy
import pytest
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, table_tests, values

import edunet


@st.composite
def matmul_shapes(draw):
    """Operand shapes for every matmul case: 1-D, 2-D, batched, broadcast batches."""
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["dot", "mv", "vm", "mm", "bmm", "broadcast", "batch_vector"]))
    if kind == "dot":
        return (k,), (k,)
    if kind == "mv":
        return (n, k), (k,)
    if kind == "vm":
        return (k,), (k, m)
    if kind == "mm":
        return (n, k), (k, m)
    batch = draw(st.integers(1, 3))
    if kind == "bmm":
        return (batch, n, k), (batch, k, m)
    if kind == "broadcast":
        return (2, 1, n, k), (batch, k, m)
    return (batch, n, k), (k,)


def matmul_samples():
    return matmul_shapes().flatmap(lambda pair: st.tuples(values(pair[0]), values(pair[1])).map(
        lambda arrays: Sample(list(arrays))))


def fixed(shape_a, shape_b):
    return st.tuples(values(shape_a), values(shape_b)).map(lambda arrays: Sample(list(arrays)))


CASES = [
    OpCase("matmul_operator", lambda lib, a, b: a @ b, numpy.matmul, matmul_samples()),
    OpCase("matmul_function", lambda lib, a, b: lib.matmul(a, b), numpy.matmul, matmul_samples()),
    OpCase("mm", lambda lib, a, b: lib.mm(a, b), numpy.matmul, fixed((3, 4), (4, 2))),
    OpCase("bmm", lambda lib, a, b: lib.bmm(a, b), numpy.matmul, fixed((2, 3, 4), (2, 4, 5))),
    OpCase("mv", lambda lib, a, b: a.mv(b), numpy.matmul, fixed((3, 4), (4,))),
    OpCase("dot", lambda lib, a, b: lib.dot(a, b), numpy.dot, fixed((5,), (5,))),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


def test_shape_mismatch_names_the_rule_and_the_fix():
    with pytest.raises(RuntimeError) as error:
        edunet.ones(2, 3) @ edunet.ones(4, 5)
    message = str(error.value)
    assert message.startswith("2x3 and 4x5 shapes cannot be multiplied")
    assert "last dimension of a (3)" in message and "(4)" in message


def test_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    cases = [((2, 3), (4, 5)), ((), (3,)), ((3,), (4,)), ((2, 2, 3), (3, 3, 2))]
    for shape_a, shape_b in cases:
        with pytest.raises(RuntimeError):
            torch.ones(shape_a) @ torch.ones(shape_b)
        with pytest.raises(RuntimeError):
            edunet.ones(shape_a) @ edunet.ones(shape_b)


def test_mixed_dtypes_raise_like_torch_with_a_hint():
    with pytest.raises(RuntimeError, match="same dtype.*float"):
        edunet.ones(2, 2) @ edunet.ones(2, 2, dtype=edunet.float64)


def test_integer_matmul_stays_integer():
    result = edunet.tensor([[1, 2], [3, 4]]) @ edunet.tensor([1, 1])
    assert result.dtype == edunet.int64 and result.tolist() == [3, 7]


@pytest.mark.parametrize("shape_a, shape_b", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                              ((2, 3), (3, 2)), ((4, 2, 3), (4, 3, 2)),
                                              ((4, 2, 3), (3, 2))])
def test_grad_fn_names_match_torch(shape_a, shape_b):
    torch = pytest.importorskip("torch")
    ours = edunet.ones(shape_a, requires_grad=True) @ edunet.ones(shape_b)
    theirs = torch.ones(shape_a, requires_grad=True) @ torch.ones(shape_b)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
