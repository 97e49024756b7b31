"""Custom autograd Functions written PyTorch's way, with a ``ctx`` and tensors.

edunet's own ops use instance methods on raw arrays (see ``autograd.Function``).
A learner following PyTorch's tutorials writes static methods on tensors instead::

    class MyReLU(edunet.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * (input > 0)

    y = MyReLU.apply(x)

That works unchanged: ``apply`` runs ``forward`` without recording (its inside is
the function's own business), and records one :class:`UserFunctionNode` whose
backward calls the learner's ``backward``.
"""

from edunet.autograd import Function
from edunet.grad_mode import is_grad_enabled, no_grad
from edunet.tensor import Tensor


class UserFunctionNode(Function):
    """The graph node of a PyTorch-style Function; it is also the ``ctx``."""

    def __init__(self, user_class, tensor_positions):
        super().__init__()
        self.user_class = user_class
        self.tensor_positions = tensor_positions  # where the tensors sit among apply's arguments

    def name(self):
        return self.user_class.__name__ + "Backward"

    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self):
        return self.saved_arrays  # raises once the graph has been freed

    def mark_non_differentiable(self, *tensors):
        pass  # edunet's user functions have one output; its requires_grad is decided by apply

    def set_materialize_grads(self, value):
        pass

    def backward(self, grad_output):
        with no_grad():
            gradients = self.user_class.backward(self, Tensor._make(grad_output))
        if not isinstance(gradients, tuple):
            gradients = (gradients,)
        arguments = len(self.needs_input_grad)
        if len(gradients) != arguments:
            raise RuntimeError(f"function {self.user_class.__name__}Backward returned an incorrect "
                               f"number of gradients (expected {arguments}, got {len(gradients)})")
        return tuple(None if gradients[p] is None else gradients[p].array
                     for p in self.tensor_positions)


def apply(user_class, arguments, options):
    """Run a PyTorch-style Function on ``arguments`` (tensors and other values)."""
    tensor_positions = tuple(i for i, a in enumerate(arguments) if isinstance(a, Tensor))
    node = UserFunctionNode(user_class, tensor_positions)
    node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in arguments)
    with no_grad():
        output = user_class.forward(node, *arguments, **options)
    if not isinstance(output, Tensor):
        raise TypeError(f"{user_class.__name__}.forward must return a Tensor, got "
                        f"{type(output).__name__}")
    tensors = [arguments[p] for p in tensor_positions]
    if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
        return output
    node.next_functions = tuple(t._gradient_edge() for t in tensors)
    return Tensor._make(output.array, node)
