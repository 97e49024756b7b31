"""Checks for "01 Tensors and autograd": shapes, broadcasting and gradients.

    from edunet.exercises import tensors as check
    check.broadcast_shape((4, 3))
    check.ones_tensor(my_tensor)
    check.cube_gradient(x.grad)
"""

import numpy

import edunet
from edunet.exercises.checking import verdict
from edunet.i18n import _


def _as_array(value):
    """A float64 NumPy array from a Tensor, an array, a list or a number (None if impossible)."""
    try:
        if isinstance(value, edunet.Tensor):
            return value.detach().cpu().numpy().astype(numpy.float64)
        return numpy.asarray(value, dtype=numpy.float64)
    except (TypeError, ValueError):
        return None


def broadcast_shape(answer):
    """``answer`` is the shape of ``edunet.ones(4, 1) + edunet.ones(3)``: (4, 3)."""
    try:
        shape = tuple(int(size) for size in answer)
    except (TypeError, ValueError):
        return verdict(False, "", _("{answer!r} is not a shape.").format(answer=answer),
                       hint=_("Answer with a tuple of sizes, e.g. (2, 5)."))
    hint = _("Line the shapes up from the right: (4, 1) and (3,) become (4, 1) and (1, 3); "
             "a size 1 stretches to match the other size.")
    if shape in ((4, 1), (3,), (1, 3)):
        hint = _("Broadcasting stretches BOTH tensors: the result has the larger size in each "
                 "place.")
    return verdict(
        shape == (4, 3),
        _("(4, 1) + (3,) -> (4, 1) + (1, 3) -> (4, 3): each size 1 is stretched."),
        _("{shape} is not the shape of the sum.").format(shape=shape), hint=hint)


def ones_tensor(tensor):
    """``tensor`` is a 2 x 3 float32 tensor of ones that requires gradients."""
    if not isinstance(tensor, edunet.Tensor):
        return verdict(False, "", _("That is a {kind}, not an edunet Tensor.").format(
                           kind=type(tensor).__name__),
                       hint=_("Make it with edunet.ones(...)."))
    problems = []
    if tuple(tensor.shape) != (2, 3):
        problems.append(_("its shape is {shape}, not (2, 3)").format(shape=tuple(tensor.shape)))
    if tensor.dtype != edunet.float32:
        problems.append(_("its dtype is {dtype}, not edunet.float32").format(dtype=tensor.dtype))
    elif tuple(tensor.shape) == (2, 3) and not bool((tensor == 1).all()):
        problems.append(_("not all its values are 1"))
    if not tensor.requires_grad:
        problems.append(_("it does not require gradients"))
    return verdict(
        not problems,
        _("A 2 x 3 float32 tensor of ones that records operations for backward()."),
        _("Almost: {problems}.").format(problems="; ".join(problems)),
        hint=_("edunet.ones(rows, columns, requires_grad=True) gives float32 by default."))


def cube_gradient(grad):
    """``grad`` is x.grad after ``(x ** 3).sum().backward()`` at x = [1., 2., 3.]."""
    expected = numpy.array([3.0, 12.0, 27.0])
    if grad is None:
        return verdict(False, "", _("x.grad is None: no gradient was computed."),
                       hint=_("Create x with requires_grad=True and call .backward() on the "
                              "sum."))
    values = _as_array(grad)
    if values is None or values.shape != (3,):
        return verdict(False, "", _("Expected three gradient values, got {grad!r}.").format(
                           grad=grad),
                       hint=_("Pass x.grad itself."))
    if numpy.allclose(values, 2 * expected):
        hint = _("These are twice the right values: backward() ran twice and gradients add up. "
                 "Re-create x (or set x.grad = None) and call backward() once.")
    elif numpy.allclose(values, [1.0, 4.0, 9.0]):
        hint = _("These are x ** 2. The derivative of x^3 is 3 x^2.")
    else:
        hint = _("The derivative of x^3 is 3 x^2; the sum adds each element's own term.")
    return verdict(
        numpy.allclose(values, expected),
        _("d/dx sum(x^3) = 3 x^2 = [3, 12, 27]: autograd agrees with calculus."),
        _("x.grad is {values}.").format(values=values.tolist()), hint=hint)
