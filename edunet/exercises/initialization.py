"""Checks for the exercises of "10 Initialization, normalization and activations".

    from edunet.exercises import initialization as check
    check.kaiming_std(std)
    check.dead_units_function(count_dead_units)
    check.layers_that_change(names)
    check.cross_entropy_function(my_cross_entropy)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises,
so a wrong or unfinished answer never stops "Run all".
"""

import math

from edunet.exercises.checking import Verdict
from edunet.i18n import _

# Exercise 1: kaiming_normal_(nn.Linear(FAN_IN, FAN_OUT).weight, nonlinearity="relu").
FAN_IN, FAN_OUT = 50, 20
# Exercise 3: the layers the learner sorts into "changes with train()/eval()" or not.
LAYERS = ("Linear", "ReLU", "BatchNorm1d", "LayerNorm", "Dropout", "Softmax")
CHANGING = {"BatchNorm1d", "Dropout"}


def _number(answer, name):
    """``answer`` as a float, or a Verdict saying why it is not a number yet."""
    if answer is None:
        return Verdict(False, _("{name} is still None.").format(name=name),
                       _("Replace None with your answer (a number)."))
    if hasattr(answer, "item") and hasattr(answer, "numel") and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return Verdict(False, _("{name} should be a number, got {value!r}.").format(
            name=name, value=answer), _("Write it as a Python number, e.g. 0.5 or 2 ** 0.5."))
    return float(answer)


def kaiming_std(std):
    """Exercise 1: the std of kaiming_normal_(nonlinearity="relu") on nn.Linear(50, 20)."""
    value = _number(std, "std")
    if isinstance(value, Verdict):
        return value
    right = math.sqrt(2 / FAN_IN)
    if math.isclose(value, right, rel_tol=1e-3):
        return Verdict(True, _("gain / sqrt(fan_in) = sqrt(2) / sqrt(50) = {std:.3f}: fan_in is "
                               "in_features, 50.").format(std=right))
    mistakes = {
        math.sqrt(2 / FAN_OUT): _("That uses fan_out (20). kaiming_normal_'s default mode is "
                                  "'fan_in': the number of inputs of each unit."),
        2 / FAN_IN: _("That is the variance, gain^2 / fan_in. The standard deviation is its "
                      "square root."),
        math.sqrt(2 / (FAN_IN + FAN_OUT)): _("That is Xavier's formula, sqrt(2 / (fan_in + "
                                             "fan_out)). Kaiming's uses only fan_in."),
        math.sqrt(1 / FAN_IN): _("Almost: for ReLU the gain is sqrt(2), because ReLU zeroes "
                                 "half of its inputs and so halves the variance."),
        1 / FAN_IN: _("Take the square root: std = gain / sqrt(fan_in)."),
    }
    first = next((hint for wrong, hint in mistakes.items()
                  if math.isclose(value, wrong, rel_tol=1e-3)),
                 _("Kaiming (He) init: std = gain / sqrt(fan_in), with gain = sqrt(2) for ReLU."))
    return Verdict(False, _("{value:g} is not the standard deviation.").format(value=value),
                   [first, _("For nn.Linear(50, 20) the weight has shape (20, 50): fan_in = 50."),
                    _("math.sqrt(2 / 50)")])


