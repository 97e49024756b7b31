"""Custom Functions written PyTorch's way (static forward/backward with ctx) run unchanged."""

import numpy
import pytest

import edunet

torch = pytest.importorskip("torch")


def make_relu(library):
    class MyReLU(library.autograd.Function):
        @staticmethod
        def forward(ctx, input, scale):
            ctx.save_for_backward(input)
            ctx.scale = scale
            return input.clamp(min=0) * scale

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * (input > 0) * ctx.scale, None

    return MyReLU


def test_a_pytorch_style_function_gives_torch_results():
    data = numpy.array([-1.0, 0.5, 2.0], dtype=numpy.float32)
    results = []
    for library in (edunet, torch):
        x = library.tensor(data, requires_grad=True)
        y = make_relu(library).apply(x, 3.0)
        (y * y).sum().backward()
        results.append((y.tolist(), x.grad.tolist(), y.grad_fn.name()))
    assert results[0] == results[1]


def test_its_saved_tensors_are_freed_after_backward():
    x = edunet.tensor([1.0, -1.0], requires_grad=True)
    y = make_relu(edunet).apply(x, 1.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_a_wrong_number_of_gradients_is_reported():
    class Broken(edunet.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = edunet.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Broken.apply(x, x).sum().backward()


def test_gradcheck_accepts_it():
    x = edunet.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    assert edunet.gradcheck(lambda t: make_relu(edunet).apply(t, 2.0), x)
