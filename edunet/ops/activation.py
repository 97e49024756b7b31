"""Activation functions: the nonlinearities between layers, and softmax.

Each one maps every element on its own (except softmax, which works along ``dim``):

    leaky_relu(x) = x if x > 0 else slope * x       elu(x) = x if x > 0 else alpha (e^x - 1)
    gelu(x) = x * Phi(x)   (Phi: the normal CDF)     silu(x) = x * sigmoid(x)
    softplus(x) = log(1 + e^(beta x)) / beta         hardtanh(x) = clamp(x, min_val, max_val)
    softmax(x)_i = e^(x_i) / sum_j e^(x_j)           log_softmax(x)_i = x_i - log(sum_j e^(x_j))

(relu, sigmoid and tanh live in elementwise.py.) Softmax and log-softmax subtract
max(x) first: that changes nothing mathematically (it cancels) but keeps e^x from
overflowing, so logits of 1e4 work.

``inplace=True`` (where PyTorch offers it) writes the result into the input
tensor through the in-place machinery of inplace.py, so autograd's leaf rule
applies: a leaf that requires grad can't be overwritten.
"""

import math
import warnings

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops import checks
from edunet.ops import inplace as inplace_ops
from edunet.ops.elementwise import logistic


class Softmax(Function):
    """y = softmax(x) along ``dim``;  dL/dx = y * (g - sum(g * y))"""

    def forward(self, x, *, dim):
        self.dim = dim
        xp = get_array_module(x)
        exponentials = xp.exp(x - x.max(axis=dim, keepdims=True))
        output = exponentials / exponentials.sum(axis=dim, keepdims=True)
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        return output * (grad_output - (grad_output * output).sum(axis=self.dim, keepdims=True))


class LogSoftmax(Function):
    """y = log_softmax(x) along ``dim``;  dL/dx = g - softmax(x) * sum(g)"""

    def forward(self, x, *, dim):
        self.dim = dim
        xp = get_array_module(x)
        shifted = x - x.max(axis=dim, keepdims=True)
        output = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        self.save_for_backward(output)
        return output

    def backward(self, grad_output):
        (output,) = self.saved_arrays
        xp = get_array_module(output)
        return grad_output - xp.exp(output) * grad_output.sum(axis=self.dim, keepdims=True)


def _prepare(name, input, dim, dtype):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                      f"Change the call to include dim=X as an argument.", UserWarning,
                      stacklevel=checks.user_stacklevel())
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{name} needs a floating-point tensor, got {input.dtype}. "
                           f"Convert first: x.float(), or pass dtype=edunet.float32.")
    return input, input._wrap_dim(dim) if input.ndim else None


