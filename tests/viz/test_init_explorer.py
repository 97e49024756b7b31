"""viz.init_explorer: the spread of the activations per layer, as PyTorch computes it."""

import math

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import edunet  # noqa: E402
from edunet.viz.init_explorer import init_explorer, initialize, layer_activations  # noqa: E402


def test_activations_equal_pytorch_on_the_same_weights():
    torch = pytest.importorskip("torch")
    edunet.manual_seed(0)
    x = edunet.randn(64, 16)
    weights = [edunet.empty(16, 16) for _ in range(3)]
    for weight in weights:
        initialize(weight, "kaiming_normal_", "Tanh")
    ours = x
    theirs = torch.tensor(x.numpy())
    for weight in weights:
        ours = edunet.tanh(ours @ weight.T)
        theirs = torch.tanh(theirs @ torch.tensor(weight.numpy()).T)
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, activation, expected_std", [
    ("xavier_normal_", "ReLU", math.sqrt(2 / (256 + 256))),
    ("kaiming_normal_", "ReLU", math.sqrt(2 / 256)),
    ("kaiming_normal_", "Tanh", (5 / 3) / math.sqrt(256)),     # torch's gain for tanh: 5/3
    ("normal, std 1", "Sigmoid", 1.0),
    ("PyTorch default", "ReLU", 1 / math.sqrt(3 * 256)),        # uniform(+-1/sqrt(fan_in))
])
def test_initializations_draw_the_documented_spread(name, activation, expected_std):
    weight = edunet.empty(256, 256)
    initialize(weight, name, activation)
    assert weight.std().item() == pytest.approx(expected_std, rel=0.03)


def test_the_lesson_kaiming_keeps_relu_signals_xavier_and_the_default_lose_them():
    spread = {name: [values.std() for values in layer_activations(name, "ReLU", 20)]
              for name in ("PyTorch default", "xavier_normal_", "kaiming_normal_")}
    assert 0.3 < spread["kaiming_normal_"][-1] < 3
    # xavier: a factor of about 1/sqrt(2) per ReLU layer
    assert spread["xavier_normal_"][-1] / spread["xavier_normal_"][0] == pytest.approx(
        0.5 ** (19 / 2), rel=0.5)
    assert spread["PyTorch default"][-1] < 1e-6
    with_norm = [values.std() for values in layer_activations("PyTorch default", "ReLU", 20,
                                                              batch_norm=True)]
    assert 0.4 < with_norm[-1] < 0.8                  # BatchNorm resets the scale


def test_the_controls_recompute_and_the_learner_s_random_numbers_stay():
    edunet.manual_seed(5)
    expected = edunet.rand(2)
    edunet.manual_seed(5)
    widget = init_explorer(depth=6, width=32)
    assert edunet.equal(edunet.rand(2), expected)
    assert len(widget.stds) == 6 and widget.layer.max == 6
    assert "ReLU with PyTorch default weights" in widget.caption.value
    before = widget.figure.value
    widget.activation.value = "Tanh"
    widget.initialization.value = "normal, std 1"
    assert widget.figure.value != before
    assert float(numpy.abs(widget.histogram).max()) <= 1.0
    assert "Tanh with normal, std 1 weights" in widget.caption.value
    widget.depth.value = 3
    assert len(widget.stds) == 3 and widget.layer.max == 3 and widget.layer.value == 3
    widget.layer.value = 1
    assert "Layer 1: std" in widget.caption.value
    numpy.testing.assert_array_equal(widget.histogram, widget.activations[0].ravel())
