"""viz.activation_explorer and viz.softmax_explorer: values and derivatives equal PyTorch's."""

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
torch = pytest.importorskip("torch")

from edunet.viz.activation_explorer import activation_explorer, softmax_explorer  # noqa: E402


def torch_function(name, negative_slope, alpha):
    functional = torch.nn.functional
    return {"ReLU": functional.relu, "GELU": functional.gelu, "Sigmoid": torch.sigmoid,
            "Tanh": torch.tanh, "LeakyReLU": lambda x: functional.leaky_relu(x, negative_slope),
            "ELU": lambda x: functional.elu(x, alpha)}[name]


def torch_value_and_slope(name, points, negative_slope=0.01, alpha=1.0):
    x = torch.tensor(numpy.asarray(points, dtype=numpy.float32), requires_grad=True)
    y = torch_function(name, negative_slope, alpha)(x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def test_curves_and_derivatives_equal_pytorch_autograd():
    widget = activation_explorer()
    widget.negative_slope.value, widget.alpha.value = 0.2, 1.5
    assert set(widget.curves) == {"ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh"}
    for name, (x, values, slopes) in widget.curves.items():
        expected_values, expected_slopes = torch_value_and_slope(name, x, 0.2, 1.5)
        numpy.testing.assert_allclose(values, expected_values, rtol=1e-5, atol=1e-6,
                                      err_msg=name)
        numpy.testing.assert_allclose(slopes, expected_slopes, rtol=1e-5, atol=1e-6,
                                      err_msg=name)
    assert x.min() == -5 and x.max() == 5


def test_marker_values_follow_the_slider_and_the_checkboxes():
    widget = activation_explorer()
    assert list(widget.marker_values) == ["ReLU", "Sigmoid", "Tanh"]      # the default choice
    widget.checkboxes["GELU"].value = True
    widget.checkboxes["ReLU"].value = False
    before = widget.figure.value
    widget.x.value = -0.7
    assert widget.figure.value != before
    assert list(widget.marker_values) == ["GELU", "Sigmoid", "Tanh"]
    for name, (value, slope) in widget.marker_values.items():
        expected_value, expected_slope = torch_value_and_slope(name, [-0.7])
        assert value == pytest.approx(float(expected_value[0]), abs=1e-6)
        assert slope == pytest.approx(float(expected_slope[0]), abs=1e-6)
    sigmoid = 1 / (1 + numpy.exp(0.7))
    assert f"Sigmoid: f = {sigmoid:.3f}, f' = {sigmoid * (1 - sigmoid):.3f}" in (
        widget.caption.value)
    assert widget.caption.value.startswith("x = -0.70: GELU")


def test_nothing_ticked_is_explained():
    widget = activation_explorer()
    for checkbox in widget.checkboxes.values():
        checkbox.value = False
    assert widget.marker_values == {} and "tick a function" in widget.caption.value


def test_softmax_with_temperature_equals_pytorch():
    widget = softmax_explorer()
    numpy.testing.assert_allclose(widget.probabilities, [0.659, 0.242, 0.099], atol=1e-3)
    widget.logit_sliders[2].value = 3.0
    widget.temperature.value = 0.5
    expected = torch.softmax(torch.tensor([2.0, 1.0, 3.0]) / 0.5, dim=0).numpy()
    numpy.testing.assert_allclose(widget.probabilities, expected, rtol=1e-5)
    assert widget.probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert "T = 0.50: p = [" + ", ".join(f"{p:.3f}" for p in expected) + "]" in (
        widget.caption.value)


def test_softmax_takes_the_learner_s_logits():
    widget = softmax_explorer([0.0, 0.0, 0.0, 8.0])
    assert len(widget.logit_sliders) == 4 and widget.logit_sliders[3].max >= 8.0
    widget.temperature.value = 10.0                      # high T: close to uniform
    expected = torch.softmax(torch.tensor([0.0, 0.0, 0.0, 8.0]) / 10.0, dim=0).numpy()
    numpy.testing.assert_allclose(widget.probabilities, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="1-D"):
        softmax_explorer([[1.0, 2.0]])
