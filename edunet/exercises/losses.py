"""Checks for "04 Loss functions": losses by hand, cross-entropy from its parts, picking a loss.

    from edunet.exercises import losses as check
    check.l1_and_mse(l1, mse)
    check.cross_entropy_function(my_cross_entropy)
    check.choose_losses({"regression": ..., ...})
"""

import numpy

import edunet
from edunet import nn
from edunet.exercises.checking import verdict
from edunet.i18n import _

# The vectors of the first exercise.
PREDICTIONS = [2.0, 0.0, 4.0]
TARGETS = [1.0, 1.0, 1.0]

# The right loss for each task of the last exercise.
RIGHT_LOSSES = {
    "regression": "MSELoss",               # a real number; L1Loss or SmoothL1Loss also fit
    "binary_probability": "BCELoss",       # the model already ends with a Sigmoid
    "binary_logit": "BCEWithLogitsLoss",   # the model outputs a raw score
    "multiclass": "CrossEntropyLoss",      # raw scores for C classes, an integer class label
}
ALSO_RIGHT = {"regression": {"L1Loss", "SmoothL1Loss", "HuberLoss"}}


def _task_hint(task):
    """What to think about for one task of the last exercise."""
    return {
        "regression": _("regression: the target is a real number; measure the distance to "
                        "it."),
        "binary_probability": _("binary_probability: the outputs already are probabilities in "
                                "(0, 1)."),
        "binary_logit": _("binary_logit: one raw score per example, no sigmoid applied yet."),
        "multiclass": _("multiclass: 10 raw scores per example and an integer class label."),
    }[task]


def _as_float(value):
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return None


def l1_and_mse(l1, mse):
    """``l1`` and ``mse`` are L1Loss and MSELoss (mean) of PREDICTIONS against TARGETS."""
    l1_value, mse_value = _as_float(l1), _as_float(mse)
    problems, hints = [], []
    if l1_value is None or abs(l1_value - 5 / 3) > 1e-3:
        problems.append(f"L1 = {l1!r}")
        hints.append(_("L1 is 5 with reduction='sum'; the default is the mean, so divide by 3.")
                     if l1_value == 5
                     else _("L1: average |prediction - target| over the 3 entries."))
    if mse_value is None or abs(mse_value - 11 / 3) > 1e-3:
        problems.append(f"MSE = {mse!r}")
        if mse_value == 11:
            hints.append(_("MSE is 11 with reduction='sum'; the default is the mean."))
        elif mse_value is not None and abs(mse_value - 5 / 3) < 1e-3:
            hints.append(_("MSE squares each difference before averaging."))
        else:
            hints.append(_("MSE: average (prediction - target)^2 over the 3 entries."))
    return verdict(
        not problems,
        _("L1 = (1 + 1 + 3) / 3 = 1.6667 and MSE = (1 + 1 + 9) / 3 = 3.6667."),
        _("These are off: {problems}.").format(problems=", ".join(problems)),
        hint=" ".join(hints))


def cross_entropy_function(function):
    """``function(logits, target)`` computes nn.CrossEntropyLoss() (the batch mean)."""
    random = numpy.random.default_rng(0)
    logits = edunet.tensor(random.normal(size=(6, 4)) * 2, dtype=edunet.float32)
    target = edunet.tensor(random.integers(0, 4, size=6))
    expected = nn.CrossEntropyLoss()(logits, target)
    try:
        got = function(logits, target)
    except Exception as error:                       # noqa: BLE001 (shown to the learner)
        return verdict(False, "", _("Your function raised {kind}: {error}").format(
                           kind=type(error).__name__, error=error),
                       hint=_("Pick each row's entry at its target with "
                              "log_probabilities[edunet.arange(len(target)), target]."))
    value = _as_float(got) if not isinstance(got, edunet.Tensor) or got.numel() == 1 else None
    if value is None:
        return verdict(False, "", _("It returned {got!r}, not one number.").format(got=got),
                       hint=_("Average the per-example losses with .mean()."))
    expected = float(expected)
    per_example = nn.CrossEntropyLoss(reduction="none")(logits, target)
    if abs(value - expected) < 1e-4:
        return verdict(True, _("{value:.4f}, the same as nn.CrossEntropyLoss() on a 6 x 4 "
                               "batch.").format(value=value), "")
    if abs(value + expected) < 1e-4:
        hint = _("The sign is flipped: the loss is MINUS the log-probability of the right class.")
    elif abs(value - float(per_example.sum())) < 1e-4:
        hint = _("That is the sum over the batch; the default reduction is the mean.")
    else:
        hint = _("loss = -log_softmax(logits, dim=1) at each example's target class, averaged "
                 "over the batch.")
    return verdict(False, "", _("It returned {value:.4f}, but nn.CrossEntropyLoss() gives "
                                "{expected:.4f}.").format(value=value, expected=expected),
                   hint=hint)


def _loss_name(answer):
    """'MSELoss' from nn.MSELoss, nn.MSELoss(), 'nn.MSELoss' or 'mseloss'."""
    if isinstance(answer, str):
        name = answer.strip().removeprefix("nn.").removesuffix("()")
    elif isinstance(answer, type):
        name = answer.__name__
    else:
        name = type(answer).__name__
    known = {loss.lower(): loss for loss in dir(nn) if loss.endswith("Loss")}
    return known.get(name.lower(), name)


def choose_losses(answers):
    """``answers`` maps each task in RIGHT_LOSSES to a loss (class, instance or name)."""
    if not isinstance(answers, dict):
        return verdict(False, "", _("Answer with a dict: {'regression': nn.MSELoss, ...}."))
    wrong, hints = [], []
    for task, right in RIGHT_LOSSES.items():
        answer = answers.get(task)
        name = _("no answer") if answer is None else _loss_name(answer)
        if name == right or name in ALSO_RIGHT.get(task, ()):
            continue
        wrong.append(f"{task} ({name})")
        if task == "binary_logit" and name == "BCELoss":
            hints.append(_("BCELoss wants probabilities; raw scores need BCEWithLogitsLoss."))
        elif task == "binary_probability" and name == "BCEWithLogitsLoss":
            hints.append(_("BCEWithLogitsLoss would apply a second sigmoid to outputs that "
                           "already are probabilities."))
        elif task == "multiclass" and name == "NLLLoss":
            hints.append(_("NLLLoss wants log-probabilities; for raw scores use the loss that "
                           "applies log_softmax itself."))
        else:
            hints.append(_task_hint(task))
    return verdict(
        not wrong,
        _("Regression: MSELoss (or L1/SmoothL1); probabilities: BCELoss; raw scores for two "
          "classes: BCEWithLogitsLoss; raw scores for C classes: CrossEntropyLoss."),
        _("Still to fix: {tasks}.").format(tasks=", ".join(wrong)), hint=" ".join(hints))
