"""Data types: ``edunet.float32``, ``edunet.int64``, ... and PyTorch's promotion rules.

A :class:`dtype` is a small named wrapper around a NumPy scalar type. Tensors
store NumPy (or CuPy) arrays, so every dtype maps one-to-one onto an array dtype.

Type promotion answers "what dtype does ``a + b`` have?" the way PyTorch does:

1. Operands fall into categories ``bool < integer < floating``.
2. A Python number never widens a tensor of its own category
   (``float32_tensor * 2.5`` stays float32, ``int64_tensor + 1`` stays int64),
   and a 0-d tensor never widens a tensor with dimensions of its own category.
3. An operand of a higher category decides the category: ``int_tensor * 2.5`` is
   the default float dtype (float32), not float64 as in NumPy.
"""

import builtins

import numpy


class dtype:
    """The data type of a tensor's elements, e.g. ``edunet.float32``.

    Attributes:
        name: ``"float32"``, ``"int64"``, ...
        numpy_type: the matching NumPy scalar type (``numpy.float32``).
        is_floating_point: True for float16/32/64.
        is_signed: True unless the type is bool or uint8.
        itemsize: bytes per element.
    """

    __slots__ = ("name", "numpy_type", "is_floating_point", "is_signed", "itemsize", "category")

    def __init__(self, name, numpy_type, category):
        self.name = name
        self.numpy_type = numpy_type
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = numpy.dtype(numpy_type).itemsize

    def __repr__(self):
        return f"{printed_library_name()}.{self.name}"

    def __reduce__(self):
        return (to_dtype, (self.name,))


bool_ = dtype("bool", numpy.bool_, 0)
uint8 = dtype("uint8", numpy.uint8, 1)
int8 = dtype("int8", numpy.int8, 1)
int16 = dtype("int16", numpy.int16, 1)
int32 = dtype("int32", numpy.int32, 1)
int64 = dtype("int64", numpy.int64, 1)
float16 = dtype("float16", numpy.float16, 2)
float32 = dtype("float32", numpy.float32, 2)
float64 = dtype("float64", numpy.float64, 2)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {numpy.dtype(d.numpy_type): d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
# PyTorch's other spellings: torch.float is float32, torch.long is int64, ...
_BY_NAME.update(float=float32, double=float64, half=float16, long=int64, int=int32,
                short=int16)
# Python's own types, as torch.tensor(..., dtype=float) accepts them.
_BY_PYTHON_TYPE = {builtins.bool: bool_, builtins.int: int64, builtins.float: float64}

_default_float = float32

# The library name printed before dtypes and sizes: "edunet" (edunet.float32), or
# "torch" after edunet.as_torch(), so that pasted PyTorch code prints what PyTorch
# prints (edunet/torch_names.py switches it).
_printed_library_name = "edunet"


def printed_library_name():
    """"edunet", or "torch" while edunet.as_torch() is on: ``torch.float32``, ``torch.Size``."""
    return _printed_library_name


def set_printed_library_name(name):
    global _printed_library_name
    _printed_library_name = name


def get_default_dtype():
    """The dtype of floating-point tensors made from Python numbers (float32)."""
    return _default_float


def set_default_dtype(new_dtype):
    """Set the default floating-point dtype (float32 or float64), as in PyTorch."""
    global _default_float
    new_dtype = to_dtype(new_dtype)
    if not new_dtype.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {new_dtype}")
    _default_float = new_dtype


def to_dtype(value):
    """Turn a dtype spelling into a :class:`dtype`.

    Accepts an edunet dtype, a NumPy dtype or scalar type, a name ("float32"),
    or Python's ``bool``/``int``/``float``.
    """
    if isinstance(value, dtype):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value.removeprefix("edunet.").removeprefix("torch."))
        if found is not None:
            return found
    elif value in _BY_PYTHON_TYPE:
        return _BY_PYTHON_TYPE[value]
    else:
        try:
            found = _BY_NUMPY.get(numpy.dtype(value))
        except TypeError:
            found = None
        if found is not None:
            return found
    supported = ", ".join(d.name for d in ALL_DTYPES)
    raise TypeError(f"{value!r} is not a dtype edunet supports. Supported: {supported}.")


def from_numpy_dtype(numpy_dtype):
    """The edunet dtype of an array's ``dtype``; TypeError for unsupported ones."""
    found = _BY_NUMPY.get(numpy_dtype)
    if found is None:
        supported = ", ".join(d.name for d in ALL_DTYPES)
        raise TypeError(
            f"can't convert an array of type numpy.{numpy_dtype} to a tensor. "
            f"Supported types: {supported}. Convert first, e.g. array.astype('float32')."
        )
    return found


def promote_types(first, second):
    """The smallest dtype that can hold values of both dtypes (``torch.promote_types``)."""
    first, second = to_dtype(first), to_dtype(second)
    if first is second:
        return first
    if first.category != second.category:
        return first if first.category > second.category else second
    if {first, second} == {uint8, int8}:
        return int16  # NumPy agrees: neither holds the other's range
    return _BY_NUMPY[numpy.promote_types(first.numpy_type, second.numpy_type)]


def _python_scalar_dtype(value):
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, builtins.int):
        return int64
    return _default_float


def result_type(*operands):
    """The dtype of an elementwise operation on ``operands`` (tensors and numbers).

    Follows PyTorch's rules (see the module docstring). Each operand is a tensor
    or a Python bool, int or float.
    """
    # Three priority groups: tensors with dimensions, 0-d tensors, Python numbers.
    groups = ([], [], [])
    for operand in operands:
        if isinstance(operand, (builtins.bool, builtins.int, builtins.float)):
            groups[2].append(_python_scalar_dtype(operand))
        else:
            groups[0 if operand.ndim else 1].append(operand.dtype)
    result = None
    for group in groups:
        if not group:
            continue
        group_result = group[0]
        for other in group[1:]:
            group_result = promote_types(group_result, other)
        if result is None or group_result.category > result.category:
            result = group_result
    return result
