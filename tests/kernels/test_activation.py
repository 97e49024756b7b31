"""ReLU's fast path (edunet/kernels/activation.py) gives the reference's maximum(x, 0)."""

import numpy
import pytest

import edunet
import edunet.nn.functional as F
from edunet import kernels

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_relu_on_both_paths_equals_torch(dtype):
    values = numpy.array([[-1.5, 2.0, 0.0], [numpy.nan, -0.0, 3.5]])
    if dtype == "int64":
        values = numpy.array([[-2, 0, 5], [7, -1, 0]])
    values = values.astype(dtype)
    expected = torch.relu(torch.tensor(values)).numpy()
    fast = F.relu(edunet.tensor(values))
    with kernels.reference():
        reference = F.relu(edunet.tensor(values))
    for result in (fast, reference):
        assert result.dtype == edunet.tensor(values).dtype
        numpy.testing.assert_array_equal(result.numpy(), expected)


def test_relu_gradient_on_both_paths():
    x = numpy.random.default_rng(0).standard_normal((4, 5)).astype(numpy.float32)
    grads = []
    for reference in (False, True):
        tensor = edunet.tensor(x, requires_grad=True)
        if reference:
            with kernels.reference():
                F.relu(tensor).sum().backward()
        else:
            F.relu(tensor).sum().backward()
        grads.append(tensor.grad.numpy())
    numpy.testing.assert_array_equal(grads[0], grads[1])
    numpy.testing.assert_array_equal(grads[0], (x > 0).astype(numpy.float32))
