"""``edunet.viz``: widgets that let a learner see inside a network.

Each widget is a function returning an ipywidgets widget; display it as the last
line of a notebook cell. The core library never imports this package; importing
it loads ipywidgets and matplotlib (with the non-interactive Agg renderer).

    from edunet import viz
    viz.parameter_counts(model, input_size=(1, 3, 32, 32))

Each file is one widget: read it to see how the picture is made.
"""

from edunet.viz.activation_explorer import activation_explorer, softmax_explorer
from edunet.viz.conv_explorer import conv_explorer
from edunet.viz import diagrams
from edunet.viz.dashboard import TrainingDashboard, training_dashboard
from edunet.viz.feature_maps import feature_maps
from edunet.viz.gradient_flow import gradient_flow
from edunet.viz.graph import draw_graph
from edunet.viz.init_explorer import init_explorer
from edunet.viz.loss_explorer import loss_explorer
from edunet.viz.optimizer_playground import optimizer_playground
from edunet.viz.parameter_counts import parameter_counts
from edunet.viz.sequence_explorer import sequence_explorer

__all__ = ["activation_explorer", "conv_explorer", "diagrams", "draw_graph", "feature_maps",
           "gradient_flow", "init_explorer", "loss_explorer", "optimizer_playground",
           "parameter_counts", "sequence_explorer", "softmax_explorer",
           "TrainingDashboard", "training_dashboard"]
