"""Making tensors: from data (``tensor``), filled (``zeros``, ``full``), ranges and random.

Every function takes PyTorch's keywords ``dtype``, ``device`` and
``requires_grad``. Without a ``dtype``, Python floats give float32 (the default
float dtype), Python ints give int64 and bools give bool, as in PyTorch.
"""

import numpy

from edunet import dtypes
from edunet.backend import array_module_for, move_array, to_device
from edunet.random import default_generator
from edunet.tensor import Size, Tensor


def _finish(array, device, requires_grad):
    """Wrap a NumPy array as a tensor on ``device``."""
    device = to_device(device)
    if device.type != "cpu":
        array_module_for(device)  # explains clearly when CUDA is missing
        array = move_array(array, device)
    tensor = Tensor._make(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _size(size):
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros([2, 3])`` all mean (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    for length in size:
        if not isinstance(length, (int, numpy.integer)) or isinstance(length, bool):
            raise TypeError(f"sizes must be ints, got {size!r}. Write zeros(2, 3) or zeros((2, 3)).")
        if length < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {length}: {list(size)}")
    return tuple(int(length) for length in size)


def _numpy_dtype(dtype, default=None):
    if dtype is None:
        dtype = default or dtypes.get_default_dtype()
    return dtypes.to_dtype(dtype).numpy_type


def _to_python(data):
    """Nested lists of numbers, with any tensors inside replaced by their values."""
    if isinstance(data, Tensor):
        return data.detach().tolist()
    if isinstance(data, (list, tuple)):
        return [_to_python(item) for item in data]
    return data


def _first_odd_type(data):
    """The type name of the first value in nested lists that is not a number."""
    if isinstance(data, (list, tuple)):
        names = [_first_odd_type(item) for item in data]
        return next((name for name in names if name), "")
    return "" if isinstance(data, (int, float, bool, numpy.number)) else type(data).__name__


def _holds_a_number(data):
    if isinstance(data, (list, tuple)):
        return any(_holds_a_number(item) for item in data)
    return isinstance(data, (int, float, bool, numpy.number))


def _array_from_data(data, dtype):
    if isinstance(data, Tensor):
        array = move_array(data.array, "cpu")
        return array.astype(_numpy_dtype(dtype, data.dtype), copy=True)
    if isinstance(data, (numpy.ndarray, numpy.generic)):
        source_dtype = dtypes.from_numpy_dtype(numpy.asarray(data).dtype)
        return numpy.array(data, dtype=_numpy_dtype(dtype, source_dtype))
    if type(data).__module__.startswith("cupy"):
        array = data.get()
        return array.astype(_numpy_dtype(dtype, dtypes.from_numpy_dtype(array.dtype)))
    if isinstance(data, (str, bytes)):  # PyTorch: TypeError "invalid data type 'str'"
        raise TypeError(f"can't make a tensor from {type(data).__name__} data {data!r:.40}: "
                        f"a tensor holds numbers and bools.")
    python_data = _to_python(data)
    try:
        array = numpy.array(python_data)
    except ValueError as error:
        raise ValueError(f"the data is ragged: every row must have the same length "
                         f"(NumPy says: {error})") from None
    if array.dtype.kind in "USV" and _holds_a_number(python_data):  # [1, "a"]: TypeError
        raise TypeError(f"can't make a tensor from {type(data).__name__} data that mixes "
                        f"numbers and {_first_odd_type(python_data)} values.")
    if array.dtype.kind in "USV":  # text: ValueError, as PyTorch
        raise ValueError(f"can't make a tensor from {type(data).__name__} data holding "
                         f"{array.dtype} values; only numbers and bools are supported.")
    if array.dtype == object:  # None, dicts, ...: PyTorch's "Could not infer dtype"
        raise RuntimeError(f"Could not infer dtype of the {type(data).__name__} data: a tensor "
                           f"holds only numbers and bools, not {_first_odd_type(python_data)}.")
    if dtype is None:
        if array.dtype.kind == "f" or (array.size == 0 and array.dtype == numpy.float64):
            dtype = dtypes.get_default_dtype()
        elif array.dtype.kind in "iu":
            dtype = dtypes.int64
        else:
            dtype = dtypes.from_numpy_dtype(array.dtype)
    return array.astype(dtypes.to_dtype(dtype).numpy_type, copy=False)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array).

    >>> edunet.tensor([[1., 2.], [3., 4.]])
    tensor([[1., 2.],
            [3., 4.]])
    """
    return _finish(_array_from_data(data, dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor`, but shares memory with ``data`` when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device or data.device, dtype=dtype or data.dtype)
    if isinstance(data, numpy.ndarray) and dtype is None and to_device(device).type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array: changes to one show in the other."""
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)  # raises for unsupported dtypes
    return Tensor._make(array)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros: ``zeros(2, 3)``."""
    return _finish(numpy.zeros(_size(size), _numpy_dtype(dtype)), device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones: ``ones(2, 3)``."""
    return _finish(numpy.ones(_size(size), _numpy_dtype(dtype)), device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """A tensor whose values you will overwrite. (edunet fills it with zeros.)"""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _scalar_dtype(value):
    if isinstance(value, bool):
        return dtypes.bool_
    if isinstance(value, int):
        return dtypes.int64
    return dtypes.get_default_dtype()


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its type decides the dtype)."""
    if not isinstance(fill_value, (int, float, bool, numpy.number, numpy.bool_, Tensor)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}. For several values use edunet.tensor().")
    dtype = dtype or _scalar_dtype(fill_value)
    array = numpy.full(_size((size,)), fill_value, _numpy_dtype(dtype))
    return _finish(array, device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``.

    ``arange(5)`` is ``tensor([0, 1, 2, 3, 4])``; any float argument gives floats.
    """
    if end is None:
        start, end = 0, start
    for name, value in (("start", start), ("end", end), ("step", step)):
        if not isinstance(value, (int, float, numpy.number)):
            raise TypeError(f"arange(): argument '{name}' must be Number, not "
                            f"{type(value).__name__}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign: "
                           f"start={start}, end={end}, step={step}")
    all_integers = all(isinstance(v, (int, numpy.integer)) for v in (start, end, step))
    if dtype is None:
        dtype = dtypes.int64 if all_integers else dtypes.get_default_dtype()
    array = numpy.arange(start, end, step, dtype=numpy.int64 if all_integers else numpy.float64)
    return _finish(array.astype(_numpy_dtype(dtype)), device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    _check_steps("linspace", steps)
    array = numpy.linspace(start, end, steps, dtype=numpy.float64)
    return _finish(array.astype(_numpy_dtype(dtype)), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` values from ``base**start`` to ``base**end``, evenly spaced in log scale."""
    _check_steps("logspace", steps)
    array = numpy.logspace(start, end, steps, base=base, dtype=numpy.float64)
    return _finish(array.astype(_numpy_dtype(dtype)), device, requires_grad)


def _check_int(call, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
        raise TypeError(f"{call}(): argument '{name}' must be int, not {type(value).__name__}")


def _check_steps(name, steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, numpy.integer)):
        raise TypeError(f"{name}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got {steps}")


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The identity matrix (n x m, ones on the diagonal)."""
    for name, value in (("n", n), ("m", m)):
        if value is not None or name == "n":
            _check_int("eye", name, value)
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    return _finish(numpy.eye(n, m, dtype=_numpy_dtype(dtype)), device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform random numbers in [0, 1)."""
    generator = generator or default_generator
    array = generator.uniform(_size(size), dtype=_numpy_dtype(dtype))
    return _finish(array, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    generator = generator or default_generator
    array = generator.normal(_size(size), dtype=_numpy_dtype(dtype))
    return _finish(array, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(5, 10, (3,))``."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing the size argument, e.g. randint(10, (3,))")
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}: randint draws from [low, high), high excluded.")
    generator = generator or default_generator
    array = generator.integers(low, high, _size((size,)), _numpy_dtype(dtype, dtypes.int64))
    return _finish(array, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random order of the integers 0 .. n-1."""
    _check_int("randperm", "n", n)
    generator = generator or default_generator
    array = generator.permutation(n).astype(_numpy_dtype(dtype, dtypes.int64))
    return _finish(array, device, requires_grad)


def normal(mean, std, size, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Normal random numbers with the given mean and standard deviation."""
    generator = generator or default_generator
    array = generator.normal(_size((size,)), mean, std, dtype=_numpy_dtype(dtype))
    return _finish(array, device, requires_grad)


# ---------------------------------------------------------------- *_like
def _like(input, dtype, device):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}. For an array, use edunet.zeros(array.shape).")
    return (input.shape, dtype or input.dtype, device or input.device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False):
    """Zeros with the shape (and by default dtype and device) of ``input``."""
    shape, dtype, device = _like(input, dtype, device)
    return zeros(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False):
    """Ones with the shape (and by default dtype and device) of ``input``."""
    shape, dtype, device = _like(input, dtype, device)
    return ones(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False):
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    shape, dtype, device = _like(input, dtype, device)
    return full(shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    shape, dtype, device = _like(input, dtype, device)
    return rand(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    shape, dtype, device = _like(input, dtype, device)
    return randn(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    shape, dtype, device = _like(input, dtype, device)
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, dtype=dtype, device=device, requires_grad=requires_grad)
