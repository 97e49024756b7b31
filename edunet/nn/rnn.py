"""Recurrent layers: RNN, LSTM and GRU, and the cells that compute one time step.

A recurrent layer reads a sequence x_1 ... x_T one step at a time and carries a
hidden state h_t from each step to the next (h_0 is zeros unless given):

    RNN:   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)          (or relu)

    LSTM:  i = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)          input gate
           f = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)          forget gate
           g =    tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)          candidate cell
           o = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)          output gate
           c_t = f * c_{t-1} + i * g                                   cell state
           h_t = o * tanh(c_t)

    GRU:   r = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
           z = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
           n =    tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))    candidate
           h_t = (1 - z) * n + z * h_{t-1}

As in PyTorch, the gates' matrices are stacked into one: an LSTM layer's
``weight_ih_l0`` is [W_ii; W_if; W_ig; W_io], shape (4 * hidden_size, input_size),
a GRU's is [W_ir; W_iz; W_in]. Names and shapes are PyTorch's, so a state dict
moves between the two libraries unchanged.

Shapes (T = sequence length, N = batch, H = hidden_size, L = num_layers,
D = 2 if bidirectional else 1):

    input   (T, N, input_size), (N, T, input_size) with batch_first=True,
            or (T, input_size) for one unbatched sequence
    h_0     (D * L, N, H), or (D * L, H) unbatched; an LSTM also takes c_0, same shape
    output  (T, N, D * H): the last layer's h_t at every step (N first with batch_first)
    h_n     (D * L, N, H): every layer's and direction's final state (and c_n for LSTM)

Backpropagation through time can be left to autograd: the cells below build every
step from differentiable ops (linear, sigmoid, tanh, *, +), so ``loss.backward()`` walks
the unrolled graph back through all T steps. That is how nn.LSTMCell & co. work, and how
the layers work with ``step_by_step = True``. By default a layer runs each layer and
direction as one op instead (edunet/ops/recurrent.py: the same equations, with the
backward pass through time written out by hand), because ~18 graph nodes per step
cost more than the arithmetic. Both give the same numbers.
"""

import math
import numbers
import warnings

from edunet import creation
from edunet.nn import init
from edunet.nn.module import Module
from edunet.nn.parameter import Parameter
from edunet.ops import dropout as dropout_ops
from edunet.ops import joining, recurrent
from edunet.ops.elementwise import relu, sigmoid, tanh
from edunet.ops.linalg import linear
from edunet.tensor import Tensor

GATES_PER_MODE = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------- one time step
# The cells and the layers' loops over time both call these three functions.

def rnn_cell(input, hidden, weight_ih, weight_hh, bias_ih=None, bias_hh=None, activation=tanh):
    """One Elman RNN step: h' = activation(W_ih x + b_ih + W_hh h + b_hh).

    input (N, input_size), hidden (N, H) -> h' (N, H).
    """
    return activation(linear(input, weight_ih, bias_ih) + linear(hidden, weight_hh, bias_hh))


def lstm_cell(input, hidden, cell, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One LSTM step: returns (h', c'), each (N, H); input is (N, input_size).

        i, f, g, o = the four (N, H) blocks of W_ih x + b_ih + W_hh h + b_hh
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h' = sigmoid(o) * tanh(c')
    """
    gates = linear(input, weight_ih, bias_ih) + linear(hidden, weight_hh, bias_hh)
    input_gate, forget_gate, candidate, output_gate = joining.chunk(gates, 4, dim=1)
    cell = sigmoid(forget_gate) * cell + sigmoid(input_gate) * tanh(candidate)
    hidden = sigmoid(output_gate) * tanh(cell)
    return hidden, cell


def gru_cell(input, hidden, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One GRU step: returns h', (N, H); input is (N, input_size).

        x_r, x_z, x_n = the three (N, H) blocks of W_ih x + b_ih
        h_r, h_z, h_n = the three (N, H) blocks of W_hh h + b_hh
        r = sigmoid(x_r + h_r),   z = sigmoid(x_z + h_z),   n = tanh(x_n + r * h_n)
        h' = (1 - z) * n + z * h  =  n + z * (h - n)
    """
    input_reset, input_update, input_new = joining.chunk(
        linear(input, weight_ih, bias_ih), 3, dim=1)
    hidden_reset, hidden_update, hidden_new = joining.chunk(
        linear(hidden, weight_hh, bias_hh), 3, dim=1)
    reset = sigmoid(input_reset + hidden_reset)
    update = sigmoid(input_update + hidden_update)
    new = tanh(input_new + reset * hidden_new)
    return new + update * (hidden - new)  # one op fewer than (1 - z) * n + z * h


