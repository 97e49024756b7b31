"""``Panel``: the box every edunet widget is, readable even where it can't be live.

A notebook stores a displayed widget as a reference to a widget model that lives in
the kernel, plus fallbacks for where that model is missing: a notebook just opened
(JupyterLab shows only "safe" outputs of a notebook it does not trust yet), a kernel
that was restarted, GitHub's notebook viewer. ipywidgets' own fallback is the start of
``repr(widget)``, e.g. ``VBox(children=(HBox(children=(Dropdown(...`` -- noise to a
learner. A Panel stores instead

    image/png    the widget's picture (its first figure) as it was when displayed
    text/plain   "edunet.viz.conv_explorer: an interactive widget; run the cell to use it."
                 and the picture's text alternative (what it shows, in words)

and the live widget wherever Jupyter can show it.
"""

import base64

import ipywidgets as widgets

from edunet.i18n import _
from edunet.viz import _display


class Panel(widgets.VBox):
    """A VBox with readable fallbacks (see the module docstring).

    ``name`` is the function that made it, for the text: ``Panel(children, "conv_explorer")``.
    """

    def __init__(self, children=(), name="widget", **options):
        super().__init__(children, **options)
        self.widget_name = name

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = _("edunet.viz.{name}: an interactive widget; run the cell to use "
                               "it.").format(name=self.widget_name)
        description = self.description()
        if description:
            data["text/plain"] += "\n" + _("The picture: {description}").format(
                description=description)
        picture = self.snapshot()
        if picture:
            data["image/png"] = base64.b64encode(picture).decode("ascii")
        elif getattr(self, "svg", None):          # draw_graph's picture is an SVG drawing
            data["image/svg+xml"] = self.svg
        return data

    def _ipython_display_(self):
        """Display with a display id, so that ``refresh_stored_picture`` can update it."""
        from IPython.display import display
        handle = display(self._repr_mimebundle_(), raw=True, display_id=True)
        if handle is not None:
            self._display_handles = getattr(self, "_display_handles", []) + [handle]

    def refresh_stored_picture(self):
        """Store the current picture in every output that shows this panel.

        A widget displayed before it has anything to show (a training dashboard, above
        the loop that fills it) calls this when it is done, so that the notebook keeps
        the final picture for readers who open it without running it.
        """
        for handle in getattr(self, "_display_handles", []):
            handle.update(self._repr_mimebundle_(), raw=True)

    def description(self):
        """The text alternative of the first figure inside this panel (None if it has none)."""
        if getattr(self, "alt_text", None):
            return self.alt_text
        figure = self._first_figure()
        return getattr(figure, "tooltip", None) if figure is not None else None

    def _first_figure(self):
        waiting = list(self.children)
        while waiting:
            child = waiting.pop(0)
            if _display.FIGURE_CLASS in getattr(child, "_dom_classes", ()):
                return child
            waiting[:0] = getattr(child, "children", ())
        return None

    def snapshot(self):
        """The PNG bytes of the first figure inside this panel (None if it has none yet)."""
        figure = self._first_figure()
        if not isinstance(figure, widgets.Image):
            return None
        return bytes(figure.value) or None
