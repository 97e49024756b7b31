"""``viz.loss_explorer()``: a loss function and its gradient, one prediction at a time.

A loss turns a prediction ``p`` and a target ``t`` into one number; training follows
its gradient ``d loss / d p``. The widget shows both as curves over a range of
predictions (the target fixed), with a marker at the slider's prediction and the
tangent whose slope is the gradient:

    L1Loss            |p - t|                         sign(p - t)
    MSELoss           (p - t)^2                       2 (p - t)
    SmoothL1Loss      0.5 (p - t)^2 if |p - t| < 1,   p - t if |p - t| < 1,
                      else |p - t| - 0.5              else sign(p - t)
    BCELoss           -(t log p + (1 - t) log(1 - p)) (p - t) / (p (1 - p))
    CrossEntropyLoss  -log softmax(z)[class]          softmax(z)[0] - (class == 0)

For BCELoss the prediction is a probability in (0, 1). For CrossEntropyLoss it is
the score (logit) ``z0`` of class 0 among three scores ``z = [z0, 1, -1]`` (not a
probability: the slider and the axes say "logit z0"), and the target is a class index. Every number is computed by edunet: the loss by the same
``nn`` loss the learner uses, the gradient by ``backward()``.
"""

import numpy

import edunet
from edunet import nn
from edunet.i18n import _
from edunet.viz import _display

# name: (formula, derivative, prediction range, default prediction, default target)
LOSSES = {
    "L1Loss": ("|p - t|", "sign(p - t)", (-3.0, 3.0), 1.5, 0.0),
    "MSELoss": ("(p - t)^2", "2 (p - t)", (-3.0, 3.0), 1.5, 0.0),
    "SmoothL1Loss": ("0.5 (p - t)^2 if |p - t| < 1, else |p - t| - 0.5",
                     "p - t if |p - t| < 1, else sign(p - t)", (-3.0, 3.0), 1.5, 0.0),
    "BCELoss": ("-(t log p + (1 - t) log(1 - p))", "(p - t) / (p (1 - p))", (0.01, 0.99), 0.3, 1.0),
    "CrossEntropyLoss": ("-log softmax(z)[class], z = [z0, 1, -1]",
                         "softmax(z)[0] - (class == 0)", (-5.0, 5.0), 0.0, 0),
}
OTHER_LOGITS = (1.0, -1.0)   # the fixed scores of classes 1 and 2 for CrossEntropyLoss


def loss_and_gradient(loss_name, predictions, target):
    """The loss at each prediction and its derivative, by edunet autograd.

    ``predictions`` is a 1-D array of prediction values; ``target`` one target value
    (a class index for CrossEntropyLoss). Each prediction is an independent example
    (``reduction="none"``), so ``losses.sum().backward()`` puts each example's own
    derivative ``d loss_i / d p_i`` into ``.grad``. Returns two float64 NumPy arrays.
    """
    loss_function = getattr(nn, loss_name)(reduction="none")
    count = len(predictions)
    if loss_name == "CrossEntropyLoss":
        scores = numpy.empty((count, 1 + len(OTHER_LOGITS)))
        scores[:, 0], scores[:, 1:] = predictions, OTHER_LOGITS
        scores = edunet.tensor(scores, requires_grad=True)
        losses = loss_function(scores, edunet.full((count,), int(target), dtype=edunet.int64))
        losses.sum().backward()
        return losses.detach().numpy(), scores.grad.numpy()[:, 0]
    prediction = edunet.tensor(numpy.asarray(predictions, dtype=numpy.float64), requires_grad=True)
    losses = loss_function(prediction, edunet.full((count,), float(target), dtype=edunet.float64))
    losses.sum().backward()
    return losses.detach().numpy(), prediction.grad.numpy()


def _variable(loss_name):
    """What the slider moves: a prediction p, or for cross-entropy the logit z0."""
    return "z0" if loss_name == "CrossEntropyLoss" else "p"


