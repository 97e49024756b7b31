"""The fast path of in-place arithmetic: write the result straight into the tensor's array.

Optimizers change every parameter at every step (``p.add_(g, alpha=-lr)``,
Adam's ``addcmul_``/``addcdiv_``, ``lerp_``). The readable way, in
edunet/ops/inplace.py, computes the result as a new tensor and copies it back. When
autograd records nothing and no dtype conversion is needed, NumPy can write the
result into the existing array instead (``numpy.add(a, b, out=a)``), as PyTorch
does: the same numbers, without the new array and the copy.

One call, :func:`write_directly`, returns True when it did the work and False when
the caller must take the readable path (which also explains every error).

A second, :func:`write_result`, serves the recorded case (``relu_`` inside a network
that is training): the result was computed as a new array, and copying it into the
tensor's memory costs a pass over that memory. When nothing else can see that memory
(no view, no alias, no NumPy array made from it), the tensor may take the new array
instead: no one can tell the difference, and the copy is saved.
``edunet.kernels.reference()``, where it exists, forces the readable path.
tests/ops/test_inplace.py checks that both paths give the same bits.
"""

import sys

import numpy

import edunet.kernels
from edunet import views
from edunet.backend import device_of, get_array_module
from edunet.grad_mode import is_grad_enabled
from edunet.kernels import workspace
from edunet.tensor import Tensor


def use_reference():
    """True inside ``edunet.kernels.reference()`` (when that switch exists)."""
    return getattr(edunet.kernels, "use_reference", lambda: False)()


def _direct_arrays(tensor, *operands, floating_only=True):
    """The operands' arrays, if the fast path applies to writing into ``tensor``; else None.

    It applies when autograd records nothing and the result needs no conversion:
    every operand is a Python int or float (NumPy 2 computes those in the
    array's own dtype, as PyTorch does) or a tensor of ``tensor``'s dtype and
    device whose shape broadcasts into ``tensor``'s. (A NumPy float64 scalar
    would make NumPy compute in float64, so it takes the general path.)
    """
    if is_grad_enabled() and (tensor._requires_grad or any(
            isinstance(operand, Tensor) and operand._requires_grad for operand in operands)
            or tensor._view is not None and tensor._view.base._requires_grad):
        return None  # autograd records it (or explains why it can't)
    target = tensor.array
    if not getattr(target.flags, "writeable", True) or 0 in target.strides:
        return None  # the general path explains why it can't be written
    kind = target.dtype.kind
    if kind != "f" and (floating_only or kind not in "iu"):
        return None
    arrays = []
    for operand in operands:
        if type(operand) is float and kind == "f" or type(operand) is int and (
                kind == "f" or _fits(operand, target.dtype)):  # else wraps around, as PyTorch
            arrays.append(operand)
        elif isinstance(operand, Tensor) and operand.array.dtype == target.dtype:
            array = operand.array
            if type(array) is not type(target) or device_of(array) != device_of(target):
                return None
            if array.shape != target.shape and not _broadcasts_into(array.shape, target.shape):
                return None  # the general path explains the shape error
            arrays.append(array)
        else:
            return None
    return arrays


def _broadcasts_into(shape, target_shape):
    try:
        return numpy.broadcast_shapes(shape, target_shape) == target_shape
    except ValueError:
        return False


def _is_number(value):
    return type(value) in (int, float)


def _scaled(tensor, other, alpha):
    """For add_ and sub_: ``alpha * other`` as an array or number, or None (general path).

    (A number times ``alpha`` goes the general way, which rounds the product as PyTorch does.)
    """
    if not _is_number(alpha) or (alpha != 1 and _is_number(other)):
        return None
    direct = _direct_arrays(tensor, other, alpha, floating_only=False)
    if direct is None:
        return None
    return direct[0] if alpha == 1 else direct[0] * alpha


def _add(tensor, xp, other, alpha=1):
    scaled = _scaled(tensor, other, alpha)
    return scaled is not None and xp.add(tensor.array, scaled, out=tensor.array) is not None


def _sub(tensor, xp, other, alpha=1):
    scaled = _scaled(tensor, other, alpha)
    return scaled is not None and xp.subtract(tensor.array, scaled, out=tensor.array) is not None


def _mul(tensor, xp, other):
    direct = _direct_arrays(tensor, other, floating_only=False)
    return direct is not None and xp.multiply(tensor.array, direct[0], out=tensor.array) is not None


