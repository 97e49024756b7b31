"""Checks for the exercises of "05 Backpropagation".

    from edunet.exercises import backprop as check
    check.chain_rule(dloss_dw)
    check.accumulated_gradient(value)
    check.cube_function(Cube)
    check.sigmoid_shrink(factor)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises,
so a wrong or unfinished answer never stops "Run all".
"""

import math

from edunet.exercises.checking import Verdict
from edunet.i18n import _

# Exercise 1: loss = (w * x + b - y) ** 2 at these values; the learner finds d loss / d w.
CHAIN_RULE_VALUES = {"w": 0.5, "x": 3.0, "b": 1.0, "y": 4.0}

# Exercise 2: w = tensor([1., 2., 3.]), loss = (w * 4).sum(), backward() called 3 times.
ACCUMULATION_CALLS = 3
ACCUMULATION_FACTOR = 4.0

# Exercise 4: how much a gradient can shrink, at most, through this many sigmoids.
SIGMOID_LAYERS = 10


def _number(answer, name):
    """``answer`` as a float, or a Verdict saying why it is not a number yet."""
    if answer is None:
        return Verdict(False, _("{name} is still None.").format(name=name),
                       _("Replace None with your answer (a number)."))
    if hasattr(answer, "item") and hasattr(answer, "numel"):
        if answer.numel() != 1:
            return Verdict(False, _("{name} has {count} elements; one number is expected.").format(
                               name=name, count=answer.numel()),
                           _("Use .item() on a one-element tensor, or type the number."))
        answer = answer.item()
    try:
        return float(answer)
    except (TypeError, ValueError):
        return Verdict(False, _("{name} should be a number, got {kind}.").format(
                           name=name, kind=type(answer).__name__),
                       _("Write the value as a Python number, e.g. 1.25."))


def chain_rule(dloss_dw):
    """Exercise 1: d loss / d w for loss = (w x + b - y)^2 at CHAIN_RULE_VALUES."""
    value = _number(dloss_dw, "dloss_dw")
    if isinstance(value, Verdict):
        return value
    w, x, b, y = (CHAIN_RULE_VALUES[name] for name in "wxby")
    error = w * x + b - y
    right = 2 * error * x
    if math.isclose(value, right, rel_tol=1e-6, abs_tol=1e-9):
        return Verdict(True, _("d loss / d w = 2 (w x + b - y) x = 2 x ({error:g}) x {x:g} = "
                               "{right:g}.").format(error=error, x=x, right=right))
    if math.isclose(value, 2 * error, rel_tol=1e-6):
        hint = _("That is d loss / d z, the gradient at z = w x + b. One more link: d z / d w = "
                 "x, so multiply by x.")
    elif math.isclose(value, 2 * error * w, rel_tol=1e-6):
        hint = _("You multiplied by w: that gives d loss / d x. For d loss / d w, d z / d w = x.")
    elif math.isclose(value, error * x, rel_tol=1e-6):
        hint = _("Don't forget the 2 from the square: d (e^2) / d e = 2 e.")
    elif math.isclose(value, error ** 2, rel_tol=1e-6):
        hint = _("That is the loss itself. Its derivative is 2 e x d e / d w, with e = w x + b - "
                 "y.")
    else:
        hint = [_("Work backwards one link at a time, from the loss to w."),
                _("Name the error e = w x + b - y. Then loss = e^2: what is d loss / d e, and "
                  "what is d e / d w?"),
                _("d loss / d e = 2 e and d e / d w = x: multiply the links.")]
    return Verdict(False, _("{value:g} is not d loss / d w.").format(value=value), hint)


def accumulated_gradient(value):
    """Exercise 2: w.grad after ACCUMULATION_CALLS backward() calls without zero_grad()."""
    if value is None:
        return Verdict(False, _("value is still None."),
                       _("Replace None with the list of numbers you expect in w.grad."))
    if hasattr(value, "tolist"):
        value = value.tolist()
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError):
        return Verdict(False, _("value should be a list of three numbers, like [1.0, 2.0, 3.0]."),
                       _("w has three elements, so w.grad has three too."))
    once = [ACCUMULATION_FACTOR] * 3
    right = [ACCUMULATION_FACTOR * ACCUMULATION_CALLS] * 3
    if numbers == right:
        return Verdict(True, _("Each backward() adds 4 to every element: 3 x 4 = {total:g}. That "
                               "is why a training loop calls zero_grad() every step.").format(
                                   total=right[0]))
    if numbers == once:
        hint = _("backward() does not replace .grad, it adds to it. How many times was it "
                 "called?")
    elif numbers == [1.0, 2.0, 3.0] or numbers == [4.0, 8.0, 12.0]:
        hint = _("The gradient of (w * 4).sum() does not depend on w's values: d/dw_i of "
                 "4 (w_1 + w_2 + w_3) is 4 for every i.")
    else:
        hint = [_("What does one call of backward() put into w.grad? And what do three calls "
                  "do?"),
                _("d/dw_i of (w * 4).sum() is 4 for every element; now remember that gradients "
                  "accumulate across backward() calls.")]
    return Verdict(False, _("{numbers} is not what w.grad holds.").format(numbers=numbers), hint)


