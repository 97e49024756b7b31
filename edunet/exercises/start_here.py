"""Checks for "00 Start here": choosing a device and finding your way in edunet's source.

    from edunet.exercises import start_here as check
    check.device(device)
    check.source_file("edunet/nn/linear.py")
    check.mul_gradient(5)
"""

import edunet
from edunet.exercises.checking import verdict


def device(answer):
    """``answer`` is the device to use on this machine: "cuda" when a GPU works, else "cpu"."""
    if answer is None:               # the same words on every machine, GPU or not
        return verdict(False, "", "device is still None.",
                       hint="Ask the machine which device it has: edunet.cuda.is_available() "
                            "is True when a GPU can be used.")
    expected = "cuda" if edunet.cuda.is_available() else "cpu"
    got = str(answer).split(":")[0]           # "cuda:0" and edunet.device("cuda") count too
    why = "a GPU is available" if expected == "cuda" else "no GPU is available here"
    return verdict(
        got == expected,
        f"device = {str(answer)!r}: {why}, so your code picks the right device.",
        f"device = {answer!r}, but {why}, so it should be {expected!r}.",
        hint="Ask the machine instead of guessing: "
             "'cuda' if edunet.cuda.is_available() else 'cpu'.")


def source_file(answer):
    """``answer`` is the file that defines ``nn.Linear``, as ``show_source`` names it."""
    text = str(answer).strip().strip("`'\"").replace("\\", "/")
    correct = text.endswith("nn/linear.py")
    return verdict(
        correct,
        "nn.Linear lives in edunet/nn/linear.py: one layer, one short file.",
        f"{answer!r} is not the file that defines nn.Linear.",
        hint="Run edunet.show_source(nn.Linear): the line above the code names the file, "
             "starting with edunet/.")


def mul_gradient(answer):
    """``answer`` is d(x * y)/dx at x = 3, y = 5 (with grad_output = 1), read off Mul.backward."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return verdict(False, "", f"{answer!r} is not a number.",
                       hint="Answer with a number, e.g. check.mul_gradient(2).")
    if value == 3:
        return verdict(False, "", "3 is the value of x itself.",
                       hint="Mul.backward returns grad_output * y for x: the gradient for x "
                            "is the other factor.")
    return verdict(
        value == 5,
        "Mul.backward returns grad_output * y = 1 * 5 = 5 for x: "
        "the derivative of x * y by x is y.",
        f"{answer} is not what Mul.backward returns for x.",
        hint="Read edunet.show_source(edunet.ops.arithmetic.Mul): backward multiplies "
             "grad_output by one of the saved inputs.")
