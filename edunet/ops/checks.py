"""Checks on what users pass in: one clear error, with PyTorch's exception type.

An operation fed the wrong kind of value should fail at the user's call with a
message that names the value and suggests a fix, never deep inside NumPy with an
``AttributeError: 'list' object has no attribute 'ndim'``. The helpers here are
called by the operations before any work is done.

They also let NumPy numbers take part in arithmetic like Python numbers, as in
PyTorch: ``numpy.float64(0.5) * x`` keeps x's float32, because a number (of any
origin) never widens a tensor's dtype.
"""

import functools
import numbers
import types
import os
import sys

import numpy

from edunet.tensor import Tensor


def is_operand(value):
    """True if ``value`` can stand on one side of ``x + value``: a tensor, a number
    (Python's or NumPy's) or a NumPy array."""
    return (isinstance(value, (Tensor, numpy.ndarray, numpy.generic))
            or (isinstance(value, numbers.Number) and not isinstance(value, complex)))


def operand(value):
    """``value`` as a tensor or a Python number, ready for ``edunet.result_type``.

    NumPy scalars become Python numbers (``numpy.float64(2.0) -> 2.0``) and NumPy
    arrays become tensors with the array's dtype; anything else is a TypeError.
    """
    if isinstance(value, Tensor):
        return value
    if isinstance(value, numpy.generic) and value.dtype.kind in "biuf":
        return value.item()  # numpy.float64 -> float, numpy.int64 -> int, numpy.bool_ -> bool
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, numpy.ndarray) and value.dtype.kind in "biuf":
        return Tensor._make(value)
    if isinstance(value, (complex, numpy.complexfloating)):
        raise TypeError(f"complex numbers are not supported by edunet, got {value!r}")
    hint = (f" Make it a tensor first: edunet.tensor({_short(value)})."
            if isinstance(value, (list, tuple)) else "")
    raise TypeError(f"unsupported operand type: expected a Tensor or a number, got "
                    f"{type(value).__name__} {_short(value)}.{hint}")


def reject_array_on_the_left(other, symbol):
    """``numpy_array + tensor``: PyTorch raises TypeError; so do we, with the fix.

    NumPy hands the operation to the tensor (``Tensor.__array_priority__``), so
    ``numpy.float64(0.5) * x`` works; a whole array on the left is refused.
    """
    if isinstance(other, numpy.ndarray):
        raise TypeError(
            f"unsupported operand type(s) for {symbol}: 'numpy.ndarray' and 'Tensor'. "
            f"Convert the array first: edunet.from_numpy(array) {symbol} tensor.")


def check_tensor_argument(call, name, position, value, optional=False):
    """TypeError unless ``value`` is a tensor (or None, if ``optional``), in PyTorch's
    words: ``linear(): argument 'input' (position 1) must be Tensor, not list``."""
    if isinstance(value, Tensor) or (optional and value is None):
        return
    hint = ""
    if isinstance(value, (list, tuple, numpy.ndarray, numbers.Number)):
        hint = f". Make a tensor first: edunet.tensor({_short(value)})"
    raise TypeError(f"{call}(): argument '{name}' (position {position}) must be Tensor, "
                    f"not {type(value).__name__}{hint}")


def check_assigned_value(tensor, value):
    """``x[i] = value``: a tensor, a number, or array-like numbers; TypeError for None,
    text and other objects (PyTorch: "can't assign a NoneType to a torch.FloatTensor")."""
    if is_operand(value) or isinstance(value, (list, tuple)):
        return
    raise TypeError(f"can't assign a {type(value).__name__} to a {tensor.dtype} tensor: "
                    f"x[index] = value takes a number or a tensor, got {_short(value)}")


def check_hook_result(hook, result, gradient):
    """A tensor hook returned ``result`` for ``gradient`` (an array): it must be a
    tensor of the same dtype (a different shape is checked by the engine)."""
    name = getattr(hook, "__name__", repr(hook))
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Tensor, but hook '{name}' returned "
                        f"'{type(result).__name__}'. A hook receives the gradient and must "
                        f"return a tensor of the same shape and dtype, or None to keep it.")
    if result.array.dtype != gradient.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{gradient.dtype.name}, got {result.array.dtype.name}). Return "
                           f"a gradient of the same dtype, e.g. new_grad.to(grad.dtype).")


def check_integer_divisor(input, other):
    """Integer ``x // 0`` and ``x % 0`` have no answer: RuntimeError, as PyTorch."""
    if (input.array.dtype.kind in "iub" and other.array.dtype.kind in "iub"
            and not other.array.all()):
        raise RuntimeError("ZeroDivisionError: integer division by zero. The divisor holds "
                           "a 0; divide floats instead (x.float() // y) to get inf.")


def user_stacklevel():
    """The ``stacklevel`` that makes ``warnings.warn`` point at the user's line: the
    first frame outside edunet, however many edunet functions lie in between."""
    frame, level = sys._getframe(1), 1  # the function that calls warnings.warn
    while frame is not None and frame.f_code.co_filename.startswith(_EDUNET_DIR):
        frame, level = frame.f_back, level + 1
    return level


_EDUNET_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# Arguments that must be tensors wherever a public function has them by these names.
TENSOR_PARAMETERS = ("input", "target", "weight", "mat2", "vec", "input1", "input2", "tensor",
                     "condition")


def checked(function):
    """``function`` with its tensor arguments checked first (see TENSOR_PARAMETERS):
    ``edunet.exp([1.0])`` gives PyTorch's ``TypeError: exp(): argument 'input'
    (position 1) must be Tensor, not list`` instead of failing inside the op."""
    code = function.__code__  # read directly: inspect.signature would slow down the import
    names = code.co_varnames[:code.co_argcount]
    defaults = function.__defaults__ or ()
    first_default = len(names) - len(defaults)
    watched = [(position, name,
                position >= first_default and defaults[position - first_default] is None)
               for position, name in enumerate(names) if name in TENSOR_PARAMETERS]
    if not watched:
        return function

    @functools.wraps(function)
    def checked_function(*args, **kwargs):
        for position, name, optional in watched:
            value = args[position] if position < len(args) else kwargs.get(name)
            if not isinstance(value, Tensor) and (position < len(args) or name in kwargs
                                                  or not optional):
                check_tensor_argument(function.__name__, name, position + 1, value, optional)
        return function(*args, **kwargs)

    return checked_function


def check_public_functions(namespace):
    """Replace the functions of a public namespace (``edunet``, ``nn.functional``)
    that come from ``edunet.ops`` by their :func:`checked` versions."""
    for name, value in list(namespace.items()):
        if (isinstance(value, types.FunctionType) and not name.startswith("_")
                and (value.__module__ == "edunet"
                     or value.__module__.startswith(("edunet.ops.", "edunet.nn.functional")))):
            namespace[name] = checked(value)
