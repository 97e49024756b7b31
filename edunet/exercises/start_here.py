"""Checks for "00 Start here": choosing a device and finding your way in edunet's source.

    from edunet.exercises import start_here as check
    check.device(pick_device)
    check.source_file("edunet/nn/linear.py")
    check.mul_gradient(5)
"""

from edunet.exercises import gpu
from edunet.exercises.checking import Verdict, verdict
from edunet.i18n import _


def device(pick_device):
    """``pick_device()`` returns "cuda" when a GPU works, else "cpu", asking the machine each time.

    The check runs the function twice, pretending once that a GPU is available and once
    that none is, so an answer fixed for this machine (a plain ``"cpu"``) does not pass.
    """
    if pick_device is None:
        return Verdict(False, _("pick_device is still None."),
                       [_("Ask the machine which device it has: edunet.cuda.is_available() "
                          "is True when a GPU can be used."),
                        _('Return "cuda" if edunet.cuda.is_available() else "cpu".')])
    if not callable(pick_device):
        return Verdict(False, _("{answer!r} is a fixed answer: right on one machine, wrong on "
                                "another.").format(answer=str(pick_device)),
                       [_("Complete the function pick_device() so that it asks the machine "
                          "every time it runs, and pass the function itself: "
                          "check.device(pick_device)."),
                        _('Inside it: return "cuda" if edunet.cuda.is_available() else "cpu".')])
    return gpu.pick_device(pick_device)


def source_file(answer):
    """``answer`` is the file that defines ``nn.Linear``, as ``show_source`` names it."""
    text = str(answer).strip().strip("`'\"").replace("\\", "/")
    correct = text.endswith("nn/linear.py")
    return verdict(
        correct,
        _("nn.Linear lives in edunet/nn/linear.py: one layer, one short file."),
        _("{answer!r} is not the file that defines nn.Linear.").format(answer=answer),
        hint=_("Run edunet.show_source(nn.Linear): the line above the code names the file, "
               "starting with edunet/."))


def mul_gradient(answer):
    """``answer`` is d(x * y)/dx at x = 3, y = 5 (with grad_output = 1), read off Mul.backward."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return verdict(False, "", _("{answer!r} is not a number.").format(answer=answer),
                       hint=_("Answer with a number, e.g. check.mul_gradient(2)."))
    if value == 3:
        return verdict(False, "", _("3 is the value of x itself."),
                       hint=_("Mul.backward returns grad_output * y for x: the gradient for x "
                              "is the other factor."))
    return verdict(
        value == 5,
        _("Mul.backward returns grad_output * y = 1 * 5 = 5 for x: the derivative of x * y by x "
          "is y."),
        _("{answer} is not what Mul.backward returns for x.").format(answer=answer),
        hint=_("Read edunet.show_source(edunet.ops.arithmetic.Mul): backward multiplies "
               "grad_output by one of the saved inputs."))
