"""RNN, LSTM, GRU and their cells vs PyTorch: state dicts, forward, backward, errors, reprs."""

import math
import warnings

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edunet
from edunet import nn
from tests.kernel_paths import kernel_path  # noqa: F401  (the fixture)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("kernel_path")   # the LSTM's fast path and its reference

FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}
INPUT_SIZE, HIDDEN_SIZE, STEPS, BATCH = 5, 6, 4, 3


# ---------------------------------------------------------------- helpers
def torch_to_edunet(state_dict):
    return {name: edunet.tensor(value.detach().numpy()) for name, value in state_dict.items()}


def edunet_to_torch(state_dict):
    return {name: torch.tensor(value.detach().numpy()) for name, value in state_dict.items()}


def layer_pair(name, **options):
    """(ours, theirs): the same layer in both libraries, with PyTorch's weights copied into ours."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(**options)
    ours = getattr(nn, name)(**options)
    ours.load_state_dict(torch_to_edunet(theirs.state_dict()))
    return ours, theirs


def random_array(shape, seed):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def as_list(result):
    """(output, h_n) or (output, (h_n, c_n)) or h' or (h', c') -> a flat list of tensors."""
    if not isinstance(result, tuple):
        return [result]
    flat = []
    for item in result:
        flat.extend(as_list(item))
    return flat


def compare_forward_and_backward(ours, theirs, inputs, seed=1):
    """Run both with the same inputs (arrays; a tuple means an (h, c) pair); compare the outputs,
    then the gradients of a weighted sum of every output w.r.t. every input and parameter."""
    def tensors(lib):
        def make(value):
            if isinstance(value, tuple):
                return tuple(make(part) for part in value)
            if value is None:
                return None
            return lib.tensor(value, requires_grad=True)
        return [make(value) for value in inputs]

    our_inputs, their_inputs = tensors(edunet), tensors(torch)
    our_outputs, their_outputs = as_list(ours(*our_inputs)), as_list(theirs(*their_inputs))
    assert len(our_outputs) == len(their_outputs)
    our_loss, their_loss = 0, 0
    for index, (mine, other) in enumerate(zip(our_outputs, their_outputs)):
        assert tuple(mine.shape) == tuple(other.shape)
        numpy.testing.assert_allclose(mine.detach().numpy(), other.detach().numpy(), **FLOAT32)
        weight = random_array(tuple(mine.shape), seed + index)
        our_loss = our_loss + (mine * edunet.tensor(weight)).sum()
        their_loss = their_loss + (other * torch.tensor(weight)).sum()
    our_loss.backward()
    their_loss.backward()
    for mine, other in zip(as_list(tuple(our_inputs)), as_list(tuple(their_inputs))):
        if mine is not None:
            numpy.testing.assert_allclose(mine.grad.numpy(), other.grad.numpy(), **FLOAT32)
    their_parameters = dict(theirs.named_parameters())
    for name, mine in ours.named_parameters():
        other = their_parameters[name]
        numpy.testing.assert_allclose(mine.grad.numpy(), other.grad.numpy(), **FLOAT32,
                                      err_msg=f"gradient of {name}")


