"""Still pictures the notebooks draw: the library's layers, a network's units, a chain rule.

They are plain matplotlib drawings, kept here so that a notebook shows one line,
``viz.diagrams.network(...)``, instead of twenty lines of drawing code that teach
nothing about deep learning. Each function draws with ``pyplot`` and shows the
picture, as ``plt.show()`` does in a notebook (and returns nothing, so that a notebook
does not show it twice).

    from edunet import viz
    viz.diagrams.library_layers()
    viz.diagrams.network([3, 3, 2, 2], ["input", "hidden1", "hidden2", "output"])
    viz.diagrams.chain_rule(boxes, arrows)

Colours are colour-blind safe (``_display.COLOURS``) and every picture has a title
that says what it shows.
"""

from edunet.i18n import _
from edunet.viz import _display

LIGHT_BLUE, DARK_BLUE = "#dbe9f6", _display.COLOURS[0]


def _show(figure):
    import matplotlib.pyplot as plt
    plt.show()


def library_layers():
    """edunet's layers as a row of boxes, each building on the ones to its left."""
    import matplotlib.pyplot as plt
    layers = [
        ("backend.py", _("NumPy on the CPU,\nCuPy on a GPU")),
        ("tensor.py", _("Tensor: values,\ngrad, grad_fn")),
        ("autograd.py", _("the graph and\nbackward()")),
        ("ops/", _("operations:\nforward, backward")),
        ("nn/", _("layers, losses\n(nn.Linear, ...)")),
        ("optim/, utils/", _("optimizers,\ndata loading")),
        ("viz/", _("the widgets of\nthe course")),
    ]
    figure, axes = plt.subplots(figsize=(12, 2.2))
    for position, (name, text) in enumerate(layers):
        left = position * 1.7
        axes.add_patch(plt.Rectangle((left, 0), 1.45, 1, facecolor=LIGHT_BLUE,
                                     edgecolor=DARK_BLUE))
        axes.text(left + 0.725, 0.68, name, ha="center", fontweight="bold", fontsize=10)
        axes.text(left + 0.725, 0.22, text, ha="center", fontsize=9)
        if position:
            axes.annotate("", xy=(left, 0.5), xytext=(left - 0.25, 0.5),
                          arrowprops={"arrowstyle": "<-"})
    axes.set_xlim(-0.1, len(layers) * 1.7)
    axes.set_ylim(-0.1, 1.1)
    axes.set_axis_off()
    axes.set_title(_("edunet's layers: each one builds on those to its left"))
    return _show(figure)


def network(sizes, names, title=None):
    """A fully connected network as units (circles) and weights (lines).

    ``sizes``: units per layer, input first, e.g. ``[3, 3, 2, 2]``; ``names``: one label
    per layer. Input units are grey; units with a bias are blue. The default title
    counts the weights and biases.
    """
    import matplotlib.pyplot as plt
    weights = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    biases = sizes[1:]
    if title is None:
        title = _("{sizes}: {weights} = {weight_count} weights (lines) and {biases} = "
                  "{bias_count} biases (blue units)").format(
            sizes="-".join(str(size) for size in sizes),
            weights=" + ".join(str(count) for count in weights), weight_count=sum(weights),
            biases=" + ".join(str(count) for count in biases), bias_count=sum(biases))
    figure, axes = plt.subplots(figsize=(7, 3))
    positions = [[(column, row - (size - 1) / 2) for row in range(size)]
                 for column, size in enumerate(sizes)]
    for left, right in zip(positions[:-1], positions[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                axes.plot([x0, x1], [y0, y1], color="gray", linewidth=0.8, zorder=1)
    for column, layer in enumerate(positions):
        axes.scatter(*zip(*layer), s=500, zorder=2,
                     color="lightgray" if column == 0 else DARK_BLUE)
        axes.text(column, -(max(sizes) - 1) / 2 - 0.5, names[column], ha="center", va="top",
                  fontsize=10)
    axes.set_xlim(-0.5, len(sizes) - 0.5)
    axes.set_ylim(-(max(sizes) - 1) / 2 - 1.6, (max(sizes) - 1) / 2 + 0.4)
    axes.set_axis_off()
    axes.set_title(title)
    return _show(figure)


def chain_rule(boxes, arrows, title=None):
    """A computation as boxes with forward values (black) and gradients (red).

    ``boxes``: ``{name: (x, y, forward value, gradient)}``; ``arrows``: ``(from, to)``
    pairs of names, drawn in the forward direction.
    """
    import matplotlib.pyplot as plt
    gradient_colour = _display.COLOURS[3]

    def half_width(name):
        return 0.45 if len(name) == 1 else 0.75

    figure, axes = plt.subplots(figsize=(9, 3))
    for start, end in arrows:
        (x0, y0, *_rest), (x1, y1, *_rest) = boxes[start], boxes[end]
        axes.annotate("", xy=(x1 - half_width(end), y1), xytext=(x0 + half_width(start), y0),
                      arrowprops={"arrowstyle": "->", "color": "gray"})
    for name, (x, y, value, gradient) in boxes.items():
        axes.add_patch(plt.Rectangle((x - half_width(name), y - 0.3), 2 * half_width(name), 0.6,
                                     facecolor=LIGHT_BLUE, edgecolor=DARK_BLUE))
        axes.text(x, y + 0.1, name, ha="center", va="center", fontsize=10)
        axes.text(x, y - 0.15, f"{value:.3f}", ha="center", va="center", fontsize=10)
        axes.text(x, y - 0.48, f"∂L/∂{name[0]} = {gradient:.3f}", ha="center", va="center",
                  fontsize=10, color=gradient_colour)
    xs = [x for x, *_rest in boxes.values()]
    ys = [y for _x, y, *_rest in boxes.values()]
    axes.set_xlim(min(xs) - 0.8, max(xs) + 1.0)
    axes.set_ylim(min(ys) - 0.7, max(ys) + 0.5)
    axes.set_axis_off()
    axes.set_title(title or _("forward values (black) and gradients ∂L/∂· (red)"))
    return _show(figure)