def cube_function(cube_class):
    """Exercise 3: a custom Function computing x**3 whose backward passes gradcheck."""
    import edunet
    from edunet.gradcheck import GradcheckError

    if cube_class is None:
        return Verdict(False, _("Cube is still None."), _("Define the class Cube in the cell above."))
    generator_state = edunet.get_rng_state()
    edunet.manual_seed(5)
    x = edunet.randn(4, dtype=edunet.float64, requires_grad=True)
    edunet.set_rng_state(generator_state)   # checking must not change the learner's random numbers
    forward_hints = [_("forward computes the function itself, on the tensor it gets."),
                     _("Python's power operator works on tensors: input ** 3."),
                     _("ctx.save_for_backward(input), then return input ** 3.")]
    try:
        output = cube_class.apply(x)
    except NotImplementedError:
        return Verdict(False, _("Cube.forward is not written yet."), forward_hints)
    except Exception as error:  # any bug in the learner's forward is a lesson, not a crash
        return Verdict(False, _("Cube.apply(x) raised {name}: {error}").format(
                           name=type(error).__name__, error=error),
                       [_("Compare your forward with MySigmoid.forward in section 5: the "
                          "arguments are (ctx, input)."), forward_hints[2]])
    if not isinstance(output, edunet.Tensor) or output.shape != x.shape:
        return Verdict(False, _("Cube.apply(x) should return a tensor shaped like x."),
                       forward_hints)
    if not edunet.allclose(output.detach(), x.detach() ** 3):
        return Verdict(False, _("forward does not compute x ** 3."), forward_hints)
    backward_hints = [
        _("backward gets grad_output = d loss / d output. The chain rule: multiply it by the "
          "local derivative d(x^3)/dx."),
        _("The local derivative is 3 x^2, and x is what forward saved: "
          "(input,) = ctx.saved_tensors."),
        _("return grad_output * 3 * input ** 2"),
    ]
    try:
        edunet.gradcheck(cube_class.apply, (x,))
    except NotImplementedError:
        return Verdict(False, _("forward is right; Cube.backward is not written yet."),
                       backward_hints)
    except GradcheckError as error:
        report = " ".join(" ".join(str(error).splitlines()[:3]).split())   # where and how far off
        return Verdict(False, _("forward is right, but backward's gradient is wrong.") + " "
                       + report + ".", backward_hints)
    except Exception as error:
        return Verdict(False, _("backward raised {name}: {error}").format(
                           name=type(error).__name__, error=error), backward_hints[1:])
    return Verdict(True, _("forward and backward agree with finite differences (gradcheck "
                           "passed)."))


def sigmoid_shrink(factor):
    """Exercise 4: the largest factor a gradient keeps after SIGMOID_LAYERS sigmoids."""
    value = _number(factor, "factor")
    if isinstance(value, Verdict):
        return value
    right = 0.25 ** SIGMOID_LAYERS
    if math.isclose(value, right, rel_tol=1e-6):
        return Verdict(True, _("At most 0.25^{layers} = {right:.3g}: less than a millionth "
                               "reaches the first layer (ignoring the weights).").format(
                                   layers=SIGMOID_LAYERS, right=right))
    if math.isclose(value, 0.25, rel_tol=1e-6):
        hint = _("0.25 is the shrink of one sigmoid. There are {layers}, one after "
                 "another.").format(layers=SIGMOID_LAYERS)
    elif math.isclose(value, 0.5 ** SIGMOID_LAYERS, rel_tol=1e-6):
        hint = _("sigmoid(0) = 0.5 is the value, not the derivative. The derivative is "
                 "sigmoid(z) (1 - sigmoid(z)), at most 0.5 x 0.5.")
    elif math.isclose(value, 0.25 * SIGMOID_LAYERS, rel_tol=1e-6):
        hint = _("The chain rule multiplies the factors of the layers; it does not add them.")
    else:
        hint = [_("Where is the sigmoid's derivative largest, and how large is it there?"),
                _("The derivative of the sigmoid is sigmoid(z) (1 - sigmoid(z)), largest at "
                  "z = 0. The chain rule multiplies one such factor per layer.")]
    return Verdict(False, _("{value:g} is not the largest possible factor.").format(value=value),
                   hint)