# ---------------------------------------------------------------- checks shared by layers and cells
def _check_sizes(input_size, hidden_size):
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")


def _activation(nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
    return tanh if nonlinearity == "tanh" else relu


def _check_input_type(layer, input, weight):
    if not isinstance(input, Tensor):
        raise TypeError(f"{layer!r} expects a Tensor as input, got {type(input).__name__}. "
                        f"(Packed sequences are not supported: pad the sequences instead.)")
    if input.dtype != weight.dtype:
        raise ValueError(f"{type(layer).__name__} input dtype ({input.dtype}) does not match "
                         f"weight dtype ({weight.dtype}). Convert input: input.to({weight.dtype}), "
                         f"or convert model: model.to({input.dtype})")


def _uniform_init(module):
    """PyTorch's default: every weight and bias uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    bound = 1 / math.sqrt(module.hidden_size)
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


# ---------------------------------------------------------------- layers: whole sequences
class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction,
    the input checks, and the loops over layers, directions and time steps.

    ``mode`` is "RNN_TANH", "RNN_RELU", "LSTM" or "GRU". Inside, a state is a
    tuple: (h,) for RNN and GRU, (h, c) for LSTM.
    """

    state_names = ("hx",)  # what hx holds: one tensor, or (hx, cx) for LSTM

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        _check_sizes(input_size, hidden_size)
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size > 0:
            raise NotImplementedError(
                f"LSTM(proj_size={proj_size}) (projected hidden states, h_t = W_hr h_t) is not "
                f"supported in edunet. Use proj_size=0 and, for a smaller output, put "
                f"nn.Linear({hidden_size}, {proj_size}) after the LSTM.")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", UserWarning,
                          stacklevel=3)
        self.mode = mode
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        self.batch_first, self.dropout = batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        if self.dropout > 0:
            self.behaves_differently_in_training = True  # dropout between layers in train() only

        gate_size = GATES_PER_MODE[mode] * hidden_size
        factory = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes():
                shapes = {"weight_ih": (gate_size, layer_input_size),
                          "weight_hh": (gate_size, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                for kind, shape in shapes.items():  # PyTorch's order, so state dicts match
                    self.register_parameter(f"{kind}_l{layer}{suffix}",
                                            Parameter(creation.empty(*shape, **factory)))
        self.reset_parameters()

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    def _suffixes(self):
        """Parameter name endings, one per direction."""
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self):
        _uniform_init(self)

    def flatten_parameters(self):
        """Does nothing: PyTorch packs the weights for cuDNN here; edunet needs no packing."""

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction: [[w_ih, w_hh, b_ih, b_hh], ...]."""
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")[:4 if self.bias else 2]
        return [[getattr(self, f"{kind}_l{layer}{suffix}") for kind in kinds]
                for layer in range(self.num_layers) for suffix in self._suffixes()]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    # ------------------------------------------------------------ forward
    # How each layer runs: as one op per layer and direction, with backpropagation through
    # time written out by hand (edunet/ops/recurrent.py, fast), or, with
    # ``step_by_step = True``, as the cells above chained over time, so that autograd
    # does BPTT and the graph shows every step (slow for long sequences). Same numbers.
    step_by_step = False

    def forward(self, input, hx=None):
        batched = self._check_input(input)
        if not batched:
            input = input.unsqueeze(1)      # one sequence (T, input_size) -> a batch of one
        elif self.batch_first:
            input = input.transpose(0, 1)   # (N, T, input_size) -> (T, N, input_size)
        # One state tuple per layer and direction, e.g. [(h_0, c_0) of l0, (h_0, c_0) of l1].
        initial = self._initial_states(hx, input.shape[1], batched)
        states = list(zip(*(joining.unbind(h, 0) for h in initial)))

        layer_input, final_states = input, []
        run_direction = self._run_steps if self.step_by_step else self._run_fused
        for layer in range(self.num_layers):
            outputs = []  # per direction, (T, N, H)
            for direction, suffix in enumerate(self._suffixes()):
                output, state = run_direction(
                    layer_input, states[layer * self.num_directions + direction],
                    name=f"l{layer}{suffix}", reverse=direction == 1)
                outputs.append(output)
                final_states.append(state)
            # Both directions side by side: (T, N, 2H).
            layer_input = joining.cat(outputs, dim=2) if self.bidirectional else outputs[0]
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = dropout_ops.dropout(layer_input, p=self.dropout, training=True)

        output = layer_input                                                  # (T, N, D * H)
        final = [joining.stack(parts, dim=0) for parts in zip(*final_states)]  # h_n (, c_n)
        if not batched:
            output, final = output.squeeze(1), [h.squeeze(1) for h in final]
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, (final[0] if len(final) == 1 else tuple(final))

    def _weights(self, name):
        """w_ih, w_hh, b_ih, b_hh of one layer and direction ("l0", "l1_reverse", ...)."""
        return [getattr(self, f"{kind}_{name}") if self.bias or kind.startswith("weight")
                else None for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def _run_fused(self, input, state, name, reverse):
        """One layer in one direction as one op: input (T, N, in) -> output (T, N, H) and
        the final state tuple. ``reverse`` walks from the last step to the first."""
        weights = self._weights(name)
        steps = input.shape[0]
        last = 0 if reverse else steps - 1        # where the final hidden state sits
        if self.mode == "LSTM":
            # h_1 ... h_T, then c_T: one op has one output (see edunet/ops/recurrent.py).
            packed = recurrent.lstm_layer(input, *state, *weights, reverse=reverse)
            return packed[:steps], (packed[last], packed[steps])
        if self.mode == "GRU":
            output = recurrent.gru_layer(input, *state, *weights, reverse=reverse)
        else:
            output = recurrent.rnn_layer(input, *state, *weights, reverse=reverse,
                                         nonlinearity=self.mode[4:].lower())
        return output, (output[last],)

    def _run_steps(self, input, state, name, reverse):
        """The same as :meth:`_run_fused`, built from one cell per time step.

        Each step multiplies its own x_t by W_ih: computing W_ih x for all steps in one
        product and slicing the (T, N, gates * H) result measured slower here, because
        each of the T slices sends back a gradient as big as the whole result.
        """
        inputs = joining.unbind(input, 0)          # T steps, each (N, in)
        outputs = [None] * len(inputs)
        steps = range(len(inputs))
        for time in (reversed(steps) if reverse else steps):
            state = self._cell(inputs[time], state, *self._weights(name))
            outputs[time] = state[0]
        return joining.stack(outputs, dim=0), state

    def _cell(self, input, state, weight_ih, weight_hh, bias_ih, bias_hh):
        """One time step: the new state tuple. RNN, LSTM and GRU each define it."""
        raise NotImplementedError

    # ------------------------------------------------------------ checks
    def _check_input(self, input):
        """Raise PyTorch's errors, explained; return whether the input is batched."""
        _check_input_type(self, input, self.weight_ih_l0)
        name = type(self).__name__
        if input.ndim not in (2, 3):
            layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead. "
                             f"{self!r} expects {layout}, or (T, input_size) for one sequence; "
                             f"got {tuple(input.shape)}.")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.shape[-1]}. {self!r} expects inputs whose last dimension is "
                f"input_size={self.input_size}; got shape {tuple(input.shape)}.")
        if input.shape[1 if input.ndim == 3 and self.batch_first else 0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        return input.ndim == 3

    def _initial_states(self, hx, batch, batched):
        """The initial state tuple, each (D * L, N, H): the given one, checked, or zeros."""
        expected = (self.num_layers * self.num_directions, batch, self.hidden_size)
        weight = self.weight_ih_l0
        if hx is None:
            zeros = creation.zeros(expected, dtype=weight.dtype, device=weight.device)
            return (zeros,) * len(self.state_names)
        states = self._unpack_state(hx)
        dims = 3 if batched else 2
        if any(h.ndim != dims for h in states):
            names = " and ".join(self.state_names)
            got = ", ".join(f"{h.ndim}-D" for h in states)
            got = f"({got}) tensors" if len(states) > 1 else f"{got} tensor"
            raise RuntimeError(
                f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, {names} should also "
                f"be {dims}-D but got {got}. {self!r} needs them shaped (num_layers * "
                f"num_directions, {'batch, ' if batched else ''}hidden_size).")
        shown = expected if batched else expected[::2]  # (D * L, H) for one sequence
        for index, h in enumerate(states):
            if tuple(h.shape) != shown:
                label = f"hidden[{index}]" if len(states) > 1 else "hidden"
                raise RuntimeError(
                    f"Expected {label} size {shown}, got {list(h.shape)}. {self!r} needs "
                    f"{self.state_names[index]} of shape (num_layers * num_directions, "
                    f"{'batch, ' if batched else ''}hidden_size) = {shown}.")
            if h.dtype != weight.dtype:
                raise RuntimeError(f"{self.state_names[index]} has dtype {h.dtype} but the "
                                   f"weights are {weight.dtype}: convert it with "
                                   f".to({weight.dtype}).")
        return states if batched else tuple(h.unsqueeze(1) for h in states)

    def _unpack_state(self, hx):
        if not isinstance(hx, Tensor):
            raise TypeError(f"{type(self).__name__} expects hx to be one Tensor h_0, got "
                            f"{type(hx).__name__}. (Only LSTM takes a tuple (h_0, c_0).)")
        return (hx,)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu).

    ``RNN(10, 20, num_layers=2)``: input (T, N, 10) -> output (T, N, 20), h_n (2, N, 20).
    Returns ``(output, h_n)``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        _activation(nonlinearity)  # check it before making any parameter
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def _cell(self, input, state, weight_ih, weight_hh, bias_ih, bias_hh):
        (hidden,) = state
        return (rnn_cell(input, hidden, weight_ih, weight_hh, bias_ih, bias_hh,
                         _activation(self.nonlinearity)),)