# ---------------------------------------------------------------- layers vs PyTorch
LAYERS = [("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}),
          ("GRU", {})]
OPTIONS = [  # (options, batched, with initial state)
    ({}, True, False),
    ({"num_layers": 2}, True, True),
    ({"bidirectional": True}, True, True),
    ({"num_layers": 2, "bidirectional": True, "batch_first": True}, True, True),
    ({"bias": False, "batch_first": True}, True, False),
    ({"num_layers": 2, "bias": False}, True, True),
    ({}, False, False),
    ({"num_layers": 2, "bidirectional": True}, False, True),
    ({"batch_first": True, "bias": False}, False, True),
]


@pytest.mark.parametrize("name, layer_options", LAYERS, ids=lambda v: str(v))
@pytest.mark.parametrize("options, batched, with_state", OPTIONS, ids=str)
def test_layer_forward_and_gradients_match_torch(name, layer_options, options, batched, with_state):
    ours, theirs = layer_pair(name, input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE,
                              **layer_options, **options)
    layout = (BATCH, STEPS) if options.get("batch_first") else (STEPS, BATCH)
    input_shape = (*layout, INPUT_SIZE) if batched else (STEPS, INPUT_SIZE)
    inputs = [random_array(input_shape, 0)]
    if with_state:
        layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
        state_shape = (layers, BATCH, HIDDEN_SIZE) if batched else (layers, HIDDEN_SIZE)
        hidden = random_array(state_shape, 10)
        inputs.append((hidden, random_array(state_shape, 11)) if name == "LSTM" else hidden)
    compare_forward_and_backward(ours, theirs, inputs)


@settings(max_examples=12)
@given(name=st.sampled_from(["RNN", "LSTM", "GRU"]), sizes=st.tuples(*[st.integers(1, 4)] * 4),
       num_layers=st.integers(1, 3), bidirectional=st.booleans(), batch_first=st.booleans(),
       seed=st.integers(0, 1000))
def test_random_sizes_match_torch(name, sizes, num_layers, bidirectional, batch_first, seed):
    steps, batch, input_size, hidden_size = sizes
    ours, theirs = layer_pair(name, input_size=input_size, hidden_size=hidden_size,
                              num_layers=num_layers, bidirectional=bidirectional,
                              batch_first=batch_first)
    shape = (batch, steps, input_size) if batch_first else (steps, batch, input_size)
    compare_forward_and_backward(ours, theirs, [random_array(shape, seed)], seed=seed)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layer_runs_on_every_device(device, name):
    ours, theirs = layer_pair(name, input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    ours.to(device)
    x = random_array((5, 2, 3), 0)
    our_x, their_x = edunet.tensor(x, device=device, requires_grad=True), torch.tensor(x)
    our_outputs, their_outputs = as_list(ours(our_x)), as_list(theirs(their_x))
    for mine, other in zip(our_outputs, their_outputs):
        assert mine.device.type == edunet.device(device).type
        numpy.testing.assert_allclose(mine.detach().cpu().numpy(), other.detach().numpy(),
                                      **FLOAT32)
    sum(output.sum() for output in our_outputs).backward()
    assert our_x.grad.device.type == edunet.device(device).type
    assert all(p.grad.device.type == edunet.device(device).type for p in ours.parameters())


def test_output_shapes_follow_torch():
    ours = nn.LSTM(32, 64, num_layers=2, batch_first=True, bidirectional=True)
    output, (hidden, cell) = ours(edunet.randn(8, 35, 32))
    assert tuple(output.shape) == (8, 35, 128)
    assert tuple(hidden.shape) == tuple(cell.shape) == (4, 8, 64)
    output, hidden = nn.GRU(3, 4)(edunet.randn(7, 3))
    assert tuple(output.shape) == (7, 4) and tuple(hidden.shape) == (1, 4)


def test_a_batch_of_zero_sequences_works_as_in_torch():
    ours, theirs = layer_pair("GRU", input_size=3, hidden_size=4)
    output, hidden = ours(edunet.zeros(5, 0, 3))
    their_output, their_hidden = theirs(torch.zeros(5, 0, 3))
    assert tuple(output.shape) == tuple(their_output.shape)
    assert tuple(hidden.shape) == tuple(their_hidden.shape)


# ---------------------------------------------------------------- cells vs PyTorch
CELLS = [("RNNCell", {"nonlinearity": "tanh"}), ("RNNCell", {"nonlinearity": "relu"}),
         ("LSTMCell", {}), ("GRUCell", {})]


@pytest.mark.parametrize("name, cell_options", CELLS, ids=str)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_forward_and_gradients_match_torch(name, cell_options, batched, with_state, bias):
    ours, theirs = layer_pair(name, input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE, bias=bias,
                              **cell_options)
    inputs = [random_array((BATCH, INPUT_SIZE) if batched else (INPUT_SIZE,), 0)]
    if with_state:
        shape = (BATCH, HIDDEN_SIZE) if batched else (HIDDEN_SIZE,)
        hidden = random_array(shape, 10)
        inputs.append((hidden, random_array(shape, 11)) if name == "LSTMCell" else hidden)
    compare_forward_and_backward(ours, theirs, inputs)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_in_a_loop_over_time_matches_torch(name):
    """The weights are shared by every step, so their gradients add up over time."""
    ours, theirs = layer_pair(name, input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE)
    sequence = random_array((STEPS, BATCH, INPUT_SIZE), 0)
    results = []
    for lib, cell in ((edunet, ours), (torch, theirs)):
        inputs = lib.tensor(sequence, requires_grad=True)
        state = None
        total = 0
        for time in range(STEPS):
            state = cell(inputs[time], state)
            hidden = state[0] if name == "LSTMCell" else state
            total = total + (hidden * (time + 1)).sum()
        total.backward()
        results.append((hidden.detach().numpy(), inputs.grad.numpy(),
                        [parameter.grad.numpy() for parameter in cell.parameters()]))
    (our_hidden, our_grad, our_parameters), (their_hidden, their_grad, their_parameters) = results
    numpy.testing.assert_allclose(our_hidden, their_hidden, **FLOAT32)
    numpy.testing.assert_allclose(our_grad, their_grad, **FLOAT32)
    for mine, other in zip(our_parameters, their_parameters):
        numpy.testing.assert_allclose(mine, other, **FLOAT32)


# ---------------------------------------------------------------- state dicts, parameters, init
STATE_DICT_CASES = [
    ("RNN", {"num_layers": 2, "bidirectional": True}), ("LSTM", {"num_layers": 3}),
    ("GRU", {"bidirectional": True, "bias": False}), ("LSTM", {"num_layers": 2, "bias": False}),
    ("RNNCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}),
]


@pytest.mark.parametrize("name, options", STATE_DICT_CASES, ids=str)
def test_state_dict_keys_and_shapes_match_torch_and_move_both_ways(name, options):
    edunet.manual_seed(0)
    ours = getattr(nn, name)(input_size=3, hidden_size=4, **options)
    theirs = getattr(torch.nn, name)(input_size=3, hidden_size=4, **options)
    our_state, their_state = ours.state_dict(), theirs.state_dict()
    assert list(our_state) == list(their_state)
    assert [tuple(v.shape) for v in our_state.values()] == [tuple(v.shape) for v in
                                                              their_state.values()]
    assert [name for name, _ in ours.named_parameters()] == list(their_state)
    # ours -> torch: PyTorch with our weights computes what we compute.
    theirs.load_state_dict(edunet_to_torch(our_state))
    cell = name.endswith("Cell")
    x = random_array((2, 3) if cell else (5, 2, 3), 0)
    ours_out, theirs_out = as_list(ours(edunet.tensor(x))), as_list(theirs(torch.tensor(x)))
    for mine, other in zip(ours_out, theirs_out):
        numpy.testing.assert_allclose(mine.detach().numpy(), other.detach().numpy(), **FLOAT32)
    # torch -> ours, after changing theirs: every value arrives.
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.mul_(-2)
    ours.load_state_dict(torch_to_edunet(theirs.state_dict()))
    for key, value in ours.state_dict().items():
        numpy.testing.assert_array_equal(value.numpy(), theirs.state_dict()[key].numpy())


def test_bias_false_registers_no_biases_as_in_torch():
    layer = nn.LSTM(3, 4, bias=False)
    assert [name for name, _ in layer.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    cell = nn.GRUCell(3, 4, bias=False)
    assert cell.bias_ih is None and cell.bias_hh is None


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_default_init_is_uniform_in_one_over_sqrt_hidden(name):
    edunet.manual_seed(0)
    layer = getattr(nn, name)(50, 64)
    bound = 1 / math.sqrt(64)
    for parameter_name, parameter in layer.named_parameters():
        assert parameter.dtype == edunet.float32
        assert parameter.abs().max().item() <= bound, parameter_name
    values = numpy.concatenate([p.detach().numpy().ravel() for p in layer.parameters()])
    assert numpy.abs(values).max() > 0.99 * bound  # spread over the whole range
    assert abs(values.std() / (bound / math.sqrt(3)) - 1) < 0.03  # the std of U(-b, b)


def test_dtype_argument_and_double_work():
    layer = nn.GRU(3, 4, dtype=edunet.float64)
    assert all(parameter.dtype == edunet.float64 for parameter in layer.parameters())
    output, hidden = layer(edunet.randn(5, 2, 3, dtype=edunet.float64))
    assert output.dtype == hidden.dtype == edunet.float64
    assert nn.LSTMCell(3, 4).double()(edunet.randn(2, 3, dtype=edunet.float64))[0].dtype == \
        edunet.float64


def test_attributes_follow_torch():
    for lib in (edunet, torch):
        layer = lib.nn.RNN(3, 4, num_layers=2, nonlinearity="relu", dropout=1, batch_first=True)
        assert (layer.mode, layer.nonlinearity, layer.dropout, type(layer.dropout)) == \
            ("RNN_RELU", "relu", 1.0, float)
        assert (layer.input_size, layer.hidden_size, layer.num_layers, layer.batch_first,
                layer.bidirectional, layer.bias, layer.proj_size) == (3, 4, 2, True, False, True, 0)
        assert [len(weights) for weights in lib.nn.GRU(3, 4, 2, bidirectional=True).all_weights] \
            == [4, 4, 4, 4]
        assert lib.nn.LSTM(3, 4).mode == "LSTM" and lib.nn.GRU(3, 4).mode == "GRU"


# ---------------------------------------------------------------- gradcheck (float64)
def call_with_parameters(module, names, values, *inputs):
    """module(*inputs) with its parameters replaced by ``values`` (so gradcheck can nudge them)."""
    saved = dict(module._parameters)
    module._parameters.update(zip(names, values))
    try:
        return module(*inputs)
    finally:
        module._parameters.update(saved)


@pytest.mark.parametrize("name, options", [
    ("RNN", {"num_layers": 2, "bidirectional": True}),
    ("RNN", {"nonlinearity": "relu", "batch_first": True}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("RNNCell", {}), ("LSTMCell", {}), ("GRUCell", {"bias": False}),
], ids=str)
def test_gradcheck(name, options):
    edunet.manual_seed(0)
    layer = getattr(nn, name)(2, 2, dtype=edunet.float64, **options)
    cell = name.endswith("Cell")
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    x_shape = (2, 2) if cell else (2, 3, 2) if options.get("batch_first") else (3, 2, 2)
    x = edunet.randn(*x_shape, dtype=edunet.float64, requires_grad=True)
    state_shape = (2, 2) if cell else (layers, 2, 2)
    states = [edunet.randn(*state_shape, dtype=edunet.float64, requires_grad=True)
              for _ in range(2 if name.startswith("LSTM") else 1)]
    names = [parameter_name for parameter_name, _ in layer.named_parameters()]
    parameters = [parameter.detach().clone().requires_grad_() for parameter in layer.parameters()]

    def function(x, *rest):
        given_states, values = rest[:len(states)], rest[len(states):]
        hx = tuple(given_states) if len(given_states) == 2 else given_states[0]
        return as_list(call_with_parameters(layer, names, values, x, hx))

    assert edunet.gradcheck(function, (x, *states, *parameters))


# ---------------------------------------------------------------- fused layers vs step by step
@pytest.mark.parametrize("name, layer_options", LAYERS, ids=lambda v: str(v))
@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True},
                                     {"bias": False, "batch_first": True}], ids=str)
def test_fused_layers_equal_the_cells_chained_over_time(name, layer_options, options):
    """nn.RNN/LSTM/GRU run each layer as one op (edunet/ops/recurrent.py); with
    step_by_step=True they chain the cells and let autograd do BPTT. Same numbers (float64)."""
    edunet.manual_seed(0)
    fused = getattr(nn, name)(3, 4, dtype=edunet.float64, **layer_options, **options)
    chained = getattr(nn, name)(3, 4, dtype=edunet.float64, **layer_options, **options)
    chained.load_state_dict(fused.state_dict())
    chained.step_by_step = True
    shape = (2, 5, 3) if options.get("batch_first") else (5, 2, 3)
    x = numpy.random.default_rng(0).standard_normal(shape)
    results = []
    for layer in (fused, chained):
        inputs = edunet.tensor(x, requires_grad=True)
        outputs = as_list(layer(inputs))
        sum((output * (index + 1)).sum() for index, output in enumerate(outputs)).backward()
        results.append([output.detach().numpy() for output in outputs]
                       + [inputs.grad.numpy()] + [p.grad.numpy() for p in layer.parameters()])
    assert fused.weight_ih_l0.grad is not None
    for ours, reference in zip(*results):
        numpy.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_saturated_gates_match_torch_without_warnings(name):
    """Inputs of size 100 drive every sigmoid to 0 or 1 (e^-x overflows): no warning, and
    the same outputs and gradients as PyTorch, up to float32 rounding of the largest one
    (weight gradients reach ~500 here, and PyTorch's own float32 is off by ~5e-5)."""
    ours, theirs = layer_pair(name, input_size=3, hidden_size=4)
    x = random_array((6, 2, 3), 3) * 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        our_outputs = as_list(ours(edunet.tensor(x)))
        sum(output.sum() for output in our_outputs).backward()
    their_outputs = as_list(theirs(torch.tensor(x)))
    sum(output.sum() for output in their_outputs).backward()
    pairs = [(mine.detach().numpy(), other.detach().numpy())
             for mine, other in zip(our_outputs, their_outputs)]
    pairs += [(ours.get_parameter(name).grad.numpy(), parameter.grad.numpy())
              for name, parameter in theirs.named_parameters()]
    for mine, other in pairs:
        numpy.testing.assert_allclose(mine, other, rtol=1e-4,
                                      atol=1e-6 * max(1.0, numpy.abs(other).max()))


def test_fused_layer_under_no_grad_keeps_no_graph_and_reuses_its_memory():
    from edunet.kernels import workspace
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = edunet.tensor(random_array((7, 2, 3), 0))
    with edunet.no_grad():
        first = lstm(x)[0]
        spares = workspace._spare_bytes
        second = lstm(x)[0]
        assert workspace._spare_bytes == spares
    assert first.grad_fn is None
    numpy.testing.assert_array_equal(first.numpy(), second.numpy())


def test_only_the_needed_gradients_are_computed():
    """An input that needs no gradient gets none; parameters still get theirs."""
    ours, theirs = layer_pair("LSTM", input_size=3, hidden_size=4)
    x = random_array((5, 2, 3), 0)
    output, _ = ours(edunet.tensor(x))
    output.sum().backward()
    their_output, _ = theirs(torch.tensor(x))
    their_output.sum().backward()
    for name, parameter in theirs.named_parameters():
        numpy.testing.assert_allclose(ours.get_parameter(name).grad.numpy(),
                                      parameter.grad.numpy(), **FLOAT32)


# ---------------------------------------------------------------- train / eval: dropout
def test_dropout_between_layers_only_in_training():
    ours, theirs = layer_pair("LSTM", input_size=3, hidden_size=4, num_layers=2, dropout=0.5)
    assert ours.behaves_differently_in_training
    assert not nn.LSTM(3, 4, num_layers=2).behaves_differently_in_training
    x = random_array((6, 2, 3), 0)
    ours.eval()
    theirs.eval()
    eval_output = ours(edunet.tensor(x))[0].detach().numpy()
    numpy.testing.assert_allclose(eval_output, theirs(torch.tensor(x))[0].detach().numpy(),
                                  **FLOAT32)
    ours.train()
    edunet.manual_seed(0)
    first = ours(edunet.tensor(x))[0].detach().numpy()
    second = ours(edunet.tensor(x))[0].detach().numpy()
    assert not numpy.allclose(first, eval_output) and not numpy.allclose(first, second)
    edunet.manual_seed(0)
    numpy.testing.assert_array_equal(ours(edunet.tensor(x))[0].detach().numpy(), first)


def test_dropout_with_one_layer_warns_as_in_torch():
    for lib in (edunet, torch):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
            lib.nn.GRU(3, 4, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.GRU(3, 4, num_layers=2, dropout=0.2)


# ---------------------------------------------------------------- reprs
REPRS = [
    lambda lib: lib.nn.LSTM(32, 64, num_layers=2, batch_first=True),
    lambda lib: lib.nn.RNN(3, 4),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="relu"),
    lambda lib: lib.nn.RNN(3, 4, 2, "relu", False, True, 0.5, True),
    lambda lib: lib.nn.GRU(3, 4, num_layers=3, dropout=1),
    lambda lib: lib.nn.GRU(3, 4, bidirectional=True, bias=False),
    lambda lib: lib.nn.LSTM(10, 20, dropout=0.0),
    lambda lib: lib.nn.RNNCell(3, 4),
    lambda lib: lib.nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    lambda lib: lib.nn.LSTMCell(3, 4),
    lambda lib: lib.nn.GRUCell(3, 4, bias=False),
    lambda lib: lib.nn.Sequential(lib.nn.LSTM(3, 4), lib.nn.Linear(4, 2)),
]


@pytest.mark.parametrize("make", REPRS)
def test_reprs_match_torch(make):
    assert repr(make(edunet)) == repr(make(torch))


# ---------------------------------------------------------------- errors teach
def raised(make_call):
    """The exception that make_call(lib) raises with edunet and with torch."""
    results = []
    for lib in (edunet, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                make_call(lib)
            except Exception as error:  # noqa: BLE001 - comparing the types is the point
                results.append(error)
            else:
                results.append(None)
    return results


ERRORS = {  # name: (call, words our message must contain)
    "input size": (lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 6)), ["Expected 3, got 6"]),
    "input 4-D": (lambda lib: lib.nn.GRU(3, 4)(lib.randn(1, 5, 2, 3)), ["2D or 3D", "got 4D"]),
    "input 1-D": (lambda lib: lib.nn.RNN(3, 4)(lib.randn(3)), ["got 1D"]),
    "h0 shape": (lambda lib: lib.nn.GRU(3, 4, num_layers=2)(lib.randn(5, 2, 3), lib.randn(1, 2, 4)),
                 ["(2, 2, 4)", "[1, 2, 4]"]),
    "c0 shape": (lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4),
                                                                    lib.randn(1, 3, 4))),
                 ["hidden[1]", "(1, 2, 4)", "[1, 3, 4]"]),
    "h0 2-D for batched": (lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3), lib.randn(1, 4)),
                           ["3-D", "2-D"]),
    "h0 3-D for unbatched": (lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 3), (lib.randn(1, 1, 4),
                                                                              lib.randn(1, 1, 4))),
                             ["2-D", "3-D"]),
    "unbatched h0 shape": (lambda lib: lib.nn.RNN(3, 4, bidirectional=True)(lib.randn(5, 3),
                                                                             lib.randn(1, 4)),
                           ["(2, 4)", "[1, 4]"]),
    "empty sequence": (lambda lib: lib.nn.RNN(3, 4)(lib.zeros(0, 2, 3)), ["sequence length"]),
    "dtype": (lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3).double()), ["dtype", "float64"]),
    "nonlinearity": (lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"), ["'tanh' or 'relu'"]),
    "dropout range": (lambda lib: lib.nn.LSTM(3, 4, dropout=1.5), ["[0, 1]"]),
    "dropout bool": (lambda lib: lib.nn.LSTM(3, 4, dropout=True), ["[0, 1]"]),
    "num_layers": (lambda lib: lib.nn.GRU(3, 4, num_layers=0), ["greater than zero"]),
    "hidden_size": (lambda lib: lib.nn.GRU(3, 0), ["greater than zero"]),
    "hidden_size type": (lambda lib: lib.nn.RNN(3, 4.0), ["int", "float"]),
    "proj_size negative": (lambda lib: lib.nn.LSTM(3, 4, proj_size=-1), ["proj_size"]),
    "cell input size": (lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 5)), ["got 5 expected 3"]),
    "cell input 3-D": (lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(1, 2, 3)), ["1D or 2D"]),
    "cell batch": (lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(3, 4)),
                   ["batch size 2", "batch size 3"]),
    "cell hidden size": (lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 3), lib.randn(2, 5)),
                         ["got 5, expected 4"]),
    "cell c size": (lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(2, 4),
                                                                        lib.randn(2, 5))),
                    ["hidden1", "got 5, expected 4"]),
}


