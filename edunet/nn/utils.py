"""``torch.nn.utils`` helpers: gradient clipping.

Exploding gradients (a norm of 1e3 and more) make a training step jump far off.
Clipping rescales the gradients before ``optimizer.step()``::

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""

import math

from edunet.grad_mode import no_grad
from edunet.tensor import Tensor


def _with_gradients(parameters):
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in parameters if p.grad is not None]


def _number(name, value):
    """``value`` as a float; ValueError naming the argument otherwise (as PyTorch's float())."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"clip_grad_norm_: {name} must be a number, got "
                         f"{type(value).__name__} {value!r}") from None


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so their combined norm is at most ``max_norm``.

    total = (sum over every gradient element g of |g|^p)^(1/p); when total > max_norm,
    every gradient is multiplied by max_norm / (total + 1e-6). Returns the total norm
    (before clipping) as a tensor.
    """
    from edunet import creation
    max_norm, norm_type = _number("max_norm", max_norm), _number("norm_type", norm_type)
    parameters = _with_gradients(parameters)
    if not parameters:
        return creation.tensor(0.0)
    norms = [p.grad.detach().norm(norm_type) for p in parameters]
    if norm_type == math.inf:
        total = max(n.item() for n in norms)
    else:
        total = sum(n.item() ** norm_type for n in norms) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {float(norm_type)} for gradients from "
                           f"`parameters` is non-finite, so it cannot be clipped. To disable this "
                           f"error and scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    scale = min(max_norm / (total + 1e-6), 1.0)
    with no_grad():
        for parameter in parameters:
            parameter.grad.mul_(scale)
    return creation.tensor(total, dtype=parameters[0].dtype)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value]."""
    with no_grad():
        for parameter in _with_gradients(parameters):
            parameter.grad.clamp_(-clip_value, clip_value)