def softmax(input, dim=None, dtype=None):
    """Probabilities along ``dim``: every slice is positive and sums to 1.

    >>> edunet.softmax(edunet.tensor([1., 2., 3.]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    input, dim = _prepare("softmax", input, dim, dtype)
    return Softmax.apply(input, dim=dim)


def log_softmax(input, dim=None, dtype=None):
    """The logarithm of :func:`softmax`, computed stably in one step."""
    input, dim = _prepare("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, dim=dim)


# ---------------------------------------------------------------- the error function
# NumPy has no erf, and GELU needs the normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2.
# These are W. J. Cody's rational approximations ("Rational Chebyshev approximation for
# the error function", Math. Comp. 23, 1969), the ones behind many math libraries:
#
#     |x| <= 0.46875:      erf(x)  = x P1(x^2) / Q1(x^2)
#     0.46875 < x <= 4:    erfc(x) = e^(-x^2) P2(x) / Q2(x)
#     x > 4:               erfc(x) = e^(-x^2) / x (1/sqrt(pi) - z P3(z) / Q3(z)),  z = 1/x^2
#
# Coefficients are listed highest power first. In float64 the relative error of erf
# is below 1e-15, and of erfc below 1e-13 even in its far tail, where the rounding of
# x^2 inside e^(-x^2) dominates (tests/nn/test_activation.py checks both against
# Python's math.erf and math.erfc from -30 to 30).
# Near 0, erf is computed directly, so erf(1e-10) keeps its 16 digits; far out,
# erfc is computed directly, so Phi(-30) = 4.9e-198 does not round to 0.
ERF_SMALL = ((1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
              3.77485237685302021e02, 3.20937758913846947e03),
             (1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
              2.84423683343917062e03))
ERFC_MIDDLE = ((2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
                6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
                1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03),
               (1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
                1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
                3.43936767414372164e03, 1.23033935480374942e03))
ERFC_TAIL = ((1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
              1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4),
             (1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
              6.05183413124413191e-2, 2.33520497626869185e-3))
ERF_SMALL_LIMIT = 0.46875


def _rational(coefficients, z):
    """P(z) / Q(z), each polynomial evaluated by Horner's rule: ((c0 z + c1) z + c2) z + ...

    In place (``*=``, ``+=``), so no new array is made per step: three times faster.
    """
    xp = get_array_module(z)
    numerator, denominator = coefficients
    top, bottom = xp.full_like(z, numerator[0]), xp.full_like(z, denominator[0])
    for a, b in zip(numerator[1:], denominator[1:]):
        top *= z
        top += a
        bottom *= z
        bottom += b
    top /= bottom
    return top


def _erf_small(x):
    """erf(x) for |x| <= ERF_SMALL_LIMIT."""
    return x * _rational(ERF_SMALL, x * x)


def _erfc_large(y):
    """erfc(y) for y > ERF_SMALL_LIMIT (or NaN): each element by the formula for its range."""
    xp = get_array_module(y)
    result = xp.empty_like(y)
    middle = y <= 4
    near = y[middle]
    result[middle] = xp.exp(-near * near) * _rational(ERFC_MIDDLE, near)
    far = y[~middle]
    with numpy.errstate(over="ignore", divide="ignore"):  # huge y: e^(-y^2) = 0, z = 0
        z = 1 / (far * far)
        result[~middle] = (xp.exp(-far * far) / far
                           * (1 / math.sqrt(math.pi) - z * _rational(ERFC_TAIL, z)))
    return result


def error_function(array):
    """erf(x) = 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt, elementwise, on an array.

    Computed in float64, returned in the array's dtype. Relative error below 1e-15.

    >>> error_function(numpy.array([0.0, 0.5, 3.0]))
    array([0.        , 0.52049988, 0.99997791])
    """
    xp = get_array_module(array)
    x = array.astype(numpy.float64)
    result = xp.empty_like(x)
    small = xp.abs(x) <= ERF_SMALL_LIMIT
    result[small] = _erf_small(x[small])
    large = x[~small]
    result[~small] = xp.sign(large) * (1 - _erfc_large(xp.abs(large)))  # erf(-x) = -erf(x)
    return result.astype(array.dtype, copy=False)


def complementary_error_function(array):
    """erfc(x) = 1 - erf(x), accurate even where it is tiny (large x); on an array."""
    xp = get_array_module(array)
    x = array.astype(numpy.float64)
    result = xp.empty_like(x)
    small = xp.abs(x) <= ERF_SMALL_LIMIT
    result[small] = 1 - _erf_small(x[small])
    large = x[~small]
    tail = _erfc_large(xp.abs(large))
    result[~small] = xp.where(large > 0, tail, 2 - tail)  # erfc(-x) = 2 - erfc(x)
    return result.astype(array.dtype, copy=False)


def normal_cdf(array):
    """Phi(x) = P(Z <= x) for a standard normal Z = erfc(-x / sqrt 2) / 2; on an array."""
    return complementary_error_function(array * -math.sqrt(0.5)) * 0.5


# ---------------------------------------------------------------- the activation ops
class LeakyRelu(Function):
    """y = x if x > 0 else slope * x;  dy/dx = 1 if x > 0 else slope"""

    def forward(self, x, *, negative_slope):
        positive = x > 0
        self.save_for_backward(positive)
        self.negative_slope = negative_slope
        return get_array_module(x).where(positive, x, x * negative_slope)

    def backward(self, grad_output):
        (positive,) = self.saved_arrays
        xp = get_array_module(grad_output)
        return xp.where(positive, grad_output, grad_output * self.negative_slope)


class Elu(Function):
    """y = x if x > 0 else alpha (e^x - 1);  dy/dx = 1 if x > 0 else alpha e^x"""

    def forward(self, x, *, alpha):
        xp = get_array_module(x)
        self.save_for_backward(x)
        self.alpha = alpha
        # expm1 is exact for tiny x; min(x, 0) keeps e^x from overflowing where it is unused.
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        xp = get_array_module(x)
        return xp.where(x > 0, grad_output, grad_output * self.alpha * xp.exp(xp.minimum(x, 0)))


SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
GELU_CUBIC = 0.044715


class Gelu(Function):
    """y = x Phi(x), Phi the standard normal CDF;  dy/dx = Phi(x) + x phi(x)

    phi(x) = e^(-x^2/2) / sqrt(2 pi) is the normal density. ``approximate='tanh'``
    replaces Phi(x) by (1 + tanh(u)) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3).
    """

    def forward(self, x, *, approximate):
        xp = get_array_module(x)
        self.approximate = approximate
        if approximate == "tanh":
            self.save_for_backward(x)
            with numpy.errstate(over="ignore"):
                return 0.5 * x * (1 + xp.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x ** 3)))
        cdf = normal_cdf(x)
        self.save_for_backward(x, cdf)
        return x * cdf

    def backward(self, grad_output):
        xp = get_array_module(grad_output)
        if self.approximate == "tanh":
            (x,) = self.saved_arrays
            with numpy.errstate(over="ignore", invalid="ignore"):
                tanh_u = xp.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x ** 3))
                du_dx = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x)
                return grad_output * (0.5 * (1 + tanh_u) + 0.5 * x * (1 - tanh_u * tanh_u) * du_dx)
        x, cdf = self.saved_arrays
        with numpy.errstate(over="ignore"):
            density = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return grad_output * (cdf + x * density)


class Silu(Function):
    """y = x sigmoid(x);  dy/dx = s + x s (1 - s) with s = sigmoid(x)"""

    def forward(self, x):
        sigmoid = logistic(x)
        self.save_for_backward(x, sigmoid)
        return x * sigmoid

    def backward(self, grad_output):
        x, sigmoid = self.saved_arrays
        return grad_output * sigmoid * (1 + x * (1 - sigmoid))


class Softplus(Function):
    """y = log(1 + e^(beta x)) / beta, or x where beta x > threshold;  dy/dx = sigmoid(beta x)

    log(1 + e^t) is computed as max(t, 0) + log1p(e^-|t|), which never overflows.
    """

    def forward(self, x, *, beta, threshold):
        xp = get_array_module(x)
        scaled = x * beta
        self.save_for_backward(scaled)
        self.threshold = threshold
        smooth = (xp.maximum(scaled, 0) + xp.log1p(xp.exp(-xp.abs(scaled)))) / beta
        return xp.where(scaled > threshold, x, smooth)

    def backward(self, grad_output):
        (scaled,) = self.saved_arrays
        xp = get_array_module(scaled)
        return xp.where(scaled > self.threshold, grad_output, grad_output * logistic(scaled))


class Hardtanh(Function):
    """y = clamp(x, min_val, max_val);  dy/dx = 1 strictly inside (min_val, max_val), else 0

    (At the two corners the gradient is 0, as in PyTorch; clamp's would be 1.)
    """

    def forward(self, x, *, min_val, max_val):
        self.save_for_backward((x > min_val) & (x < max_val))
        return get_array_module(x).clip(x, min_val, max_val).astype(x.dtype, copy=False)

    def backward(self, grad_output):
        (inside,) = self.saved_arrays
        return grad_output * inside


# ---------------------------------------------------------------- functions
def _require_float(name, input):
    if not input.is_floating_point():
        raise NotImplementedError(
            f'"{name}" not implemented for {input.dtype}: it needs a floating-point tensor. '
            f"Convert first, e.g. x.float().")


def _maybe_in_place(input, inplace, compute):
    """``compute(input)``, written back into ``input`` when ``inplace=True``."""
    return inplace_ops.in_place(input, compute) if inplace else compute(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, ``negative_slope * x`` otherwise: a ReLU that keeps a small gradient.

    >>> F.leaky_relu(edunet.tensor([-2.0, 3.0]), 0.1)
    tensor([-0.2000,  3.0000])
    """
    _require_float("leaky_relu", input)
    return _maybe_in_place(input, inplace,
                           lambda tensor: LeakyRelu.apply(tensor, negative_slope=negative_slope))


def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit: x for x > 0, ``alpha * (e^x - 1)`` otherwise (smooth, > -alpha)."""
    _require_float("elu", input)
    return _maybe_in_place(input, inplace, lambda tensor: Elu.apply(tensor, alpha=alpha))


def gelu(input, approximate="none"):
    """Gaussian error linear unit x * Phi(x) (transformers' activation).

    ``approximate='tanh'`` uses the tanh formula of the original paper instead of erf.

    >>> F.gelu(edunet.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. "
                           f"(got {approximate!r})")
    _require_float("gelu", input)
    return Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """Sigmoid linear unit ("swish"): x * sigmoid(x)."""
    _require_float("silu", input)
    return _maybe_in_place(input, inplace, Silu.apply)


def softplus(input, beta=1.0, threshold=20.0):
    """A smooth ReLU: log(1 + e^(beta x)) / beta, and just x where beta * x > threshold.

    >>> F.softplus(edunet.tensor([-30.0, 0.0, 30.0]))
    tensor([9.3576e-14, 6.9315e-01, 3.0000e+01])
    """
    _require_float("softplus", input)
    return Softplus.apply(input, beta=beta, threshold=threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val], with gradient 1 inside and 0 outside."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_in_place(input, inplace,
                           lambda tensor: Hardtanh.apply(tensor, min_val=min_val, max_val=max_val))


def relu6(input, inplace=False):
    """min(max(x, 0), 6): a ReLU capped at 6 (MobileNet's), i.e. hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)
