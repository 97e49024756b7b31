"""Checks for the exercises of "12 Porting a PyTorch tutorial".

    from edunet.exercises import porting as check
    check.flatten_batch(flatten)
    check.importable_lines(answer)
    check.binary_classifier(BinaryClassifier)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises.
"""

import math

from edunet.exercises.checking import Verdict, verdict
from edunet.i18n import _

# Exercise 1: batches of these shapes go through the learner's flatten(x).
FLATTEN_SHAPES = [(4, 1, 28, 28), (7, 3, 8, 8), (1, 16, 5, 5), (3, 10)]

# Exercise 2: import lines from tutorials, and which of them load after edunet.as_torch().
IMPORT_LINES = {
    "a": "import torch.nn.functional as F",
    "b": "from torchvision import models",
    "c": "from torchsummary import summary",
    "d": "import torch.distributed as dist",
    "e": "from torch.optim.lr_scheduler import StepLR",
    "f": "from torchvision import datasets, transforms",
}
IMPORTABLE = {"a", "c", "e", "f"}

# Exercise 3: the seeds' BinaryClassifier, 20 -> 64 -> 32 -> 1 with ReLU and a Sigmoid.
BINARY_CLASSIFIER_PARAMETERS = (20 * 64 + 64) + (64 * 32 + 32) + (32 * 1 + 1)   # 3,457


def _is_tensor(value):
    from edunet.tensor import Tensor
    return isinstance(value, Tensor)


def flatten_batch(flatten):
    """Exercise 1: ``flatten(x)`` turns a batch (N, ...) into (N, everything else), as
    ``x.view(x.size(0), -1)`` does, for any batch size and image shape."""
    import edunet

    if flatten is None:
        return Verdict(False, _("flatten is still None."),
                       _("Define the function in the cell above."))
    generator = edunet.Generator().manual_seed(0)
    for shape in FLATTEN_SHAPES:
        x = edunet.randn(*shape, generator=generator)
        try:
            result = flatten(x)
        except Exception as error:
            return Verdict(False, _("flatten(x) raised {name} for a batch of shape {shape}: "
                                    "{error}").format(name=type(error).__name__, shape=shape,
                                                      error=error),
                           [_("Does your code assume 64 images or 28 x 28 pixels? The batch "
                              "size and the image size change; ask the tensor for them."),
                            _("x.size(0) is the batch size; -1 lets view work out the rest.")])
        if not _is_tensor(result):
            return Verdict(False, _("flatten(x) returned {kind}, not a tensor.").format(
                kind=type(result).__name__), _("Return the flattened tensor."))
        expected = (shape[0], math.prod(shape[1:]))
        if tuple(result.shape) != expected:
            hints = [_("The batch dimension must stay: one row per image, so the first size "
                       "is x.size(0).")]
            if result.ndim == 1:
                hints.append(_("x.view(-1) flattens the whole batch into one long vector; "
                               "x.view(x.size(0), -1) keeps one row per image."))
            else:
                hints.append(_("Put the batch size first and -1 second: x.view(x.size(0), -1)."))
            return Verdict(False, _("For a batch of shape {shape} the result has shape {got}; "
                                    "it should be {expected}.").format(
                shape=shape, got=tuple(result.shape), expected=expected), hints)
        if not edunet.equal(result, x.reshape(expected)):
            return Verdict(False, _("The shape is right but the numbers moved."),
                           _("Don't permute or transpose: view and reshape keep the order of "
                             "the values."))
    return Verdict(True, _("Each image became one row of C x H x W numbers, whatever the batch "
                           "size: x.view(x.size(0), -1), x.reshape(len(x), -1), "
                           "torch.flatten(x, 1) and nn.Flatten() all do this."))


def _letters(answer):
    """The answer as a set of lower-case letters ("ace", ["a", "C"], {"a"} ...), or None."""
    if isinstance(answer, str):
        items = [letter for letter in answer if letter.strip(" ,;")]
    else:
        try:
            items = list(answer)
        except TypeError:
            return None
    if not all(isinstance(item, str) for item in items):
        return None
    return {item.strip().lower() for item in items}


