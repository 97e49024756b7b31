"""Exercise checks of "09 Sequences": right answers pass, typical mistakes fail with a hint."""

import pytest

import edunet
from edunet import nn
from edunet.exercises import sequences


def passes(result):
    return bool(result) and result.hint is None


def fails_with(result, *words):
    """The check failed, its hints are there, and together they mention each of ``words``."""
    assert not result, repr(result)
    assert result.hint, f"no hint: {result!r}"
    hints = " ".join(result.hints)
    for word in words:
        assert word in hints, f"{word!r} not in the hints: {hints}"
    return True


def test_lstm_parameters_against_the_layer_and_pytorch():
    right = sum(p.numel() for p in nn.LSTM(10, 20).parameters())
    assert passes(sequences.lstm_parameters(right))
    assert passes(sequences.lstm_parameters(edunet.tensor(2560)))
    assert passes(sequences.lstm_parameters(2560.0))
    torch = pytest.importorskip("torch")
    assert right == sum(p.numel() for p in torch.nn.LSTM(10, 20).parameters()) == 2560


def test_lstm_parameters_typical_slips():
    assert fails_with(sequences.lstm_parameters(640), "four")           # one gate
    assert fails_with(sequences.lstm_parameters(1920), "GRU")           # three gates
    assert fails_with(sequences.lstm_parameters(4 * 620), "two bias")   # one bias per gate
    assert fails_with(sequences.lstm_parameters(4 * 220), "W_hh")       # no recurrent weights
    assert fails_with(sequences.lstm_parameters(12345), "named_parameters")
    assert fails_with(sequences.lstm_parameters(None), "None")
    assert fails_with(sequences.lstm_parameters("2560"), "int")
    assert fails_with(sequences.lstm_parameters(2560.5))
    assert fails_with(sequences.lstm_parameters(True))


def test_gru_shapes_match_the_layer_and_pytorch():
    output, h_n = nn.GRU(8, 16, batch_first=True)(edunet.zeros(4, 30, 8))
    assert passes(sequences.gru_shapes(output.shape, h_n.shape))
    assert passes(sequences.gru_shapes((4, 30, 16), [1, 4, 16]))
    torch = pytest.importorskip("torch")
    output, h_n = torch.nn.GRU(8, 16, batch_first=True)(torch.zeros(4, 30, 8))
    assert passes(sequences.gru_shapes(tuple(output.shape), tuple(h_n.shape)))


def test_gru_shapes_typical_slips():
    assert fails_with(sequences.gru_shapes((30, 4, 16), (1, 4, 16)), "batch_first")
    assert fails_with(sequences.gru_shapes((4, 30, 16), (4, 16)), "num_layers")
    assert fails_with(sequences.gru_shapes((4, 30, 16), (4, 1, 16)), "num_layers")
    assert fails_with(sequences.gru_shapes((4, 30, 8), (1, 4, 16)), "hidden_size")
    assert fails_with(sequences.gru_shapes((4, 16), (1, 4, 16)), "per time step")
    assert fails_with(sequences.gru_shapes((4, 30, 16), (1, 30, 16)), "last step")
    assert fails_with(sequences.gru_shapes(None, None), "tuple")
    assert fails_with(sequences.gru_shapes("4, 30, 16", (1, 4, 16)), "tuple")


def right_open_forget_gate(lstm, value):
    h = lstm.hidden_size
    with edunet.no_grad():
        lstm.bias_ih_l0[h:2 * h] = value
        lstm.bias_hh_l0[h:2 * h] = 0.0


def split_between_biases(lstm, value):
    h = lstm.hidden_size
    with edunet.no_grad():
        lstm.bias_ih_l0[h:2 * h] = value / 2
        lstm.bias_hh_l0[h:2 * h] = value / 2


def first_block(lstm, value):            # the input gate, not the forget gate
    h = lstm.hidden_size
    with edunet.no_grad():
        lstm.bias_ih_l0[:h] = value
        lstm.bias_hh_l0[:h] = 0.0


def only_one_bias(lstm, value):          # bias_hh still adds its random values
    h = lstm.hidden_size
    with edunet.no_grad():
        lstm.bias_ih_l0[h:2 * h] = value


def whole_bias(lstm, value):             # every gate, not only the forget gate
    with edunet.no_grad():
        lstm.bias_ih_l0.fill_(value)
        lstm.bias_hh_l0.zero_()


def test_open_forget_gate_accepts_right_functions_and_the_gate_really_opens():
    assert passes(sequences.open_forget_gate(right_open_forget_gate))
    assert passes(sequences.open_forget_gate(split_between_biases))
    # The check's idea of "forget gate" is PyTorch's: with the bias set this way and all
    # weights zero, torch's LSTM keeps sigmoid(2.5) of its cell per step.
    torch = pytest.importorskip("torch")
    lstm = torch.nn.LSTM(1, 2)
    with torch.no_grad():
        for parameter in lstm.parameters():
            parameter.zero_()
        lstm.bias_ih_l0[2:4] = 2.5
    _, (_, c_n) = lstm(torch.zeros(1, 1, 1), (torch.zeros(1, 1, 2), torch.ones(1, 1, 2)))
    assert c_n.flatten().tolist() == pytest.approx([torch.sigmoid(torch.tensor(2.5)).item()] * 2)


def test_open_forget_gate_rejects_wrong_work():
    assert fails_with(sequences.open_forget_gate(first_block), "input, forget")
    assert fails_with(sequences.open_forget_gate(only_one_bias), "bias_ih + bias_hh")
    assert fails_with(sequences.open_forget_gate(whole_bias), "leave the other gates")
    nothing = sequences.open_forget_gate(lambda lstm, value: None)
    assert not nothing and "changed nothing" in nothing.message
    assert fails_with(sequences.open_forget_gate(None), "Define")
    crash = sequences.open_forget_gate(lambda lstm, value: lstm.no_such_thing)
    assert not crash and "AttributeError" in crash.message


def test_open_forget_gate_leaves_the_learner_s_random_numbers_alone():
    edunet.manual_seed(3)
    expected = edunet.rand(3)
    edunet.manual_seed(3)
    sequences.open_forget_gate(right_open_forget_gate)
    assert edunet.equal(edunet.rand(3), expected)


def test_steps_to_vanish():
    right = next(n for n in range(1, 100) if 0.5 ** n < 1e-6)
    assert right == 20
    assert passes(sequences.steps_to_vanish(right))
    assert fails_with(sequences.steps_to_vanish(19), "0.5 ** 19")
    assert fails_with(sequences.steps_to_vanish(6), "halves")
    assert fails_with(sequences.steps_to_vanish(10), "more than a millionth")
    assert fails_with(sequences.steps_to_vanish(25), "first one")
    assert fails_with(sequences.steps_to_vanish(None), "None")
    assert fails_with(sequences.steps_to_vanish(19.93), "int")
