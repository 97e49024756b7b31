"""Moving tensors between dtypes and devices, and copying them.

``x.to(edunet.float64)`` and ``x.to("cuda")`` are differentiable: the gradient
flows back converted to the input's dtype and moved to its device.
"""

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import Device, device_of, is_cupy_array, move_array, to_device
from edunet.tensor import Tensor


class ToCopy(Function):
    """z = x, converted to another dtype and/or moved to another device."""

    def forward(self, x, *, dtype, device):
        self.input_dtype, self.input_device = x.dtype, device_of(x)
        return move_array(x, device).astype(dtype.numpy_type, copy=False)

    def backward(self, grad_output):
        return move_array(grad_output, self.input_device).astype(self.input_dtype, copy=False)


class Clone(Function):
    """z = a copy of x with its own memory."""

    def forward(self, x):
        return x.copy()

    def backward(self, grad_output):
        return grad_output


def _parse_to_arguments(tensor, args, kwargs):
    """Read the forms of ``Tensor.to``: (dtype), (device), (device, dtype), (tensor)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for argument in args:
        if isinstance(argument, Tensor):
            dtype, device = argument.dtype, argument.device
        elif isinstance(argument, (str, Device, int)) and not isinstance(argument, bool):
            device = argument
        elif argument is not None:
            dtype = argument
    dtype = tensor.dtype if dtype is None else dtypes.to_dtype(dtype)
    device = tensor.device if device is None else to_device(device)
    if device.type == "cuda" and device.index is None:
        device = Device("cuda", 0)
    return dtype, device, copy


def to(tensor, *args, **kwargs):
    """``tensor`` with the given dtype and/or on the given device (self if unchanged)."""
    dtype, device, copy = _parse_to_arguments(tensor, args, kwargs)
    if dtype.numpy_type == tensor.array.dtype and device == tensor.device:
        return clone(tensor) if copy else tensor
    return ToCopy.apply(tensor, dtype=dtype, device=device)


def clone(input):
    """A copy of ``input`` with its own memory; gradients flow through it."""
    return Clone.apply(input)


def to_numpy(tensor):
    """A NumPy array of the values, copied from the GPU if needed (no gradient)."""
    array = tensor.array
    return array.get() if is_cupy_array(array) else numpy.asarray(array)


def view_as_dtype(tensor, dtype):
    """``x.view(edunet.int32)``: the same bytes read as another dtype (no gradient)."""
    dtype = dtypes.to_dtype(dtype)
    return Tensor._make(tensor.array.view(dtype.numpy_type))
