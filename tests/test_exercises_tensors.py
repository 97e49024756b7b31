"""Checks of "01 Tensors and autograd": right answers pass, typical wrong ones fail with a hint."""

import edunet
from edunet.exercises import tensors as check


def test_broadcast_shape_matches_edunet():
    assert check.broadcast_shape((edunet.ones(4, 1) + edunet.ones(3)).shape)
    assert check.broadcast_shape([4, 3])
    verdict = check.broadcast_shape((4, 1))
    assert not verdict and "BOTH" in verdict.hint
    assert not check.broadcast_shape((3, 4)) and not check.broadcast_shape(12)


def test_ones_tensor():
    assert check.ones_tensor(edunet.ones(2, 3, requires_grad=True))
    assert "require gradients" in check.ones_tensor(edunet.ones(2, 3)).message
    assert "shape" in check.ones_tensor(edunet.ones(3, 2, requires_grad=True)).message
    assert "dtype" in check.ones_tensor(edunet.ones(2, 3, dtype=edunet.float64,
                                                    requires_grad=True)).message
    assert "values" in check.ones_tensor(edunet.zeros(2, 3, requires_grad=True)).message
    assert not check.ones_tensor([[1, 1, 1], [1, 1, 1]])


def test_cube_gradient_from_autograd():
    x = edunet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x ** 3).sum().backward()
    assert check.cube_gradient(x.grad)
    (x ** 3).sum().backward()                     # a second backward doubles the gradient
    verdict = check.cube_gradient(x.grad)
    assert not verdict and "twice" in verdict.hint
    assert "x ** 2" in check.cube_gradient([1.0, 4.0, 9.0]).hint
    assert not check.cube_gradient(None) and not check.cube_gradient([3.0, 12.0])
