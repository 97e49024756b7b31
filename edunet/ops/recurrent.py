"""Recurrent layers as single ops: a whole sequence through one RNN, LSTM or GRU layer.

edunet/nn/rnn.py's cells (``lstm_cell``, ``gru_cell``, ``rnn_cell``) build each time
step from small ops (linear, sigmoid, tanh, *, +) and autograd does backpropagation
through time (BPTT) by itself. That is the clearest way to see what a recurrent layer
computes, and nn.LSTMCell and friends still work that way. But an LSTM step is about 18
graph nodes, and for a sequence of 35 steps the bookkeeping of 630 nodes costs more
than the arithmetic. So nn.RNN, nn.LSTM and nn.GRU run each layer and direction as
one op from this file: the forward pass loops over time, and the backward pass loops
over time in reverse with the chain rule written out by hand. The numbers are the
same (tests/nn/test_rnn.py checks both ways against PyTorch and finite differences).

Shapes. x (T, N, I) is the sequence, time first; h0 and c0 are (N, H); weights and
biases are PyTorch's: w_ih (G*H, I), w_hh (G*H, H), b_ih and b_hh (G*H,), with G = 1
(RNN), 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o) gates stacked in that order.
``reverse=True`` reads the sequence from t = T-1 down to 0 (the second direction of
a bidirectional layer). The output is h_t for every t, (T, N, H), in time order. An
op has one output, so the LSTM appends its last cell state: (T + 1, N, H), with c_T
in row T; nn/rnn.py slices it apart.

Inside, arrays are kept in *processing order*: step s is time t = s, or t = T-1-s
with ``reverse``. ``states[s]`` is the state *before* step s, so states[0] = h0 and
states[T] is the last one.

BPTT in general: the gradient reaching h_s is the output's gradient at that step
plus what step s+1 sends back; walking s = T-1, ..., 0 collects both. Each step's
weights are the same, so dL/dW is a sum over steps: the loop only stores each
step's pre-activation gradient da_s, and after it one matrix product per weight
adds up all steps at once (dL/dW_hh = sum_s da_s^T h_s, dL/dx_t = da_t W_ih).

All sigmoids are 1 / (1 + e^-x): where e^-x overflows (x < -88 in float32) the result
is 1 / inf = 0, the right value, so NumPy's overflow warning is silenced.

The LSTM, the layer the course trains, has a fast path in edunet/kernels/recurrent.py
(the same numbers; the tests run both).
"""

import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.grad_mode import is_grad_enabled
from edunet.kernels import recurrent as recurrent_kernels


def _steps(length, reverse):
    """Time index t of each processing step s."""
    return range(length - 1, -1, -1) if reverse else range(length)


def _in_processing_order(array, reverse):
    """A (T, ...) array in time order as processing order (a view), or back."""
    return array[::-1] if reverse else array


def _input_products(x, w_ih, bias):
    """x_t W_ih^T + bias for every step at once: one (T*N, I) @ (I, G*H) product.

    """
    xp = get_array_module(x)
    steps, batch, input_size = x.shape
    products = xp.empty((steps, batch, w_ih.shape[0]), dtype=x.dtype)
    xp.matmul(x.reshape(steps * batch, input_size), w_ih.T,
              out=products.reshape(steps * batch, w_ih.shape[0]))
    if bias is not None:
        products += bias
    return products