def _dead_units_cases():
    """(activations, number of dead units) pairs, with the traps a count can fall into."""
    import edunet
    return [
        (edunet.tensor([[0.0, 1.0, 0.0], [0.0, 2.0, 0.5]]), 1),
        (edunet.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), 2),
        (edunet.tensor([[3.0, 0.0, 0.0, 1.0]]), 2),                 # one example
        (edunet.tensor([[1.0, 2.0], [0.5, 0.5]]), 0),
        (edunet.tensor([[0.0, 4.0, 0.0], [5.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 1),
    ]


def dead_units_function(function):
    """Exercise 2: ``function(activations)`` counts the units that are 0 for every example."""
    if function is None:
        return Verdict(False, _("count_dead_units is still None."),
                       _("Define the function in the cell above."))
    for activations, right in _dead_units_cases():
        try:
            answer = function(activations.clone())
        except Exception as error:  # the learner's bug is a lesson, not a crash
            return Verdict(False, _("count_dead_units raised {kind}: {error}").format(
                kind=type(error).__name__, error=error),
                _("activations is a tensor (batch, units); compare it with 0 and reduce over "
                  "dim=0, the batch."))
        if hasattr(answer, "item") and hasattr(answer, "numel") and answer.numel() == 1:
            answer = answer.item()
        if answer is None or isinstance(answer, bool) or not isinstance(answer, (int, float)):
            return Verdict(False, _("count_dead_units returned {value!r}, not a number.").format(
                value=answer), _("Return a number, e.g. with .sum().item()."))
        if answer != right:
            rows = activations.tolist()
            return Verdict(False, _("For the activations {rows} the answer is {right}, your "
                                    "function says {answer}.").format(
                                        rows=rows, right=right, answer=answer),
                           [_("A unit is a column. It is dead when it is 0 for every example "
                              "(every row), not just for some."),
                            _("(activations == 0).all(dim=0) is True for each dead column."),
                            _("return int((activations == 0).all(dim=0).sum())")])
    return Verdict(True, _("A unit that is 0 for every example gets no gradient through its "
                           "ReLU, so it never learns its way back."))


def layers_that_change(names):
    """Exercise 3: which of LAYERS compute differently in train() and eval() mode."""
    if names is None:
        return Verdict(False, _("answer is still None."),
                       _('Write a set of class names, e.g. {"ReLU"}.'))
    if isinstance(names, str):
        names = {names}
    try:
        chosen = {str(name) for name in names}
    except TypeError:
        return Verdict(False, _("answer should be a set of class names."),
                       _('Write a set of class names, e.g. {"ReLU"}.'))
    if chosen == CHANGING:
        return Verdict(True, _("Dropout drops values only in training; BatchNorm uses the batch's "
                               "statistics in training and its running averages in eval. "
                               "LayerNorm normalizes each example on its own: the same in both "
                               "modes."))
    unknown = chosen - set(LAYERS)
    hints = []
    if unknown:
        hints.append(_("Use the class names of the list: {names}.").format(names=", ".join(LAYERS)))
    if "LayerNorm" in chosen:
        hints.append(_("LayerNorm uses the mean and variance of each example's own features, in "
                       "both modes: it keeps no running averages."))
    missing = CHANGING - chosen
    if missing:
        hints.append(_("Which layers use randomness, or statistics of the whole batch, while "
                       "training?"))
    if chosen & {"Linear", "ReLU", "Softmax"}:
        hints.append(_("Linear, ReLU and Softmax compute the same function whatever the mode."))
    hints.append(_("Try it: make the layer, call .train() and .eval(), and compare the outputs "
                   "on the same batch."))
    return Verdict(False, _("{names} is not the set of layers that change.").format(
        names=sorted(chosen)), hints)


def cross_entropy_function(function):
    """Exercise 4: ``function(logits, target)`` equals nn.CrossEntropyLoss(), e.g. by
    LogSoftmax + NLLLoss."""
    import edunet
    from edunet import nn

    if function is None:
        return Verdict(False, _("my_cross_entropy is still None."),
                       _("Define the function in the cell above."))
    state = edunet.get_rng_state()
    edunet.manual_seed(21)
    logits = edunet.randn(6, 4) * 3
    target = edunet.randint(0, 4, (6,))
    edunet.set_rng_state(state)
    right = nn.CrossEntropyLoss()(logits, target)
    try:
        answer = function(logits.clone(), target.clone())
    except Exception as error:  # the learner's bug is a lesson, not a crash
        return Verdict(False, _("my_cross_entropy raised {kind}: {error}").format(
            kind=type(error).__name__, error=error),
            _("nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target)"))
    if not isinstance(answer, edunet.Tensor) or answer.numel() != 1:
        return Verdict(False, _("my_cross_entropy should return a one-element tensor, the loss."),
                       _("Return the loss tensor itself, not a number or a list."))
    value = answer.item()
    if math.isclose(value, right.item(), rel_tol=1e-5):
        return Verdict(True, _("LogSoftmax + NLLLoss = CrossEntropyLoss: {value:.4f}. "
                               "CrossEntropyLoss does both in one step, and it wants raw "
                               "logits.").format(value=value))
    with edunet.no_grad():
        log_probabilities = nn.LogSoftmax(dim=1)(logits)
        softmax_then_nll = nn.NLLLoss()(nn.Softmax(dim=1)(logits), target).item()
        double = nn.CrossEntropyLoss()(nn.Softmax(dim=1)(logits), target).item()
        summed = nn.NLLLoss(reduction="sum")(log_probabilities, target).item()
        wrong_dim = nn.NLLLoss()(nn.LogSoftmax(dim=0)(logits), target).item()
    if math.isclose(value, softmax_then_nll, rel_tol=1e-5):
        first = _("NLLLoss expects log-probabilities: use LogSoftmax, not Softmax, before it.")
    elif math.isclose(value, double, rel_tol=1e-5):
        first = _("That applies softmax twice: CrossEntropyLoss already contains the "
                  "(log-)softmax.")
    elif math.isclose(value, summed, rel_tol=1e-5):
        first = _("That is the sum over the batch; CrossEntropyLoss averages (reduction='mean').")
    elif math.isclose(value, wrong_dim, rel_tol=1e-5):
        first = _("LogSoftmax over dim=0 mixes the examples of the batch; the classes are dim=1.")
    else:
        first = _("Take LogSoftmax over the classes (dim=1), then NLLLoss with the targets.")
    return Verdict(False, _("my_cross_entropy gives {value:.4f}; CrossEntropyLoss gives "
                            "{right:.4f}.").format(value=value, right=right.item()),
                   [first, _("NLLLoss picks -log p[target] of each example and averages."),
                    _("return nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target)")])
