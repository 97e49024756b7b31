"""Module: the base class of every layer and model (``torch.nn.Module``).

A model is a Module whose ``__init__`` creates its layers and whose ``forward``
says how data flows through them::

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 128)
            self.output = nn.Linear(128, 10)

        def forward(self, x):
            return self.output(self.hidden(x).relu())

Assigning a Parameter, a Module or a buffer to an attribute *registers* it: the
module keeps it in one of three dicts (``_parameters``, ``_modules``,
``_buffers``), which is how ``parameters()``, ``state_dict()``, ``to()`` and
``print(model)`` find everything, however deeply nested.
"""

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from edunet.grad_mode import is_grad_enabled
from edunet.nn.parameter import Buffer, Parameter
from edunet.tensor import Tensor
from edunet.utils.hooks import add_hook


_call_depth = 0  # > 0 while a module's forward runs (the warning checks only the outermost)


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` could not match."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _indent(text, spaces):
    """Indent every line but the first (for nested reprs)."""
    lines = text.split("\n")
    return lines[0] if len(lines) == 1 else lines[0] + "\n" + "\n".join(
        " " * spaces + line for line in lines[1:])


def _holds_modules_or_parameters(value):
    items = value.values() if isinstance(value, dict) else value
    return any(isinstance(item, (Module, Parameter)) for item in items)


class Module:
    """Base class for all layers and models. Subclass it and define ``forward``."""

    training: bool
    # Layers whose behaviour differs between train() and eval() set this, for the
    # teaching warning about evaluating under no_grad while still training.
    behaves_differently_in_training = False

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments; "
                            "Module.__init__ takes none (call super().__init__()).")
        set_attribute = super().__setattr__
        set_attribute("training", True)
        set_attribute("_parameters", {})
        set_attribute("_buffers", {})
        set_attribute("_non_persistent_buffers", set())
        set_attribute("_modules", {})
        set_attribute("_forward_pre_hooks", {})
        set_attribute("_forward_hooks", {})
        set_attribute("_backward_hooks", {})

    def forward(self, *inputs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function. '
            f"Define forward(self, x) in your class: it says how the input flows through "
            f"the layers made in __init__.")

    # ---------------------------------------------------------------- calling
    def __call__(self, *args, **kwargs):
        """Run ``forward`` with the hooks around it. Call the model, not ``forward``."""
        global _call_depth
        if _call_depth == 0 and self.training and not is_grad_enabled():
            self._warn_if_evaluating_in_training_mode()
        _call_depth += 1
        try:
            return self._call_with_hooks(args, kwargs)
        finally:
            _call_depth -= 1

    def _call_with_hooks(self, args, kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        if args and not isinstance(args[0], Tensor) and self._checks_input_type:
            _check_layer_input(self, args[0])
        if self._backward_hooks:
            from edunet.nn.backward_hooks import call_with_backward_hooks
            output = call_with_backward_hooks(self, args, kwargs)
        else:
            output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    @property
    def _checks_input_type(self):
        """edunet's own layers take a tensor first; your modules may take anything."""
        return (type(self).__module__.startswith("edunet.nn.") and not self._accepts_any_input
                and type(self).forward is not Module.forward)

    _accepts_any_input = False  # True for Identity and Sequential, which pass input on

    def _warn_if_evaluating_in_training_mode(self):
        """Teach the trap: evaluating under no_grad() but forgetting model.eval()."""
        if self.__dict__.get("_warned_training_mode"):
            return
        layers = sorted({type(m).__name__ for m in self.modules()
                         if m.behaves_differently_in_training and m.training})
        if layers:
            object.__setattr__(self, "_warned_training_mode", True)
            warnings.warn(
                f"{type(self).__name__} is called under no_grad() but is still in training mode, "
                f"so its {', '.join(layers)} layers behave as in training (Dropout drops values, "
                f"BatchNorm uses batch statistics and updates its running averages). For "
                f"evaluation, call model.eval() first (and model.train() before training again).",
                UserWarning, stacklevel=3)

    # ---------------------------------------------------------------- registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__ and isinstance(value, (Parameter, Module)):
            raise AttributeError(f"cannot assign {type(value).__name__} before Module.__init__() "
                                 f"call. Start your __init__ with super().__init__().")
        if isinstance(value, Parameter):
            self._forget(name)
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif isinstance(value, Buffer):
            self._forget(name)
            self.register_buffer(name, value, persistent=value.persistent)
        elif "_parameters" in self.__dict__ and name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f"(torch.nn.Parameter or None expected). To change the values, "
                                f"use self.{name}.data = ... or nn.Parameter(...).")
            self._parameters[name] = None
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                f"(torch.Tensor or None expected)")
            self._buffers[name] = value
        else:
            if isinstance(value, (list, tuple, dict)) and _holds_modules_or_parameters(value):
                container = "nn.ModuleDict" if isinstance(value, dict) else "nn.ModuleList"
                warnings.warn(
                    f"{type(self).__name__}.{name} is a plain {type(value).__name__} holding "
                    f"modules or parameters. They are not registered: model.parameters(), "
                    f".to(device) and state_dict() will not see them, so they won't be trained "
                    f"or saved. Use {container}(...) (or nn.ParameterList/ParameterDict) instead.",
                    UserWarning, stacklevel=2)
            super().__setattr__(name, value)

    def _forget(self, name):
        """Remove ``name`` from wherever it was registered before being reassigned."""
        for registry in (self.__dict__, self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the three registries.
        registries = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in registries and name in registries[registry]:
                return registries[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers.discard(name)
                return
        super().__delattr__(name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        self._check_not_taken(name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            f"(torch.nn.Parameter or None required)")
        self.__dict__.pop(name, None)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a tensor that is state but not learned (e.g. BatchNorm's running mean).

        Persistent buffers are saved in ``state_dict``; all buffers move with ``to()``.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        self._check_not_taken(name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            f"(torch Tensor or None required)")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Register a sub-module under ``name`` (same as assigning an attribute)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._check_not_taken(name, self._modules)
        self.__dict__.pop(name, None)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name, kind):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f'{kind} name can\'t contain ".", and can\'t be empty: "{name}"')

    def _check_not_taken(self, name, store):
        """KeyError if ``name`` is already another kind of attribute (as PyTorch): a
        buffer called "weight" beside the parameter "weight" would hide one of them."""
        if name not in store and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists on {type(self).__name__}; "
                           f"pick another name (or del self.{name} first)")

    def get_submodule(self, target):
        """The sub-module at a dotted path such as ``"features.0"``."""
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def get_parameter(self, target):
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"{type(module).__name__} has no parameter `{name}`")
        return module._parameters[name]

    # ---------------------------------------------------------------- traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """``(dotted name, module)`` for this module and every module inside it."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            child_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """``(dotted name, parameter)`` pairs, e.g. ``("layers.0.weight", Parameter)``."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every learnable parameter (each shared parameter once): what optimizers take."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ---------------------------------------------------------------- modes
    def train(self, mode=True):
        """Set training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Set evaluation mode: same as ``train(False)``; returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Freeze (False) or unfreeze every parameter; returns self."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter (to None by default, as PyTorch)."""
        for parameter in self.parameters():
            if parameter._grad is None:
                continue
            if set_to_none:
                parameter._grad = None
            else:
                parameter._grad.array[...] = 0

    def apply(self, function):
        """Call ``function(module)`` on every sub-module, then on self (e.g. custom init)."""
        for module in self.children():
            module.apply(function)
        function(self)
        return self

    # ---------------------------------------------------------------- devices and dtypes
    def _apply(self, convert):
        """Replace every parameter's and buffer's values by ``convert(tensor)``, in place.

        The Parameter objects stay the same (an optimizer made earlier still holds
        them); only their values move.
        """
        for module in self.modules():
            for parameter in module._parameters.values():
                if parameter is None:
                    continue
                parameter.array = convert(parameter).array
                if parameter._grad is not None:
                    parameter._grad = Tensor._make(convert(parameter._grad).array)
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    module._buffers[name] = convert(buffer)
        return self

    def to(self, *args, **kwargs):
        """Move parameters and buffers to a device and/or float dtype; returns self.

        ``model.to("cuda")``, ``model.to(edunet.float64)``. Integer buffers (such as
        BatchNorm's counter) keep their dtype, as in PyTorch.
        """
        device, dtype = _device_and_dtype(args, kwargs)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired "
                            f"dtype={dtype}")

        def convert(tensor):
            target = dtype if dtype is not None and tensor.is_floating_point() else tensor.dtype
            return tensor.detach().to(device=device or tensor.device, dtype=target)

        return self._apply(convert)

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    def cpu(self):
        return self.to("cpu")

    def float(self):
        return self.to(_dtypes().float32)

    def double(self):
        return self.to(_dtypes().float64)

    def half(self):
        return self.to(_dtypes().float16)

    # ---------------------------------------------------------------- state dict
    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An ordered dict from dotted names to tensors: every parameter and persistent buffer.

        The tensors share memory with the model (detached unless ``keep_vars``).
        """
        if destination is None:
            destination = OrderedDict()
        for name, parameter in self._parameters.items():
            if parameter is not None:
                destination[prefix + name] = parameter if keep_vars else parameter.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from ``state_dict`` into this model's parameters and buffers.

        With ``strict=True`` (the default) the keys must match exactly; otherwise the
        missing and unexpected keys are returned. Shapes must always match.
        """
        from edunet.grad_mode import no_grad
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}. "
                            f"Pass the dict that model.state_dict() or edunet.load() gives.")
        state_dict = OrderedDict(state_dict)  # a copy: the upgrades below don't touch yours
        for name, module in self.named_modules():
            module._upgrade_state_dict(state_dict, name + "." if name else "")
        expected = self.state_dict(keep_vars=True)
        missing = [key for key in expected if key not in state_dict]
        unexpected = [key for key in state_dict if key not in expected]
        errors = []
        for key, target in expected.items():
            if key not in state_dict:
                continue
            source = state_dict[key]
            if not isinstance(source, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected Tensor '
                              f"from checkpoint but received {type(source)}. Convert it "
                              f"first, e.g. edunet.from_numpy(value).")
                continue
            if source.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{source.shape!r} from checkpoint, the shape in current "
                              f"model is {target.shape!r}.")
                continue
            with no_grad():
                target.copy_(source)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{key}"' for key in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{key}"' for key in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return IncompatibleKeys(missing, unexpected)

    def _upgrade_state_dict(self, state_dict, prefix):
        """Fill in keys that older checkpoints lack (``state_dict`` is load_state_dict's
        own copy). Most modules need nothing; BatchNorm adds ``num_batches_tracked``."""

    # ---------------------------------------------------------------- hooks
    def register_forward_pre_hook(self, hook, *, prepend=False):
        """Call ``hook(module, args)`` before each forward; it may return new args."""
        return _register(self._forward_pre_hooks, hook, prepend)

    def register_forward_hook(self, hook, *, prepend=False):
        """Call ``hook(module, args, output)`` after each forward; it may return a new output.

        The feature-map widget uses this to see every layer's output.
        """
        return _register(self._forward_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when gradients pass the module.

        ``grad_output`` holds the gradients with respect to the module's outputs,
        ``grad_input`` those with respect to its inputs (None for inputs that don't
        require grad). The hook may return a new ``grad_input``.
        """
        return _register(self._backward_hooks, hook, prepend)

    # ---------------------------------------------------------------- printing
    def extra_repr(self):
        """The text inside a layer's parentheses, e.g. ``in_features=3, out_features=4``."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def _child_lines(self):
        return [f"({name}): {_indent(repr(module), 2)}" for name, module in self._modules.items()]

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = self._child_lines()
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def __setstate__(self, state):
        self.__dict__.update(state)


def _register(hooks, hook, prepend):
    handle = add_hook(hooks, hook)
    if prepend:
        hooks_in_order = {handle.id: hooks.pop(handle.id), **hooks}
        hooks.clear()
        hooks.update(hooks_in_order)
    return handle


def _device_and_dtype(args, kwargs):
    """Read ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)`` and keywords."""
    from edunet.backend import Device, to_device
    from edunet.dtypes import to_dtype
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for argument in args:
        if isinstance(argument, Tensor):
            device, dtype = argument.device, argument.dtype
        elif isinstance(argument, (str, Device, int)) and not isinstance(argument, bool):
            device = argument
        elif argument is not None:
            dtype = argument
    return (None if device is None else to_device(device),
            None if dtype is None else to_dtype(dtype))


def _check_layer_input(module, value):
    from edunet.ops.checks import check_tensor_argument
    check_tensor_argument(f"{type(module).__name__}.forward", "input", 1, value)


def _dtypes():
    from edunet import dtypes
    return dtypes
