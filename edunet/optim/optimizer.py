"""Optimizer: the base class of SGD, Adam, ... (``torch.optim.Optimizer``).

An optimizer holds

- ``param_groups``: a list of dicts, each with ``"params"`` (the tensors it
  updates) and that group's options (``"lr"``, ``"momentum"``, ...). Options
  missing from a group come from ``defaults``, the constructor's arguments:

      SGD([{"params": model.body.parameters()},
           {"params": model.head.parameters(), "lr": 0.1}], lr=0.01, momentum=0.9)

- ``state``: per-parameter memory between steps (``state[p]["momentum_buffer"]``,
  ``state[p]["exp_avg"]``, ...), empty until the first ``step()``.

A training step is always the same three lines:

    optimizer.zero_grad()        # forget last step's gradients
    loss(model(x), y).backward() # fill every parameter's .grad
    optimizer.step()             # p <- p - lr * (something made of p.grad)

Subclasses write ``step``. Updates change each parameter *in place* (``p.add_``,
``p.addcdiv_``) inside ``no_grad``, so ``model.weight`` stays the same object
and the update itself is not recorded by autograd.

PyTorch's optimizers also take ``foreach``, ``fused``, ``capturable`` and
``differentiable``. They choose among PyTorch's several implementations of the
same math (a loop per tensor, batched "for-each" kernels, fused kernels, CUDA
graphs). edunet has one readable implementation, so it accepts these options
and records them in ``param_groups`` (so ``print(optimizer)`` and
``state_dict()`` read exactly like PyTorch's), but they change nothing, except
that ``differentiable=True`` is refused: our steps are never recorded by autograd.
"""

import copy
import functools
import numbers
import warnings
from collections import defaultdict
from itertools import chain

from edunet.grad_mode import enable_grad, no_grad
from edunet.tensor import Tensor


def _type_name(value):
    """``float``, ``dict``, ``numpy.ndarray``, ``edunet.FloatTensor``: for error messages."""
    if isinstance(value, Tensor):
        return value.type()
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def check_implementation_options(differentiable):
    """Refuse ``differentiable=True`` (see the module docstring); the others are no-ops."""
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported by edunet: an optimizer step runs under "
            "no_grad, so autograd never sees it. Leave differentiable=False.")


def check_numbers(optimizer_name, **options):
    """TypeError unless each option is a real number (or a tensor), e.g. ``lr="0.1"``:
    optimizers compare and multiply these, which a string can't do."""
    for name, value in options.items():
        values = value if name == "betas" and isinstance(value, (tuple, list)) else (value,)
        for item in values:
            if not isinstance(item, (numbers.Real, Tensor)):
                raise TypeError(f"{optimizer_name}: {name} must be a number, got "
                                f"{type(item).__name__} {item!r}. Write e.g. lr=0.01.")


