"""Checks for the exercises of "06 Optimizers".

    from edunet.exercises import optimizers as check
    check.loop_order("...")
    check.largest_stable_lr(lr)
    check.step_lr(value)
    check.momentum_step(momentum_step)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises.
"""

import math

from edunet.exercises.checking import Verdict
from edunet.i18n import _

# Exercise 1: the lines of one training step, shuffled; the learner orders the letters.
LOOP_LINES = {
    "A": "loss.backward()",
    "B": "optimizer.step()",
    "C": "output = model(inputs)",
    "D": "optimizer.zero_grad()",
    "E": "loss = loss_function(output, targets)",
}

# Exercise 3: StepLR(optimizer, step_size=10, gamma=0.5) on lr=0.1, after this many epochs.
STEP_LR = {"lr": 0.1, "step_size": 10, "gamma": 0.5, "epochs": 25}

# Exercise 4: SGD with momentum on f(w) = w^2 (gradient 2 w), from w = 1.
MOMENTUM = {"w": 1.0, "lr": 0.1, "momentum": 0.9, "steps": 5}


def _number(answer, name):
    if answer is None:
        return Verdict(False, _("{name} is still None.").format(name=name),
                       _("Replace None with your answer (a number)."))
    try:
        return float(answer)
    except (TypeError, ValueError):
        return Verdict(False, _("{name} should be a number, got {kind}.").format(
                           name=name, kind=type(answer).__name__),
                       _("Write the value as a Python number, e.g. 0.5."))


def loop_order(letters):
    """Exercise 1: the letters of LOOP_LINES in an order that makes a correct training step.

    Forward before loss, loss before backward, backward before step; zero_grad anywhere
    except between backward and step (there it would throw the new gradients away). At
    the very end it also works: the next step then starts with clean gradients.
    """
    if letters is None:
        return Verdict(False, _("order is still None."),
                       _('Write the five letters as a string, e.g. "ABCDE".'))
    order = "".join(str(letters).split()).replace(",", "").upper()
    if sorted(order) != sorted(LOOP_LINES):
        return Verdict(False, _("{order!r} should use each of the letters A to E exactly "
                                "once.").format(order=order),
                       _("Five lines, five letters; every line is needed once."))
    position = {letter: index for index, letter in enumerate(order)}
    forward, loss, backward, step, zero = (position[letter] for letter in "CEABD")
    lines = " -> ".join(LOOP_LINES[letter] for letter in order)
    if not forward < loss:
        return Verdict(False, lines, _("The loss compares the model's output with the targets, "
                                       "so the forward pass (C) comes before the loss (E)."))
    if not loss < backward:
        return Verdict(False, lines, _("loss.backward() needs the loss: E before A."))
    if not backward < step:
        return Verdict(False, lines, _("optimizer.step() uses the gradients that loss.backward() "
                                       "computes, so A comes before B."))
    if backward < zero < step:
        return Verdict(False, lines, _("zero_grad() clears .grad. Between backward (A) and step "
                                       "(B) it throws the new gradients away before step uses "
                                       "them: move D before A, or after B."))
    if zero > step:
        return Verdict(True, lines + " " + _("zero_grad() at the end works: it clears the "
                                             "gradients for the next step. Most code, PyTorch's "
                                             "tutorials too, puts it first."))
    return Verdict(True, lines)


def largest_stable_lr(lr):
    """Exercise 2: the learning rate above which gradient descent on f(w) = w^2 diverges."""
    value = _number(lr, "lr")
    if isinstance(value, Verdict):
        return value
    if math.isclose(value, 1.0, rel_tol=1e-3):
        return Verdict(True, _("w <- w - lr 2w = (1 - 2 lr) w shrinks while |1 - 2 lr| < 1, i.e. "
                               "0 < lr < 1. At lr = 1 it bounces between w and -w for ever; "
                               "above, it explodes. (For f = a w^2 / 2 the limit is 2 / a.)"))
    if math.isclose(value, 0.5, rel_tol=1e-3):
        hint = _("At lr = 0.5 one step lands exactly on the minimum: the fastest rate, not the "
                 "largest stable one. Try a few steps of w <- (1 - 2 lr) w with larger lr.")
    elif math.isclose(value, 2.0, rel_tol=1e-3):
        hint = _("2 would be the limit for f = w^2 / 2, whose gradient is w. Here the gradient "
                 "is 2 w, so each step multiplies w by (1 - 2 lr).")
    else:
        hint = [_("Try it: gradient_descent(lr, steps=50) for a few rates, and watch |w|."),
                _("One step is w <- w - lr * 2 w = (1 - 2 lr) w. For which lr is "
                  "|1 - 2 lr| < 1?")]
    return Verdict(False, _("lr = {value:g} is not the boundary.").format(value=value), hint)


