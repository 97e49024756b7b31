"""The one place that knows NumPy from CuPy.

edunet keeps a tensor's values in a NumPy array on the CPU, or in a CuPy array
on an NVIDIA GPU. Code that needs array functions asks for the right module:

    xp = get_array_module(array)      # numpy or cupy
    return xp.exp(array)

so every op is written once and runs on both devices. CuPy is imported lazily,
the first time a GPU is asked for: ``import edunet`` stays fast and never fails
for lack of a GPU.
"""

import numpy

_cupy = None            # the cupy module once imported successfully
_cupy_error = None      # why CuPy could not be used, as a sentence


class Device:
    """Where a tensor lives: ``Device("cpu")``, ``Device("cuda")``, ``Device("cuda:1")``.

    Also spelled ``edunet.device``. Compares equal to its string form, so
    ``x.device == "cpu"`` works.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, Device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = "cuda", type  # torch.device(0) means cuda:0
        elif isinstance(type, str) and ":" in type:
            if index is not None:
                raise ValueError(f"device {type!r} already has an index; don't pass index={index}")
            type, _, index_text = type.partition(":")
            if not index_text.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{index_text}'")
            index = int(index_text)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}. "
                f"edunet runs on 'cpu' and on NVIDIA GPUs as 'cuda' or 'cuda:N'."
            )
        if type == "cpu" and index not in (None, 0):
            raise RuntimeError(f"the cpu device has no index {index}")
        self.type = type
        self.index = None if type == "cpu" else index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = Device(other)
        if not isinstance(other, Device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


CPU = Device("cpu")


def to_device(value):
    """A :class:`Device` from a Device, a string, an int (GPU index) or None (cpu)."""
    if value is None:
        return CPU
    return value if isinstance(value, Device) else Device(value)


def is_cupy_array(array):
    """True for a CuPy array; never imports CuPy."""
    return type(array).__module__.startswith("cupy")


def get_array_module(*arrays):
    """``cupy`` if any argument is a CuPy array, else ``numpy`` (Chainer's idea)."""
    for array in arrays:
        if is_cupy_array(array):
            return _cupy
    return numpy


def device_of(array):
    """The Device holding ``array``."""
    if type(array) is numpy.ndarray or not is_cupy_array(array):
        return CPU
    return Device("cuda", array.device.id)


def load_cupy():
    """Import CuPy and check that it sees a GPU. Returns the module or None.

    On failure, :func:`cuda_unavailable_reason` says why in plain words.
    """
    global _cupy, _cupy_error
    if _cupy is not None or _cupy_error is not None:
        return _cupy
    try:
        import cupy
    except ImportError as error:
        _cupy_error = (
            f"CuPy is not installed ({error}). Install the build for your CUDA version, "
            "e.g. pip install cupy-cuda12x, or pip install -e '.[cuda]' from the edunet folder."
        )
        return None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError types
        _cupy_error = (
            f"CuPy is installed but CUDA could not be started: {error}. "
            "Check that an NVIDIA GPU is present and its driver works (run nvidia-smi), "
            "and that the CuPy package matches the CUDA version of the driver."
        )
        return None
    if count == 0:
        _cupy_error = "CuPy is installed but found no NVIDIA GPU on this machine (nvidia-smi lists none)."
        return None
    _cupy = cupy
    return cupy


def cuda_unavailable_reason():
    """None when CUDA works, else a sentence saying why not and how to fix it."""
    load_cupy()
    return _cupy_error


def cuda_device_count():
    """How many NVIDIA GPUs CuPy sees (0 without CuPy or a GPU)."""
    cupy = load_cupy()
    return 0 if cupy is None else cupy.cuda.runtime.getDeviceCount()


def array_module_for(device):
    """``numpy`` for the CPU, ``cupy`` for a GPU; a clear RuntimeError when CUDA is missing."""
    device = to_device(device)
    if device.type == "cpu":
        return numpy
    cupy = load_cupy()
    if cupy is None:
        raise RuntimeError(f"can't use device '{device}': {_cupy_error} "
                           "Run edunet.doctor() for a full report, or stay on device='cpu'.")
    index = device.index or 0
    count = cupy.cuda.runtime.getDeviceCount()
    if index >= count:
        raise RuntimeError(f"CUDA error: invalid device ordinal. Asked for '{device}' "
                           f"but this machine has {count} GPU(s): cuda:0 to cuda:{count - 1}.")
    return cupy


def move_array(array, device):
    """``array`` copied to ``device`` (no copy when it is already there)."""
    device = to_device(device)
    if device_of(array) == device:
        return array
    if device.type == "cpu":
        return array.get()
    cupy = array_module_for(device)
    with cupy.cuda.Device(device.index or 0):
        return cupy.asarray(array)
