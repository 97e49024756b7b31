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

A downloaded file may also be hostile. Before reading anything large, ``load``
refuses members that are compressed (a "zip bomb" of a few hundred kilobytes can
expand to gigabytes), larger than the file itself, duplicated, or named other
than above (``../../.bashrc``); then it checks every JSON entry's types and
nesting and every .npy header's dtype and size against its bytes. Each problem
is one RuntimeError naming the file.
"""

import io
import json
import math
import os
import re
import tempfile
import zipfile
from collections import OrderedDict

import numpy

from edunet.backend import move_array, to_device
from edunet.tensor import Tensor

FORMAT = "edunet-checkpoint"
VERSION = 1
MAX_JSON_BYTES = 64 * 2 ** 20  # the structure of a state dict is a few kilobytes
MAX_NESTING = 100  # a model's state dict nests a few levels; optimizer state a few more
_TENSOR_MEMBER = re.compile(r"tensors/(0|[1-9][0-9]{0,8})\.npy")
_SUPPORTED_DTYPE_NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16",
                          "float32", "float64")


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


class _Malformed(Exception):
    """Why a file is not a valid checkpoint; :func:`load` reports it naming the file."""


def _decode(value, arrays, device, depth=0):
    """Rebuild the object from its JSON form, checking every entry's shape and types
    (the file may come from anywhere: each wrong type is a clear error, not a crash)."""
    from edunet.nn.parameter import Parameter
    if depth > MAX_NESTING:
        raise _Malformed(f"its structure is nested more than {MAX_NESTING} levels deep")
    if isinstance(value, list):
        return [_decode(v, arrays, device, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value  # JSON's str, int, float, bool and None are all valid values
    if "tensor" in value:
        index = value["tensor"]
        _expect(type(index) is int and index >= 0, f"a tensor entry has the index {index!r}")
        requires_grad, parameter = value.get("requires_grad"), value.get("parameter")
        _expect(type(requires_grad) is bool and type(parameter) is bool,
                f"tensor {index} has no true/false requires_grad and parameter flags")
        array = arrays(index)
        if device is not None and device.type != "cpu":
            array = move_array(array, device)
        tensor = Tensor._make(array)
        if requires_grad and array.dtype.kind != "f":
            raise _Malformed(f"tensor {index} requires grad but has dtype {array.dtype}")
        if parameter:
            return Parameter(tensor, requires_grad)
        return tensor.requires_grad_(requires_grad)
    if "float" in value:
        _expect(value["float"] in ("inf", "-inf", "nan"), f"a float entry holds {value['float']!r}")
        return float(value["float"])
    if "tuple" in value:
        _expect(isinstance(value["tuple"], list), "a tuple entry is not a list")
        return tuple(_decode(v, arrays, device, depth + 1) for v in value["tuple"])
    pairs = value.get("dict")
    _expect(isinstance(pairs, list) and type(value.get("ordered")) is bool,
            f"an entry has the unknown keys {sorted(value)[:5]}")
    decoded = []
    for pair in pairs:
        _expect(isinstance(pair, list) and len(pair) == 2,
                "a dict entry is not a [key, value] pair")
        key = _decode(pair[0], arrays, device, depth + 1)
        _expect(isinstance(key, (str, int, float, bool, tuple)) or key is None,
                f"a dict key is a {type(key).__name__}")
        decoded.append((key, _decode(pair[1], arrays, device, depth + 1)))
    return OrderedDict(decoded) if value["ordered"] else dict(decoded)


def _expect(condition, problem):
    if not condition:
        raise _Malformed(problem)


def save(obj, f):
    """Save tensors, state dicts or optimizer state to ``f`` (a path or a binary file).

    >>> edunet.save(model.state_dict(), "model.edunet")
    """
    encoder = _Encoder()
    structure = {"format": FORMAT, "version": VERSION, "object": encoder.encode(obj)}
    if isinstance(f, (str, os.PathLike)):
        folder = os.path.dirname(os.path.abspath(f))
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {folder} does not exist: edunet.save "
                               f"can't write {os.fspath(f)!r}. Create the folder first, "
                               f"e.g. os.makedirs({folder!r}, exist_ok=True).")
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

    The file is checked before anything large is read: only uncompressed members
    named ``edunet.json`` and ``tensors/N.npy``, each no larger than the file
    itself, each tensor's bytes matching its declared shape and dtype. A file that
    fails any check gives one RuntimeError naming it.

    Args:
        f: a path or a binary file.
        map_location: a device ("cpu", "cuda") to put every tensor on.
        weights_only: accepted for PyTorch compatibility; edunet files only ever
            hold data, so it changes nothing.
    """
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "read"):
        raise TypeError(f"edunet.load reads a path or a binary file opened with open(path, "
                        f"'rb'), got {type(f).__name__}")
    name = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "the file")
    device = None if map_location is None else to_device(map_location)
    try:
        with zipfile.ZipFile(f) as archive:
            members = _checked_members(archive)
            structure = _read_structure(archive, members)

            def array(index):
                member = members.get(f"tensors/{index}.npy")
                _expect(member is not None, f"it refers to tensor {index}, which it lacks")
                return _read_array(archive, member, index)

            return _decode(structure["object"], array, device)
    except FileNotFoundError:
        raise
    except _Malformed as error:
        raise RuntimeError(
            f"{name} is not a valid edunet checkpoint: {error}. Nothing was loaded. It was "
            f"not written by edunet.save, or it was changed since; don't trust its source."
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, json.JSONDecodeError,
            zipfile.LargeZipFile, OSError, NotImplementedError) as error:
        raise RuntimeError(
            f"{name} is not a valid edunet checkpoint: it is truncated, corrupted, or was not "
            f"written by edunet.save ({type(error).__name__}: {error}). Nothing was loaded. "
            f"Save it again, or download it again if it came from elsewhere.") from None


