"""``viz.activation_explorer()`` and ``viz.softmax_explorer()``: nonlinearities and their slopes.

Without an activation function, stacked Linear layers collapse into one linear map.
Which activation a network uses shapes how gradients flow back through it: the
backward pass multiplies each layer's gradient by the activation's derivative, so

    ReLU       max(0, x)                 slope 1 for x > 0, 0 below: "dead" if always < 0
    LeakyReLU  x, or negative_slope * x  keeps a small slope below 0
    ELU        x, or alpha (e^x - 1)     smooth, saturates at -alpha
    GELU       x * Phi(x)                smooth ReLU of transformers (Phi: normal CDF)
    Sigmoid    1 / (1 + e^-x)            slope at most 0.25: deep stacks vanish
    Tanh       (e^x - e^-x)/(e^x + e^-x) slope at most 1, saturates at +-1

The derivatives drawn here are not typed-in formulas: they are computed by edunet's
autograd (``y.sum().backward()``, then ``x.grad``), the same numbers training uses.

Softmax turns a vector of scores (logits) z into probabilities,
``softmax(z / T)_i = e^(z_i / T) / sum_j e^(z_j / T)``; the temperature T sharpens
(T < 1) or flattens (T > 1) the distribution.
"""

from edunet.i18n import _
from edunet.viz import _display

FUNCTIONS = ("ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh")
COLOURS = dict(zip(FUNCTIONS, _display.COLOURS))      # colour-blind safe (Okabe-Ito)


def activation(name, x, negative_slope=0.01, alpha=1.0):
    """Apply the activation called ``name`` to the tensor ``x``."""
    from edunet.nn import functional as F
    if name == "LeakyReLU":
        return F.leaky_relu(x, negative_slope)
    if name == "ELU":
        return F.elu(x, alpha)
    return {"ReLU": F.relu, "GELU": F.gelu, "Sigmoid": F.sigmoid, "Tanh": F.tanh}[name](x)


def values_and_slopes(name, points, **options):
    """f(x) and f'(x) at ``points`` (a NumPy array), the slope from edunet's autograd."""
    from edunet import creation
    x = creation.tensor(points, requires_grad=True)
    y = activation(name, x, **options)
    y.sum().backward()                       # d(sum of y_i)/dx_i = f'(x_i): one pass for all
    return y.detach().numpy(), x.grad.numpy()


def activation_explorer():
    """A widget plotting six activations (solid) and their derivatives (dashed).

    Checkboxes choose the functions; a slider moves the input marker x; two sliders set
    LeakyReLU's ``negative_slope`` and ELU's ``alpha``. The widget carries ``.curves``
    (name -> (x, f(x), f'(x)) arrays), ``.marker_values`` (name -> (f(x0), f'(x0)) for
    the shown functions), ``.caption`` and its controls (``.checkboxes``, ``.x``,
    ``.show_derivatives``, ``.negative_slope``, ``.alpha``).
    """
    import ipywidgets as widgets
    import numpy

    from edunet.viz.panel import Panel

    checkboxes = {name: widgets.Checkbox(value=name in ("ReLU", "Sigmoid", "Tanh"),
                                         description=name, indent=False,
                                         layout=widgets.Layout(width="7.5em"))
                  for name in FUNCTIONS}
    show_derivatives = widgets.Checkbox(value=True, description=_("derivatives (dashed)"),
                                        indent=False)
    marker = _display.float_slider(_("input marker x"), 1.0, -4.0, 4.0, 0.1)
    negative_slope = _display.float_slider(_("LeakyReLU negative_slope"), 0.01, 0.0, 0.5, 0.01)
    alpha = _display.float_slider(_("ELU alpha"), 1.0, 0.1, 2.0, 0.1)
    picture, caption = _display.figure_image(), _display.make_caption()
    box = Panel([widgets.HBox(list(checkboxes.values()) + [show_derivatives]), marker,
                 widgets.HBox([negative_slope, alpha]), picture, caption], "activation_explorer")
    grid = numpy.linspace(-5.0, 5.0, 401, dtype=numpy.float32)

    def redraw(change=None):
        options = {"negative_slope": negative_slope.value, "alpha": alpha.value}
        shown = [name for name in FUNCTIONS if checkboxes[name].value]
        curves = {name: (grid, *values_and_slopes(name, grid, **options)) for name in FUNCTIONS}
        at_marker = numpy.array([marker.value], dtype=numpy.float32)
        marker_values = {}
        for name in shown:
            value, slope = values_and_slopes(name, at_marker, **options)
            marker_values[name] = (float(value[0]), float(slope[0]))
        figure = _display.new_figure(7.5, 4.2)
        axes = figure.add_subplot()
        for name in shown:
            _points, values, slopes = curves[name]
            axes.plot(grid, values, color=COLOURS[name], label=name)
            if show_derivatives.value:
                axes.plot(grid, slopes, color=COLOURS[name], linestyle="--", label=f"{name}'")
            axes.plot([marker.value], [marker_values[name][0]], "o", color=COLOURS[name])
        axes.axvline(marker.value, color="gray", linewidth=0.8)
        axes.axhline(0, color="black", linewidth=0.5)
        axes.set_xlim(-5, 5)
        axes.set_ylim(-2.2, 3.2)
        axes.set_xlabel("x")
        axes.grid(alpha=0.3)
        if shown:
            figure.legend(loc="outside right upper", fontsize="small")
        _display.show_figure(picture, figure, description=_(
            "The curves of {names} for x from -5 to 5 (their derivatives dashed), with a marker "
            "at x = {x:.2f}.").format(names=", ".join(shown) or "-", x=marker.value))
        parts = [f"{name}: f = {value:.3f}, f' = {slope:.3f}"
                 for name, (value, slope) in marker_values.items()]
        _display.set_caption(caption, f"x = {marker.value:.2f}: " + (
            "; ".join(parts) or _("tick a function to plot it")))
        box.curves, box.marker_values = curves, marker_values

    for control in [*checkboxes.values(), show_derivatives, marker, negative_slope, alpha]:
        control.observe(redraw, names="value")
    box.checkboxes, box.show_derivatives, box.x = checkboxes, show_derivatives, marker
    box.negative_slope, box.alpha, box.caption, box.figure = negative_slope, alpha, caption, picture
    redraw()
    return box


