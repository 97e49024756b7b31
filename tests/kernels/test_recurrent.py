"""The fast LSTM layer (edunet/kernels/recurrent.py) gives the reference's numbers
(edunet/ops/recurrent.py): outputs, states and every gradient."""

import numpy
import pytest

import edunet
from edunet import kernels, nn
from edunet.kernels import compiled

FAST_PATHS = ["numpy"] + (["compiled"] if compiled.available() else [])


@pytest.mark.parametrize("path", FAST_PATHS)
@pytest.mark.parametrize("options", [dict(), dict(bias=False), dict(num_layers=2),
                                     dict(bidirectional=True), dict(batch_first=True)])
def test_fast_lstm_equals_the_reference(options, path, monkeypatch):
    monkeypatch.setattr(compiled, "ENABLED", path == "compiled")
    edunet.manual_seed(0)
    lstm = nn.LSTM(3, 5, dtype=edunet.float64, **options)
    random = numpy.random.default_rng(1)
    x = random.standard_normal((7, 2, 3))
    upstream = None

    def run():
        nonlocal upstream
        lstm.zero_grad()
        inputs = edunet.tensor(x, requires_grad=True)
        output, (hidden, cell) = lstm(inputs)
        if upstream is None:
            upstream = [random.standard_normal(tuple(t.shape)) for t in (output, hidden, cell)]
        total = sum((t * edunet.tensor(u)).sum() for t, u in zip((output, hidden, cell), upstream))
        total.backward()
        return ([t.detach().numpy() for t in (output, hidden, cell)] + [inputs.grad.numpy()]
                + [p.grad.numpy() for p in lstm.parameters()])

    fast = run()
    with kernels.reference():
        reference = run()
    assert len(fast) == len(reference)
    for ours, expected in zip(fast, reference):
        numpy.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def test_second_backward_through_a_fast_layer_raises_like_the_reference():
    lstm = nn.LSTM(2, 3)
    output = lstm(edunet.randn(4, 1, 2))[0].sum()
    output.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        output.backward()
