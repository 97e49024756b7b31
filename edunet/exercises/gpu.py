"""Checks for the exercises of "08 The GPU".

    from edunet.exercises import gpu as check
    check.pick_device(pick_device)
    check.converted(model, batch)
    check.fair_timing(letters)

Every check returns a :class:`~edunet.exercises.checking.Verdict`, never raises, and
gives the same verdict on a machine with or without a GPU.
"""

from edunet.exercises.checking import Verdict, verdict
from edunet.i18n import _

# Exercise 3: which habits make a GPU timing fair?
TIMING_HABITS = {
    "A": "run the code a few times before timing it (warm-up)",
    "B": "call edunet.cuda.synchronize() before reading the clock",
    "C": "repeat the measurement and report the median",
    "D": "time only the very first call, because that is what users see",
    "E": "print the result inside the timed loop, to be sure it was computed",
    "F": "compare CPU and GPU on the same sizes and dtype",
}
FAIR = {"A", "B", "C", "F"}


def pick_device(function):
    """Exercise 1: ``function()`` gives "cuda" when a GPU is available, else "cpu".

    Both cases are tried on every machine, by answering ``edunet.cuda.is_available``
    with True and then with False while the learner's function runs.
    """
    import edunet
    from edunet import cuda

    if function is None:
        return Verdict(False, _("pick_device is still None."),
                       _("Define the function in the cell above."))
    original = cuda.is_available
    answers = {}
    try:
        for available in (True, False):
            cuda.is_available = lambda available=available: available
            answers[available] = function()
    except Exception as error:
        return Verdict(False, _("pick_device() raised {name}: {error}").format(
                           name=type(error).__name__, error=error),
                       _('Return "cuda" if edunet.cuda.is_available() else "cpu".'))
    finally:
        cuda.is_available = original
    if answers[True] is None and answers[False] is None:
        return Verdict(False, _("pick_device() returns None."),
                       [_("Replace the None after return with an expression that asks the "
                          "machine: edunet.cuda.is_available() is True when a GPU can be used."),
                        _('return "cuda" if edunet.cuda.is_available() else "cpu"')])
    try:
        with_gpu, without_gpu = (str(edunet.device(answers[key])) for key in (True, False))
    except Exception:
        return Verdict(False, _("pick_device() returned {with_gpu!r} and {without_gpu!r}.").format(
                           with_gpu=answers[True], without_gpu=answers[False]),
                       _('Return a device name: "cuda" or "cpu" (or edunet.device(...)).'))
    seen = _("With a GPU: {with_gpu!r}; without: {without_gpu!r}.").format(
        with_gpu=with_gpu, without_gpu=without_gpu)
    if with_gpu.startswith("cuda") and without_gpu == "cpu":
        return Verdict(True, seen)
    if with_gpu == without_gpu:
        hint = [_("It gives the same answer on every machine. Ask edunet.cuda.is_available() "
                  "each time the function runs."),
                _('return "cuda" if edunet.cuda.is_available() else "cpu"')]
    else:
        hint = _('The other way round: "cuda" when edunet.cuda.is_available() is True.')
    return Verdict(False, seen, hint)


def converted(model, batch):
    """Exercise 2: every parameter of ``model`` and ``batch`` itself are float64."""
    import edunet

    if model is None or batch is None:
        return Verdict(False, _("model or batch is None."),
                       _("Run the cell that builds them first."))
    wrong = [name for name, parameter in model.named_parameters()
             if parameter.dtype != edunet.float64]
    if wrong:
        return Verdict(False, _("{count} parameters are not float64, e.g. {name!r}.").format(
                           count=len(wrong), name=wrong[0]),
                       _("model.to(edunet.float64) converts the model's parameters in place."))
    if batch.dtype != edunet.float64:
        return Verdict(False, _("The model is float64 but batch is still {dtype}.").format(
                           dtype=batch.dtype),
                       _("tensor.to(...) returns a new tensor and leaves the old one as it was: "
                         "assign it, batch = batch.to(edunet.float64)."))
    try:
        model(batch)
    except Exception as error:
        return Verdict(False, _("model(batch) raised {kind}: {error}").format(
            kind=type(error).__name__, error=error), "")
    return Verdict(True, _("Model and batch agree, so model(batch) works. The same two lines "
                           "move them to a GPU: model.to(device); batch = batch.to(device)."))


def fair_timing(letters):
    """Exercise 3: the letters of TIMING_HABITS that make a CPU-vs-GPU timing fair."""
    if letters is None:
        return Verdict(False, _("answer is still None."),
                       _('Write the letters as a string, e.g. "AC".'))
    given = {letter for letter in str(letters).upper() if letter.isalpha()}
    unknown = given - set(TIMING_HABITS)
    if unknown:
        return Verdict(False, _("There is no habit {letters}.").format(
                           letters=", ".join(sorted(unknown))),
                       _("Use letters A to F."))
    if given == FAIR:
        return Verdict(True, _("Warm up, synchronize, take the median (or the minimum) of "
                               "repeats, and compare like with like."))
    if given & {"D", "E"}:
        bad = sorted(given & {"D", "E"})
        hints = []
        if "D" in bad:
            hints.append(_("D measures start-up costs (CuPy compiles kernels on first use), not "
                           "speed."))
        if "E" in bad:
            hints.append(_("E: printing forces a GPU-to-CPU copy and slow text output inside "
                           "the timing."))
        return Verdict(False, _("{letters} would make the comparison unfair.").format(
                           letters=", ".join(bad)), " ".join(hints))
    missing = sorted(FAIR - given)
    hints = {"A": _("The first calls pay for one-time set-up (A)."),
             "B": _("GPU calls return before the work is done: without B you time the "
                    "queueing."),
             "C": _("One measurement can be hit by noise from other programs (C)."),
             "F": _("Different sizes or dtypes measure different work (F).")}
    return verdict(False, "", _("Missing: {letters}.").format(letters=", ".join(missing)),
                   hints[missing[0]])
