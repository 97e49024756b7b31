"""What every ``edunet.viz`` widget shares: figures as PNG, captions and labelled controls.

The widgets draw with matplotlib's ``Figure`` directly (no ``pyplot``), so drawing
never opens a window and never touches the notebook's plotting state; the figure is
saved to PNG bytes and shown in an ``ipywidgets.Image``. That works the same in
JupyterLab, Jupyter Notebook 7 and Voila, and under a test with no browser at all.

    figure = new_figure(6, 3)
    axes = figure.add_subplot()
    axes.plot([0, 1], [1, 0])
    image = figure_image(figure)           # an ipywidgets.Image showing it
    caption = make_caption("a line")       # an ipywidgets.HTML; update with set_caption

Every widget gives its figure the CSS class ``edunet-figure`` and its caption
``edunet-caption``, so a browser test can find them, and a text alternative that
says what the picture shows (``show_figure(image, figure, description=...)``).

Accessibility: pictures are drawn on a white background, so they stay readable in
JupyterLab's dark theme; colour maps are viridis (readable with every common colour
blindness, and in grey) and line colours come from ``COLOURS``, the Okabe-Ito
palette, with a different line style per colour where lines share a plot.
"""

import html
import io

FIGURE_CLASS = "edunet-figure"
CAPTION_CLASS = "edunet-caption"
SLIDER_STYLE = {"description_width": "initial"}
# Okabe & Ito's palette: told apart with every common colour blindness.
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]
LINE_STYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1))]


def new_figure(width=6.4, height=4.0, layout="constrained"):
    """A matplotlib Figure of ``width`` x ``height`` inches, laid out to fit its labels
    (``layout=None`` skips that step: faster for a figure with many texts and no axes)."""
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout=layout)


def figure_to_png(figure, dpi=80):
    """The figure as PNG bytes (drawn by matplotlib's Agg renderer)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _figure_image_class():
    """``ipywidgets.Image`` plus an empty ``description``.

    The browser shows an image's ``tooltip`` as its ``title`` (our text alternative),
    but ipywidgets' code that does so first reads the widget's ``description``, which an
    Image does not have: the view fails ("Cannot read properties of undefined"). Syncing
    an empty ``description`` lets it through.
    """
    import ipywidgets as widgets
    from traitlets import Unicode

    class FigureImage(widgets.Image):
        description = Unicode("").tag(sync=True)

    return FigureImage


_FIGURE_IMAGE = None


def figure_image(figure=None, dpi=80):
    """An ``ipywidgets.Image`` showing ``figure`` (or empty, to fill with show_figure)."""
    import ipywidgets as widgets
    global _FIGURE_IMAGE
    if _FIGURE_IMAGE is None:
        _FIGURE_IMAGE = _figure_image_class()
    # align_self: keep the picture at its own size (a VBox would stretch it to full width)
    image = _FIGURE_IMAGE(format="png", layout=widgets.Layout(align_self="flex-start"))
    image.add_class(FIGURE_CLASS)
    if figure is not None:
        show_figure(image, figure, dpi)
    return image


def show_figure(image, figure, dpi=80, description=None):
    """Draw ``figure`` into the Image widget ``image``, replacing what it showed.

    ``description`` is the picture's text alternative: one or two sentences saying what
    it shows, for a screen reader and for anyone who cannot see the picture. It becomes
    the image's ``title`` in the browser (ipywidgets' ``tooltip``) and the text stored
    with the notebook (see ``Panel``).
    """
    image.value = figure_to_png(figure, dpi)
    if description is not None:
        image.tooltip = description


def make_caption(text=""):
    """An HTML widget for the short text under a plot that says what is shown."""
    import ipywidgets as widgets
    caption = widgets.HTML()
    caption.add_class(CAPTION_CLASS)
    set_caption(caption, text)
    return caption


def set_caption(caption, text):
    """Show plain ``text`` in ``caption`` (escaped; each newline starts a new line)."""
    lines = html.escape(text, quote=False).split("\n")
    caption.value = "<br>".join(lines)


def int_slider(description, value, min, max, step=1, **options):  # noqa: A002 (ipywidgets' names)
    """An integer slider with a readable label that reports only when released."""
    import ipywidgets as widgets
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             continuous_update=False, style=SLIDER_STYLE, **options)


def float_slider(description, value, min, max, step, readout_format=".2f", **options):  # noqa: A002
    """A float slider with a readable label that reports only when released."""
    import ipywidgets as widgets
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               readout_format=readout_format, continuous_update=False,
                               style=SLIDER_STYLE, **options)


def to_numpy(value):
    """A NumPy array from an edunet Tensor (on any device), a NumPy array or a nested list."""
    import numpy
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return numpy.asarray(value)


class evaluation_mode:
    """``with evaluation_mode(model):`` runs the model in eval mode, then gives every
    module back its own train/eval setting (a widget looks; it must not change the model:
    in training mode BatchNorm would update its running averages and Dropout drop values)."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.modes = [(module, module.training) for module in self.model.modules()]
        self.model.eval()
        return self.model

    def __exit__(self, *exception):
        for module, training in self.modes:
            module.training = training
        return False