class LSTM(RNNBase):
    """Long short-term memory: gates decide what the cell state c_t forgets and keeps.

    ``LSTM(10, 20)``: input (T, N, 10) -> output (T, N, 20), h_n and c_n (1, N, 20).
    Returns ``(output, (h_n, c_n))``; pass ``(h_0, c_0)`` to start from a given state.
    """

    state_names = ("hx", "cx")

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)

    def _cell(self, input, state, weight_ih, weight_hh, bias_ih, bias_hh):
        hidden, cell = state
        return lstm_cell(input, hidden, cell, weight_ih, weight_hh, bias_ih, bias_hh)

    def _unpack_state(self, hx):
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            got = f"a {type(hx).__name__}" + (f" of {len(hx)}" if isinstance(hx, (tuple, list))
                                              else "")
            raise RuntimeError(f"lstm expects two hidden states: pass hx as a tuple (h_0, c_0); "
                               f"got {got}.")
        return tuple(hx)


class GRU(RNNBase):
    """Gated recurrent unit: a reset and an update gate, no separate cell state.

    ``GRU(10, 20)``: input (T, N, 10) -> output (T, N, 20), h_n (1, N, 20).
    Returns ``(output, h_n)``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def _cell(self, input, state, weight_ih, weight_hh, bias_ih, bias_hh):
        (hidden,) = state
        return (gru_cell(input, hidden, weight_ih, weight_hh, bias_ih, bias_hh),)


# ---------------------------------------------------------------- cells: one time step as a layer
class RNNCellBase(Module):
    """What the cells share: weight_ih (gates * H, input_size), weight_hh (gates * H, H),
    the biases (or None), PyTorch's init, the repr and the input checks.

    A cell computes one step; the loop over time is yours to write:

        cell = nn.LSTMCell(10, 20)
        h, c = edunet.zeros(N, 20), edunet.zeros(N, 20)
        for x_t in sequence:            # sequence (T, N, 10), x_t (N, 10)
            h, c = cell(x_t, (h, c))
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        _check_sizes(input_size, hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        factory = {"device": device, "dtype": dtype}
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(creation.empty(gate_size, input_size, **factory))
        self.weight_hh = Parameter(creation.empty(gate_size, hidden_size, **factory))
        if bias:
            self.bias_ih = Parameter(creation.empty(gate_size, **factory))
            self.bias_hh = Parameter(creation.empty(gate_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        _uniform_init(self)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _prepare(self, input, states):
        """Check the input, (N, input_size) or (input_size,), and the states, each (N, H) or
        (H,) or None for zeros; return them batched (2-D) and whether the input was."""
        _check_input_type(self, input, self.weight_ih)
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead. "
                             f"{self!r} computes one time step: input (N, {self.input_size}) or "
                             f"({self.input_size},); got {tuple(input.shape)}. For a whole "
                             f"sequence, loop over time or use nn.{name[:-4]}.")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size}. {self!r} expects input (N, {self.input_size}); "
                               f"got {tuple(input.shape)}.")
        batched = input.ndim == 2
        input = input if batched else input.unsqueeze(0)
        batch = input.shape[0]
        prepared = []
        for index, h in enumerate(states):
            if h is None:
                h = creation.zeros(batch, self.hidden_size, dtype=input.dtype, device=input.device)
            elif h.ndim != (2 if batched else 1):
                expected = f"(N, {self.hidden_size})" if batched else f"({self.hidden_size},)"
                raise RuntimeError(f"hidden{index} should be {2 if batched else 1}-D like the "
                                   f"input, got shape {tuple(h.shape)}. {self!r} expects "
                                   f"{expected}.")
            elif not batched:
                h = h.unsqueeze(0)
            hint = (f". {self!r} expects hidden states of shape (N, hidden_size) = "
                    f"({batch}, {self.hidden_size}) for this input")
            if h.shape[0] != batch:
                raise RuntimeError(f"Input batch size {batch} doesn't match hidden{index} batch "
                                   f"size {h.shape[0]}{hint}.")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{index} has inconsistent hidden_size: got {h.shape[1]}, "
                                   f"expected {self.hidden_size}{hint}.")
            prepared.append(h)
        return input, prepared, batched


