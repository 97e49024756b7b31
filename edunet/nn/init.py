"""Weight initialisation (``torch.nn.init``): filling parameters with good starting values.

Why it matters: if weights start too large, activations and gradients grow layer
after layer (exploding); too small, and they shrink to nothing (vanishing). The
schemes below choose the spread from the layer's size so the signal keeps its
scale:

- Xavier/Glorot (for tanh/sigmoid):  std = gain * sqrt(2 / (fan_in + fan_out))
- Kaiming/He (for ReLU):              std = gain / sqrt(fan)

where ``fan_in`` is the number of inputs feeding each output (in_features, or
in_channels * kernel area for a convolution) and ``fan_out`` the number of
outputs each input feeds. A uniform distribution on [-b, b] has std b / sqrt(3),
so the uniform versions use the bound b = sqrt(3) * std.

Every function changes the tensor in place (no gradient is recorded) and returns it.
"""

import math

import numpy

from edunet.grad_mode import no_grad
from edunet.random import default_generator

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
          "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0,
          "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for weights followed by ``nonlinearity``.

    relu: sqrt(2) (it zeroes half the signal), tanh: 5/3, leaky_relu with slope a:
    sqrt(2 / (1 + a^2)), linear/sigmoid/conv: 1.
    """
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in _GAINS:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    return _GAINS[nonlinearity]


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (this one has shape {tuple(tensor.shape)}).")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn uniformly from [a, b)."""
    _check_floating("uniform_", tensor)
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values from a normal distribution N(mean, std^2)."""
    _check_floating("normal_", tensor)
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Normal values, redrawn until they fall inside [a, b]."""
    _check_floating("trunc_normal_", tensor)
    generator = generator or default_generator
    values = generator.normal(tensor.shape, mean, std, numpy.float64)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = generator.normal((int(outside.sum()),), mean, std, numpy.float64)
        outside = (values < a) | (values > b)
    with no_grad():
        return tensor.copy_(_tensor(values))


def constant_(tensor, val):
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor):
    with no_grad():
        return tensor.zero_()


def ones_(tensor):
    with no_grad():
        return tensor.fill_(1.0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        return tensor.copy_(_tensor(numpy.eye(*tensor.shape)))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan).

    PyTorch's Linear and Conv layers start from this with a = sqrt(5), which works
    out to b = 1 / sqrt(fan_in).
    """
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std^2) with std = gain / sqrt(fan)."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix times ``gain``, via the QR decomposition of a normal sample."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    _check_floating("orthogonal_", tensor)
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    columns = tensor.numel() // rows
    generator = generator or default_generator
    sample = generator.normal((rows, columns), dtype=numpy.float64)
    if rows < columns:
        sample = sample.T
    q, r = numpy.linalg.qr(sample)
    q *= numpy.sign(numpy.diag(r))  # makes the result uniformly distributed
    if rows < columns:
        q = q.T
    with no_grad():
        return tensor.copy_(_tensor(gain * q.reshape(tensor.shape)))


def _check_floating(name, tensor):
    """Random initial values need a float tensor (NotImplementedError, as PyTorch)."""
    if not tensor.is_floating_point():
        raise NotImplementedError(f"init.{name} not implemented for {tensor.dtype}: random "
                                  f"initial values are fractions; initialize a float tensor "
                                  f"(weights are float32) and convert afterwards if needed.")


def _tensor(array):
    from edunet.creation import from_numpy
    return from_numpy(numpy.ascontiguousarray(array))


# PyTorch's old names without the trailing underscore.
uniform, normal, constant = uniform_, normal_, constant_
xavier_uniform, xavier_normal = xavier_uniform_, xavier_normal_
kaiming_uniform, kaiming_normal, orthogonal = kaiming_uniform_, kaiming_normal_, orthogonal_
