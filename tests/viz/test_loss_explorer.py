"""viz.loss_explorer: the loss and gradient it shows are the nn loss and its true derivative.

Expected values come from the formulas, written here in plain NumPy (no edunet, no torch).
"""

import importlib
import math

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from edunet.viz.loss_explorer import OTHER_LOGITS, loss_and_gradient, loss_explorer  # noqa: E402


def analytic(loss_name, p, t):
    """(loss, d loss / d p) from the textbook formulas."""
    d = p - t
    if loss_name == "L1Loss":
        return abs(d), float(numpy.sign(d))
    if loss_name == "MSELoss":
        return d * d, 2 * d
    if loss_name == "SmoothL1Loss":
        return (0.5 * d * d, d) if abs(d) < 1 else (abs(d) - 0.5, float(numpy.sign(d)))
    if loss_name == "BCELoss":
        return -(t * math.log(p) + (1 - t) * math.log(1 - p)), (p - t) / (p * (1 - p))
    if loss_name == "CrossEntropyLoss":
        scores = numpy.array([p, *OTHER_LOGITS])
        probabilities = numpy.exp(scores) / numpy.exp(scores).sum()
        return -math.log(probabilities[t]), probabilities[0] - (t == 0)
    raise AssertionError(loss_name)


CASES = [("L1Loss", 1.5, -0.5), ("L1Loss", -2.0, 0.7), ("MSELoss", 0.8, 0.1),
         ("MSELoss", -1.25, 2.0), ("SmoothL1Loss", 0.4, 0.0), ("SmoothL1Loss", 2.5, 0.5),
         ("SmoothL1Loss", -1.7, 0.2), ("BCELoss", 0.3, 1.0), ("BCELoss", 0.9, 0.25),
         ("CrossEntropyLoss", 2.0, 1), ("CrossEntropyLoss", -1.0, 0), ("CrossEntropyLoss", 0.5, 2)]


@pytest.mark.parametrize("loss_name, prediction, target", CASES)
def test_widget_shows_the_loss_and_its_derivative(loss_name, prediction, target):
    widget = loss_explorer(loss_name, prediction=prediction, target=target)
    expected_loss, expected_gradient = analytic(loss_name, prediction, target)
    assert widget.loss_name == loss_name and widget.target == target
    assert widget.loss_value == pytest.approx(expected_loss, rel=1e-6)
    assert widget.gradient == pytest.approx(expected_gradient, rel=1e-6, abs=1e-9)
    assert f"{expected_loss:.4f}" in widget.caption.value
    assert f"{expected_gradient:.4f}" in widget.caption.value
    assert widget.chart.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_the_controls_redraws():
    widget = loss_explorer("MSELoss")
    steps = [(widget.prediction_slider, -1.25, "MSELoss", -1.25, 0.0),
             (widget.target_slider, 2.0, "MSELoss", -1.25, 2.0),
             (widget.loss_dropdown, "CrossEntropyLoss", "CrossEntropyLoss", 0.0, 0),
             (widget.class_slider, 2, "CrossEntropyLoss", 0.0, 2),
             (widget.prediction_slider, 0.5, "CrossEntropyLoss", 0.5, 2)]
    for control, value, loss_name, prediction, target in steps:
        before = widget.chart.value
        control.value = value
        expected_loss, expected_gradient = analytic(loss_name, prediction, target)
        assert (widget.loss_name, widget.prediction, widget.target) == (loss_name, prediction, target)
        assert widget.loss_value == pytest.approx(expected_loss, rel=1e-6)
        assert widget.gradient == pytest.approx(expected_gradient, rel=1e-6)
        assert f"{expected_gradient:.4f}" in widget.caption.value and widget.chart.value != before


@pytest.mark.parametrize("loss_name", ["L1Loss", "MSELoss", "SmoothL1Loss", "BCELoss",
                                       "CrossEntropyLoss"])
def test_curves_match_the_formulas_everywhere(loss_name):
    widget = loss_explorer(loss_name)
    target = widget.target
    expected = numpy.array([analytic(loss_name, p, target) for p in widget.predictions])
    numpy.testing.assert_allclose(widget.losses, expected[:, 0], rtol=1e-6)
    numpy.testing.assert_allclose(widget.gradients, expected[:, 1], rtol=1e-6, atol=1e-9)


def test_sliders_take_each_loss_range():
    widget = loss_explorer("MSELoss")
    widget.loss_dropdown.value = "BCELoss"
    assert 0 < widget.prediction_slider.min < widget.prediction_slider.max < 1
    assert (widget.target_slider.min, widget.target_slider.max) == (0.0, 1.0)
    assert widget.class_slider.layout.display == "none"
    widget.loss_dropdown.value = "CrossEntropyLoss"
    assert widget.target_slider.layout.display == "none"
    assert widget.class_slider.layout.display is None
    widget.loss_dropdown.value = "L1Loss"
    assert widget.prediction_slider.min == -3.0 and widget.target_slider.min == -3.0


def test_starting_values_and_unknown_loss():
    widget = loss_explorer("BCELoss", prediction=0.6, target=0.0)
    assert (widget.prediction, widget.target) == (0.6, 0.0)
    assert widget.loss_value == pytest.approx(-math.log(0.4))
    with pytest.raises(ValueError, match="MSELoss"):
        loss_explorer("MSE")


def test_gradient_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    predictions = numpy.linspace(-2, 2, 9)
    for loss_name in ["L1Loss", "MSELoss", "SmoothL1Loss"]:
        losses, gradients = loss_and_gradient(loss_name, predictions, 0.3)
        p = torch.tensor(predictions, requires_grad=True)
        expected = getattr(torch.nn, loss_name)(reduction="none")(p, torch.full_like(p, 0.3))
        expected.sum().backward()
        numpy.testing.assert_allclose(losses, expected.detach().numpy(), rtol=1e-12)
        numpy.testing.assert_allclose(gradients, p.grad.numpy(), rtol=1e-12)


def test_bce_at_the_edge_keeps_the_marker_inside_and_the_loss_axis_near_zero():
    import math

    module = importlib.import_module("edunet.viz.loss_explorer")
    explorer = module.loss_explorer("BCELoss", prediction=0.01, target=1.0)
    assert explorer.gradient == pytest.approx((0.01 - 1) / (0.01 * 0.99), rel=1e-6)   # -100
    assert explorer.loss_value == pytest.approx(-math.log(0.01), rel=1e-6)
    figure = module._draw("BCELoss", explorer.predictions, explorer.losses, explorer.gradients,
                          0.01, 1.0, explorer.loss_value, explorer.gradient)
    loss_axes, gradient_axes = figure.axes
    low, high = gradient_axes.get_ylim()
    assert low < explorer.gradient < high                 # the dot stays on the chart
    low, high = loss_axes.get_ylim()
    assert -0.5 < low <= 0 and high >= explorer.loss_value  # no axis down to -5 for a tangent


def test_cross_entropy_moves_a_logit_and_says_so():
    module = importlib.import_module("edunet.viz.loss_explorer")
    explorer = module.loss_explorer("CrossEntropyLoss", prediction=2.0, target=0)
    assert "logit z0" in explorer.prediction_slider.description
    assert "prediction p" not in explorer.caption.value
    assert "logit z0 = 2.00" in explorer.caption.value and "d loss / d z0" in explorer.caption.value
    explorer.loss_dropdown.value = "MSELoss"                 # and back to a prediction
    assert explorer.prediction_slider.description == "prediction p"
    assert "dot at" in explorer.chart.tooltip                # the picture's text alternative