def _weight_gradients(grad_pre_input, grad_pre_hidden, x_steps, states, has_bias, needs):
    """dL/dW_ih, dL/dW_hh and the biases' gradients, summed over all steps by one product each.

    ``grad_pre_input`` (T, N, G*H) is dL/d(x_t W_ih^T + b_ih) and ``grad_pre_hidden``
    dL/d(h W_hh^T + b_hh), both in processing order, like ``x_steps``; ``states[:-1]``
    holds the h that each step read.
    """
    steps, batch, gate_size = grad_pre_input.shape
    flat_input = grad_pre_input.reshape(steps * batch, gate_size)
    flat_hidden = grad_pre_hidden.reshape(steps * batch, gate_size)
    grad_w_ih = grad_w_hh = grad_b_ih = grad_b_hh = None
    if needs[0]:
        grad_w_ih = flat_input.T @ x_steps.reshape(steps * batch, x_steps.shape[2])
    if needs[1]:
        grad_w_hh = flat_hidden.T @ states[:-1].reshape(steps * batch, states.shape[2])
    if has_bias:
        grad_b_ih = flat_input.sum(axis=0) if needs[2] else None
        if grad_pre_hidden is grad_pre_input and grad_b_ih is not None:
            grad_b_hh = grad_b_ih if needs[3] else None   # the same sum (LSTM, RNN)
        else:
            grad_b_hh = flat_hidden.sum(axis=0) if needs[3] else None
    return grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh


def _input_gradient(grad_pre_input, w_ih, reverse):
    """dL/dx_t = da_t W_ih for every step, back in time order: (T, N, I)."""
    xp = get_array_module(grad_pre_input)
    steps, batch, gate_size = grad_pre_input.shape
    grad_x = (grad_pre_input.reshape(steps * batch, gate_size) @ w_ih).reshape(steps, batch, -1)
    return xp.ascontiguousarray(_in_processing_order(grad_x, reverse))


def _sigmoid(array):
    """sigma(x) = 1 / (1 + e^-x), as a new array."""
    xp = get_array_module(array)
    with numpy.errstate(over="ignore"):
        return 1 / (1 + xp.exp(-array))


def _sigmoid_(array):
    """In place: sigma(x) = 1 / (1 + e^-x)."""
    xp = get_array_module(array)
    xp.negative(array, out=array)
    with numpy.errstate(over="ignore"):
        xp.exp(array, out=array)
    array += 1
    xp.reciprocal(array, out=array)


