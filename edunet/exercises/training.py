"""Checks for the exercises of "07 Training a CNN end to end".

    from edunet.exercises import training as check
    check.flattened_features(number)
    check.accuracy_function(accuracy)
    check.layers_that_change(names)
    check.save_and_load(save_and_load, model)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises.
"""

from edunet.exercises.checking import Verdict, verdict
from edunet.i18n import _

# Exercise 1: 1 x 28 x 28 images through two (Conv2d(k=3, padding=1) + MaxPool2d(2)), 16 channels.
FLATTENED = 16 * 7 * 7


def flattened_features(number):
    """Exercise 1: how many numbers nn.Flatten() passes to the Linear layer."""
    if number is None:
        return Verdict(False, _("in_features is still None."),
                       _("Replace None with a whole number."))
    try:
        value = int(number)
    except (TypeError, ValueError):
        return Verdict(False, _("in_features should be a whole number, got {number!r}.").format(
                           number=number),
                       _("Write it as an int, e.g. 16 * 5 * 5."))
    if value == FLATTENED:
        return Verdict(True, _("28 -> conv (padding 1) 28 -> pool 14 -> conv 14 -> pool 7: 16 "
                               "channels x 7 x 7 = 784 features."))
    hints = {
        16 * 14 * 14: _("That is after one pooling layer; the network has two: 28 -> 14 -> 7."),
        16 * 28 * 28: _("Each MaxPool2d(2) halves height and width: 28 -> 14 -> 7."),
        16 * 5 * 5: _("With padding=1 a 3x3 convolution keeps the size: (28 + 2 - 3) + 1 = 28."),
        8 * 7 * 7: _("The second convolution has 16 output channels, and Flatten keeps them "
                     "all."),
        7 * 7: _("Flatten keeps every channel: multiply by the 16 channels."),
    }
    general = [_("Follow one image's shape through the layers, one layer at a time."),
               _("Follow the shape: out = (in + 2 padding - kernel) // stride + 1 for each conv, "
                 "a halving for each pool, then C x H x W.")]
    return Verdict(False, _("{value} is not the number of features.").format(value=value),
                   hints.get(value, general))


def _accuracy_problem():
    """A model with Dropout, a data set of 50 examples and the right accuracy (in eval mode)."""
    import edunet
    from edunet import nn
    from edunet.utils.data import DataLoader, TensorDataset

    state = edunet.get_rng_state()
    edunet.manual_seed(12)     # the last batch of 2 holds a correct prediction: its mean differs
    inputs = edunet.randn(50, 4)
    labels = edunet.randint(0, 3, (50,))
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
    edunet.set_rng_state(state)
    with edunet.no_grad():
        model.eval()
        correct = model(inputs).argmax(dim=1) == labels
        right = correct.float().mean().item()
        # The usual slip: the mean of the batches' accuracies, where the batch of 2 counts
        # as much as a batch of 16.
        batch_mean = sum(batch.float().mean().item() for batch in correct.split(16)) / 4
    model.train()          # the learner's function must switch to eval itself
    loader = DataLoader(TensorDataset(inputs, labels), batch_size=16)   # 16 + 16 + 16 + 2
    return model, loader, right, batch_mean


def accuracy_function(accuracy):
    """Exercise 2: ``accuracy(model, loader)`` returns the fraction of correct predictions."""
    import edunet

    if accuracy is None:
        return Verdict(False, _("accuracy is still None."),
                       _("Define the function in the cell above."))
    model, loader, right, batch_mean = _accuracy_problem()
    grad_seen = []
    model.register_forward_hook(
        lambda module, inputs, output: grad_seen.append(output.requires_grad))
    state = edunet.get_rng_state()
    try:
        got = accuracy(model, loader)
    except Exception as error:
        return Verdict(False, _("accuracy(model, loader) raised {kind}: {error}").format(
                           kind=type(error).__name__, error=error),
                       _("Loop over the loader: for images, labels in loader: ..."))
    finally:
        edunet.set_rng_state(state)
    if hasattr(got, "item"):
        got = got.item()
    try:
        got = float(got)
    except (TypeError, ValueError):
        return Verdict(False, _("accuracy returned {got!r}, not a number.").format(got=got),
                       _("Return correct / total."))
    if abs(got - right) < 1e-6:
        if any(grad_seen):
            return Verdict(False, _("The number is right, but every forward pass built an "
                                    "autograd graph that nobody uses."),
                           _("Wrap the loop in `with edunet.no_grad():` to save memory and "
                             "time."))
        return Verdict(True, _("{got:.2f} on a test set of 50 examples in batches of 16, 16, 16 "
                               "and 2: eval mode, no graph, every example counted once.").format(
                                   got=got))
    if abs(got - 100 * right) < 1e-4:
        hint = _("That is a percentage; return the fraction (between 0 and 1).")
    elif abs(got - right * 50 / 64) < 1e-6:
        hint = _("You divided by (number of batches) x batch_size = 64, but the last batch holds "
                 "only 2 examples: divide by the number of examples, len(loader.dataset).")
    elif abs(got - batch_mean) < 1e-6:
        hint = [_("You averaged the accuracies of the batches. The last batch holds only 2 "
                  "examples, yet it counts as much as a batch of 16."),
                _("Count the correct predictions over all batches, then divide once by the "
                  "number of examples, len(loader.dataset).")]
    elif abs(got - right * 50) < 1e-6:
        hint = _("That is the number of correct predictions; divide by the number of examples.")
    elif model.training:
        hint = _("The model has Dropout and is in training mode, so its predictions are random. "
                 "Call model.eval() first.")
    else:
        hint = _("Count predictions (output.argmax(dim=1)) equal to the labels over every "
                 "batch, then divide by the number of examples.")
    return Verdict(False, _("accuracy returned {got:.4g}; the right value is different.").format(
        got=got), hint)