def _checked_members(archive):
    """The archive's members by name, after refusing anything edunet.save never writes.

    A ZIP member may be compressed a thousandfold (a "zip bomb": a small download that
    fills the memory when read), may claim any size, and may carry a name such as
    ``../../.bashrc``. edunet.save stores members uncompressed under fixed names, so
    each member's size is bounded by the file's own size before anything is read.
    """
    position = archive.fp.tell()
    archive.fp.seek(0, os.SEEK_END)
    file_size = archive.fp.tell()
    archive.fp.seek(position)
    members, total = {}, 0
    for info in archive.infolist():
        _expect(info.filename == "edunet.json" or _TENSOR_MEMBER.fullmatch(info.filename),
                f"it holds a member named {info.filename!r} (edunet files hold only "
                f"edunet.json and tensors/N.npy)")
        _expect(info.filename not in members, f"it holds the member {info.filename} twice")
        _expect(info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1,
                f"its member {info.filename} is compressed or encrypted (edunet.save never "
                f"compresses; a compressed member could expand to far more than the file)")
        total += info.file_size
        _expect(info.file_size == info.compress_size and total <= file_size
                and info.header_offset + info.file_size <= file_size,
                f"its member {info.filename} declares {info.file_size} bytes, out of "
                f"proportion to the {file_size}-byte file")
        members[info.filename] = info
    _expect("edunet.json" in members, "it has no edunet.json")
    return members


def _read_structure(archive, members):
    """edunet.json, parsed and checked to be an edunet checkpoint's header."""
    info = members["edunet.json"]
    _expect(info.file_size <= MAX_JSON_BYTES, f"its edunet.json is {info.file_size} bytes")
    try:
        structure = json.loads(archive.read(info))
    except RecursionError:
        raise _Malformed("its edunet.json is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Malformed(f"its edunet.json is not valid JSON ({error})") from None
    _expect(isinstance(structure, dict) and structure.get("format") == FORMAT,
            "its edunet.json lacks the edunet header")
    version = structure.get("version")
    _expect(type(version) is int and version <= VERSION,
            f"it has format version {version!r}; this edunet reads version {VERSION} "
            f"(a newer edunet may read it)")
    _expect("object" in structure, "its edunet.json holds no object")
    return structure


def _read_array(archive, info, index):
    """The array of member ``tensors/N.npy``, checked against its header first."""
    data = bytearray(archive.read(info))  # its size was checked against the file's
    buffer = io.BytesIO(data)
    try:
        version = numpy.lib.format.read_magic(buffer)
        read_header = {(1, 0): numpy.lib.format.read_array_header_1_0,
                       (2, 0): numpy.lib.format.read_array_header_2_0}.get(version)
        _expect(read_header is not None, f"tensor {index} has .npy format version {version}")
        shape, fortran_order, dtype = read_header(buffer)
    except ValueError as error:  # a bad header, or a dtype name NumPy doesn't know
        raise _Malformed(f"tensor {index} has a malformed .npy header ({error})") from None
    _expect(not dtype.hasobject and dtype.kind in "biuf" and dtype.itemsize <= 8
            and dtype.name in _SUPPORTED_DTYPE_NAMES,
            f"tensor {index} has the dtype {dtype}, which edunet does not use")
    size = math.prod(shape)
    _expect(size * dtype.itemsize == len(data) - buffer.tell(),
            f"tensor {index} claims the shape {tuple(shape)} of {dtype} "
            f"({size * dtype.itemsize} bytes) but holds {len(data) - buffer.tell()} bytes")
    array = numpy.frombuffer(data, dtype=dtype, count=size, offset=buffer.tell())
    if fortran_order:
        return numpy.ascontiguousarray(array.reshape(shape[::-1]).T)
    return array.reshape(shape)
