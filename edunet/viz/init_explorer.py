"""``viz.init_explorer()``: how the initialization shapes the activations, layer after layer.

A deep stack of ``Linear(width, width)`` layers, each followed by an activation, gets a
batch of standard normal inputs. For every layer the widget records the activations and
draws

    left     the standard deviation of the activations after each layer (log scale):
             a flat line means the signal keeps its size; a falling one, that it vanishes
    right    the histogram of the activations after one chosen layer

Controls choose the initialization of the weights (biases are zero), the activation,
the depth, whether a BatchNorm1d comes before each activation, and the layer whose
histogram is shown. What to look for:

    ReLU + kaiming_normal_      std stays near 0.8 through every layer
    ReLU + xavier_normal_       std halves every two layers (a factor 1/sqrt(2) per layer)
    Tanh + a large init         the histogram piles up at -1 and +1 (saturated, slope ~0)
    any init + BatchNorm1d      the scale is reset at every layer
"""

from edunet.i18n import _
from edunet.viz import _display

INITIALIZATIONS = ("PyTorch default", "xavier_normal_", "kaiming_normal_", "normal, std 1")
ACTIVATIONS = ("ReLU", "Tanh", "Sigmoid", "GELU")


def initialize(weight, name, activation):
    """Fill ``weight`` in place with the initialization called ``name``."""
    import math

    from edunet.nn import init
    if name == "xavier_normal_":
        init.xavier_normal_(weight)
    elif name == "kaiming_normal_":
        nonlinearity = {"ReLU": "relu", "GELU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid"}
        init.kaiming_normal_(weight, nonlinearity=nonlinearity[activation])
    elif name == "normal, std 1":
        init.normal_(weight, 0.0, 1.0)
    else:                                     # what nn.Linear does by itself
        init.kaiming_uniform_(weight, a=math.sqrt(5))


def layer_activations(initialization, activation, depth, width=256, batch_norm=False, seed=0,
                      batch_size=512):
    """The activations after each layer of the stack: a list of ``depth`` NumPy arrays.

    The random numbers come from ``seed`` (the learner's generator is restored after).
    """
    import edunet
    from edunet import nn

    state = edunet.get_rng_state()
    edunet.manual_seed(seed)
    try:
        x = edunet.randn(batch_size, width)
        outputs = []
        with edunet.no_grad():
            for _ in range(depth):
                linear = nn.Linear(width, width)
                initialize(linear.weight, initialization, activation)
                nn.init.zeros_(linear.bias)
                x = linear(x)
                if batch_norm:
                    x = nn.functional.batch_norm(x, None, None, training=True)
                x = getattr(nn, activation)()(x)
                outputs.append(_display.to_numpy(x))
    finally:
        edunet.set_rng_state(state)
    return outputs


def init_explorer(depth=20, width=256):
    """A widget showing the activations' spread per layer of a deep stack, and one histogram.

    The widget carries ``.stds`` (a list, one standard deviation per layer), ``.histogram``
    (the values of the shown layer), ``.caption``, ``.figure`` and its controls
    (``.initialization``, ``.activation``, ``.depth``, ``.batch_norm``, ``.layer``).
    """
    import ipywidgets as widgets
    import numpy

    from edunet.viz.panel import Panel

    labels = {"PyTorch default": _("PyTorch default"), "normal, std 1": _("normal, std 1")}
    initialization = widgets.Dropdown(options=[(labels.get(name, name), name)
                                               for name in INITIALIZATIONS],
                                      value="PyTorch default",
                                      description=_("weights"), style=_display.SLIDER_STYLE)
    activation = widgets.Dropdown(options=ACTIVATIONS, value="ReLU",
                                  description=_("activation"), style=_display.SLIDER_STYLE)
    batch_norm = widgets.Checkbox(value=False, description=_("BatchNorm before each activation"),
                                  indent=False)
    depth_slider = _display.int_slider(_("layers"), depth, 2, 50)
    layer = _display.int_slider(_("histogram of layer"), depth, 1, depth)
    picture, caption = _display.figure_image(), _display.make_caption()
    box = Panel([widgets.HBox([initialization, activation, batch_norm]),
                 widgets.HBox([depth_slider, layer]), picture, caption], "init_explorer")

    def compute(change=None):
        box.activations = layer_activations(initialization.value, activation.value,
                                            depth_slider.value, width, batch_norm.value)
        box.stds = [float(values.std()) for values in box.activations]
        layer.max = depth_slider.value
        redraw()

    def redraw(change=None):
        shown = min(layer.value, len(box.activations))
        box.histogram = box.activations[shown - 1].ravel()
        figure = _display.new_figure(9.0, 3.4)
        left, right = figure.subplots(1, 2)
        steps = numpy.arange(1, len(box.stds) + 1)
        left.plot(steps, numpy.maximum(box.stds, 1e-30), "o-", markersize=3)
        left.plot([shown], [max(box.stds[shown - 1], 1e-30)], "o", markersize=9, color="tab:red")
        left.set_yscale("log")
        # a fixed window (at least 1e-3 ... 10), so a flat line looks flat
        left.set_ylim(min(1e-3, min(box.stds) / 3) or 1e-30, max(10.0, max(box.stds) * 3))
        left.xaxis.get_major_locator().set_params(integer=True)
        left.set_xlabel(_("layer"))
        left.set_title(_("std of the activations"), fontsize=10)
        left.grid(alpha=0.3)
        counts, edges = numpy.histogram(box.histogram, bins=60)
        right.stairs(counts, edges, fill=True, color="tab:red")
        right.set_yscale("log")
        right.set_ylim(0.8, max(counts.max(), 1) * 2)   # a log axis: keep empty bins off 0
        right.set_xlabel(_("activation value"))
        right.set_title(_("layer {layer}: histogram").format(layer=shown), fontsize=10)
        _display.show_figure(picture, figure)
        zero_share = float((box.histogram == 0).mean())
        _display.set_caption(caption, _(
            "{activation} with {initialization} weights: std {first:.2g} after layer 1, "
            "{last:.2g} after layer {depth}. Layer {layer}: std {std:.2g}, {zeros:.0%} of the "
            "values exactly 0."
        ).format(activation=activation.value, initialization=initialization.label,
                 first=box.stds[0], last=box.stds[-1], depth=len(box.stds), layer=shown,
                 std=box.stds[shown - 1], zeros=zero_share))

    for control in (initialization, activation, batch_norm, depth_slider):
        control.observe(compute, names="value")
    layer.observe(redraw, names="value")
    box.initialization, box.activation, box.batch_norm = initialization, activation, batch_norm
    box.depth, box.layer, box.caption, box.figure = depth_slider, layer, caption, picture
    compute()
    return box