def layers_that_change(names):
    """Exercise 3: the layer types of the course CNN that behave differently in train and eval."""
    if names is None:
        return Verdict(False, _("answer is still None."),
                       _('Write a set of class names, e.g. {"ReLU"}.'))
    if isinstance(names, str):
        names = {names}
    try:
        given = {name if isinstance(name, str) else getattr(name, "__name__", str(name))
                 for name in names}
    except TypeError:
        return Verdict(False, _("answer should be a set of layer class names."),
                       _('For example {"Conv2d", "ReLU"}.'))
    right = {"Dropout", "BatchNorm2d"}
    if given == right:
        return Verdict(True, _("Dropout zeroes random values only in training; BatchNorm2d uses "
                               "the batch's statistics in training and its running averages in "
                               "eval."))
    extra = sorted(given - right)
    if extra:
        return Verdict(False, _("{layers}: the same computation in both modes.").format(
                           layers=", ".join(extra)),
                       _("Only layers with randomness or batch statistics care about the mode."))
    return Verdict(False, _("One is missing."), _("Look at the model: which layer uses "
                                                  "randomness, and which one uses statistics of "
                                                  "the batch?"))


def save_and_load(function, model):
    """Exercise 4: ``function(model, path)`` saves ``model``'s state dict to the file ``path``,
    loads it into a new model and returns that model.

    The check calls it with a fresh path in a temporary folder, then checks that a file
    was written there, that it holds ``model``'s state, and that the returned model is a
    separate model holding the same state. (Copying the model in memory, e.g. with
    ``copy.deepcopy``, writes no file: that is not saving.)
    """
    import os
    import tempfile

    import edunet

    if function is None:
        return Verdict(False, _("save_and_load is still None."),
                       _("Define the function in the cell above."))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.edunet")
        try:
            new_model = function(model, path)
        except Exception as error:
            return Verdict(False, _("save_and_load(model, path) raised {name}: {error}").format(
                               name=type(error).__name__, error=error),
                           [_("Two halves: edunet.save(...) writes the file, edunet.load(...) "
                              "reads it back."),
                            _("edunet.save(model.state_dict(), path); then new_model = "
                              "make_model(); new_model.load_state_dict(edunet.load(path)).")])
        if not os.path.exists(path):
            return Verdict(False, _("Nothing was written to path, so nothing was saved: a "
                                    "model kept only in memory is lost when the kernel stops."),
                           [_("Save the state dict into the file path with edunet.save."),
                            _("edunet.save(model.state_dict(), path)")])
        try:
            stored = edunet.load(path)
        except Exception as error:
            return Verdict(False, _("The file at path could not be read back: {error}").format(
                               error=error),
                           _("Save the state dict itself: edunet.save(model.state_dict(), "
                             "path)."))
        if not isinstance(stored, dict) or list(stored) != list(model.state_dict()):
            return Verdict(False, _("The file holds something other than model's state dict."),
                           _("Save model.state_dict(), not the model or a part of it."))
    verdict_of_model = restored(new_model, model)
    if not verdict_of_model:
        return verdict_of_model
    return Verdict(True, _("Saved to a file and loaded into a separate model: all {count} "
                           "entries match, running averages of BatchNorm included.").format(
                               count=len(stored)))


def restored(new_model, model):
    """Exercise 4: ``new_model`` is a separate model holding exactly ``model``'s saved state."""
    import edunet

    if new_model is None:
        return Verdict(False, _("The new model is None."),
                       _("Build a fresh model, load the state into it, and return it."))
    if new_model is model:
        return Verdict(False, _("The new model is the same object as model."),
                       _("Make a new instance (e.g. make_model()), then load the saved state "
                         "into it."))
    if not hasattr(new_model, "state_dict"):
        return Verdict(False, _("The new model is a {kind}, not a model.").format(
                           kind=type(new_model).__name__),
                       _("Return the model you loaded the state into (e.g. new_model), not the "
                         "state dict."))
    saved, loaded = model.state_dict(), new_model.state_dict()
    if list(saved) != list(loaded):
        return Verdict(False, _("The new model's layers differ from model's."),
                       _("Build the new model with the same architecture as the trained model."))
    different = [name for name in saved
                 if not bool(edunet.equal(saved[name].cpu(), loaded[name].cpu()))]
    if different:
        return Verdict(False, _("{count} of {total} entries differ, e.g. {name!r}.").format(
                           count=len(different), total=len(saved), name=different[0]),
                       _("edunet.load(path) gives the state dict back; pass it to "
                         "new_model.load_state_dict(...)."))
    return Verdict(True, _("All {total} entries match, running averages of BatchNorm "
                           "included.").format(total=len(saved)))
