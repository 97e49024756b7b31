"""How ``register_full_backward_hook`` sees the gradients around a module.

The module's forward runs between two identity nodes: one on the output, which
notes ``grad_output`` as the gradient passes it, and one on each input that
requires grad, which hands ``grad_input`` to the hooks once the gradient has
flowed through the module. Identity nodes change no values; they only watch.
"""

from edunet.autograd import Function
from edunet.tensor import Tensor


class Watch(Function):
    """y = x; on the way back, ``callback(grad_output)`` sees (and may replace) the gradient."""

    is_view = True  # y is x's memory, as in PyTorch: an in-place change of y changes x

    def forward(self, x, *, callback):
        self.callback = callback
        return x

    def backward(self, grad_output):
        return self.callback(grad_output)


def call_with_backward_hooks(module, args, kwargs):
    """Run ``module.forward`` with its full backward hooks attached."""
    watched = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if len(watched) > 1:
        raise NotImplementedError(
            f"{type(module).__name__}: full backward hooks support modules with one input that "
            f"requires grad; this call has {len(watched)}.")
    state = {"grad_output": None}

    def run_hooks(grad_input):
        grad_output = (Tensor._make(state["grad_output"]),)
        for hook in list(module._backward_hooks.values()):
            result = hook(module, grad_input, grad_output)
            if result is not None:
                grad_input = result if isinstance(result, tuple) else (result,)
        return grad_input

    def input_reached(grad):
        (replaced,) = run_hooks((Tensor._make(grad),))
        return replaced.array

    def output_reached(grad):
        state["grad_output"] = grad
        if not watched:  # no input wants a gradient: the hooks run now, with None
            run_hooks((None,) * max(1, len(args)))
        return grad

    args = list(args)
    for index in watched:
        args[index] = Watch.apply(args[index], callback=input_reached)
    output = module.forward(*args, **kwargs)
    if isinstance(output, Tensor) and output.requires_grad:
        output = Watch.apply(output, callback=output_reached)
    return output