def evaluate_closure(closure):
    """Call ``closure()`` with gradients on (it runs forward and backward) and return its loss."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _counted_step(step):
    """``step`` that also counts its calls in ``optimizer._step_count``.

    An LR scheduler reads the count to warn when ``scheduler.step()`` comes before
    the first ``optimizer.step()``, without replacing the optimizer's method. Only
    the outermost step counts: a subclass's step that calls ``super().step()`` is
    one step.
    """
    @functools.wraps(step)
    def counted_step(self, *args, **kwargs):
        if type(self).step is counted_step:
            self._step_count += 1
        return step(self, *args, **kwargs)

    return counted_step


class Optimizer:
    """Base class for all optimizers (``torch.optim.Optimizer``).

    Args:
        params: the tensors to optimize: an iterable of tensors (``model.parameters()``),
            of ``(name, tensor)`` pairs (``model.named_parameters()``), or of dicts,
            each a parameter group ``{"params": [...], "lr": ..., ...}``.
        defaults: the options every group gets unless it sets its own.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                f"params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_type_name(params)}. Wrap a single tensor in a list "
                f"(SGD([weight], lr=0.1)) or pass model.parameters().")
        self.state = defaultdict(dict)
        self.param_groups = []
        if not hasattr(params, "__iter__"):
            raise TypeError(
                f"params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_type_name(params)}. Pass model.parameters().")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(
                "optimizer got an empty parameter list. If you passed model.parameters(): "
                "layers kept in a plain Python list or dict are not registered (use "
                "nn.ModuleList / nn.ModuleDict), and a generator such as model.parameters() "
                "is empty after its first use (call it again for each optimizer).")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (e.g. to unfreeze a layer later).

        Options the group does not set are taken from ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        if "params" not in param_group:  # PyTorch's KeyError, exactly
            raise KeyError("params")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)

        # model.named_parameters() gives (name, tensor) pairs: keep the names too.
        names = [param[0] for param in params if isinstance(param, tuple)]
        param_group["params"] = [param[1] if isinstance(param, tuple) else param
                                 for param in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params "
                                f"is {_type_name(param)}")
            if not (param.is_leaf or param.retains_grad):
                raise ValueError(
                    "can't optimize a non-leaf Tensor. This one was computed from other "
                    "tensors (it has a grad_fn), e.g. edunet.randn(3, requires_grad=True) * 0.01; "
                    "make the parameter itself a leaf: (edunet.randn(3) * 0.01).requires_grad_()")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(param) for param in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        already_optimized = {id(param) for group in self.param_groups for param in group["params"]}
        if any(id(param) in already_optimized for param in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient before the next ``backward()``.

        Gradients *add up* across ``backward()`` calls, so each step starts here.
        ``set_to_none=True`` (the default) sets ``p.grad = None``; optimizers skip
        parameters whose grad is None. ``set_to_none=False`` fills the existing
        gradient tensors with zeros instead.
        """
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    if param.grad.grad_fn is not None:
                        param.grad.detach_()
                    else:
                        param.grad.requires_grad_(False)
                    param.grad.zero_()

    _step_count = 0  # calls of step(), counted by _counted_step (LR schedulers read it)

    def __init_subclass__(cls, **kwargs):
        """A subclass that writes its own ``step()`` has its calls counted as well."""
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _counted_step(cls.__dict__["step"])

    def step(self, closure=None):
        """Update every parameter that has a gradient once, with ``_update`` (which each
        optimizer writes: the rule of SGD, Adam, ...), outside the autograd graph.

        Args:
            closure: optional function that recomputes the loss (zero_grad, forward,
                backward) and returns it; ``step`` then returns that loss.
        """
        if type(self)._update is Optimizer._update:     # as in PyTorch: the base class can't step
            raise NotImplementedError(f"{type(self).__name__} must define step() or _update()")
        loss = evaluate_closure(closure)
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self._update(param, group)
        return loss

    step = _counted_step(step)

    def _update(self, param, group):
        """Change one parameter from its ``.grad`` with ``group``'s settings (lr, ...)."""
        raise NotImplementedError(f"{type(self).__name__} must define step() or _update()")

    # ------------------------------------------------------------------ saving
    def state_dict(self):
        """The optimizer's state as a dict: ``{"state": ..., "param_groups": ...}``.

        Parameters are replaced by their position (0, 1, 2, ... over all groups in
        order), so the dict can be loaded into a new optimizer over other tensors
        of the same shapes. ``state`` maps position -> that parameter's state dict;
        ``param_groups`` holds each group's options with ``"params"`` as positions.
        The tensors are the optimizer's own (not copies), as in PyTorch: deepcopy
        the result to keep a snapshot while training goes on.
        """
        positions = {}
        packed_groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            for param in group["params"]:
                positions.setdefault(id(param), len(positions))
            packed["params"] = [positions[id(param)] for param in group["params"]]
            packed_groups.append(packed)
        packed_state = {(positions[id(key)] if isinstance(key, Tensor) else key): value
                        for key, value in self.state.items()}
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict):
        """Restore the state saved by :meth:`state_dict` (options, step counts, buffers).

        The groups must have as many parameters as when it was saved. Saved tensors
        are copied onto each parameter's device (and dtype, except the step count).
        Load it after creating any LR scheduler: creating one resets ``lr``.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"{type(self).__name__}.load_state_dict expects the dict that "
                            f"optimizer.state_dict() gives (with 'state' and 'param_groups'), "
                            f"got {type(state_dict).__name__}")
        if "param_groups" not in state_dict:  # PyTorch's KeyError
            raise KeyError("param_groups")
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")

        param_at = dict(zip(chain.from_iterable(saved["params"] for saved in saved_groups),
                            chain.from_iterable(group["params"] for group in self.param_groups)))
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_at:
                param = param_at[key]
                state[param] = _copy_state_value(value, param)
            else:
                state[key] = copy.deepcopy(value)

        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __getstate__(self):
        # Only what defines the optimizer (not, e.g., a step() replaced by the user).
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            if index > 0:
                lines.append("")
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def _copy_state_value(value, param, key=None):
    """A copy of a saved state value, its tensors moved to ``param``'s device and,
    for a floating-point parameter, converted to its dtype.
    """
    if isinstance(value, Tensor):
        if key != "step":  # the step count keeps its dtype and stays on the CPU
            dtype = param.dtype if param.is_floating_point() else value.dtype
            value = value.to(device=param.device, dtype=dtype)
        return value.clone()
    if isinstance(value, dict):
        return {name: _copy_state_value(item, param, name) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_state_value(item, param) for item in value)
    return copy.deepcopy(value)
