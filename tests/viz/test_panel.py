"""Every edunet widget stores readable fallbacks: a picture and one line of text, in place
of ipywidgets' repr, for a notebook opened before its cells run (see edunet/viz/panel.py)."""

import base64

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
import edunet  # noqa: E402
from edunet import nn, viz  # noqa: E402
from edunet.viz.panel import Panel  # noqa: E402


def widgets_of_the_course():
    edunet.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 6 * 6, 3))
    images = edunet.randn(2, 1, 8, 8)
    x = edunet.tensor(2.0, requires_grad=True)
    loss = (x * x).sum()
    nn.CrossEntropyLoss()(model(images), edunet.tensor([0, 2])).backward()
    return {
        "parameter_counts": viz.parameter_counts(model, input_size=(1, 1, 8, 8)),
        "feature_maps": viz.feature_maps(model, images),
        "conv_explorer": viz.conv_explorer(),
        "activation_explorer": viz.activation_explorer(),
        "softmax_explorer": viz.softmax_explorer(),
        "loss_explorer": viz.loss_explorer(),
        "draw_graph": viz.draw_graph(loss, params={"x": x}),
        "gradient_flow": viz.gradient_flow(model),
        "optimizer_playground": viz.optimizer_playground(steps=5),
        "training_dashboard": viz.training_dashboard(total_steps=3),
    }


def test_every_widget_stores_a_line_of_text_and_where_it_has_a_figure_its_picture():
    for name, widget in widgets_of_the_course().items():
        assert isinstance(widget, Panel), name
        bundle = widget._repr_mimebundle_()
        first_line, picture_line = bundle["text/plain"].split("\n")
        assert first_line == f"edunet.viz.{name}: an interactive widget; run the cell to use it."
        # The picture's text alternative, stored too, and shown as the image's title.
        assert picture_line.startswith("The picture: ") and len(picture_line) > 40, name
        assert "application/vnd.jupyter.widget-view+json" in bundle    # still live in Jupyter
        if name == "draw_graph":                      # its picture is an SVG drawing
            assert "image/png" not in bundle and bundle["image/svg+xml"].startswith("<svg")
            continue
        if name == "training_dashboard":              # nothing logged yet: nothing to show
            assert "image/png" not in bundle
            continue
        assert widget._first_figure().tooltip == picture_line.removeprefix("The picture: ")
        picture = base64.b64decode(bundle["image/png"])
        assert picture.startswith(b"\x89PNG") and picture == widget.snapshot(), name


def test_a_panel_without_a_figure_stores_only_the_text():
    panel = Panel([], "nothing")
    bundle = panel._repr_mimebundle_()
    assert panel.snapshot() is None and "image/png" not in bundle
    assert bundle["text/plain"].startswith("edunet.viz.nothing:")


def test_the_dashboard_button_turns_from_stop_to_finished():
    dashboard = viz.training_dashboard(total_steps=2)
    assert dashboard.stop_button.button_style == "danger"
    for step in range(2):
        dashboard.log(step, loss=1.0 / (step + 1))
    dashboard.finish()
    assert dashboard.stop_button.description == "finished"
    assert dashboard.stop_button.button_style == "success"


def test_a_dashboard_stores_its_chart_once_it_has_logged_a_step():
    dashboard = viz.training_dashboard(total_steps=2)
    assert "image/png" not in dashboard._repr_mimebundle_()
    dashboard.log(0, loss=1.0)
    dashboard.finish()
    assert base64.b64decode(dashboard._repr_mimebundle_()["image/png"]) == dashboard.chart.value