def softmax_explorer(logits=None):
    """A widget showing softmax(logits / T) as bars, with a slider per logit and for T.

    Args:
        logits: a short 1-D list or tensor of scores; default [2.0, 1.0, 0.1].

    The widget carries ``.logits`` and ``.probabilities`` (NumPy arrays), ``.caption``
    and its controls (``.logit_sliders``, ``.temperature``).
    """
    import ipywidgets as widgets
    import numpy
    from edunet import creation
    from edunet.ops.activation import softmax
    from edunet.viz.panel import Panel

    start = _display.to_numpy([2.0, 1.0, 0.1] if logits is None else logits).astype(float)
    if start.ndim != 1 or not 2 <= len(start) <= 10:
        raise ValueError(f"softmax_explorer takes 2 to 10 logits in a 1-D list; got shape "
                         f"{tuple(start.shape)}.")
    low, high = min(-5.0, float(start.min())), max(5.0, float(start.max()))
    logit_sliders = [_display.float_slider(_("logit z[{index}]").format(index=index),
                                           float(value), low, high, 0.1)
                     for index, value in enumerate(start)]
    temperature = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05,
                                         description=_("temperature T"), continuous_update=False,
                                         readout_format=".2f", style=_display.SLIDER_STYLE)
    picture, caption = _display.figure_image(), _display.make_caption()
    box = Panel([*logit_sliders, temperature, picture, caption], "softmax_explorer")

    def redraw(change=None):
        scores = numpy.array([slider.value for slider in logit_sliders], dtype=numpy.float32)
        probabilities = softmax(creation.tensor(scores) / temperature.value, dim=0).numpy()
        figure = _display.new_figure(7.5, 3.2)
        left, right = figure.subplots(1, 2)
        # The logits keep the sliders' fixed scale (auto-scaling would make 0.1, 0.2, 0.3
        # look as different as 1, 5, 9); each bar says which class it belongs to.
        indices = list(range(len(scores)))
        left.bar(indices, scores, color="gray")
        left.set_ylim(low, high)
        left.axhline(0, color="black", linewidth=0.5)
        left.set_title(_("logits z[i]"))
        right.bar(indices, probabilities, color=_display.COLOURS[0])
        for index, probability in enumerate(probabilities):
            right.text(index, probability, f"{probability:.3f}", ha="center", va="bottom")
        right.set_ylim(0, 1.1)
        right.set_title(_("probabilities p[i] = softmax(z / {temperature:.2f})[i]").format(
            temperature=temperature.value))
        for axes in (left, right):
            axes.set_xticks(indices, [str(index) for index in indices])
            axes.set_xlabel(_("class i"))
        _display.show_figure(picture, figure, description=_(
            "Bars of the logits z = [{logits}] and of their softmax probabilities "
            "p = [{probabilities}].").format(
                logits=", ".join(f"{z:.1f}" for z in scores),
                probabilities=", ".join(f"{p:.3f}" for p in probabilities)))
        shown = ", ".join(f"{p:.3f}" for p in probabilities)
        _display.set_caption(caption, _(
            "T = {temperature:.2f}: p = [{shown}], sum {total:.3f}. Small T sharpens toward the "
            "largest logit; large T flattens toward 1/{count} each.").format(
                temperature=temperature.value, shown=shown, total=probabilities.sum(),
                count=len(scores)))
        box.logits, box.probabilities = scores, probabilities

    for control in [*logit_sliders, temperature]:
        control.observe(redraw, names="value")
    box.logit_sliders, box.temperature, box.caption, box.figure = (
        logit_sliders, temperature, caption, picture)
    redraw()
    return box