def _draw(loss_name, predictions, losses, gradients, prediction, target, loss, gradient):
    """Left: the loss curve, the marker and its tangent. Right: the gradient curve.

    Both axes are scaled to the curves, and widened where needed so that the marker is
    always inside; the tangent is clipped to the loss axes (a steep one would otherwise
    stretch them far below zero).
    """
    formula, derivative = LOSSES[loss_name][:2]
    variable = _variable(loss_name)
    figure = _display.new_figure(9.0, 3.6)
    figure.set_layout_engine(None)               # fixed margins: faster than a layout engine
    loss_axes, gradient_axes = figure.subplots(1, 2)
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
    blue, orange, red = _display.COLOURS[0], _display.COLOURS[1], _display.COLOURS[3]
    if loss_name != "CrossEntropyLoss":
        loss_axes.axvline(target, color="gray", linestyle="--", linewidth=1, label=_("target t"))
    loss_axes.plot(predictions, losses, color=blue, label=_("loss"))
    width = (predictions[-1] - predictions[0]) / 8       # a short tangent: slope = gradient
    tangent_x = numpy.array([prediction - width, prediction + width])
    loss_axes.plot(tangent_x, loss + gradient * (tangent_x - prediction), color=red,
                   linestyle="--", label=_("tangent, slope {slope:.3g}").format(slope=gradient))
    loss_axes.plot([prediction], [loss], "o", color=red)
    low, high = min(0.0, float(losses.min())), max(float(losses.max()), loss)
    margin = 0.06 * (high - low or 1.0)
    loss_axes.set_ylim(low - margin, high + margin)
    loss_axes.set_title(f"{loss_name}: {formula}")
    gradient_axes.plot(predictions, gradients, color=orange)
    gradient_axes.axhline(0, color="gray", linewidth=0.5)
    gradient_axes.plot([prediction], [gradient], "o", color=red)
    gradient_axes.set_title(f"d loss / d {variable} = {derivative}")
    if loss_name == "BCELoss":                   # the gradient runs off to +-infinity at 0 and 1
        limit = max(numpy.percentile(numpy.abs(gradients), 90) * 1.5, abs(gradient) * 1.15)
        gradient_axes.set_ylim(-limit, limit)
    label = (_("logit z0 (the score of class 0)") if loss_name == "CrossEntropyLoss"
             else _("prediction p"))
    for axes, name in ((loss_axes, _("loss")), (gradient_axes, _("gradient"))):
        axes.set_xlabel(label)
        axes.set_ylabel(name)
        axes.grid(alpha=0.3)
    loss_axes.legend(loc="upper center")
    return figure


def _set_range(slider, low, high):
    """Change a slider's range; the order matters, as ipywidgets refuses min > max."""
    if low > slider.max:
        slider.max, slider.min = high, low
    else:
        slider.min, slider.max = low, high


def _explanation(loss_name, gradient):
    variable = _variable(loss_name)
    if gradient == 0:
        return _("The gradient is 0: gradient descent leaves {variable} where it is.").format(
            variable=variable)
    if gradient > 0:
        return _("Gradient descent moves {variable} down (against the gradient), which lowers "
                 "the loss.").format(variable=variable)
    return _("Gradient descent moves {variable} up (against the gradient), which lowers the "
             "loss.").format(variable=variable)


