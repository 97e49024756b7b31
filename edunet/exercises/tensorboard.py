"""Checks for the exercises of "11 Watching training with TensorBoard".

    from edunet.exercises import tensorboard as check
    check.log_losses(log_losses)
    check.scalar_events(number)
    check.images_dataformats(dataformats)
    check.smoothing_function(smooth)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises,
so a wrong or unfinished answer never stops "Run all". None of them needs the
``tensorboard`` package: the first one hands the learner's function a writer that
records its calls instead of writing files.
"""

import math

from edunet.exercises.checking import Verdict
from edunet.i18n import _

# Exercise 2: the notebook's loop logs one "train_loss" per batch and one
# "test_accuracy" per epoch: EPOCHS epochs of BATCHES_PER_EPOCH batches.
EPOCHS, BATCHES_PER_EPOCH = 2, 25


class RecordingWriter:
    """Stands in for a SummaryWriter: remembers every add_scalar call, writes nothing."""

    def __init__(self):
        self.scalars = []

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, **options):
        if hasattr(scalar_value, "item"):
            scalar_value = scalar_value.item()
        self.scalars.append((tag, float(scalar_value), global_step))

    def __getattr__(self, name):
        if name.startswith("add_"):
            raise AttributeError(_("This exercise only needs add_scalar, not {name}.").format(
                name=name))
        raise AttributeError(name)


def log_losses(function):
    """Exercise 1: ``function(writer, losses)`` logs losses[i] under "loss" at step i."""
    if function is None:
        return Verdict(False, _("log_losses is still None."),
                       _("Define the function in the cell above."))
    losses = [2.3, 1.7, 1.2, 0.9]
    writer = RecordingWriter()
    try:
        function(writer, list(losses))
    except Exception as error:  # the learner's bug is a lesson, not a crash
        return Verdict(False, _("log_losses raised {kind}: {error}").format(
            kind=type(error).__name__, error=error),
            _("writer.add_scalar(tag, value, step) for each loss."))
    right = [("loss", value, step) for step, value in enumerate(losses)]
    calls = [(tag, round(value, 6), step) for tag, value, step in writer.scalars]  # float32 too
    if calls == right:
        return Verdict(True, _("One add_scalar per value, with its step: TensorBoard draws the "
                               "curve from the (step, value) pairs."))
    if not calls:
        hints = [_("Nothing was logged: call writer.add_scalar inside a loop over the losses.")]
    elif len(calls) != len(losses):
        hints = [_("{logged} values were logged for {count} losses: one add_scalar per "
                   "loss.").format(logged=len(calls), count=len(losses))]
    elif any(tag != "loss" for tag, _value, _step in calls):
        hints = [_('Use the tag "loss" (the first argument): the tag names the curve.')]
    elif all(step is None for _tag, _value, step in calls):
        hints = [_("Without global_step every point lands on step 0. Pass the step as the third "
                   "argument.")]
    elif [step for _tag, _value, step in calls] == [step + 1 for step in range(len(losses))]:
        hints = [_("Steps start at 0 here: the first loss is step 0 (enumerate counts from 0).")]
    elif [value for _tag, value, _step in calls] != [round(loss, 6) for loss in losses]:
        hints = [_("Log the losses themselves, in their order.")]
    else:
        hints = [_("Each loss goes with its own index as the step.")]
    hints.append(_("for step, loss in enumerate(losses): writer.add_scalar(\"loss\", loss, "
                   "step)"))
    return Verdict(False, _("log_losses logged {calls} instead of {right}.").format(
        calls=calls, right=right), hints)


def scalar_events(number):
    """Exercise 2: how many "train_loss" points the notebook's training loop writes."""
    if number is None:
        return Verdict(False, _("number is still None."),
                       _("Replace None with your answer, a whole number."))
    if isinstance(number, bool) or not isinstance(number, (int, float)) or number != int(number):
        return Verdict(False, _("number should be a whole number, got {value!r}.").format(
            value=number), _("Count the add_scalar(\"train_loss\", ...) calls."))
    right = EPOCHS * BATCHES_PER_EPOCH
    if number == right:
        return Verdict(True, _("One point per batch: {epochs} epochs x {batches} batches = "
                               "{total}.").format(epochs=EPOCHS, batches=BATCHES_PER_EPOCH,
                                                  total=right))
    if number == EPOCHS:
        hint = _("That is one per epoch, the test accuracy. The loss is logged inside the loop "
                 "over batches.")
    elif number == BATCHES_PER_EPOCH:
        hint = _("That is one epoch's worth. The loop runs {epochs} epochs.").format(
            epochs=EPOCHS)
    elif number == right + EPOCHS:
        hint = _("Count only the tag \"train_loss\"; \"test_accuracy\" is a curve of its own.")
    else:
        hint = _("800 training images in batches of 32 make 25 batches per epoch.")
    return Verdict(False, _("{value} is not the number of \"train_loss\" points.").format(
        value=int(number)), [hint, _("len(train_loader) is the number of batches per epoch.")])