def _div(tensor, xp, other, rounding_mode=None):
    direct = _direct_arrays(tensor, other) if rounding_mode is None else None
    if direct is None:
        return False
    with numpy.errstate(divide="ignore", invalid="ignore"):  # 1/0 = inf, as in PyTorch
        xp.divide(tensor.array, direct[0], out=tensor.array)
    return True


def _addcmul(tensor, xp, tensor1, tensor2, value=1):
    direct = _direct_arrays(tensor, tensor1, tensor2)
    if direct is None or not isinstance(tensor1, Tensor) or not _is_number(value):
        return False
    product = direct[0] * direct[1]
    if value != 1:
        product *= value
    tensor.array += product
    return True


def _addcdiv(tensor, xp, tensor1, tensor2, value=1):
    direct = _direct_arrays(tensor, tensor1, tensor2)
    if direct is None or not isinstance(tensor1, Tensor) or not _is_number(value):
        return False
    with numpy.errstate(divide="ignore", invalid="ignore"):
        quotient = direct[0] / direct[1]
    if value != 1:
        quotient *= value
    tensor.array += quotient
    return True


def _lerp(tensor, xp, end, weight):
    direct = _direct_arrays(tensor, end, weight)
    if direct is None or not isinstance(end, Tensor):
        return False
    end_array, weight_value = direct
    step = end_array - tensor.array
    step *= weight_value
    tensor.array += step
    return True


def _unary(function):
    """The fast path of a one-input function: ``function(array, out=array)``."""
    def run(tensor, xp):
        if _direct_arrays(tensor) is None:
            return False
        with numpy.errstate(invalid="ignore"):  # sqrt(-1) = nan, as in PyTorch
            function(xp)(tensor.array, out=tensor.array)
        return True
    return run


def _clamp(tensor, xp, min=None, max=None):
    if not ((min is None or _is_number(min)) and (max is None or _is_number(max))
            and (min is not None or max is not None)):
        return False
    return _unary(lambda xp: lambda array, out: xp.clip(array, min, max, out=out))(tensor, xp)


def _relu(array_module):
    return lambda array, out: array_module.maximum(
        array, workspace.zeros(array.shape, array.dtype, array_module), out=out)


def _fill(tensor, xp, value):
    if _direct_arrays(tensor, value if _is_number(value) else 0) is None:
        return False
    if isinstance(value, Tensor):
        if value.numel() != 1 or value.requires_grad and is_grad_enabled():
            return False
        value = value.item()
    elif not _is_number(value) and not isinstance(value, (bool, numpy.number)):
        return False
    tensor.array.fill(value)
    return True


_OPERATIONS = {
    "fill_": _fill,
    "add_": _add, "sub_": _sub, "mul_": _mul, "div_": _div,
    "addcmul_": _addcmul, "addcdiv_": _addcdiv, "lerp_": _lerp, "clamp_": _clamp,
    "neg_": _unary(lambda xp: xp.negative), "sqrt_": _unary(lambda xp: xp.sqrt),
    "exp_": _unary(lambda xp: xp.exp), "relu_": _unary(_relu),
}


def write_directly(operation, tensor, *arguments, **options):
    """Do ``tensor.<operation>(*arguments, **options)`` straight in its array, if possible.

    Returns True when done (the version counter counts it), False when the caller
    must take the readable path instead.
    """
    if use_reference():
        return False
    if not _OPERATIONS[operation](tensor, get_array_module(tensor.array), *arguments, **options):
        return False
    views.bump_version(tensor, operation)
    return True


def write_result(tensor, result_array):
    """Give ``tensor``'s memory the values of ``result_array`` (same shape and dtype).

    The reference: copy them in. The fast path: when the tensor's array owns its
    memory and nothing but the tensor refers to it (``sys.getrefcount``: the tensor,
    the local name, and the call's own argument), the tensor takes ``result_array``.
    """
    target = tensor.array
    if (not use_reference() and type(target) is numpy.ndarray and type(result_array) is numpy.ndarray
            and tensor._view is None and target.base is None and result_array.base is None
            and target.flags.c_contiguous and result_array.flags.c_contiguous
            and result_array.flags.writeable and sys.getrefcount(target) <= 3):
        tensor.array = result_array
        return
    get_array_module(target).copyto(target, result_array)


def _fits(integer, dtype):
    limits = numpy.iinfo(dtype)
    return limits.min <= integer <= limits.max