class LSTMLayer(Function):
    """A sequence through one LSTM layer (one direction). Step s, on (N, .) arrays:

        a = x_t W_ih^T + b_ih + h W_hh^T + b_hh            (N, 4H): blocks a_i, a_f, a_g, a_o
        i, f, g, o = sigma(a_i), sigma(a_f), tanh(a_g), sigma(a_o)
        c' = f * c + i * g                                  cell state
        h' = o * tanh(c')                                   output and next hidden state

    Backward, step s = T-1 ... 0, given dh' (output's gradient + from step s+1) and
    dc' (from step s+1; at the last step, c_T's own gradient):

        dc'  += dh' * o * (1 - tanh(c')^2)
        da_o  = dh' * tanh(c') * o (1 - o)
        da_i  = dc' * g * i (1 - i)        da_f = dc' * c * f (1 - f)
        da_g  = dc' * i * (1 - g^2)
        dc    = dc' * f                    dh = da W_hh          (sent to step s-1)

    Inputs x, h0, c0, w_ih, w_hh[, b_ih, b_hh]; output (T + 1, N, H): h_1 ... h_T in
    time order, then c_T. edunet/kernels/recurrent.py computes the same numbers faster
    (one call in ``forward``; None on the reference path).
    """

    def forward(self, x, h0, c0, w_ih, w_hh, *biases, reverse=False):
        self.reverse, self.has_bias = reverse, bool(biases)
        faster = recurrent_kernels.lstm_layer(x, h0, c0, w_ih, w_hh, biases, reverse,
                                              keep_for_backward=is_grad_enabled())
        self.on_fast_path = faster is not None
        if self.on_fast_path:
            output, fast_backward = faster
            self.save_for_backward(fast_backward)
            return output
        xp = get_array_module(x)
        steps, batch, _ = x.shape
        hidden_size = w_hh.shape[1]
        x_steps = _in_processing_order(x, reverse)
        bias = biases[0] + biases[1] if biases else None
        pre_input = _input_products(x_steps, w_ih, bias)                    # (T, N, 4H)
        gates = xp.empty((steps, batch, 4, hidden_size), dtype=x.dtype)      # i, f, g, o
        cells = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)     # c before step s
        states = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)    # h before step s
        cells[0], states[0] = c0, h0
        for s in range(steps):
            a = (pre_input[s] + states[s] @ w_hh.T).reshape(batch, 4, hidden_size)
            gates[s, :, 0], gates[s, :, 1] = _sigmoid(a[:, 0]), _sigmoid(a[:, 1])
            gates[s, :, 2], gates[s, :, 3] = xp.tanh(a[:, 2]), _sigmoid(a[:, 3])
            input_gate, forget_gate, candidate, output_gate = gates[s].transpose(1, 0, 2)
            cells[s + 1] = forget_gate * cells[s] + input_gate * candidate
            states[s + 1] = output_gate * xp.tanh(cells[s + 1])
        self.save_for_backward(x_steps, w_ih, w_hh, gates, cells, states)
        output = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)
        output[:steps] = _in_processing_order(states[1:], reverse)
        output[steps] = cells[steps]
        return output

    def backward(self, grad_output):
        if self.on_fast_path:
            return self.saved_arrays[0](grad_output, self.needs_input_grad)
        x_steps, w_ih, w_hh, gates, cells, states = self.saved_arrays
        xp = get_array_module(grad_output)
        steps, batch, _, hidden_size = gates.shape
        grad_states = _in_processing_order(grad_output[:steps], self.reverse)  # dL/dh' per step
        grad_gates = xp.empty(gates.shape, dtype=gates.dtype)                # da of every step
        grad_cell = grad_output[steps]                                       # dL/dc_T
        grad_hidden = xp.zeros_like(grad_cell)                               # from step s+1
        for s in reversed(range(steps)):
            input_gate, forget_gate, candidate, output_gate = gates[s].transpose(1, 0, 2)
            grad_hidden = grad_hidden + grad_states[s]
            tanh_cell = xp.tanh(cells[s + 1])
            grad_cell = grad_cell + grad_hidden * output_gate * (1 - tanh_cell * tanh_cell)
            grad_gates[s, :, 0] = grad_cell * candidate * input_gate * (1 - input_gate)
            grad_gates[s, :, 1] = grad_cell * cells[s] * forget_gate * (1 - forget_gate)
            grad_gates[s, :, 2] = grad_cell * input_gate * (1 - candidate * candidate)
            grad_gates[s, :, 3] = grad_hidden * tanh_cell * output_gate * (1 - output_gate)
            grad_cell = grad_cell * forget_gate                              # dc, to step s-1
            grad_hidden = grad_gates[s].reshape(batch, 4 * hidden_size) @ w_hh  # dh, to step s-1
        flat_grad_gates = grad_gates.reshape(steps, batch, 4 * hidden_size)
        needs = self.needs_input_grad
        grad_x = _input_gradient(flat_grad_gates, w_ih, self.reverse) if needs[0] else None
        weight_grads = _weight_gradients(flat_grad_gates, flat_grad_gates, x_steps, states,
                                         self.has_bias, needs[3:] + (False,) * 2)
        grads = (grad_x, grad_hidden if needs[1] else None,
                 grad_cell if needs[2] else None) + weight_grads
        return grads if self.has_bias else grads[:5]