def images_dataformats(dataformats):
    """Exercise 3: the ``dataformats`` for add_images on a batch shaped (N, H, W, C)."""
    if dataformats is None:
        return Verdict(False, _("dataformats is still None."),
                       _('Write a string of four letters, like "NCHW".'))
    if not isinstance(dataformats, str):
        return Verdict(False, _("dataformats should be a string."),
                       _('Write a string of four letters, like "NCHW".'))
    if dataformats == "NHWC":
        return Verdict(True, _("The letters name the dimensions in order: N images, H rows, W "
                               "columns, C channels last, as NumPy and matplotlib store "
                               "pictures."))
    if dataformats.upper() == "NHWC":
        hint = _("Upper-case letters, as PyTorch writes them: \"NHWC\".")
    elif dataformats.upper() == "NCHW":
        hint = _("NCHW is the default, channels second. Here the channels come last.")
    elif dataformats.upper() in ("HWC", "CHW", "HW"):
        hint = _("Those are formats for one image (add_image). A batch starts with N.")
    else:
        hint = _("Name each dimension of (N, H, W, C) by its letter, in that order.")
    return Verdict(False, _("{value!r} does not describe a batch shaped (N, H, W, C).").format(
        value=dataformats), hint)


def reference_smoothing(values, weight):
    """TensorBoard's smoothing: an exponential moving average, debiased at the start."""
    smoothed, last = [], 0.0
    for count, value in enumerate(values, start=1):
        last = last * weight + (1 - weight) * value
        smoothed.append(last / (1 - weight ** count) if weight != 1 else last)
    return smoothed


def smoothing_function(function):
    """Exercise 4: ``function(values, weight)`` equals TensorBoard's smoothing."""
    if function is None:
        return Verdict(False, _("my_smooth is still None."),
                       _("Define the function in the cell above."))
    cases = [([1.0, 0.0, 1.0, 0.0, 1.0, 0.0], 0.6), ([2.0, 2.0, 2.0], 0.9),
             ([5.0, 3.0, 4.0, 1.0, 0.5], 0.0), ([3.0, 1.0, 2.0, 0.0], 0.5)]
    for values, weight in cases:
        right = reference_smoothing(values, weight)
        try:
            answer = function(list(values), weight)
            if answer is None:
                return Verdict(False, _("my_smooth returned None."),
                               _("Return a list with one smoothed value per input value."))
            answer = [float(value) for value in answer]
        except Exception as error:  # the learner's bug is a lesson, not a crash
            return Verdict(False, _("my_smooth({values}, {weight}) raised {kind}: {error}").format(
                values=values, weight=weight, kind=type(error).__name__, error=error),
                _("Return a list with one smoothed value per input value."))
        if len(answer) == len(right) and all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                                             for a, b in zip(answer, right)):
            continue
        hints = []
        plain = [last * (1 - weight ** count) for count, last in enumerate(right, start=1)]
        swapped = reference_smoothing(values, 1 - weight)
        if len(answer) == len(right) and all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                                             for a, b in zip(answer, plain)):
            hints.append(_("Close: the average starts at 0, so its first values are too small. "
                           "Divide by (1 - weight ** n) after n values (the debiasing)."))
        elif len(answer) == len(right) and all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                                               for a, b in zip(answer, swapped)):
            hints.append(_("weight is the share of the old average that is kept: last * weight "
                           "+ (1 - weight) * value."))
        else:
            hints.append(_("Keep a running value last = last * weight + (1 - weight) * value, "
                           "starting from 0."))
        hints.append(_("With weight 0 nothing is smoothed; with the same value everywhere the "
                       "smoothed curve is that value from the first point on."))
        hints.append(_("for n, value in enumerate(values, start=1): last = last * weight + "
                       "(1 - weight) * value; result.append(last / (1 - weight ** n))"))
        return Verdict(False, _("my_smooth({values}, {weight}) gave {answer}, expected "
                                "{right}.").format(
                                    values=values, weight=weight,
                                    answer=[round(a, 4) for a in answer],
                                    right=[round(b, 4) for b in right]), hints)
    return Verdict(True, _("That is TensorBoard's smoothing slider: a moving average that "
                           "forgets old values at the rate 1 - weight, debiased at the "
                           "start."))