class RNNCell(RNNCellBase):
    """One Elman RNN step as a layer: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    input (N, input_size), hx (N, hidden_size) -> h' (N, hidden_size); 1-D without N.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        _activation(nonlinearity)  # check it before making any parameter
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (hidden,), batched = self._prepare(input, (hx,))
        hidden = rnn_cell(input, hidden, self.weight_ih, self.weight_hh, self.bias_ih,
                          self.bias_hh, _activation(self.nonlinearity))
        return hidden if batched else hidden.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step as a layer (see ``lstm_cell``): (x, (h, c)) -> (h', c').

    input (N, input_size), h and c (N, hidden_size); 1-D without N. hx=None means zeros.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"LSTMCell expects hx as a tuple (h, c) of two Tensors, got "
                            f"{type(hx).__name__}.")
        input, (hidden, cell), batched = self._prepare(input, hx or (None, None))
        hidden, cell = lstm_cell(input, hidden, cell, self.weight_ih, self.weight_hh,
                                 self.bias_ih, self.bias_hh)
        return (hidden, cell) if batched else (hidden.squeeze(0), cell.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step as a layer (see ``gru_cell``): (x, h) -> h'.

    input (N, input_size), hx (N, hidden_size) -> h' (N, hidden_size); 1-D without N.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (hidden,), batched = self._prepare(input, (hx,))
        hidden = gru_cell(input, hidden, self.weight_ih, self.weight_hh, self.bias_ih,
                          self.bias_hh)
        return hidden if batched else hidden.squeeze(0)
