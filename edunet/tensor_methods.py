"""The math methods of Tensor: each one line that calls into ``edunet.ops``.

``x.exp()``, ``x + y``, ``x.sum(dim=1)``, ``x[0]``, ``x.add_(y)``: the operation
itself (forward and backward) lives in the ops file named in each section, so
these methods only connect PyTorch's method names to it. ``Tensor`` inherits them.
"""

import builtins

import numpy

from edunet import ops  # the submodules (ops.arithmetic, ...) are loaded by edunet.tensor


class TensorMethods:
    """Mixed into :class:`edunet.Tensor`: operators and methods that forward to the ops."""

    __slots__ = ()

    # ------------------------------------------------------------------ in place
    # In-place methods live in edunet/ops.inplace.py; these names forward to them.
    def add_(self, other, *, alpha=1):
        return ops.inplace.add_(self, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return ops.inplace.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return ops.inplace.mul_(self, other)

    def div_(self, other, *, rounding_mode=None):
        return ops.inplace.div_(self, other, rounding_mode=rounding_mode)

    def pow_(self, exponent):
        return ops.inplace.pow_(self, exponent)

    def neg_(self):
        return ops.inplace.neg_(self)

    def clamp_(self, min=None, max=None):
        return ops.inplace.clamp_(self, min, max)

    clip_ = clamp_

    def relu_(self):
        return ops.inplace.relu_(self)

    def sqrt_(self):
        return ops.inplace.sqrt_(self)

    def exp_(self):
        return ops.inplace.exp_(self)

    def zero_(self):
        return ops.inplace.zero_(self)

    def fill_(self, value):
        return ops.inplace.fill_(self, value)

    def copy_(self, source, non_blocking=False):
        ops.checks.check_assigned_value(self, source)
        return ops.inplace.copy_(self, source)

    def masked_fill_(self, mask, value):
        return ops.inplace.masked_fill_(self, mask, value)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return ops.inplace.addcmul_(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return ops.inplace.addcdiv_(self, tensor1, tensor2, value=value)

    def lerp_(self, end, weight):
        return ops.inplace.lerp_(self, end, weight)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return ops.inplace.uniform_(self, a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return ops.inplace.normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return ops.inplace.bernoulli_(self, p, generator=generator)

    def __setitem__(self, key, value):
        ops.checks.check_assigned_value(self, value)
        ops.inplace.setitem(self, key, value)

    def __iadd__(self, other):
        return ops.inplace.add_(self, other)

    def __isub__(self, other):
        return ops.inplace.sub_(self, other)

    def __imul__(self, other):
        return ops.inplace.mul_(self, other)

    def __itruediv__(self, other):
        return ops.inplace.div_(self, other)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.arithmetic.add(self, other)

    def __radd__(self, other):
        ops.checks.reject_array_on_the_left(other, "+")
        return ops.arithmetic.add(other, self)

    def __sub__(self, other):
        return ops.arithmetic.sub(self, other)

    def __rsub__(self, other):
        ops.checks.reject_array_on_the_left(other, "-")
        return ops.arithmetic.sub(other, self)

    def __mul__(self, other):
        return ops.arithmetic.mul(self, other)

    def __rmul__(self, other):
        ops.checks.reject_array_on_the_left(other, "*")
        return ops.arithmetic.mul(other, self)

    def __truediv__(self, other):
        return ops.arithmetic.div(self, other)

    def __rtruediv__(self, other):
        return ops.arithmetic.div(other, self)

    def __floordiv__(self, other):
        return ops.arithmetic.floor_divide(self, other)

    def __rfloordiv__(self, other):
        ops.checks.reject_array_on_the_left(other, "//")
        return ops.arithmetic.floor_divide(other, self)

    def __mod__(self, other):
        return ops.arithmetic.remainder(self, other)

    def __pow__(self, exponent):
        return ops.arithmetic.pow(self, exponent)

    def __rpow__(self, base):
        ops.checks.reject_array_on_the_left(base, "**")
        return ops.arithmetic.pow(base, self)

    def __matmul__(self, other):
        return ops.linalg.matmul(self, other)

    def __rmatmul__(self, other):
        ops.checks.reject_array_on_the_left(other, "@")
        return ops.linalg.matmul(other, self)

    def __neg__(self):
        return ops.arithmetic.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.elementwise.abs(self)

    def __eq__(self, other):
        if not ops.checks.is_operand(other):
            return NotImplemented  # x == None is False, as in Python and PyTorch
        return ops.elementwise.eq(self, other)

    def __ne__(self, other):
        if not ops.checks.is_operand(other):
            return NotImplemented
        return ops.elementwise.ne(self, other)

    def __lt__(self, other):
        return ops.elementwise.lt(self, other)

    def __le__(self, other):
        return ops.elementwise.le(self, other)

    def __gt__(self, other):
        return ops.elementwise.gt(self, other)

    def __ge__(self, other):
        return ops.elementwise.ge(self, other)

    def __invert__(self):
        return ops.elementwise.logical_not(self) if self.array.dtype == numpy.bool_ else ops.elementwise.bitwise_not(self)

    def __and__(self, other):
        return ops.elementwise.logical_and(self, other)

    def __or__(self, other):
        return ops.elementwise.logical_or(self, other)

    def __xor__(self, other):
        return ops.elementwise.logical_xor(self, other)

    def add(self, other, *, alpha=1):
        return ops.arithmetic.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return ops.arithmetic.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return ops.arithmetic.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return ops.arithmetic.div(self, other, rounding_mode=rounding_mode)

    divide = div

    def true_divide(self, other):
        return ops.arithmetic.div(self, other)

    def floor_divide(self, other):
        return ops.arithmetic.floor_divide(self, other)

    def remainder(self, other):
        return ops.arithmetic.remainder(self, other)

    def pow(self, exponent):
        return ops.arithmetic.pow(self, exponent)

    def neg(self):
        return ops.arithmetic.neg(self)

    negative = neg

    def square(self):
        return ops.arithmetic.square(self)

    def reciprocal(self):
        return ops.arithmetic.reciprocal(self)

    def matmul(self, other):
        return ops.linalg.matmul(self, other)

    def mm(self, other):
        return ops.linalg.mm(self, other)

    def bmm(self, other):
        return ops.linalg.bmm(self, other)

    def mv(self, other):
        return ops.linalg.mv(self, other)

    def dot(self, other):
        return ops.linalg.dot(self, other)

    # ------------------------------------------------------------------ elementwise
    def abs(self):
        return ops.elementwise.abs(self)

    absolute = abs

    def exp(self):
        return ops.elementwise.exp(self)

    def log(self):
        return ops.elementwise.log(self)

    def log1p(self):
        return ops.elementwise.log1p(self)

    def sqrt(self):
        return ops.elementwise.sqrt(self)

    def rsqrt(self):
        return ops.elementwise.rsqrt(self)

    def sin(self):
        return ops.elementwise.sin(self)

    def cos(self):
        return ops.elementwise.cos(self)

    def tanh(self):
        return ops.elementwise.tanh(self)

    def sigmoid(self):
        return ops.elementwise.sigmoid(self)

    def relu(self):
        return ops.elementwise.relu(self)

    def clamp(self, min=None, max=None):
        return ops.elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return ops.elementwise.maximum(self, other)

    def minimum(self, other):
        return ops.elementwise.minimum(self, other)

    def where(self, condition, other):
        return ops.elementwise.where(condition, self, other)

    def sign(self):
        return ops.elementwise.sign(self)

    def floor(self):
        return ops.elementwise.floor(self)

    def ceil(self):
        return ops.elementwise.ceil(self)

    def round(self, *, decimals=0):
        return ops.elementwise.round(self, decimals=decimals)

    def eq(self, other):
        return ops.elementwise.eq(self, other)

    def ne(self, other):
        return ops.elementwise.ne(self, other)

    def lt(self, other):
        return ops.elementwise.lt(self, other)

    def le(self, other):
        return ops.elementwise.le(self, other)

    def gt(self, other):
        return ops.elementwise.gt(self, other)

    def ge(self, other):
        return ops.elementwise.ge(self, other)

    def equal(self, other):
        return ops.elementwise.equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.elementwise.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.elementwise.isclose(self, other, rtol, atol, equal_nan)

    def nonzero(self, *, as_tuple=False):
        return ops.elementwise.nonzero(self, as_tuple=as_tuple)

    def isnan(self):
        return ops.elementwise.isnan(self)

    def isinf(self):
        return ops.elementwise.isinf(self)

    def isfinite(self):
        return ops.elementwise.isfinite(self)

    def logical_not(self):
        return ops.elementwise.logical_not(self)

    def logical_and(self, other):
        return ops.elementwise.logical_and(self, other)

    def logical_or(self, other):
        return ops.elementwise.logical_or(self, other)

    # ------------------------------------------------------------------ activations
    def softmax(self, dim, dtype=None):
        return ops.activation.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return ops.activation.log_softmax(self, dim, dtype=dtype)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return ops.reduction.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return ops.reduction.mean(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return ops.extrema.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return ops.extrema.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return ops.extrema.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return ops.extrema.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return ops.extrema.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return ops.extrema.argmin(self, dim, keepdim)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return ops.reduction.prod(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.statistics.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.statistics.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim=False):
        return ops.reduction.logsumexp(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return ops.statistics.norm(self, p, dim, keepdim, dtype=dtype)

    def all(self, dim=None, keepdim=False):
        return ops.reduction.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return ops.reduction.any(self, dim, keepdim)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        return ops.shape.reshape(self, _sizes(shape))

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, tuple, list)):
            return ops.conversion.view_as_dtype(self, shape[0])
        return ops.shape.view(self, _sizes(shape))

    def type_as(self, other):
        ops.checks.check_tensor_argument("type_as", "other", 1, other)
        return self.to(other.dtype)

    def view_as(self, other):
        ops.checks.check_tensor_argument("view_as", "other", 1, other)
        return ops.shape.view(self, other.shape)

    def reshape_as(self, other):
        ops.checks.check_tensor_argument("reshape_as", "other", 1, other)
        return ops.shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return ops.shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return ops.shape.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return ops.shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return ops.shape.unsqueeze(self, dim)

    def permute(self, *dims):
        return ops.shape.permute(self, _sizes(dims))

    def transpose(self, dim0, dim1):
        return ops.shape.transpose(self, dim0, dim1)

    def swapaxes(self, axis0, axis1):
        return ops.shape.transpose(self, axis0, axis1)

    def t(self):
        return ops.shape.t(self)

    @property
    def T(self):
        return ops.shape.permute(self, tuple(reversed(range(self.array.ndim))))

    @property
    def mT(self):
        return ops.shape.transpose(self, -2, -1)

    def expand(self, *sizes):
        return ops.shape.expand(self, _sizes(sizes))

    def expand_as(self, other):
        ops.checks.check_tensor_argument("expand_as", "other", 1, other)
        return ops.shape.expand(self, other.shape)

    def broadcast_to(self, size):
        return ops.shape.expand(self, _sizes((size,)))

    def repeat(self, *sizes):
        return ops.shape.repeat(self, _sizes(sizes))

    def split(self, split_size, dim=0):
        return ops.joining.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return ops.joining.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return ops.joining.unbind(self, dim)

    def index_select(self, dim, index):
        return ops.indexing.index_select(self, dim, index)

    def narrow(self, dim, start, length):
        return ops.joining.narrow(self, dim, start, length)

    def select(self, dim, index):
        return ops.joining.select(self, dim, index)

    def gather(self, dim, index):
        return ops.indexing.gather(self, dim, index)

    def masked_fill(self, mask, value):
        return ops.indexing.masked_fill(self, mask, value)

    def flip(self, *dims):
        return ops.shape.flip(self, _sizes(dims))

    def __getitem__(self, key):
        return ops.indexing.getitem(self, key)


def _sizes(arguments):
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` both mean the shape (2, 3)."""
    if len(arguments) == 1 and isinstance(arguments[0], (tuple, list)):
        arguments = tuple(arguments[0])
    for size in arguments:
        if not hasattr(size, "__index__"):
            raise TypeError(f"sizes and dimensions must be ints, got {type(size).__name__} "
                            f"in {arguments}: write e.g. x.reshape(2, 3)")
    return arguments
