"""Spread and size: var, std (with ``correction``) and vector norms.

    var(x) = sum_i (x_i - mean)^2 / (N - correction)      std = sqrt(var)
    ||x||_p = (sum_i |x_i|^p)^(1/p)
"""

import builtins
import math
import warnings

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops import checks
from edunet.ops.reduction import as_gradient, kept_shape, normalize_dims, reduced_shape


# ---------------------------------------------------------------- var and std
class Var(Function):
    """var = sum over ``dims`` of (x_i - mean)^2 / (N - correction)

    dvar/dx_i = 2 (x_i - mean) / (N - correction)  (the mean's own dependence on x_i
    drops out, because the deviations sum to zero).
    """

    def forward(self, x, *, dims, correction, keepdim):
        self.kept_shape = kept_shape(x.shape, dims)
        self.divisor = builtins.max(math.prod(x.shape[axis] for axis in dims) - correction, 0)
        deviation = x - x.mean(axis=dims, keepdims=True)
        self.save_for_backward(deviation)
        with numpy.errstate(divide="ignore", invalid="ignore"):  # divisor 0: inf or nan, as PyTorch
            return (deviation * deviation).sum(axis=dims, keepdims=keepdim) / self.divisor

    def backward(self, grad_output):
        deviation = self.saved_arrays[0]
        with numpy.errstate(divide="ignore", invalid="ignore"):
            gradient = grad_output.reshape(self.kept_shape) * deviation * 2 / self.divisor
        return as_gradient(gradient, deviation.shape)


class Std(Var):
    """std = sqrt(var);  dstd/dx_i = dvar/dx_i / (2 std), taken as 0 where std = 0 (as PyTorch)."""

    def forward(self, x, **options):
        output = get_array_module(x).sqrt(super().forward(x, **options))
        self.save_for_backward(self.saved_arrays[0], output)
        return output

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        output = self.saved_arrays[1]
        with numpy.errstate(divide="ignore", invalid="ignore"):
            grad_variance = xp.where(output == 0, 0, grad_output / (2 * output))
        return super().backward(grad_variance.astype(grad_output.dtype, copy=False))


def _variance(function, name, input, dim, unbiased, keepdim, correction):
    """var/std shared: PyTorch's ways to say the correction, checks, then the op."""
    if isinstance(dim, bool) and unbiased is None:  # var(x, False): the old var(x, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): pass unbiased or correction, not both "
                        f"(unbiased=True means correction=1, unbiased=False correction=0).")
    if not input.is_floating_point():
        raise RuntimeError(f"std and var only support floating point and complex dtypes; got "
                           f"{input.dtype}. Convert first: x.float().{name}()")
    if correction is None:
        correction = 1 if unbiased is None else int(unbiased)
    dims = normalize_dims(dim, input.ndim)
    if math.prod(input.shape[axis] for axis in dims) - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      f"than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=checks.user_stacklevel())
    return function.apply(input, dims=dims, correction=correction, keepdim=keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim``:  sum (x_i - mean)^2 / (N - correction).

    ``correction=1`` (the default; also ``unbiased=True``) is the sample variance,
    ``correction=0`` (``unbiased=False``) the population variance.

    >>> edunet.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
    return _variance(Var, "var", input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over ``dim``: the square root of :func:`var`."""
    return _variance(Std, "std", input, dim, unbiased, keepdim, correction)


# ---------------------------------------------------------------- norm
class Norm(Function):
    """The vector p-norm over ``dims``:  ||x||_p = (sum |x_i|^p)^(1/p).

    p = inf: max |x_i|;  p = -inf: min |x_i|;  p = 0: the number of non-zero x_i.

    d||x||_p/dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1)   (x_i / ||x|| for p = 2),
    taken as 0 where x_i = 0 (so 0 at the zero vector, as PyTorch). For p = +-inf
    the gradient is sign(x_i), shared evenly among the tied largest (smallest) |x_i|.
    """

    def forward(self, x, *, p, dims, keepdim):
        xp = get_array_module(x)
        self.p, self.dims = p, dims
        magnitude = xp.abs(x)
        if p == math.inf:
            norm = magnitude.max(axis=dims, keepdims=True)
        elif p == -math.inf:
            norm = magnitude.min(axis=dims, keepdims=True)
        elif p == 0:
            norm = (magnitude != 0).sum(axis=dims, keepdims=True).astype(x.dtype)
        elif p == 2:
            norm = xp.sqrt((x * x).sum(axis=dims, keepdims=True))
        else:
            with numpy.errstate(divide="ignore"):  # 0 ** negative p = inf
                norm = (magnitude ** p).sum(axis=dims, keepdims=True) ** (1 / p)
        self.save_for_backward(x, norm)
        return norm.reshape(reduced_shape(x.shape, dims, keepdim))

    def backward(self, grad_output):
        x, norm = self.saved_arrays
        xp = get_array_module(x)
        grad_output = grad_output.reshape(norm.shape)
        p = self.p
        if p == 0:
            return xp.zeros_like(x)
        if math.isinf(p):
            is_extreme = xp.abs(x) == norm
            count = is_extreme.sum(axis=self.dims, keepdims=True).astype(x.dtype)
            return as_gradient(xp.sign(x) * is_extreme * (grad_output / count), x.shape)
        magnitude = xp.abs(x)
        nonzero = magnitude != 0
        with numpy.errstate(divide="ignore", invalid="ignore"):
            # For p > 1 and a zero norm, every x_i is 0: the inf below is masked out.
            scale = grad_output * norm ** (1 - p)
            slope = xp.sign(x) * xp.where(nonzero, magnitude, 1) ** (p - 1) * scale
        return as_gradient(xp.where(nonzero, slope, 0).astype(x.dtype, copy=False), x.shape)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm of all elements, or of the vectors along ``dim``.

    p: ``"fro"`` (or None) and 2: sqrt(sum x_i^2); 1: sum |x_i|; ``inf``: max |x_i|;
    ``-inf``: min |x_i|; 0: count of non-zeros; any other number: (sum |x_i|^p)^(1/p).
    ``dtype`` converts the input first (e.g. to compute in float64).

    >>> edunet.tensor([3., 4.]).norm()
    tensor(5.)
    """
    if p is None or p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}. The "
                               f"Frobenius norm is of a matrix; for more dims use p=2.")
        p = 2
    if isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported. Use p='fro', a number, "
                           f"or float('inf').")
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"norm(): argument 'p' must be a number or 'fro', not {type(p).__name__}")
    elif p == "nuc":
        raise NotImplementedError("the nuclear norm (p='nuc') needs a singular value "
                                  "decomposition, which edunet does not have.")
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported. "
                           f"Use 'fro', or a number such as 1, 2 or float('inf').")
    if dtype is not None:
        if not input.is_floating_point() or not dtypes.to_dtype(dtype).is_floating_point:
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                               f"input and dtype. Got {input.dtype} and {dtype}.")
        input = input.to(dtypes.to_dtype(dtype))
    if not input.is_floating_point():
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype}. "
                           f"Convert first: x.float().norm()")
    dims = normalize_dims(dim, input.ndim)
    if math.isinf(p) and (input.numel() == 0 or builtins.any(input.shape[a] == 0 for a in dims)):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor "
                           f"because the operation does not have an identity")
    return Norm.apply(input, p=p, dims=dims, keepdim=keepdim)