def step_lr(value):
    """Exercise 3: the learning rate of StepLR after STEP_LR['epochs'] epochs."""
    number = _number(value, "lr_after_25")
    if isinstance(number, Verdict):
        return number
    lr, step_size, gamma, epochs = (STEP_LR[key] for key in ("lr", "step_size", "gamma", "epochs"))
    right = lr * gamma ** (epochs // step_size)
    if math.isclose(number, right, rel_tol=1e-6):
        return Verdict(True, f"{lr} x {gamma}^({epochs} // {step_size}) = {lr} x {gamma}^"
                             f"{epochs // step_size} = {right:g}.")
    if math.isclose(number, lr * gamma ** (epochs / step_size), rel_tol=1e-6):
        hint = _("StepLR changes the rate in steps, not smoothly: use whole periods, 25 // 10.")
    elif math.isclose(number, lr * gamma ** (epochs // step_size + 1), rel_tol=1e-6):
        hint = _("One halving too many: the rate drops after epochs 10 and 20; the next drop "
                 "comes after epoch 30.")
    elif math.isclose(number, lr * gamma ** (epochs // step_size - 1), rel_tol=1e-6):
        hint = _("One halving too few: by epoch 25 the rate has dropped after epoch 10 and after "
                 "20.")
    else:
        hint = [_("How many times has the rate been halved by epoch 25?"),
                _("lr = initial lr x gamma ^ (number of completed periods of step_size "
                  "epochs).")]
    return Verdict(False, _("{number:g} is not the rate after {epochs} epochs.").format(
        number=number, epochs=epochs), hint)


def _reference_trajectory():
    """w after each SGD-with-momentum step, by edunet's own optim.SGD (PyTorch's rule)."""
    import edunet
    from edunet import optim
    w = edunet.tensor(MOMENTUM["w"], dtype=edunet.float64, requires_grad=True)
    optimizer = optim.SGD([w], lr=MOMENTUM["lr"], momentum=MOMENTUM["momentum"])
    trajectory = []
    for _step in range(MOMENTUM["steps"]):
        optimizer.zero_grad()
        (w * w).backward()
        optimizer.step()
        trajectory.append(w.item())
    return trajectory


def _trajectory(step, lr, momentum):
    w, velocity, trajectory = MOMENTUM["w"], 0.0, []
    for _step in range(MOMENTUM["steps"]):
        w, velocity = step(w, 2 * w, velocity, lr=lr, momentum=momentum)
        trajectory.append(float(w))
    return trajectory


def momentum_step(step):
    """Exercise 4: ``step(w, grad, velocity, lr, momentum) -> (w, velocity)`` matches optim.SGD."""
    if step is None:
        return Verdict(False, _("momentum_step is still None."),
                       _("Define the function in the cell above."))
    lr, momentum = MOMENTUM["lr"], MOMENTUM["momentum"]
    try:
        got = _trajectory(step, lr, momentum)
    except Exception as error:  # the learner's bug is shown, not raised
        return Verdict(False, _("momentum_step raised {kind}: {error}").format(
                           kind=type(error).__name__, error=error),
                       _("It takes w, grad, velocity (numbers) and returns the new (w, "
                         "velocity)."))
    right = _reference_trajectory()
    close = all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12) for a, b in zip(got, right))
    shown = ", ".join(f"{w:.4f}" for w in got[:3])
    if close:
        return Verdict(True, _("Your w after 1, 2, 3 steps: {shown}, the same as "
                               "optim.SGD(momentum=0.9).").format(shown=shown))
    plain, w = [], MOMENTUM["w"]
    for _step in range(MOMENTUM["steps"]):
        w -= lr * 2 * w
        plain.append(w)
    if all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, plain)):
        hint = _("That is plain SGD: the velocity is never used. w moves by lr x velocity, not "
                 "lr x grad.")
    elif math.isclose(got[0], right[0], rel_tol=1e-6):
        hint = _("The first step is right, later ones are not: is the velocity you return the "
                 "new one, velocity = momentum x velocity + grad?")
    else:
        hint = [_("Look at the SGD with momentum row of the table in section 3: two lines, "
                  "first the velocity, then w."),
                _("PyTorch's rule: velocity = momentum x velocity + grad, then w = w - lr x "
                  "velocity.")]
    return Verdict(False, _("Your w after 1, 2, 3 steps: {shown}; optim.SGD gives "
                            "{right}.").format(shown=shown, right=", ".join(
                                f"{w:.4f}" for w in right[:3])), hint)
