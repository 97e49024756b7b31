"""Saving and loading: ``edunet.save(model.state_dict(), "model.edunet")`` and ``edunet.load``.

The file format is chosen so that loading can never run code:

    a ZIP archive holding
      edunet.json        the structure (dicts, lists, numbers, strings) as JSON, with
                         each tensor replaced by {"tensor": N, ...}
      tensors/N.npy      each tensor's values in NumPy's .npy format, without pickle

(PyTorch's own format uses pickle, which can execute arbitrary code from a
downloaded file; ``torch.load`` therefore defaults to ``weights_only=True``.)

Files are written atomically: to a temporary file next to the target, which is
renamed over it only when complete, so a crash never leaves a half-written
checkpoint. ZIP stores a CRC-32 of every member, so a truncated or corrupted
file is detected on load instead of silently giving wrong weights.
"""

import io
import json
import os
import tempfile
import zipfile
from collections import OrderedDict

import numpy

from edunet.backend import move_array, to_device
from edunet.tensor import Tensor

FORMAT = "edunet-checkpoint"
VERSION = 1


class _Encoder:
    """Turns an object into JSON-ready data, collecting its tensors on the way."""

    def __init__(self):
        self.arrays = []

    def encode(self, value):
        from edunet.nn.parameter import Parameter
        if isinstance(value, Tensor):
            array = value.array.get() if hasattr(value.array, "get") else value.array
            self.arrays.append(numpy.asarray(array, order="C"))  # keeps 0-d arrays 0-d
            return {"tensor": len(self.arrays) - 1, "requires_grad": value.requires_grad,
                    "parameter": isinstance(value, Parameter)}
        if isinstance(value, (bool, int, float, str)) or value is None:
            if isinstance(value, float) and not numpy.isfinite(value):
                return {"float": repr(value)}  # inf and nan, which strict JSON lacks
            return value
        if isinstance(value, dict):
            return {"dict": [[self.encode(k), self.encode(v)] for k, v in value.items()],
                    "ordered": isinstance(value, OrderedDict)}
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, numpy.generic):
            return self.encode(value.item())
        raise TypeError(
            f"edunet.save can store tensors, numbers, strings, None and dicts, lists and "
            f"tuples of them (such as model.state_dict() or optimizer.state_dict()); got "
            f"{type(value).__name__}. Save the model's state_dict() rather than the model.")


def _decode(value, arrays, device):
    from edunet.nn.parameter import Parameter
    if isinstance(value, list):
        return [_decode(v, arrays, device) for v in value]
    if not isinstance(value, dict):
        return value
    if "tensor" in value:
        array = arrays(value["tensor"])
        if device is not None and device.type != "cpu":
            array = move_array(array, device)
        tensor = Tensor._make(array)
        if value["parameter"]:
            return Parameter(tensor, value["requires_grad"])
        return tensor.requires_grad_(value["requires_grad"])
    if "float" in value:
        return float(value["float"])
    if "tuple" in value:
        return tuple(_decode(v, arrays, device) for v in value["tuple"])
    pairs = [(_decode(k, arrays, device), _decode(v, arrays, device)) for k, v in value["dict"]]
    return OrderedDict(pairs) if value["ordered"] else dict(pairs)


def save(obj, f):
    """Save tensors, state dicts or optimizer state to ``f`` (a path or a binary file).

    >>> edunet.save(model.state_dict(), "model.edunet")
    """
    encoder = _Encoder()
    structure = {"format": FORMAT, "version": VERSION, "object": encoder.encode(obj)}
    if isinstance(f, (str, os.PathLike)):
        folder = os.path.dirname(os.path.abspath(f))
        handle, temporary = tempfile.mkstemp(prefix=".saving-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as file:
                _write(file, structure, encoder.arrays)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, f)  # atomic: readers see the old file or the whole new one
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    else:
        _write(f, structure, encoder.arrays)


def _write(file, structure, arrays):
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("edunet.json", json.dumps(structure))
        for index, array in enumerate(arrays):
            buffer = io.BytesIO()
            numpy.save(buffer, array, allow_pickle=False)
            archive.writestr(f"tensors/{index}.npy", buffer.getvalue())


def load(f, map_location=None, weights_only=True):
    """Load what :func:`save` stored. No code in the file can run.

    Args:
        f: a path or a binary file.
        map_location: a device ("cpu", "cuda") to put every tensor on.
        weights_only: accepted for PyTorch compatibility; edunet files only ever
            hold data, so it changes nothing.
    """
    name = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "the file")
    device = None if map_location is None else to_device(map_location)
    try:
        with zipfile.ZipFile(f) as archive:
            structure = json.loads(archive.read("edunet.json"))
            if structure.get("format") != FORMAT:
                raise ValueError("missing edunet header")

            def array(index):
                with archive.open(f"tensors/{index}.npy") as member:
                    return numpy.load(io.BytesIO(member.read()), allow_pickle=False)

            return _decode(structure["object"], array, device)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, json.JSONDecodeError,
            zipfile.LargeZipFile, OSError) as error:
        raise RuntimeError(
            f"{name} is not a valid edunet checkpoint: it is truncated, corrupted, or was not "
            f"written by edunet.save ({type(error).__name__}: {error}). Nothing was loaded. "
            f"Save it again, or download it again if it came from elsewhere.") from None