def importable_lines(answer):
    """Exercise 2: which of IMPORT_LINES load after edunet.as_torch() (a set of letters)."""
    if answer is None:
        return Verdict(False, _("answer is still None."),
                       _('Write a set of letters, e.g. {"a", "b"}.'))
    letters = _letters(answer)
    if letters is None or not letters <= set(IMPORT_LINES):
        return Verdict(False, _("Answer with letters from a to f, e.g. {{\"a\", \"b\"}}; got "
                                "{answer!r}.").format(answer=answer),
                       _("Each letter names one import line of the list."))
    missing, extra = sorted(IMPORTABLE - letters), sorted(letters - IMPORTABLE)
    hints = []
    if extra:
        hints.append(_("Not every PyTorch module has an edunet twin: try {lines} after "
                       "edunet.as_torch() and read the error.").format(
            lines=", ".join(IMPORT_LINES[letter] for letter in extra)))
    if missing:
        hints.append(_("Some lines you left out do load: {lines}. edunet has torch.nn."
                       "functional, torch.optim.lr_scheduler, torchvision's datasets and "
                       "transforms, and a summary for torchsummary.").format(
            lines=", ".join(IMPORT_LINES[letter] for letter in missing)))
    return verdict(
        not missing and not extra,
        _("a, c, e and f load edunet's modules; torchvision.models and torch.distributed "
          "raise ModuleNotFoundError, which names what edunet does not have."),
        _("{right} of the 6 lines are judged right.").format(
            right=6 - len(missing) - len(extra)),
        hint=hints)


def binary_classifier(model_class):
    """Exercise 3: the seeds' BinaryClassifier (20 -> 64 -> 32 -> 1, ReLU, Sigmoid): 3,457
    parameters, and a probability per example."""
    import edunet
    from edunet import nn

    if model_class is None:
        return Verdict(False, _("BinaryClassifier is still None."),
                       _("Write the class in the cell above: class BinaryClassifier(nn.Module)."))
    try:
        model = model_class() if isinstance(model_class, type) else model_class
    except Exception as error:
        return Verdict(False, _("BinaryClassifier() raised {name}: {error}").format(
            name=type(error).__name__, error=error),
            _("__init__ should take no arguments besides self, and call super().__init__() "
              "first."))
    if not isinstance(model, nn.Module):
        return Verdict(False, _("BinaryClassifier should be an nn.Module subclass."),
                       _("Start with class BinaryClassifier(nn.Module):"))
    count = sum(p.numel() for p in model.parameters())
    if count != BINARY_CLASSIFIER_PARAMETERS:
        return Verdict(False, _("The model has {count:,} parameters; 20 -> 64 -> 32 -> 1 has "
                                "{right:,}.").format(count=count,
                                                     right=BINARY_CLASSIFIER_PARAMETERS),
                       [_("Three Linear layers: Linear(20, 64), Linear(64, 32), Linear(32, 1)."),
                        _("Each Linear(i, o) has i x o weights and o biases: "
                          "(20 x 64 + 64) + (64 x 32 + 32) + (32 x 1 + 1) = 3,457.")])
    generator = edunet.Generator().manual_seed(0)
    x = edunet.randn(5, 20, generator=generator) * 3
    model.eval()
    try:
        with edunet.no_grad():
            output = model(x)
    except Exception as error:
        return Verdict(False, _("model(x) raised {name} for x of shape (5, 20): {error}").format(
            name=type(error).__name__, error=error),
            _("forward(self, x) should pass x through the layers in order and return the "
              "result."))
    if not _is_tensor(output) or tuple(output.shape) != (5, 1):
        shape = tuple(output.shape) if _is_tensor(output) else type(output).__name__
        return Verdict(False, _("For 5 examples the output is {shape}; it should be (5, 1), "
                                "one probability per example.").format(shape=shape),
                       _("The last Linear layer has out_features=1; don't squeeze or flatten "
                         "the output."))
    values = output.detach()
    # A sigmoid keeps every output in [0, 1], however large the input; without one, 64
    # large inputs push some output out of that range (5 small ones might not).
    with edunet.no_grad():
        wide = model(edunet.randn(64, 20, generator=generator) * 100)
    if not bool(((values > 0) & (values < 1)).all() and ((wide >= 0) & (wide <= 1)).all()):
        return Verdict(False, _("Some outputs lie outside (0, 1), so they are not "
                                "probabilities."),
                       _("End with nn.Sigmoid() after the last Linear layer."))
    # Without an activation between them, the Linear layers are one linear map: the logit
    # log(p / (1 - p)) of the midpoint of two inputs is then the mean of their logits.
    with edunet.no_grad():
        midpoint = model((x[:4] + x[1:]) / 2)
    logits = (values / (1 - values)).log()
    mean_logits = (logits[:4] + logits[1:]) / 2
    midpoint_logits = (midpoint / (1 - midpoint)).log()
    is_linear = bool(((midpoint_logits - mean_logits).abs() < 1e-3).all())
    return verdict(not is_linear,
                   _("3,457 parameters, an activation in the hidden layers and a sigmoid "
                     "probability out: the seeds' BinaryClassifier, ready for nn.BCELoss()."),
                   _("The parameters and the output are right, but the hidden layers have no "
                     "activation."),
                   hint=_("Put nn.ReLU() after each hidden Linear layer: without it, the "
                          "three layers collapse into one linear map."))
