"""Checks for "02 Module basics": counting parameters and building models.

    from edunet.exercises import module_basics as check
    check.linear_parameters(55)
    check.parameter_count(123, model)
    check.binary_classifier(model)
    check.mlp_class(MLP)
"""

import edunet
from edunet import nn
from edunet.exercises.checking import verdict
from edunet.i18n import _


def _count(model):
    return sum(parameter.numel() for parameter in model.parameters())


def _as_int(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else None


def _run(model, input):
    """``model(input)`` under no_grad, or the exception it raised (a check never raises)."""
    try:
        with edunet.no_grad():
            return model(input), None
    except Exception as error:                       # noqa: BLE001 (shown to the learner)
        return None, f"{type(error).__name__}: {error}"


def linear_parameters(answer):
    """``answer`` is the number of parameters of ``nn.Linear(10, 5)``: 10 x 5 + 5 = 55."""
    value = _as_int(answer)
    hints = {50: _("That is the weight matrix only: every output also has a bias."),
             60: _("The weight is 5 x 10; the bias has one entry per OUTPUT (5), not per input."),
             15: _("Inputs and outputs are connected all to all: multiply, don't add.")}
    return verdict(
        value == 55,
        _("weight 5 x 10 = 50, plus bias 5: 55 parameters."),
        _("{answer!r} is not the parameter count of nn.Linear(10, 5).").format(answer=answer),
        hint=hints.get(value, _("A Linear layer has a weight of shape (out_features, "
                                "in_features) and a bias of shape (out_features,).")))


def parameter_count(answer, model):
    """``answer`` is a count made by hand of ``model``'s parameters."""
    expected = _count(model)
    value = _as_int(answer)
    biases = sum(module.bias.numel() for module in model.modules()
                 if isinstance(getattr(module, "bias", None), nn.Parameter))
    if value is not None and value == expected - biases and biases:
        hint = _("You left out the biases: each layer adds one per output.")
    else:
        hint = _("Go layer by layer: weight out x in, plus bias out. Layers such as ReLU, "
                 "Sigmoid, Dropout or Flatten have none.")
    return verdict(
        value == expected,
        _("{expected:,} parameters, the same as sum(p.numel() for p in "
          "model.parameters()).").format(expected=expected),
        _("{answer!r} is not the number of parameters of this model.").format(answer=answer),
        hint=hint)


def binary_classifier(model):
    """``model`` maps 20 features through 64 and 32 hidden units to one probability."""
    if not isinstance(model, nn.Module):
        return verdict(False, "", _("That is a {kind}, not an nn.Module.").format(
                           kind=type(model).__name__),
                       hint=_("Build it with nn.Sequential(...) or a subclass of nn.Module."))
    count = _count(model)
    if count != 3457:
        return verdict(False, "", _("Your model has {count:,} parameters.").format(count=count),
                       hint=_("20 -> 64 -> 32 -> 1 with a bias in each Linear gives "
                              "(20*64 + 64) + (64*32 + 32) + (32*1 + 1) parameters."))
    generator = edunet.Generator().manual_seed(0)
    features = edunet.randn(8, 20, generator=generator) * 3
    output, error = _run(model, features)
    if error:
        return verdict(False, "", _("Calling the model on a (8, 20) batch raised {error}").format(
                           error=error),
                       hint=_("Check the order of the layers in forward."))
    if tuple(output.shape) != (8, 1):
        return verdict(False, "", _("For 8 examples the output has shape {shape}.").format(
                           shape=tuple(output.shape)),
                       hint=_("The last layer should be nn.Linear(32, 1): one output per "
                              "example."))
    if not bool(((output > 0) & (output < 1)).all()):
        return verdict(False, "", _("The outputs are not probabilities between 0 and 1."),
                       hint=_("End with nn.Sigmoid() to squash the score into (0, 1)."))
    if _is_affine_before_the_sigmoid(model):
        return verdict(False, "", _("Nothing bends between your Linear layers: Linear after Linear "
                                    "is still one Linear layer, however many you stack."),
                       hint=[_("Each hidden layer needs an activation after it."),
                             _("Put nn.ReLU() after the Linear(20, 64) and after the "
                               "Linear(64, 32).")])
    return verdict(True, _("3,457 parameters, one probability per example."), "")


def _is_affine_before_the_sigmoid(model):
    """True when logit(model(x)) is an affine function of x: no nonlinearity in the hidden layers.

    For an affine g, g((a + b) / 2) = (g(a) + g(b)) / 2 for every pair a, b; a network with
    ReLU (or any bend) between its Linear layers breaks that for points far apart.
    """
    generator = edunet.Generator().manual_seed(1)
    first, second = edunet.randn(16, 20, generator=generator), edunet.randn(16, 20,
                                                                            generator=generator)
    outputs = [_run(model, points)[0] for points in (first, second, (first + second) / 2)]
    if any(output is None for output in outputs):
        return False
    logits = [(output / (1 - output)).log().to(edunet.float64) for output in outputs]
    gap = (logits[2] - (logits[0] + logits[1]) / 2).abs().max().item()
    return gap < 1e-3


def _holds_plain_list_of_modules(model):
    """True when one of ``model``'s attributes is a plain list or tuple of modules."""
    return any(isinstance(value, (list, tuple))
               and any(isinstance(item, nn.Module) for item in value)
               for value in vars(model).values())


def mlp_class(mlp_class):
    """``mlp_class(sizes)`` builds Linear layers from a list of sizes, kept in an nn.ModuleList."""
    name = getattr(mlp_class, "__name__", "MLP")
    try:
        small = mlp_class([4, 8, 3])
        deep = mlp_class([2, 5, 5, 1])
    except Exception as error:                       # noqa: BLE001 (shown to the learner)
        return verdict(False, "", _("{name}([4, 8, 3]) raised {kind}: {error}").format(
                           name=name, kind=type(error).__name__, error=error),
                       hint=_("__init__(self, sizes) should start with super().__init__()."))
    pairs_hint = _("One nn.Linear(sizes[i], sizes[i + 1]) for each neighbouring pair of sizes "
                   "(zip(sizes[:-1], sizes[1:])), kept in an nn.ModuleList.")
    if _count(small) == 0:
        if _holds_plain_list_of_modules(small):
            hint = _("Layers in a plain Python list are invisible to the model: wrap the list "
                     "in nn.ModuleList(...).")
        else:
            hint = pairs_hint
        return verdict(False, "", _("{name}([4, 8, 3]) has no registered parameters.").format(
                           name=name), hint=hint)
    if (_count(small), _count(deep)) != (67, 51):
        return verdict(False, "", _("{name}([4, 8, 3]) has {small} parameters and "
                                    "{name}([2, 5, 5, 1]) has {deep}.").format(
                           name=name, small=_count(small), deep=_count(deep)), hint=pairs_hint)
    output, error = _run(small, edunet.ones(5, 4))
    if error:
        return verdict(False, "", _("{name}([4, 8, 3]) on a (5, 4) batch raised {error}").format(
                           name=name, error=error),
                       hint=_("forward should pass x through every layer in turn."))
    if tuple(output.shape) != (5, 3):
        return verdict(False, "", _("{name}([4, 8, 3]) maps a (5, 4) batch to {shape}.").format(
                           name=name, shape=tuple(output.shape)),
                       hint=_("Pass x through every layer in turn and return the output of the "
                              "last layer: shape (5, 3)."))
    return verdict(True, _("{name}([4, 8, 3]) has 67 parameters and {name}([2, 5, 5, 1]) has 51: "
                           "any depth from one list.").format(name=name), "")
