"""Containers: modules that hold other modules (or parameters) and register them.

- ``Sequential``: layers applied one after another; calling it runs them in order.
- ``ModuleList`` / ``ModuleDict``: a list / dict of modules that *registers* them.
  A plain Python list would hide them from ``parameters()``, ``to()`` and
  ``state_dict()``, so nothing in it would be trained or saved.
- ``ParameterList`` / ``ParameterDict``: the same for bare parameters.
"""

import operator
from collections import OrderedDict

from edunet.nn.module import Module, _indent
from edunet.nn.parameter import Parameter
from edunet.tensor import Tensor


def _index(index, length, kind):
    index = operator.index(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for a {kind} of length {length}")
    return index % length


class Sequential(Module):
    """Layers applied in order: ``Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))``.

    Also accepts an OrderedDict of named layers. Indexing, slicing, ``len``,
    iteration, ``append`` and ``insert`` work as on a list.
    """

    _accepts_any_input = True

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[_index(index, len(self), "Sequential")]

    def __setitem__(self, index, module):
        key = list(self._modules)[_index(index, len(self), "Sequential")]
        self.add_module(key, module)

    def __delitem__(self, index):
        modules = list(self._modules.values())
        del modules[index]
        self._modules.clear()
        for position, module in enumerate(modules):
            self._modules[str(position)] = module

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add a layer at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index, module):
        """Insert a layer before position ``index``; the layers are renumbered."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        for position, item in enumerate(modules):
            self.add_module(str(position), item)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self


class ModuleList(Module):
    """A list of modules, registered: ``ModuleList([nn.Linear(a, b) for a, b in sizes])``.

    It has no ``forward``: your model decides how to use the modules.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return self._modules[str(_index(index, len(self), "ModuleList"))]

    def __setitem__(self, index, module):
        self.add_module(str(_index(index, len(self), "ModuleList")), module)

    def __delitem__(self, index):
        modules = list(self._modules.values())
        del modules[index]
        self._modules.clear()
        self.extend(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        self.extend(modules)

    def _child_lines(self):
        """Runs of identical layers print once, as PyTorch does: ``(0-2): 3 x ReLU()``."""
        lines = []
        items = [(name, repr(module)) for name, module in self._modules.items()]
        start = 0
        while start < len(items):
            end = start
            while end + 1 < len(items) and items[end + 1][1] == items[start][1]:
                end += 1
            text = _indent(items[start][1], 2)
            if end == start:
                lines.append(f"({items[start][0]}): {text}")
            else:
                lines.append(f"({items[start][0]}-{items[end][0]}): {end - start + 1} x {text}")
            start = end + 1
        return lines


class ModuleDict(Module):
    """A dict of modules, registered: ``ModuleDict({"encoder": ..., "decoder": ...})``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        if key not in self._modules:
            raise KeyError(key)
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key):
        return self._modules.pop(key)

    def clear(self):
        self._modules.clear()

    def update(self, modules):
        items = modules.items() if hasattr(modules, "items") else modules
        for key, module in items:
            self[key] = module


def _parameter_summary(parameter):
    size = "x".join(str(s) for s in parameter.shape)
    device = "" if parameter.device.type == "cpu" else f" ({parameter.device})"
    return f"Parameter containing: [{parameter.dtype} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters, registered (tensors are wrapped as Parameters)."""

    def __init__(self, values=None):
        super().__init__()
        for value in values or []:
            self.append(value)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called: it holds parameters for "
                           "your module's forward to use, e.g. x @ self.weights[0].")

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList(list(self._parameters.values())[index])
        return self._parameters[str(_index(index, len(self), "ParameterList"))]

    def __setitem__(self, index, value):
        self.register_parameter(str(_index(index, len(self), "ParameterList")), _as_parameter(value))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return "\n".join(f"  ({name}): {_parameter_summary(p)}" for name, p in self._parameters.items())


class ParameterDict(Module):
    """A dict of parameters, registered (tensors are wrapped as Parameters)."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called: it holds parameters for "
                           "your module's forward to use, e.g. x @ self.weights['first'].")

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key):
        del self._parameters[key]

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def update(self, parameters):
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for key, value in items:
            self[key] = value

    def extra_repr(self):
        return "\n".join(f"  ({name}): {_parameter_summary(p)}" for name, p in self._parameters.items())


def _as_parameter(value):
    if isinstance(value, Parameter) or value is None:
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"expected a Parameter or a Tensor, got {type(value).__name__}")