class GRULayer(Function):
    """A sequence through one GRU layer (one direction). Step s, on (N, .) arrays:

        x_r, x_z, x_n = the blocks of x_t W_ih^T + b_ih
        h_r, h_z, h_n = the blocks of h W_hh^T + b_hh
        r = sigma(x_r + h_r),   z = sigma(x_z + h_z),   n = tanh(x_n + r * h_n)
        h' = (1 - z) * n + z * h  =  n + z * (h - n)

    Backward, step s = T-1 ... 0, given dh' (output's gradient + from step s+1):

        da_n = dh' * (1 - z) * (1 - n^2)          gradient of x_n (and of r * h_n)
        da_r = da_n * h_n * r (1 - r)             da_z = dh' * (h - n) * z (1 - z)
        dx-side blocks: (da_r, da_z, da_n);  dh-side blocks: (da_r, da_z, da_n * r)
        dh = dh' * z + (dh-side blocks) W_hh      (sent to step s-1)

    Inputs x, h0, w_ih, w_hh[, b_ih, b_hh]; output (T, N, H) in time order.
    """

    def forward(self, x, h0, w_ih, w_hh, *biases, reverse=False):
        xp = get_array_module(x)
        steps, batch, _ = x.shape
        hidden_size = w_hh.shape[1]
        self.reverse, self.has_bias = reverse, bool(biases)
        x_steps = _in_processing_order(x, reverse)
        pre_input = _input_products(x_steps, w_ih, biases[0] if biases else None)  # (T, N, 3H)
        w_hh_t = w_hh.T

        states = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)
        gates = xp.empty((steps, batch, 3, hidden_size), dtype=x.dtype)      # r, z, n
        hidden_new = xp.empty((steps, batch, hidden_size), dtype=x.dtype)    # h_n = W_hn h + b_hn
        states[0] = h0
        for s in range(steps):
            hidden_products = states[s] @ w_hh_t                             # (N, 3H)
            if biases:
                hidden_products += biases[1]
            hidden_new[s] = hidden_products[:, 2 * hidden_size:]
            reset_update = gates[s, :, :2].reshape(batch, 2 * hidden_size)   # a view
            xp.add(pre_input[s, :, :2 * hidden_size], hidden_products[:, :2 * hidden_size],
                   out=reset_update)
            _sigmoid_(reset_update)
            reset, update, new = gates[s, :, 0], gates[s, :, 1], gates[s, :, 2]
            xp.multiply(reset, hidden_new[s], out=new)                       # n = tanh(x_n + r h_n)
            new += pre_input[s, :, 2 * hidden_size:]
            xp.tanh(new, out=new)
            xp.subtract(states[s], new, out=states[s + 1])                   # h' = n + z (h - n)
            states[s + 1] *= update
            states[s + 1] += new
        self.save_for_backward(x_steps, w_ih, w_hh, gates, states, hidden_new)
        return xp.ascontiguousarray(_in_processing_order(states[1:], reverse))

    def backward(self, grad_output):
        x_steps, w_ih, w_hh, gates, states, hidden_new = self.saved_arrays
        xp = get_array_module(grad_output)
        steps, batch, _, hidden_size = gates.shape
        grad_states = _in_processing_order(grad_output, self.reverse)
        reset, update, new = gates[:, :, 0], gates[:, :, 1], gates[:, :, 2]
        # da = dh' * factor, for all steps at once: the x side (r, z, n), the h side (r, z, h_n).
        into_new = (1 - update) * (1 - new * new)
        into_reset = into_new * hidden_new * reset * (1 - reset)
        into_update = (states[:-1] - new) * update * (1 - update)
        into_input_side = xp.stack([into_reset, into_update, into_new], axis=2)
        into_hidden_side = xp.stack([into_reset, into_update, into_new * reset], axis=2)

        grad_input_side = xp.empty(gates.shape, dtype=gates.dtype)
        grad_hidden_side = xp.empty(gates.shape, dtype=gates.dtype)
        grad_hidden = None
        for s in reversed(range(steps)):
            grad_hidden = grad_states[s] if grad_hidden is None else grad_hidden + grad_states[s]
            xp.multiply(grad_hidden[:, None, :], into_input_side[s], out=grad_input_side[s])
            xp.multiply(grad_hidden[:, None, :], into_hidden_side[s], out=grad_hidden_side[s])
            # dh to step s-1: directly through z * h, and through h W_hh.
            grad_hidden = (grad_hidden * update[s]
                           + grad_hidden_side[s].reshape(batch, 3 * hidden_size) @ w_hh)

        grad_input_side = grad_input_side.reshape(steps, batch, 3 * hidden_size)
        grad_hidden_side = grad_hidden_side.reshape(steps, batch, 3 * hidden_size)
        needs = self.needs_input_grad
        grad_x = _input_gradient(grad_input_side, w_ih, self.reverse) if needs[0] else None
        weight_grads = _weight_gradients(grad_input_side, grad_hidden_side, x_steps, states,
                                         self.has_bias, needs[2:] + (False,) * 2)
        grads = (grad_x, grad_hidden if needs[1] else None) + weight_grads
        return grads if self.has_bias else grads[:4]


