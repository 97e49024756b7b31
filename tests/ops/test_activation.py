"""The op table for softmax and log_softmax: NumPy, finite differences, PyTorch."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, dims, shapes, table_tests, values

import edunet


def numpy_softmax(x, dim):
    exponentials = numpy.exp(x - x.max(axis=dim, keepdims=True))
    return exponentials / exponentials.sum(axis=dim, keepdims=True)


def numpy_log_softmax(x, dim):
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=dim, keepdims=True))


def along_a_dim(low=-3.0, high=3.0):
    return shapes(min_dims=1).flatmap(lambda shape: st.tuples(values(shape, low, high), dims(len(shape))).map(
        lambda drawn: Sample([drawn[0]], {"dim": drawn[1]})))


CASES = [
    OpCase("softmax", lambda lib, x, dim: lib.softmax(x, dim=dim), numpy_softmax, along_a_dim()),
    OpCase("softmax_method", lambda lib, x, dim: x.softmax(dim), numpy_softmax, along_a_dim()),
    OpCase("log_softmax", lambda lib, x, dim: lib.log_softmax(x, dim=dim), numpy_log_softmax,
           along_a_dim()),
    OpCase("log_softmax_method", lambda lib, x, dim: x.log_softmax(dim), numpy_log_softmax,
           along_a_dim()),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


@given(scale=st.sampled_from([1e2, 1e3, 1e4, -1e4]), seed=st.integers(0, 1000))
def test_extreme_logits_stay_finite_and_match_torch(scale, seed):
    torch = pytest.importorskip("torch")
    logits = (numpy.random.default_rng(seed).standard_normal((3, 5)) * scale).astype(numpy.float32)
    for name in ("softmax", "log_softmax"):
        ours = edunet.tensor(logits, requires_grad=True)
        theirs = torch.tensor(logits, requires_grad=True)
        our_out, their_out = getattr(edunet, name)(ours, dim=1), getattr(torch, name)(theirs, dim=1)
        assert numpy.isfinite(our_out.detach().numpy()).all()
        numpy.testing.assert_allclose(our_out.detach().numpy(), their_out.detach().numpy(),
                                      rtol=1e-5, atol=1e-6)
        weight = numpy.random.default_rng(seed + 1).standard_normal((3, 5)).astype(numpy.float32)
        (our_out * edunet.tensor(weight)).sum().backward()
        (their_out * torch.tensor(weight)).sum().backward()
        numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_softmax_rows_sum_to_one_and_dtype_argument():
    probabilities = edunet.softmax(edunet.tensor([[1, 2, 3]]), dim=1, dtype=edunet.float64)
    assert probabilities.dtype == edunet.float64
    numpy.testing.assert_allclose(probabilities.numpy().sum(axis=1), [1.0])


def test_softmax_of_integers_explains_the_fix():
    with pytest.raises(RuntimeError, match="float"):
        edunet.softmax(edunet.tensor([1, 2, 3]), dim=0)


def test_implicit_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        edunet.softmax(edunet.ones(2, 3))
