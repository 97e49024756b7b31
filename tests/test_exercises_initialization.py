"""Exercise checks of "10 Initialization, normalization and activations": right answers
pass, typical mistakes fail with a hint."""

import math

import pytest

import edunet
from edunet import nn
from edunet.exercises import initialization
from edunet.nn import functional as F


def passes(result):
    return bool(result) and result.hint is None


def fails_with(result, *words):
    """The check failed, its hints are there, and together they mention each of ``words``."""
    assert not result, repr(result)
    assert result.hint, f"no hint: {result!r}"
    hints = " ".join(result.hints)
    for word in words:
        assert word in hints, f"{word!r} not in the hints: {hints}"
    return True


def test_kaiming_std_is_what_the_initializer_draws():
    assert passes(initialization.kaiming_std(math.sqrt(2 / 50)))
    assert passes(initialization.kaiming_std(0.2))
    assert passes(initialization.kaiming_std(edunet.tensor(0.2)))
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    weight = torch.empty(20000, 50)          # fan_in 50, as nn.Linear(50, 20), many more rows
    torch.nn.init.kaiming_normal_(weight, nonlinearity="relu")
    assert passes(initialization.kaiming_std(round(weight.std().item(), 3)))


def test_kaiming_std_typical_slips():
    assert fails_with(initialization.kaiming_std(math.sqrt(2 / 20)), "fan_out")
    assert fails_with(initialization.kaiming_std(2 / 50), "square root")
    assert fails_with(initialization.kaiming_std(math.sqrt(2 / 70)), "Xavier")
    assert fails_with(initialization.kaiming_std(math.sqrt(1 / 50)), "gain is sqrt(2)")
    assert fails_with(initialization.kaiming_std(1.0), "gain / sqrt(fan_in)")
    assert fails_with(initialization.kaiming_std(None), "None")
    assert fails_with(initialization.kaiming_std("0.2"), "number")


def test_dead_units_function():
    assert passes(initialization.dead_units_function(
        lambda a: int((a == 0).all(dim=0).sum())))
    assert passes(initialization.dead_units_function(
        lambda a: sum(1 for column in a.T.tolist() if max(column) == 0)))
    assert passes(initialization.dead_units_function(
        lambda a: (a.sum(dim=0) == 0).sum()))            # ReLU outputs are >= 0: also right
    # counts zeros anywhere, or dead examples (rows) instead of units (columns)
    assert fails_with(initialization.dead_units_function(
        lambda a: int((a == 0).any(dim=0).sum())), "every example")
    assert fails_with(initialization.dead_units_function(
        lambda a: int((a == 0).all(dim=1).sum())), "column")
    assert fails_with(initialization.dead_units_function(lambda a: int((a == 0).sum())))
    assert fails_with(initialization.dead_units_function(lambda a: None), "number")
    assert fails_with(initialization.dead_units_function(lambda a: a.no_such_method()), "dim=0")
    assert fails_with(initialization.dead_units_function(None), "Define")


def test_layers_that_change_agrees_with_the_layers_themselves():
    batch = edunet.randn(6, 4)
    layers = {"Linear": nn.Linear(4, 4), "ReLU": nn.ReLU(), "BatchNorm1d": nn.BatchNorm1d(4),
              "LayerNorm": nn.LayerNorm(4), "Dropout": nn.Dropout(0.5),
              "Softmax": nn.Softmax(dim=1)}
    changing = set()
    for name, layer in layers.items():
        edunet.manual_seed(0)
        layer.train()
        trained = layer(batch)
        layer.eval()
        if not edunet.allclose(trained, layer(batch)):
            changing.add(name)
    assert set(layers) == set(initialization.LAYERS)
    assert passes(initialization.layers_that_change(changing))
    assert passes(initialization.layers_that_change(["Dropout", "BatchNorm1d"]))


def test_layers_that_change_typical_slips():
    check = initialization.layers_that_change
    assert fails_with(check({"BatchNorm1d", "Dropout", "LayerNorm"}), "running averages")
    assert fails_with(check({"Dropout"}), "statistics of the whole batch")
    assert fails_with(check({"BatchNorm1d", "Dropout", "ReLU"}), "whatever the mode")
    assert fails_with(check({"BatchNorm", "Dropout"}), "class names")
    assert fails_with(check("Dropout"))
    assert fails_with(check(None), "set")
    assert fails_with(check(3), "set")


def test_cross_entropy_function():
    check = initialization.cross_entropy_function
    assert passes(check(lambda logits, target: nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target)))
    assert passes(check(lambda logits, target: F.nll_loss(F.log_softmax(logits, dim=1), target)))
    assert passes(check(lambda logits, target: nn.CrossEntropyLoss()(logits, target)))
    # by hand: -log softmax of the target, averaged
    assert passes(check(lambda logits, target: -(logits.log_softmax(dim=1)[
        edunet.arange(len(target)), target]).mean()))
    assert fails_with(check(lambda l, t: nn.NLLLoss()(nn.Softmax(dim=1)(l), t)), "LogSoftmax")
    assert fails_with(check(lambda l, t: nn.CrossEntropyLoss()(nn.Softmax(dim=1)(l), t)),
                      "twice")
    assert fails_with(check(lambda l, t: nn.NLLLoss(reduction="sum")(nn.LogSoftmax(dim=1)(l), t)),
                      "sum")
    assert fails_with(check(lambda l, t: nn.NLLLoss()(nn.LogSoftmax(dim=0)(l), t)), "dim=0")
    assert fails_with(check(lambda l, t: None), "tensor")
    assert fails_with(check(lambda l, t: 1 / 0), "NLLLoss")
    assert fails_with(check(None), "Define")


def test_cross_entropy_reference_is_pytorch_s():
    torch = pytest.importorskip("torch")
    logits = edunet.randn(5, 3)
    target = edunet.randint(0, 3, (5,))
    ours = nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target).item()
    theirs = torch.nn.CrossEntropyLoss()(torch.tensor(logits.numpy()),
                                         torch.tensor(target.numpy())).item()
    assert ours == pytest.approx(theirs, rel=1e-5)
