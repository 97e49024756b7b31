"""Parameter: a tensor that a Module learns.

Assigning a Parameter to a module attribute (``self.weight = nn.Parameter(...)``)
registers it, so ``model.parameters()`` hands it to the optimizer. A plain
tensor attribute is not registered; that is the whole difference.
"""

from edunet.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and belongs to a Module (``torch.nn.Parameter``).

    Args:
        data: the initial values (shared, not copied). None gives an empty tensor.
        requires_grad: False for a parameter the optimizer must leave alone.
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from edunet.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}. "
                            f"Wrap the values first: nn.Parameter(edunet.tensor(values)).")
        self._init_fields(data.array)
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        tensor_rebuild, (array, requires_grad) = super().__reduce_ex__(protocol)
        return (_rebuild_parameter, (array, requires_grad))

    def __deepcopy__(self, memo):
        copied = Parameter(Tensor._make(self.array.copy()), self.requires_grad)
        if self._grad is not None:
            copied._grad = Tensor._make(self._grad.array.copy())
        memo[id(self)] = copied
        return copied


def _rebuild_parameter(array, requires_grad):
    return Parameter(Tensor._make(array), requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a module."""

    def __init__(self, data, *, persistent=True):
        self._init_fields(data.array)
        self.persistent = persistent
