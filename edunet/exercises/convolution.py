"""Checks for "03 Convolution, pooling and activations": sizes and a CNN of your own.

    from edunet.exercises import convolution as check
    check.output_size_function(conv_output_size)
    check.flattened_features(4096)
    check.fashion_cnn(model)
"""

import edunet
from edunet import nn
from edunet.exercises.checking import verdict
from edunet.i18n import _

# (size, kernel_size, stride, padding) cases for the output-size formula; some don't divide evenly.
CASES = [(5, 3, 1, 0), (5, 3, 2, 0), (5, 3, 1, 1), (32, 5, 1, 2), (28, 3, 2, 1), (7, 2, 2, 0),
         (10, 4, 3, 0), (224, 7, 2, 3)]


def output_size_function(function):
    """``function(size, kernel_size, stride, padding)`` gives a convolution's output size."""
    for size, kernel_size, stride, padding in CASES:
        expected = (size + 2 * padding - kernel_size) // stride + 1
        try:
            got = function(size, kernel_size, stride, padding)
        except Exception as error:                   # noqa: BLE001 (shown to the learner)
            call = f"{function.__name__}({size}, {kernel_size}, {stride}, {padding})"
            return verdict(False, "", _("{call} raised {kind}: {error}").format(
                               call=call, kind=type(error).__name__, error=error),
                           hint=_("Take the four numbers as arguments and return one integer."))
        if got == expected and isinstance(got, int):
            continue
        call = f"{function.__name__}({size}, {kernel_size}, {stride}, {padding})"
        exact = (size + 2 * padding - kernel_size) / stride + 1
        if got == exact:
            hint = _("A window either fits or it doesn't: round DOWN with // (floor division) "
                     "and return an int.")
        elif padding and got == (size + padding - kernel_size) // stride + 1:
            hint = _("Padding is added on both sides: 2 * padding.")
        elif got == expected - 1:
            hint = _("Don't forget the + 1: the first window counts too.")
        elif got == expected:
            hint = _("The value is right but it is not an int; use // instead of /.")
        else:
            hint = _("Output = floor((size + 2 * padding - kernel_size) / stride) + 1.")
        return verdict(False, "", _("{call} returned {got!r}, but the layer gives "
                                    "{expected}.").format(call=call, got=got, expected=expected),
                       hint=hint)
    return verdict(True, _("Your formula agrees with Conv2d on all {count} cases.").format(
        count=len(CASES)), "")


def flattened_features(answer):
    """``answer`` is in_features of the first Linear of the course CNN on 64 x 64 images."""
    hints = {1024: _("1,024 is right for 32 x 32 images. Follow a 64 x 64 image through the "
                     "layers."),
             16384: _("That is 64 x 16 x 16: each of the THREE MaxPool2d(2) layers halves the "
                      "size."),
             65536: _("Each MaxPool2d(2) halves height and width; there are three of them."),
             12288: _("That is the input image (3 x 64 x 64); follow it through the layers.")}
    try:
        value = int(answer)
    except (TypeError, ValueError):
        value = None
    return verdict(
        value == 4096,
        _("64 x 64 -> 32 -> 16 -> 8 after three poolings; 64 channels x 8 x 8 = 4,096 "
          "features."),
        _("{answer!r} is not the number of features Flatten gives.").format(answer=answer),
        hint=hints.get(value, _("The 5 x 5 convolutions with padding=2 keep the size; each "
                                "MaxPool2d(2) halves it; Flatten multiplies channels x H x W.")))


def fashion_cnn(model):
    """``model`` is the course CNN adapted to (N, 1, 28, 28) images and 10 classes."""
    if not isinstance(model, nn.Module):
        return verdict(False, "", _("That is a {kind}, not an nn.Module.").format(
                           kind=type(model).__name__),
                       hint=_("Build it with nn.Sequential(...)."))
    images = edunet.zeros(2, 1, 28, 28)
    try:
        with edunet.no_grad():
            output = model(images)
    except Exception as error:                       # noqa: BLE001 (shown to the learner)
        text = str(error)
        hint = [_("Follow the shape layer by layer with "
                  "edunet.summary(model, input_size=(1, 1, 28, 28)).")]
        if "channels" in text:
            hint = [_("Look at the images: how many colour channels does a Fashion-MNIST "
                      "image have?"),
                    _("Fashion-MNIST images are grayscale: the first Conv2d takes 1 channel.")]
        elif "in_features" in text:
            hint = [_("The images are 28 x 28, not 32 x 32: the size that reaches Flatten "
                      "changes too."),
                    _("Each MaxPool2d(2) halves the size and rounds down: 28 -> 14 -> 7 -> ?"),
                    _("28 -> 14 -> 7 -> 3, so Flatten gives 64 x 3 x 3 features: set the first "
                      "Linear's in_features to that.")]
        return verdict(False, "", _("A (2, 1, 28, 28) batch raised {name}: {error}").format(
                           name=type(error).__name__, error=text), hint=hint)
    if tuple(output.shape) != (2, 10):
        return verdict(False, "", _("A batch of 2 images gives shape {shape}.").format(
                           shape=tuple(output.shape)),
                       hint=_("The last Linear should give 10 scores per image: shape (2, 10)."))
    convolutions = [layer for layer in model.modules() if isinstance(layer, nn.Conv2d)]
    poolings = [layer for layer in model.modules() if isinstance(layer, nn.MaxPool2d)]
    return verdict(
        len(convolutions) == 3 and len(poolings) == 3,
        _("(2, 1, 28, 28) -> (2, 10): three convolutions and poolings, then two Linear layers."),
        _("The shapes work, but the model has {convolutions} Conv2d and {poolings} MaxPool2d "
          "layers.").format(convolutions=len(convolutions), poolings=len(poolings)),
        hint=_("Keep the course's structure: 3 x (Conv2d, MaxPool2d)."))