@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_errors_have_torch_types_and_name_expected_and_got(case):
    make_call, words = ERRORS[case]
    ours, theirs = raised(make_call)
    assert theirs is not None and type(ours) is type(theirs), (ours, theirs)
    for word in words:
        assert word in str(ours), (word, str(ours))


def test_our_messages_name_the_layer():
    with pytest.raises(RuntimeError, match=r"LSTM\(3, 4, num_layers=2\) expects"):
        nn.LSTM(3, 4, num_layers=2)(edunet.randn(5, 2, 6))
    with pytest.raises(RuntimeError, match=r"GRU\(3, 4\) needs hx of shape"):
        nn.GRU(3, 4)(edunet.randn(5, 2, 3), edunet.randn(1, 3, 4))


def test_errors_where_we_differ_from_torch():
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="'tanh' or 'relu'"):  # torch waits for forward
        nn.RNNCell(3, 4, nonlinearity="x")
    with pytest.raises(RuntimeError, match=r"tuple \(h_0, c_0\)"):
        nn.LSTM(3, 4)(edunet.randn(5, 2, 3), edunet.randn(1, 2, 4))
    with pytest.raises(TypeError, match="one Tensor"):
        nn.GRU(3, 4)(edunet.randn(5, 2, 3), (edunet.randn(1, 2, 4),))
    with pytest.raises(TypeError, match="tuple"):
        nn.LSTMCell(3, 4)(edunet.randn(2, 3), edunet.randn(2, 4))
    with pytest.raises(RuntimeError, match="1-D like the input"):
        nn.GRUCell(3, 4)(edunet.randn(3), edunet.randn(1, 4))
