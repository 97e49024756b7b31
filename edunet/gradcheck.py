"""Checking gradients against finite differences.

Autograd's gradient of f at x should match the slope we can measure directly:

    df/dx_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

(the central difference, accurate to O(eps^2)). ``gradcheck`` nudges every
element of every input that requires grad, one at a time, in float64, and
compares that slope with ``backward()``'s answer. For a function with several
outputs it checks the gradient of ``sum(output * v)`` for a fixed random ``v``,
which tests every output at once.
"""

import numpy

from edunet.grad_mode import enable_grad, no_grad
from edunet.tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when a gradient is wrong; the message says where."""


def _as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _outputs(function, inputs):
    return [o for o in _as_tuple(function(*inputs)) if isinstance(o, Tensor) and o.is_floating_point()]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, seed=0):
    """Compare ``func``'s autograd gradients with central differences.

    Args:
        func: a function of tensors returning a tensor (or a tuple of tensors).
        inputs: a tensor or tuple of tensors; those with ``requires_grad=True``
            are checked. Float inputs are converted to float64 copies, because
            finite differences in float32 are too coarse to tell right from wrong.
        eps: the nudge size. atol, rtol: allowed difference
            ``|analytical - numerical| <= atol + rtol * |numerical|``.
        raise_exception: raise :class:`GradcheckError` on failure (else return False).

    Returns:
        True when every gradient matches.

    Example:
        >>> x = edunet.randn(3, dtype=edunet.float64, requires_grad=True)
        >>> edunet.gradcheck(lambda t: (t * t).sum(), x)
        True
    """
    originals = _as_tuple(inputs)
    inputs = []
    for value in originals:
        if isinstance(value, Tensor) and value.is_floating_point():
            copy = Tensor._make(value.array.astype(numpy.float64, copy=True))
            copy.requires_grad_(value.requires_grad)
            inputs.append(copy)
        else:
            inputs.append(value)
    checked = [i for i, v in enumerate(inputs) if isinstance(v, Tensor) and v.requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "e.g. x = edunet.randn(3, dtype=edunet.float64, requires_grad=True)")

    with enable_grad():
        outputs = _outputs(func, inputs)
    if not outputs:
        raise ValueError("gradcheck: the function returned no floating-point tensor to check")
    # One random weight per output element: checks d(sum(output * weight))/d(input).
    random = numpy.random.default_rng(seed)
    weights = [random.standard_normal(o.shape) for o in outputs]

    def weighted_sum():
        with no_grad():
            values = _outputs(func, inputs)
        return sum(float((_numpy(o) * w).sum()) for o, w in zip(values, weights))

    with enable_grad():
        total = sum((o * Tensor._make(w.astype(o.array.dtype)).to(o.device)).sum()
                    for o, w in zip(outputs, weights))
    analytical = {}
    if total.requires_grad:
        from edunet import autograd
        gradients = autograd.grad(total, [inputs[i] for i in checked], allow_unused=True)
        analytical = {i: g for i, g in zip(checked, gradients)}

    for index in checked:
        tensor = inputs[index]
        gradient = analytical.get(index)
        expected_array = numpy.zeros(tensor.shape) if gradient is None else _numpy(gradient)
        array = tensor.array  # nudged in place, restored after each element
        flat = array.reshape(-1)
        for position in range(flat.size):
            saved = float(flat[position])
            flat[position] = saved + eps
            plus = weighted_sum()
            flat[position] = saved - eps
            minus = weighted_sum()
            flat[position] = saved
            numerical = (plus - minus) / (2 * eps)
            got = float(expected_array.reshape(-1)[position])
            if not abs(got - numerical) <= atol + rtol * abs(numerical):
                element = numpy.unravel_index(position, tensor.shape) if tensor.shape else ()
                message = (
                    f"Gradient check failed for input {index} (shape {tuple(tensor.shape)}), "
                    f"element {tuple(int(i) for i in element)}:\n"
                    f"    numerical (central difference): {numerical:.6g}\n"
                    f"    analytical (backward):          {got:.6g}\n"
                    f"    difference {abs(got - numerical):.3g} exceeds atol + rtol * |numerical| "
                    f"= {atol + rtol * abs(numerical):.3g}.\n"
                    + ("    backward() gave no gradient at all for this input (None)."
                       if gradient is None else
                       "    If this is your own Function, check its backward for this input.")
                )
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def _numpy(tensor):
    array = tensor.array
    return array.get() if hasattr(array, "get") else numpy.asarray(array)
