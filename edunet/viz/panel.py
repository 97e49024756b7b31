"""``Panel``: the box every edunet widget is, readable even where it can't be live.

A notebook stores a displayed widget as a reference to a widget model that lives in
the kernel, plus fallbacks for where that model is missing: a notebook just opened
(JupyterLab shows only "safe" outputs of a notebook it does not trust yet), a kernel
that was restarted, GitHub's notebook viewer. ipywidgets' own fallback is the start of
``repr(widget)``, e.g. ``VBox(children=(HBox(children=(Dropdown(...`` -- noise to a
learner. A Panel stores instead

    image/png    the widget's picture (its first figure) as it was when displayed
    text/plain   "edunet.viz.conv_explorer: an interactive widget; run the cell to use it"

and the live widget wherever Jupyter can show it.
"""

import base64

import ipywidgets as widgets

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
        data["text/plain"] = (f"edunet.viz.{self.widget_name}: an interactive widget; "
                              f"run the cell to use it")
        picture = self.snapshot()
        if picture:
            data["image/png"] = base64.b64encode(picture).decode("ascii")
        return data

    def snapshot(self):
        """The PNG bytes of the first figure inside this panel (None if it has none yet)."""
        waiting = list(self.children)
        while waiting:
            child = waiting.pop(0)
            if isinstance(child, widgets.Image) and _display.FIGURE_CLASS in child._dom_classes:
                return bytes(child.value) or None
            waiting[:0] = getattr(child, "children", ())
        return None