def loss_explorer(loss="MSELoss", prediction=None, target=None):
    """A widget: pick a loss, move the prediction and the target, see loss and gradient.

    Args:
        loss: the loss to start with, one of ``L1Loss``, ``MSELoss``, ``SmoothL1Loss``,
            ``BCELoss``, ``CrossEntropyLoss``.
        prediction, target: starting slider values (defaults depend on the loss).

    The returned widget carries what it shows: ``.loss_name``, ``.prediction``,
    ``.target``, ``.loss_value`` and ``.gradient`` (at the marker), ``.predictions``,
    ``.losses`` and ``.gradients`` (the curves), ``.formula`` and ``.derivative``,
    the controls ``.loss_dropdown``, ``.prediction_slider``, ``.target_slider``,
    ``.class_slider`` (CrossEntropyLoss), and ``.caption``.

    >>> viz.loss_explorer("BCELoss", prediction=0.3, target=1.0)
    """
    import ipywidgets as widgets

    from edunet.viz.panel import Panel

    if loss not in LOSSES:
        raise ValueError(f"loss_explorer knows {', '.join(LOSSES)}; got {loss!r}.")
    loss_dropdown = widgets.Dropdown(options=list(LOSSES), value=loss, description=_("Loss"),
                                     style=_display.SLIDER_STYLE)
    prediction_slider = _display.float_slider(_("prediction p"), 0.0, -3.0, 3.0, 0.01)
    target_slider = _display.float_slider(_("target t"), 0.0, -3.0, 3.0, 0.01)
    class_slider = _display.int_slider(_("target class"), 0, 0, len(OTHER_LOGITS))
    chart = _display.figure_image()
    caption = _display.make_caption()
    box = Panel([loss_dropdown, prediction_slider, target_slider, class_slider,
                 chart, caption], "loss_explorer")
    state = {"configuring": False}

    def configure(change=None):
        """Give the sliders the range and defaults of the chosen loss."""
        name = loss_dropdown.value
        low, high, default_prediction, default_target = *LOSSES[name][2], *LOSSES[name][3:]
        state["configuring"] = True       # set several values, redraw once at the end
        first_time = change is None            # then the function's arguments, if given, win
        _set_range(prediction_slider, low, high)
        use_given = first_time and prediction is not None
        prediction_slider.value = prediction if use_given else default_prediction
        start_target = target if first_time and target is not None else default_target
        is_classification = name == "CrossEntropyLoss"
        prediction_slider.description = (_("logit z0 of class 0") if is_classification
                                          else _("prediction p"))
        if is_classification:
            class_slider.value = int(start_target)
        else:
            _set_range(target_slider, *((0.0, 1.0) if name == "BCELoss" else (-3.0, 3.0)))
            target_slider.value = start_target
        target_slider.layout.display = "none" if is_classification else None
        class_slider.layout.display = None if is_classification else "none"
        state["configuring"] = False
        redraw()

    def redraw(change=None):
        if state["configuring"]:
            return
        name = loss_dropdown.value
        formula, derivative, (low, high) = LOSSES[name][:3]
        current_target = class_slider.value if name == "CrossEntropyLoss" else target_slider.value
        current = prediction_slider.value
        predictions = numpy.linspace(low, high, 241)
        losses, gradients = loss_and_gradient(name, predictions, current_target)
        (loss_value,), (gradient,) = loss_and_gradient(name, [current], current_target)
        loss_value, gradient = float(loss_value), float(gradient)
        variable = _variable(name)
        if name == "CrossEntropyLoss":
            where = _("{name}: logit z0 = {value:.2f} (scores z = [{value:.2f}, 1, -1]), "
                      "target class {target}").format(name=name, value=current,
                                                      target=current_target)
        else:
            where = _("{name}: prediction p = {value:.2f}, target t = {target:.2f}").format(
                name=name, value=current, target=current_target)
        description = _("Left: the loss as a curve over {variable}, with a dot at {value:.2f} "
                        "(loss {loss:.3f}) and its tangent. Right: the gradient as a curve, with "
                        "a dot at {gradient:.3f}.").format(variable=variable, value=current,
                                                           loss=loss_value, gradient=gradient)
        _display.show_figure(chart, _draw(name, predictions, losses, gradients,
                                          current, current_target, loss_value, gradient),
                             description=description)
        _display.set_caption(caption, "\n".join([
            where,
            f"loss = {formula} = {loss_value:.4f}",
            _("d loss / d {variable} = {derivative} = {gradient:.4f} (computed by "
              "backward())").format(variable=variable, derivative=derivative, gradient=gradient),
            _explanation(name, gradient)]))
        box.loss_name, box.prediction, box.target = name, current, current_target
        box.loss_value, box.gradient = loss_value, gradient
        box.predictions, box.losses, box.gradients = predictions, losses, gradients
        box.formula, box.derivative = formula, derivative

    loss_dropdown.observe(configure, names="value")
    for control in (prediction_slider, target_slider, class_slider):
        control.observe(redraw, names="value")
    box.loss_dropdown, box.prediction_slider, box.target_slider = (
        loss_dropdown, prediction_slider, target_slider)
    box.class_slider, box.chart, box.caption = class_slider, chart, caption
    configure()
    return box
