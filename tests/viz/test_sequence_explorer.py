"""viz.sequence_explorer: hidden states and ||dL/dh_t|| equal PyTorch's, step by step."""

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import edunet  # noqa: E402
from edunet import nn  # noqa: E402
from edunet.viz.sequence_explorer import (hidden_states_and_gradients,  # noqa: E402
                                          run_step_by_step, sequence_explorer)

KINDS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


class Model(nn.Module):
    def __init__(self, kind, batch_first=True):
        super().__init__()
        self.recurrent = KINDS[kind](2, 5, batch_first=batch_first)
        self.head = nn.Linear(5, 2)
        self.batch_first = batch_first

    def forward(self, x):
        output, _ = self.recurrent(x)
        return self.head(output[:, -1] if self.batch_first else output[-1])


def make_batch(length):
    return edunet.randn(3, length, 2), edunet.randint(0, 2, (3,))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("batch_first", [True, False])
def test_step_by_step_equals_the_layer(kind, batch_first):
    edunet.manual_seed(0)
    layer = KINDS[kind](2, 5, batch_first=batch_first)
    inputs = edunet.randn(3, 7, 2) if batch_first else edunet.randn(7, 3, 2)
    expected, expected_final = layer(inputs)
    output, final = run_step_by_step(layer, inputs)
    assert edunet.allclose(output, expected, atol=1e-6)
    for ours, theirs in zip(final if kind == "LSTM" else [final],
                            expected_final if kind == "LSTM" else [expected_final]):
        assert edunet.allclose(ours, theirs, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_states_and_gradient_norms_equal_pytorch(kind):
    torch = pytest.importorskip("torch")
    edunet.manual_seed(4)
    model = Model(kind)
    inputs, targets = make_batch(6)
    states, norms = hidden_states_and_gradients(model, inputs, targets, nn.CrossEntropyLoss())

    layer = getattr(torch.nn, kind + "Cell")(2, 5)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(layer, name).copy_(torch.tensor(getattr(model.recurrent, name + "_l0")
                                                    .detach().numpy()))
    head = torch.nn.Linear(5, 2)
    with torch.no_grad():
        head.weight.copy_(torch.tensor(model.head.weight.detach().numpy()))
        head.bias.copy_(torch.tensor(model.head.bias.detach().numpy()))
    x = torch.tensor(inputs.numpy())
    hidden = torch.zeros(3, 5)
    cell = torch.zeros(3, 5)
    kept = []
    for step in range(6):
        if kind == "LSTM":
            hidden, cell = layer(x[:, step], (hidden, cell))
        else:
            hidden = layer(x[:, step], hidden)
        hidden.retain_grad()
        kept.append(hidden)
    torch.nn.functional.cross_entropy(head(hidden), torch.tensor(targets.numpy())).backward()
    expected_states = numpy.stack([h[0].detach().numpy() for h in kept])
    expected_norms = numpy.array([h.grad.norm().item() for h in kept])
    numpy.testing.assert_allclose(states, expected_states, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(norms, expected_norms, rtol=1e-4, atol=1e-10)


def test_looking_changes_nothing():
    edunet.manual_seed(1)
    model = Model("LSTM")
    model.train()
    for parameter in model.parameters():
        parameter.grad = None
    edunet.manual_seed(7)
    expected = edunet.rand(2)
    edunet.manual_seed(7)
    sequence_explorer({"LSTM": model}, make_batch, length=5)
    assert edunet.equal(edunet.rand(2), expected)          # the learner's random numbers
    assert all(parameter.grad is None for parameter in model.parameters())
    assert model.training and "forward" not in model.recurrent.__dict__


def test_the_sliders_recompute_and_redraw():
    edunet.manual_seed(2)
    models = {"RNN": Model("RNN"), "GRU": Model("GRU")}
    widget = sequence_explorer(models, make_batch, length=8, max_length=20)
    assert set(widget.states) == {"RNN", "GRU"}
    assert widget.states["RNN"].shape == (8, 5) and widget.gradient_norms["GRU"].shape == (8,)
    assert widget.time_step.max == 8
    widget.time_step.value = 3
    norm = widget.gradient_norms["RNN"][2]
    assert widget.caption.value.startswith("t = 3 of 8:") and f"RNN {norm:.1e}" in (
        widget.caption.value)
    before = widget.figure.value
    widget.length.value = 12
    assert widget.states["RNN"].shape == (12, 5) and widget.time_step.max == 12
    assert widget.figure.value != before and "t = 3 of 12" in widget.caption.value
    # the same batch (seeded) each time: the numbers at length 8 come back
    widget.length.value = 8
    assert widget.gradient_norms["RNN"][2] == pytest.approx(norm)


def test_the_last_step_gets_the_biggest_gradient_in_a_plain_rnn():
    edunet.manual_seed(0)
    widget = sequence_explorer({"RNN": Model("RNN")}, make_batch, length=30)
    norms = widget.gradient_norms["RNN"]
    assert norms[0] < 1e-3 * norms[-1]           # vanishing through time


def test_clear_errors():
    with pytest.raises(TypeError, match="dict"):
        sequence_explorer(Model("RNN"), make_batch)
    with pytest.raises(ValueError, match="no nn.RNN"):
        sequence_explorer({"MLP": nn.Sequential(nn.Linear(2, 2))}, make_batch)
    with pytest.raises(ValueError, match="num_layers=1"):
        sequence_explorer({"deep": nn.Sequential(nn.LSTM(2, 3, num_layers=2))}, make_batch)
