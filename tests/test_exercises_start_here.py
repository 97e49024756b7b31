"""Checks of "00 Start here": right answers pass, typical wrong ones fail with a hint."""

import edunet
from edunet.exercises import start_here as check


def test_device_is_the_one_this_machine_has():
    right = "cuda" if edunet.cuda.is_available() else "cpu"
    wrong = "cpu" if right == "cuda" else "cuda"
    assert check.device(right) and check.device(edunet.device(right))
    verdict = check.device(wrong)
    assert not verdict and "is_available" in verdict.hint
    assert "is_available" in check.device(None).hint


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
