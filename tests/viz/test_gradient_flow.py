"""viz.gradient_flow: per-layer gradient norms, their history, and the alerts they raise."""

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import edunet  # noqa: E402
from edunet import nn  # noqa: E402
from edunet.viz.gradient_flow import GradientFlow, gradient_flow  # noqa: E402


def deep_net(activation, depth=8, width=32, seed=0):
    edunet.manual_seed(seed)
    layers = []
    for index in range(depth):
        layers += [nn.Linear(width if index else 8, width), activation()]
    return nn.Sequential(*layers, nn.Linear(width, 1))


def backward_once(model, seed=1, scale=1.0):
    edunet.manual_seed(seed)
    x, y = edunet.randn(64, 8), edunet.randn(64, 1)
    (((model(x) - y) ** 2).mean() * scale).backward()


def test_norms_are_the_layers_gradient_norms():
    model = deep_net(nn.ReLU, depth=3)
    backward_once(model)
    flow = gradient_flow(model)
    assert isinstance(flow, GradientFlow)
    linears = [(name, module) for name, module in model.named_children()
               if isinstance(module, nn.Linear)]
    assert flow.layer_names == [f"{name} (Linear)" for name, _ in linears]
    for (name, module), label in zip(linears, flow.layer_names):
        expected = numpy.sqrt((module.weight.grad.numpy().astype(numpy.float64) ** 2).sum()
                              + (module.bias.grad.numpy().astype(numpy.float64) ** 2).sum())
        assert flow.norms[label] == pytest.approx(expected, rel=1e-9)
        counts, edges = flow.histograms[label]
        entries = numpy.concatenate([module.weight.grad.numpy().ravel(), module.bias.grad.numpy()])
        assert counts.sum() == numpy.count_nonzero(entries)
        assert edges[0] <= numpy.log10(numpy.abs(entries[entries != 0])).min()
    assert flow.history == [flow.norms] and flow.steps == [0]
    assert flow.chart.value[:4] == b"\x89PNG"


def test_a_deep_sigmoid_net_vanishes_where_a_relu_net_does_not():
    sigmoid, relu = deep_net(nn.Sigmoid), deep_net(nn.ReLU)
    backward_once(sigmoid)
    backward_once(relu)
    sigmoid_flow, relu_flow = gradient_flow(sigmoid), gradient_flow(relu)
    first, last = sigmoid_flow.layer_names[0], sigmoid_flow.layer_names[-1]
    assert sigmoid_flow.norms[first] / sigmoid_flow.norms[last] < 1e-5
    assert relu_flow.norms[first] / relu_flow.norms[last] > 1e-4
    vanishing = [alert for alert in sigmoid_flow.alerts if "vanishing" in alert]
    assert vanishing and vanishing[0].startswith("0 (Linear): gradient norm")
    assert not [alert for alert in relu_flow.alerts if "vanishing" in alert]
    assert "vanishing gradients" in sigmoid_flow.caption.value
    assert "The first layer gets" in relu_flow.caption.value


def test_exploding_gradients_are_called_out():
    model = deep_net(nn.ReLU, depth=2)
    backward_once(model, scale=1e7)
    flow = gradient_flow(model)
    exploding = [alert for alert in flow.alerts if "exploding" in alert]
    assert exploding and "clip" in exploding[0]


def test_dead_relus_are_called_out():
    model = deep_net(nn.ReLU, depth=2)
    with edunet.no_grad():
        model[0].bias.fill_(-100.0)           # every unit of the first ReLU is dead
    backward_once(model)
    flow = gradient_flow(model)
    assert flow.norms["0 (Linear)"] == 0.0
    assert any(alert.startswith("0 (Linear) got an all-zero gradient") for alert in flow.alerts)
    with edunet.no_grad():
        model[0].bias.fill_(0.0)
        model[0].bias[:20] = -100.0            # 20 of 32 units dead
    model.zero_grad()
    backward_once(model)
    flow.update(draw=True)
    assert any("20 of 32 units got exactly zero" in alert for alert in flow.alerts)


def test_history_over_training_steps_and_throttled_redraws():
    model = deep_net(nn.ReLU, depth=3)
    optimizer = edunet.optim.SGD(model.parameters(), lr=0.05)
    flow = gradient_flow(model, redraw_seconds=3600)
    assert "No gradients yet" in flow.caption.value and flow.history == []
    first_picture = flow.chart.value
    for step in range(5):
        optimizer.zero_grad()
        backward_once(model, seed=step)
        flow.update(step=10 * step)
        optimizer.step()
        assert flow.history[-1] == flow.norms
    assert flow.steps == [0, 10, 20, 30, 40] and len(flow.history) == 5
    assert flow.chart.value != first_picture            # the first update draws at once
    drawn = flow.chart.value
    flow.update(step=50)                                # within the hour: no redraw
    assert flow.chart.value == drawn
    flow.draw()
    assert flow.chart.value != drawn and "Step 50 (6 recorded)" in flow.caption.value


def test_a_layer_without_gradient():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model[1].weight.grad = edunet.ones(2, 2)             # only the second layer has one
    flow = gradient_flow(model)
    assert flow.norms["0 (Linear)"] is None
    assert any("0 (Linear) has no gradient" in alert for alert in flow.alerts)


def test_the_caption_lists_a_few_alerts_and_counts_the_rest():
    """Ten vanishing layers raise ten alerts; the caption shows three and says how many more."""
    edunet.manual_seed(1)
    layers = []
    for _ in range(10):
        layers += [nn.Linear(32, 32), nn.Sigmoid()]
    network = nn.Sequential(*layers, nn.Linear(32, 1))
    nn.MSELoss()(network(edunet.randn(64, 32)), edunet.randn(64, 1)).backward()
    flow = gradient_flow(network)
    assert len(flow.alerts) > 3
    caption = flow.caption.value
    assert sum(alert in caption for alert in flow.alerts) == 3
    assert f"... and {len(flow.alerts) - 3} more alerts like these" in caption
