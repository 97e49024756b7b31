"""``edunet.viz``: widgets that let a learner see inside a network.

Each widget is a function returning an ipywidgets widget; display it as the last
line of a notebook cell. The core library never imports this package, and this
package imports ipywidgets and matplotlib only when a widget is built.

    from edunet import viz
    viz.parameter_counts(model, input_size=(1, 3, 32, 32))
"""

_WIDGETS = {
    "parameter_counts": "edunet.viz.parameter_counts",
    "feature_maps": "edunet.viz.feature_maps",
    "conv_explorer": "edunet.viz.conv_explorer",
    "activation_explorer": "edunet.viz.activation_explorer",
    "softmax_explorer": "edunet.viz.activation_explorer",
    "loss_explorer": "edunet.viz.loss_explorer",
    "draw_graph": "edunet.viz.graph",
    "gradient_flow": "edunet.viz.gradient_flow",
    "optimizer_playground": "edunet.viz.optimizer_playground",
    "TrainingDashboard": "edunet.viz.dashboard",
    "training_dashboard": "edunet.viz.dashboard",
}

__all__ = sorted(_WIDGETS)


def __getattr__(name):
    if name in _WIDGETS:
        import importlib
        return getattr(importlib.import_module(_WIDGETS[name]), name)
    raise AttributeError(f"module 'edunet.viz' has no attribute '{name}'")


def __dir__():
    return __all__
