"""Checks of "00 Start here": right answers pass, typical wrong ones fail with a hint."""

import edunet
from edunet.exercises import start_here as check


def test_device_asks_the_machine_each_time():
    assert check.device(lambda: "cuda" if edunet.cuda.is_available() else "cpu")
    assert check.device(lambda: edunet.device("cuda" if edunet.cuda.is_available() else "cpu"))
    # A fixed answer is right on one kind of machine only: it must not pass on either.
    for fixed in ("cpu", "cuda", edunet.device("cpu")):
        verdict = check.device(fixed)
        assert not verdict and "pick_device" in verdict.hint
    verdict = check.device(lambda: "cpu")                 # hard-coded inside the function
    assert not verdict and "same answer on every machine" in verdict.hint
    assert "is_available" in check.device(None).hint
    assert not check.device(lambda: "cpu" if edunet.cuda.is_available() else "cuda")
    unanswered = check.device(lambda: None)               # the notebook's stub as it stands
    assert not unanswered and "returns None" in unanswered.message
    assert "is_available" in unanswered.hint and "return" in unanswered.hints[1]


def test_source_file_of_linear():
    assert check.source_file("edunet/nn/linear.py")
    assert check.source_file("`edunet/nn/linear.py`")
    verdict = check.source_file("edunet/nn/module.py")
    assert not verdict and "show_source" in verdict.hint


def test_mul_gradient_is_the_other_factor():
    assert check.mul_gradient(5) and check.mul_gradient(5.0)
    assert check.mul_gradient(edunet.tensor(5.0))
    assert "other factor" in check.mul_gradient(3).hint
    assert not check.mul_gradient(15) and not check.mul_gradient("five")
