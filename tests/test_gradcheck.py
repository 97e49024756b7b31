"""edunet.gradcheck: passes right gradients, and reports a wrong one readably."""

import pytest

import edunet
from edunet.autograd import Function


class WrongSquare(Function):
    """x^2 with a deliberately wrong derivative (x instead of 2x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        return grad_output * x


def test_right_gradients_pass(device):
    x = edunet.randn(3, 2, device=device, requires_grad=True)
    w = edunet.randn(2, 4, device=device, requires_grad=True)
    assert edunet.gradcheck(lambda a, b: (a @ b).tanh(), (x, w))
    assert edunet.autograd.gradcheck is edunet.gradcheck


def test_a_wrong_backward_is_reported_with_input_element_and_values():
    x = edunet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = edunet.ones(2, requires_grad=True)
    with pytest.raises(edunet.GradcheckError) as error:
        edunet.gradcheck(lambda a, b: WrongSquare.apply(b).sum() * a, (y, x))
    message = str(error.value)
    assert "input 1 (shape (3,)), element (0,)" in message
    assert "numerical (central difference)" in message and "analytical (backward)" in message
    assert isinstance(error.value, RuntimeError)
    assert edunet.gradcheck(lambda a: WrongSquare.apply(a), x, raise_exception=False) is False


def test_an_input_left_out_of_backward_is_named():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(edunet.GradcheckError, match="no gradient at all"):
        edunet.gradcheck(lambda a: (a * a).detach() + a.detach() * 0 + 1, x)


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad=True"):
        edunet.gradcheck(lambda a: a * 2, edunet.ones(2))
