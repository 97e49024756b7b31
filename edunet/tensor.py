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

from edunet import dtypes
from edunet.backend import Device, device_of, get_array_module, is_cupy_array
from edunet.grad_mode import is_grad_enabled
from edunet.utils.hooks import add_hook


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``edunet.Size([2, 3])``."""

    def __repr__(self):
        return f"edunet.Size({list(self)})"

    def numel(self):
        return math.prod(self)


class Tensor:
    """A multi-dimensional array with automatic differentiation (``torch.Tensor``).

    Make tensors with :func:`edunet.tensor`, :func:`edunet.zeros`, ... .
    ``edunet.Tensor(data)`` also works and, as in PyTorch, always gives float32;
    ``edunet.Tensor(2, 3)`` gives a 2x3 float32 tensor (of zeros).
    """

    # __slots__ makes a typo such as ``x.requries_grad = True`` an error instead
    # of a silently created attribute.
    __slots__ = ("array", "grad_fn", "_requires_grad", "_grad", "_hooks", "_accumulator",
                 "_retains_grad", "__weakref__")

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
        self.grad_fn = grad_fn
        self._requires_grad = grad_fn is not None
        self._grad = None
        self._hooks = None
        self._accumulator = None
        self._retains_grad = False

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
        if not -ndim <= dim < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {dim})")
        return dim % ndim

    # ------------------------------------------------------------------ autograd
    @property
    def requires_grad(self):
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
            if value.device != self.device:
                raise RuntimeError(f"assigned grad has data located on {value.device}, "
                                   f"but the tensor is on {self.device}")
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def data(self):
        """The same values as a tensor outside the graph (shares memory)."""
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
        if self.grad_fn is not None:
            return (self.grad_fn, 0)
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
        """A tensor with the same values (shared memory) and no history."""
        return Tensor._make(self.array)

    def detach_(self):
        self.grad_fn = None
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
            return conversion.to_numpy(self.detach())
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
        return float(self.item())

    def __int__(self):
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
        return (_rebuild, (conversion.to_numpy(self.detach()), self._requires_grad))

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
        return conversion.to(self, *args, **kwargs)

    def type(self, dtype=None):
        if dtype is None:
            return f"edunet.{'cuda.' if self.is_cuda else ''}{self.dtype.name.capitalize()}Tensor"
        return self.to(dtype)

    def cpu(self):
        return conversion.to(self, "cpu")

    def cuda(self, device=None):
        return conversion.to(self, "cuda" if device is None else Device("cuda", Device(device).index if not isinstance(device, int) else device))

    def float(self):
        return conversion.to(self, dtypes.float32)

    def double(self):
        return conversion.to(self, dtypes.float64)

    def half(self):
        return conversion.to(self, dtypes.float16)

    def long(self):
        return conversion.to(self, dtypes.int64)

    def int(self):
        return conversion.to(self, dtypes.int32)

    def short(self):
        return conversion.to(self, dtypes.int16)

    def byte(self):
        return conversion.to(self, dtypes.uint8)

    def bool(self):
        return conversion.to(self, dtypes.bool_)

    def clone(self):
        return conversion.clone(self)

    def contiguous(self):
        return self if self.array.flags.c_contiguous else conversion.clone(self)

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

    # ------------------------------------------------------------------ in place
    # In-place methods live in edunet/inplace.py; these names forward to them.
    def add_(self, other, *, alpha=1):
        return inplace.add_(self, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return inplace.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return inplace.mul_(self, other)

    def div_(self, other, *, rounding_mode=None):
        return inplace.div_(self, other, rounding_mode=rounding_mode)

    def pow_(self, exponent):
        return inplace.pow_(self, exponent)

    def neg_(self):
        return inplace.neg_(self)

    def clamp_(self, min=None, max=None):
        return inplace.clamp_(self, min, max)

    clip_ = clamp_

    def relu_(self):
        return inplace.relu_(self)

    def sqrt_(self):
        return inplace.sqrt_(self)

    def exp_(self):
        return inplace.exp_(self)

    def zero_(self):
        return inplace.fill_(self, 0)

    def fill_(self, value):
        return inplace.fill_(self, value)

    def copy_(self, source, non_blocking=False):
        return inplace.copy_(self, source)

    def masked_fill_(self, mask, value):
        return inplace.masked_fill_(self, mask, value)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return inplace.addcmul_(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return inplace.addcdiv_(self, tensor1, tensor2, value=value)

    def lerp_(self, end, weight):
        return inplace.lerp_(self, end, weight)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return inplace.uniform_(self, a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return inplace.normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return inplace.bernoulli_(self, p, generator=generator)

    def __setitem__(self, key, value):
        inplace.setitem(self, key, value)

    def __iadd__(self, other):
        return inplace.add_(self, other)

    def __isub__(self, other):
        return inplace.sub_(self, other)

    def __imul__(self, other):
        return inplace.mul_(self, other)

    def __itruediv__(self, other):
        return inplace.div_(self, other)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return arithmetic.add(self, other)

    def __radd__(self, other):
        return arithmetic.add(other, self)

    def __sub__(self, other):
        return arithmetic.sub(self, other)

    def __rsub__(self, other):
        return arithmetic.sub(other, self)

    def __mul__(self, other):
        return arithmetic.mul(self, other)

    def __rmul__(self, other):
        return arithmetic.mul(other, self)

    def __truediv__(self, other):
        return arithmetic.div(self, other)

    def __rtruediv__(self, other):
        return arithmetic.div(other, self)

    def __floordiv__(self, other):
        return arithmetic.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return arithmetic.floor_divide(other, self)

    def __mod__(self, other):
        return arithmetic.remainder(self, other)

    def __pow__(self, exponent):
        return arithmetic.pow(self, exponent)

    def __rpow__(self, base):
        return arithmetic.pow(base, self)

    def __matmul__(self, other):
        return linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return linalg.matmul(other, self)

    def __neg__(self):
        return arithmetic.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return elementwise.abs(self)

    def __eq__(self, other):
        return elementwise.eq(self, other)

    def __ne__(self, other):
        return elementwise.ne(self, other)

    def __lt__(self, other):
        return elementwise.lt(self, other)

    def __le__(self, other):
        return elementwise.le(self, other)

    def __gt__(self, other):
        return elementwise.gt(self, other)

    def __ge__(self, other):
        return elementwise.ge(self, other)

    def __invert__(self):
        return elementwise.logical_not(self) if self.array.dtype == numpy.bool_ else elementwise.bitwise_not(self)

    def __and__(self, other):
        return elementwise.logical_and(self, other)

    def __or__(self, other):
        return elementwise.logical_or(self, other)

    def __xor__(self, other):
        return elementwise.logical_xor(self, other)

    def add(self, other, *, alpha=1):
        return arithmetic.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return arithmetic.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return arithmetic.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return arithmetic.div(self, other, rounding_mode=rounding_mode)

    divide = div

    def true_divide(self, other):
        return arithmetic.div(self, other)

    def floor_divide(self, other):
        return arithmetic.floor_divide(self, other)

    def remainder(self, other):
        return arithmetic.remainder(self, other)

    def pow(self, exponent):
        return arithmetic.pow(self, exponent)

    def neg(self):
        return arithmetic.neg(self)

    negative = neg

    def square(self):
        return arithmetic.square(self)

    def reciprocal(self):
        return arithmetic.reciprocal(self)

    def matmul(self, other):
        return linalg.matmul(self, other)

    def mm(self, other):
        return linalg.mm(self, other)

    def bmm(self, other):
        return linalg.bmm(self, other)

    def mv(self, other):
        return linalg.mv(self, other)

    def dot(self, other):
        return linalg.dot(self, other)

    # ------------------------------------------------------------------ elementwise
    def abs(self):
        return elementwise.abs(self)

    absolute = abs

    def exp(self):
        return elementwise.exp(self)

    def log(self):
        return elementwise.log(self)

    def log1p(self):
        return elementwise.log1p(self)

    def sqrt(self):
        return elementwise.sqrt(self)

    def rsqrt(self):
        return elementwise.rsqrt(self)

    def sin(self):
        return elementwise.sin(self)

    def cos(self):
        return elementwise.cos(self)

    def tanh(self):
        return elementwise.tanh(self)

    def sigmoid(self):
        return elementwise.sigmoid(self)

    def relu(self):
        return elementwise.relu(self)

    def clamp(self, min=None, max=None):
        return elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return elementwise.maximum(self, other)

    def minimum(self, other):
        return elementwise.minimum(self, other)

    def where(self, condition, other):
        return elementwise.where(condition, self, other)

    def sign(self):
        return elementwise.sign(self)

    def floor(self):
        return elementwise.floor(self)

    def ceil(self):
        return elementwise.ceil(self)

    def round(self, *, decimals=0):
        return elementwise.round(self, decimals=decimals)

    def eq(self, other):
        return elementwise.eq(self, other)

    def ne(self, other):
        return elementwise.ne(self, other)

    def lt(self, other):
        return elementwise.lt(self, other)

    def le(self, other):
        return elementwise.le(self, other)

    def gt(self, other):
        return elementwise.gt(self, other)

    def ge(self, other):
        return elementwise.ge(self, other)

    def equal(self, other):
        return elementwise.equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return elementwise.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return elementwise.isclose(self, other, rtol, atol, equal_nan)

    def isnan(self):
        return elementwise.isnan(self)

    def isinf(self):
        return elementwise.isinf(self)

    def isfinite(self):
        return elementwise.isfinite(self)

    def logical_not(self):
        return elementwise.logical_not(self)

    def logical_and(self, other):
        return elementwise.logical_and(self, other)

    def logical_or(self, other):
        return elementwise.logical_or(self, other)

    # ------------------------------------------------------------------ activations
    def softmax(self, dim, dtype=None):
        return activation.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return activation.log_softmax(self, dim, dtype=dtype)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return reduction.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return reduction.mean(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return reduction.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return reduction.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return reduction.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return reduction.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return reduction.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return reduction.argmin(self, dim, keepdim)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return reduction.prod(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return reduction.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return reduction.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim=False):
        return reduction.logsumexp(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return reduction.norm(self, p, dim, keepdim, dtype=dtype)

    def all(self, dim=None, keepdim=False):
        return reduction.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return reduction.any(self, dim, keepdim)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        return shape_ops.reshape(self, _sizes(shape))

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, tuple, list, Size)):
            return conversion.view_as_dtype(self, shape[0])
        return shape_ops.view(self, _sizes(shape))

    def view_as(self, other):
        return shape_ops.view(self, other.shape)

    def reshape_as(self, other):
        return shape_ops.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return shape_ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return shape_ops.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return shape_ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return shape_ops.unsqueeze(self, dim)

    def permute(self, *dims):
        return shape_ops.permute(self, _sizes(dims))

    def transpose(self, dim0, dim1):
        return shape_ops.transpose(self, dim0, dim1)

    def swapaxes(self, axis0, axis1):
        return shape_ops.transpose(self, axis0, axis1)

    def t(self):
        return shape_ops.t(self)

    @property
    def T(self):
        return shape_ops.permute(self, tuple(reversed(range(self.array.ndim))))

    @property
    def mT(self):
        return shape_ops.transpose(self, -2, -1)

    def expand(self, *sizes):
        return shape_ops.expand(self, _sizes(sizes))

    def expand_as(self, other):
        return shape_ops.expand(self, other.shape)

    def broadcast_to(self, size):
        return shape_ops.expand(self, tuple(size))

    def repeat(self, *sizes):
        return shape_ops.repeat(self, _sizes(sizes))

    def split(self, split_size, dim=0):
        return shape_ops.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return shape_ops.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return shape_ops.unbind(self, dim)

    def gather(self, dim, index):
        return shape_ops.gather(self, dim, index)

    def masked_fill(self, mask, value):
        return shape_ops.masked_fill(self, mask, value)

    def flip(self, *dims):
        return shape_ops.flip(self, _sizes(dims))

    def __getitem__(self, key):
        return shape_ops.getitem(self, key)


def _sizes(arguments):
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` both mean the shape (2, 3)."""
    if len(arguments) == 1 and isinstance(arguments[0], (tuple, list)):
        return tuple(arguments[0])
    return arguments


def _rebuild(array, requires_grad):
    tensor = Tensor._make(array)
    tensor._requires_grad = requires_grad
    return tensor


# The operations import Tensor themselves, so they are imported after the class
# exists; the methods above look these modules up when called.
from edunet import autograd, creation, inplace, printing  # noqa: E402
from edunet.ops import (activation, arithmetic, conversion, elementwise, linalg,  # noqa: E402
                        reduction)
from edunet.ops import shape as shape_ops  # noqa: E402
