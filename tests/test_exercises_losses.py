"""Checks of "04 Loss functions": right answers pass, typical wrong ones fail with a hint."""

import edunet
import edunet.nn.functional as F
from edunet import nn
from edunet.exercises import losses as check


def test_l1_and_mse_by_hand():
    predictions, targets = edunet.tensor(check.PREDICTIONS), edunet.tensor(check.TARGETS)
    assert check.l1_and_mse(nn.L1Loss()(predictions, targets), nn.MSELoss()(predictions, targets))
    assert check.l1_and_mse(5 / 3, 11 / 3)
    assert "mean" in check.l1_and_mse(5, 11 / 3).hint
    assert "mean" in check.l1_and_mse(5 / 3, 11).hint
    assert "squares" in check.l1_and_mse(5 / 3, 5 / 3).hint
    assert not check.l1_and_mse("a", None)


def test_cross_entropy_function():
    def right(logits, target):
        return -F.log_softmax(logits, dim=1)[edunet.arange(len(target)), target].mean()

    def summed(logits, target):
        return -F.log_softmax(logits, dim=1)[edunet.arange(len(target)), target].sum()

    def flipped(logits, target):
        return F.log_softmax(logits, dim=1)[edunet.arange(len(target)), target].mean()

    def no_log(logits, target):
        return -F.softmax(logits, dim=1)[edunet.arange(len(target)), target].mean()

    assert check.cross_entropy_function(right)
    assert check.cross_entropy_function(lambda logits, target: F.cross_entropy(logits, target))
    assert "sum" in check.cross_entropy_function(summed).hint
    assert "sign" in check.cross_entropy_function(flipped).hint
    assert "log_softmax" in check.cross_entropy_function(no_log).hint
    assert "mean" in check.cross_entropy_function(
        lambda logits, target: -F.log_softmax(logits, dim=1)).hint
    assert not check.cross_entropy_function(lambda logits, target: 1 / 0)


def test_choose_losses():
    right = {"regression": nn.MSELoss, "binary_probability": "BCELoss",
             "binary_logit": nn.BCEWithLogitsLoss(), "multiclass": "nn.CrossEntropyLoss"}
    assert check.choose_losses(right)
    assert check.choose_losses({**right, "regression": "l1loss"})
    verdict = check.choose_losses({**right, "binary_logit": nn.BCELoss})
    assert not verdict and "BCEWithLogitsLoss" in verdict.hint
    assert "log_softmax" in check.choose_losses({**right, "multiclass": nn.NLLLoss}).hint
    missing = check.choose_losses({**right, "binary_probability": None})
    assert "binary_probability (no answer)" in missing.message
    assert not check.choose_losses(["MSELoss"])
