"""Tensor: an array of numbers that remembers how it was computed.

A tensor holds

- ``array``: its values, a NumPy array on the CPU or a CuPy array on a GPU;
- ``requires_grad``: whether gradients should flow back to it;
- ``grad_fn``: the autograd node that produced it (None for leaves: tensors
  you made yourself, like inputs and parameters);
- ``grad``: after ``backward()``, the gradient of the result with respect to it.

Every arithmetic operator and method below is a thin call into ``edunet.ops``,
where each operation's forward and backward live side by side.
"""

import builtins
import math
import warnings

import numpy

from edunet import dtypes, ops
from edunet.backend import Device, device_of, get_array_module, is_cupy_array
from edunet.grad_mode import is_grad_enabled
from edunet.tensor_methods import TensorMethods
from edunet.utils.hooks import add_hook


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``edunet.Size([2, 3])``."""

    def __repr__(self):
        return f"{dtypes.printed_library_name()}.Size({list(self)})"

    def numel(self):
        return math.prod(self)


class Tensor(TensorMethods):
    """A multi-dimensional array with automatic differentiation (``torch.Tensor``).

    Make tensors with :func:`edunet.tensor`, :func:`edunet.zeros`, ... . This file
    holds what a tensor *is* (values, dtype, device, autograd state, conversions);
    its math methods (``x + y``, ``x.sum()``, ...) come from :class:`TensorMethods`.
    ``edunet.Tensor(data)`` also works and, as in PyTorch, always gives float32;
    ``edunet.Tensor(2, 3)`` gives a 2x3 float32 tensor (of zeros).
    """

    # __slots__ makes a typo such as ``x.requries_grad = True`` an error instead
    # of a silently created attribute.
    # ``_view`` and ``_version_counter``: see edunet/views.py (None until needed).
    __slots__ = ("array", "_grad_fn", "_requires_grad", "_grad", "_hooks", "_accumulator",
                 "_retains_grad", "_view", "_version_counter", "__weakref__")
    # NumPy hands ``numpy.float64(0.5) * x`` to Tensor.__rmul__ instead of converting x.
    __array_priority__ = 1000

    def __init__(self, *data, device=None):
        from edunet.creation import tensor as make_tensor
        if len(data) == 1 and not isinstance(data[0], int):
            made = make_tensor(data[0], dtype=dtypes.get_default_dtype(), device=device)
        else:
            from edunet.creation import zeros
            made = zeros(*data, device=device)
        Tensor._init_fields(self, made.array)

    def _init_fields(self, array, grad_fn=None):
        self.array = array
        self._grad_fn = grad_fn
        self._requires_grad = grad_fn is not None
        self._grad = None
        self._hooks = None
        self._accumulator = None
        self._retains_grad = False
        self._view = None
        self._version_counter = None

    @classmethod
    def _make(cls, array, grad_fn=None):
        """A tensor around ``array`` (internal: no copy, no checks)."""
        if type(array) is not numpy.ndarray and not is_cupy_array(array):
            array = numpy.asarray(array)  # NumPy returns scalars from 0-d operations
        tensor = object.__new__(cls)
        tensor._init_fields(array, grad_fn)
        return tensor

    # ------------------------------------------------------------------ properties
    @property
    def shape(self):
        return Size(self.array.shape)

    def size(self, dim=None):
        """The shape, or the length of one dimension: ``x.size(0)``."""
        if dim is None:
            return Size(self.array.shape)
        return self.array.shape[self._wrap_dim(dim)]

    def dim(self):
        return self.array.ndim

    @property
    def ndim(self):
        return self.array.ndim

    def ndimension(self):
        return self.array.ndim

    def numel(self):
        return self.array.size

    def nelement(self):
        return self.array.size

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self.array.dtype)

    @property
    def device(self):
        return device_of(self.array)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def is_floating_point(self):
        return self.array.dtype.kind == "f"

    def element_size(self):
        return self.array.itemsize

    def stride(self, dim=None):
        """Steps in elements (not bytes) between neighbours along each dimension."""
        strides = tuple(step // self.array.itemsize for step in self.array.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def is_contiguous(self):
        return bool(self.array.flags.c_contiguous)

    def _wrap_dim(self, dim):
        """``dim`` as a non-negative index; IndexError with the valid range otherwise."""
        ndim = builtins.max(self.array.ndim, 1)
        if not hasattr(dim, "__index__"):
            raise TypeError(f"a dimension must be an int, got {type(dim).__name__} {dim!r}")
        if not -ndim <= dim < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {dim})")
        return dim % ndim

    # ------------------------------------------------------------------ autograd
    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf).

        A view whose base was changed in place gets a fresh one, replayed from the
        base (edunet/views.py).
        """
        if self._view is not None:
            views.refresh_history(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node

    @property
    def _version(self):
        """How many in-place changes this tensor's memory has seen (shared with its views)."""
        return 0 if self._version_counter is None else self._version_counter.value

    @property
    def _base(self):
        """The tensor this one is a view of, or None."""
        return None if self._view is None else self._view.base

    def _is_view(self):
        return self._view is not None

    @property
    def requires_grad(self):
        if self._view is not None:
            views.refresh_history(self, strict=False)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (leaves only) and return self."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point and complex dtype can require gradients "
                f"(this one is {self.dtype}). A gradient is a rate of change, and integers "
                f"have no small steps to change by. Convert first: x = x.float()."
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        """True for tensors not made by a recorded operation: their ``.grad`` gets filled."""
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: "
                                   f"{value.shape} vs the tensor's {self.shape}")
            if value.dtype != self.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype {value.dtype} "
                                   f"to a tensor with dtype {self.dtype}. The gradient must "
                                   f"match the tensor's dtype: use grad.to({self.dtype}).")
            if value.device != self.device:
                raise RuntimeError(f"assigned grad has data located on {value.device}, "
                                   f"but the tensor is on {self.device}")
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def data(self):
        """The same values as a tensor outside the graph (shares memory, not the version counter)."""
        return Tensor._make(self.array)

    @data.setter
    def data(self, value):
        self.array = value.array

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after ``backward()``."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            import weakref
            self.grad_fn.retained_output = weakref.ref(self)
            self._retains_grad = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever this tensor's gradient is computed.

        The hook may return a new gradient to use instead. Returns a handle with
        ``.remove()``.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn.tensor_hooks is None:
                self.grad_fn.tensor_hooks = {}
            return add_hook(self.grad_fn.tensor_hooks, hook)
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, hook)

    def _gradient_edge(self):
        """The graph node a gradient for this tensor flows into: ``(node, 0)``."""
        if self._view is not None:
            views.refresh_history(self)
        if self._grad_fn is not None:
            return (self._grad_fn, 0)
        if self._requires_grad:
            return (autograd._make_accumulator(self), 0)
        return (None, 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to every leaf that
        requires grad, and add it into their ``.grad``.

        Args:
            gradient: d(final result)/d(this tensor); may be left out for a scalar.
            retain_graph: keep the graph so ``backward`` can be called again.
            inputs: only accumulate into these tensors' ``.grad``.
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self):
        """A tensor with the same values (shared memory, shared version counter) and no history."""
        detached = Tensor._make(self.array)
        detached._version_counter = views.version_counter(self)
        return detached

    def detach_(self):
        if self._view is not None and self._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. (This tensor "
                               "is a view of another one, whose history it shares.)")
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ conversion
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise RuntimeError(f"a Tensor with {self.array.size} elements cannot be converted to "
                               f"Scalar. item() needs exactly one element; this tensor has shape "
                               f"{tuple(self.shape)}. Select one first, e.g. x[0].item().")
        return self.array.reshape(()).item()

    def tolist(self):
        if is_cupy_array(self.array):
            return self.array.get().tolist()
        return self.array.tolist()

    def numpy(self, *, force=False):
        """The values as a NumPy array sharing memory with this tensor (CPU only)."""
        if force:
            return ops.conversion.to_numpy(self.detach())
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if is_cupy_array(self.array):
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. "
                            f"Use Tensor.cpu() to copy the tensor to host memory first.")
        return self.array

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __float__(self):
        _check_one_element(self, "float")
        return float(self.item())

    def __int__(self):
        _check_one_element(self, "int")
        return int(self.item())

    def __index__(self):
        if self.array.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous. This tensor has "
                f"{self.array.size} values; use (x > 0).any() or (x > 0).all() to say which you mean.")
        return bool(self.item())

    def __hash__(self):
        return id(self)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[index] for index in range(self.array.shape[0]))

    def __repr__(self):
        return printing.tensor_repr(self)

    def __format__(self, format_spec):
        if self.array.ndim == 0 and format_spec:
            return self.item().__format__(format_spec)
        return repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (ops.conversion.to_numpy(self.detach()), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        copied = type(self)._make(self.array.copy())
        copied._requires_grad = self._requires_grad
        if self._grad is not None:
            copied._grad = Tensor._make(self._grad.array.copy())
        memo[id(self)] = copied
        return copied

    # dtype and device moves: edunet/ops/conversion.py
    def to(self, *args, **kwargs):
        """Move to a device and/or convert to a dtype: ``x.to("cuda")``,
        ``x.to(edunet.float64)``, ``x.to(other_tensor)``. Returns self when nothing changes.
        """
        return ops.conversion.to(self, *args, **kwargs)

    def type(self, dtype=None):
        """The legacy type name (``"edunet.FloatTensor"``), or a copy converted to ``dtype``."""
        if dtype is None:
            return f"{dtypes.printed_library_name()}.{'cuda.' if self.is_cuda else ''}{_LEGACY_TYPE_NAMES[self.dtype.name]}"
        return self.to(dtype)

    def cpu(self):
        return ops.conversion.to(self, "cpu")

    def cuda(self, device=None):
        """Copy to a GPU: ``x.cuda()``, ``x.cuda(1)`` or ``x.cuda("cuda:1")``."""
        if device is None or isinstance(device, int):
            device = Device("cuda", device or 0)
        return ops.conversion.to(self, device)

    def float(self):
        return ops.conversion.to(self, dtypes.float32)

    def double(self):
        return ops.conversion.to(self, dtypes.float64)

    def half(self):
        return ops.conversion.to(self, dtypes.float16)

    def long(self):
        return ops.conversion.to(self, dtypes.int64)

    def int(self):
        return ops.conversion.to(self, dtypes.int32)

    def short(self):
        return ops.conversion.to(self, dtypes.int16)

    def byte(self):
        return ops.conversion.to(self, dtypes.uint8)

    def bool(self):
        return ops.conversion.to(self, dtypes.bool_)

    def clone(self):
        return ops.conversion.clone(self)

    def contiguous(self):
        return self if self.array.flags.c_contiguous else ops.conversion.clone(self)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return creation.zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return creation.ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                             requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return creation.full(size, fill_value, dtype=dtype or self.dtype,
                             device=device or self.device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


_LEGACY_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                      "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                      "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _check_one_element(tensor, name):
    if tensor.array.size != 1:
        raise ValueError(f"only one element tensors can be converted to Python scalars: "
                         f"{name}() got a tensor of shape {tuple(tensor.shape)}. Select one "
                         f"element first, e.g. {name}(x[0]), or reduce: {name}(x.sum()).")


def _rebuild(array, requires_grad):
    tensor = Tensor._make(array)
    tensor._requires_grad = requires_grad
    return tensor


# The operations import Tensor themselves, so they are imported after the class
# exists; the methods look these modules up when called.
from edunet import autograd, creation, printing, views  # noqa: E402
from edunet.ops import (activation, arithmetic, conversion, elementwise, extrema,  # noqa: E402,F401
                        indexing, inplace, joining, linalg, padding, reduction, shape, statistics)