class RNNLayer(Function):
    """A sequence through one Elman RNN layer (one direction). Step s:

        h' = act(x_t W_ih^T + b_ih + h W_hh^T + b_hh)       act = tanh or relu

    Backward, step s = T-1 ... 0: da = dh' * act'(h') with tanh' = 1 - h'^2 and
    relu' = (h' > 0); dh = da W_hh (sent to step s-1).

    Inputs x, h0, w_ih, w_hh[, b_ih, b_hh]; output (T, N, H) in time order.
    """

    def forward(self, x, h0, w_ih, w_hh, *biases, reverse=False, nonlinearity="tanh"):
        xp = get_array_module(x)
        steps, batch, _ = x.shape
        self.reverse, self.has_bias, self.nonlinearity = reverse, bool(biases), nonlinearity
        x_steps = _in_processing_order(x, reverse)
        pre_input = _input_products(x_steps, w_ih, biases[0] + biases[1] if biases else None)
        w_hh_t = w_hh.T
        states = xp.empty((steps + 1, batch, w_hh.shape[1]), dtype=x.dtype)
        states[0] = h0
        for s in range(steps):
            xp.matmul(states[s], w_hh_t, out=states[s + 1])
            states[s + 1] += pre_input[s]
            if nonlinearity == "tanh":
                xp.tanh(states[s + 1], out=states[s + 1])
            else:
                xp.maximum(states[s + 1], 0, out=states[s + 1])
        self.save_for_backward(x_steps, w_ih, w_hh, states)
        return xp.ascontiguousarray(_in_processing_order(states[1:], reverse))

    def backward(self, grad_output):
        x_steps, w_ih, w_hh, states = self.saved_arrays
        xp = get_array_module(grad_output)
        steps = x_steps.shape[0]
        grad_states = _in_processing_order(grad_output, self.reverse)
        outputs = states[1:]
        if self.nonlinearity == "tanh":
            slope = 1 - outputs * outputs
        else:
            slope = (outputs > 0).astype(outputs.dtype)
        grad_pre = xp.empty(outputs.shape, dtype=outputs.dtype)
        grad_hidden = None
        for s in reversed(range(steps)):
            grad_hidden = grad_states[s] if grad_hidden is None else grad_hidden + grad_states[s]
            xp.multiply(grad_hidden, slope[s], out=grad_pre[s])
            grad_hidden = grad_pre[s] @ w_hh
        needs = self.needs_input_grad
        grad_x = _input_gradient(grad_pre, w_ih, self.reverse) if needs[0] else None
        weight_grads = _weight_gradients(grad_pre, grad_pre, x_steps, states, self.has_bias,
                                         needs[2:] + (False,) * 2)
        grads = (grad_x, grad_hidden if needs[1] else None) + weight_grads
        return grads if self.has_bias else grads[:4]


def lstm_layer(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    """One LSTM layer over a whole sequence: x (T, N, I) -> (T + 1, N, H): every h_t in time
    order, then the last cell state. See :class:`LSTMLayer`."""
    biases = () if b_ih is None else (b_ih, b_hh)
    return LSTMLayer.apply(x, h0, c0, w_ih, w_hh, *biases, reverse=reverse)


def gru_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    """One GRU layer over a whole sequence: x (T, N, I) -> every h_t, (T, N, H)."""
    biases = () if b_ih is None else (b_ih, b_hh)
    return GRULayer.apply(x, h0, w_ih, w_hh, *biases, reverse=reverse)


def rnn_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False, nonlinearity="tanh"):
    """One Elman RNN layer over a whole sequence: x (T, N, I) -> every h_t, (T, N, H)."""
    biases = () if b_ih is None else (b_ih, b_hh)
    return RNNLayer.apply(x, h0, w_ih, w_hh, *biases, reverse=reverse,
                          nonlinearity=nonlinearity)
