"""The fast path of the LSTM layer (edunet/ops/recurrent.py states the math).

The same numbers as the reference ``LSTMLayer``, with fewer NumPy calls per step:

- one exp activates all four gates: sigma(a) = 1 / (1 + e^-a) and tanh(a) =
  2 sigma(2a) - 1. The rows of the weights are negated once (the g rows doubled), so
  the products give -a (-2a for g); then exp, + 1, 1 / ., all in place, and the g
  block is mapped from sigma(2a) to tanh(a). (NumPy's exp is faster than its tanh.)
- backward computes the chain rule's factors that do not depend on the gradient for
  all steps at once, before the loop over time:

      da_i, da_f, da_g = dc' * (g i (1 - i),  c f (1 - f),  i (1 - g^2))
      da_o = dh' * tanh(c') o (1 - o)        dc' += dh' * o (1 - tanh(c')^2)

- scratch arrays come from workspace.py.
- with numba installed (``pip install edunet[fast]``), each backward step is one matrix
  product and one compiled loop (compiled.py) that does all its elementwise work, and
  each forward step one product, four NumPy calls (add, exp, tanh, multiply: NumPy's
  vectorised exp and tanh beat a compiled scalar loop) and one compiled loop for the
  seven calls between them; about 12 NumPy calls per step otherwise.

tests/nn/test_rnn.py runs the LSTM tests on every path and tests/kernels/test_recurrent.py
compares the paths directly.
"""

import numpy

from edunet.backend import get_array_module
from edunet.kernels import compiled, use_reference, workspace
from edunet.ops import recurrent as reference


def lstm_layer(x, h0, c0, w_ih, w_hh, biases, reverse, keep_for_backward):
    """(output, backward) of ``reference.LSTMLayer`` on arrays, or None on the reference path.

    ``backward(grad_output, needs_input_grad)`` returns the gradients of x, h0, c0,
    w_ih, w_hh[, b_ih, b_hh].
    """
    if use_reference():
        return None
    xp = get_array_module(x)
    steps, batch, _ = x.shape
    hidden_size = w_hh.shape[1]
    row_scale = xp.repeat(xp.asarray([-1, -1, -2, -1], dtype=x.dtype), hidden_size)
    bias = (biases[0] + biases[1]) * row_scale if biases else None
    x_steps = reference._in_processing_order(x, reverse)
    pre_input = workspace.empty((steps, batch, 4 * hidden_size), x.dtype, xp)   # -a (-2a)
    xp.matmul(x_steps, (w_ih * row_scale[:, None]).T, out=pre_input)
    if bias is not None:
        pre_input += bias
    # Contiguous: a transposed view made each small step product 3x slower (OpenBLAS,
    # 32 x 64 x 256: 30 -> 11 us, 2 threads), the largest cost of the whole forward pass.
    w_hh_scaled_t = xp.ascontiguousarray((w_hh * row_scale[:, None]).T)

    gates = xp.empty((steps, batch, 4, hidden_size), dtype=x.dtype)        # i, f, g, o
    cells = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)       # c before step s
    states = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)      # h before step s
    tanh_cells = xp.empty((steps, batch, hidden_size), dtype=x.dtype)
    cells[0], states[0] = c0, h0
    flat_gates = gates.reshape(steps, batch, 4 * hidden_size)              # the same memory
    by_gate = gates.transpose(0, 2, 1, 3)                   # [s] is i, f, g, o, each (N, H)
    product = xp.empty((batch, hidden_size), dtype=x.dtype)
    step_loop = compiled.lstm_forward_step(x, gates)      # numba, or None
    one = x.dtype.type(1)
    with numpy.errstate(over="ignore"):    # e^-a = inf for a < -88 gives sigma = 0: right
        for s in range(steps):
            step_gates = flat_gates[s]
            xp.matmul(states[s], w_hh_scaled_t, out=step_gates)
            step_gates += pre_input[s]                                     # -a
            xp.exp(step_gates, out=step_gates)
            if step_loop is not None:      # the next seven lines in one compiled loop
                step_loop(step_gates, cells[s], cells[s + 1], one)
                output_gate = by_gate[s, 3]
            else:
                input_gate, forget_gate, candidate, output_gate = by_gate[s]
                step_gates += 1
                xp.reciprocal(step_gates, out=step_gates)                  # sigma(a)
                candidate *= 2                                             # tanh(a_g)
                candidate -= 1
                xp.multiply(forget_gate, cells[s], out=cells[s + 1])       # c' = f c + i g
                xp.multiply(input_gate, candidate, out=product)
                cells[s + 1] += product
            xp.tanh(cells[s + 1], out=tanh_cells[s])
            xp.multiply(output_gate, tanh_cells[s], out=states[s + 1])     # h' = o tanh(c')
    workspace.give_back(pre_input)
    output = xp.empty((steps + 1, batch, hidden_size), dtype=x.dtype)
    output[:steps] = reference._in_processing_order(states[1:], reverse)
    output[steps] = cells[steps]
    if not keep_for_backward:
        return output, None

    def backward(grad_output, needs):
        grad_states = reference._in_processing_order(grad_output[:steps], reverse)
        grad_gates = workspace.empty(gates.shape, gates.dtype, xp)  # da of every step
        flat_grad_gates = grad_gates.reshape(steps, batch, 4 * hidden_size)
        step_loop = compiled.lstm_backward_step(grad_output, gates)
        if step_loop is not None:     # numba: one compiled loop and one product per step
            grad_cell = numpy.array(grad_output[steps], order="C")      # dL/dc_T, ours
            grad_hidden = numpy.zeros((batch, hidden_size), dtype=gates.dtype)
            for s in reversed(range(steps)):
                step_loop(grad_hidden, grad_states[s], grad_cell, gates[s], cells[s],
                          tanh_cells[s], flat_grad_gates[s])
                numpy.matmul(flat_grad_gates[s], w_hh, out=grad_hidden)   # dh, to step s-1
        else:
            grad_hidden, grad_cell = _backward_through_time(
                grad_output, grad_states, gates, cells, tanh_cells, w_hh, grad_gates)
        grad_x = (reference._input_gradient(flat_grad_gates, w_ih, reverse)
                  if needs[0] else None)
        weight_grads = reference._weight_gradients(flat_grad_gates, flat_grad_gates, x_steps,
                                                   states, bool(biases),
                                                   needs[3:] + (False,) * 2)
        workspace.give_back(grad_gates)
        grads = (grad_x, grad_hidden if needs[1] else None,
                 grad_cell if needs[2] else None) + weight_grads
        return grads if biases else grads[:5]

    return output, backward


def _backward_through_time(grad_output, grad_states, gates, cells, tanh_cells, w_hh,
                           grad_gates):
    """The loop over time in NumPy: fills ``grad_gates``, returns (dL/dh0, dL/dc0).

    The factors of the chain rule that don't depend on the gradient are computed for
    all steps at once first (in place, without temporaries), then each step is a few
    multiplications and one product.
    """
    xp = get_array_module(gates)
    steps, batch, _, hidden_size = gates.shape
    input_gate, forget_gate, candidate, output_gate = gates.transpose(2, 0, 1, 3)
    factors = workspace.empty((steps, batch, 5, hidden_size), gates.dtype, xp)
    into_ifg, into_output_gate, through_tanh = (
        factors[:, :, :3], factors[:, :, 3], factors[:, :, 4])
    for factor, gate, other in ((factors[:, :, 0], input_gate, candidate),
                                (factors[:, :, 1], forget_gate, cells[:-1]),
                                (into_output_gate, output_gate, tanh_cells)):
        xp.subtract(1, gate, out=factor)          # other * gate * (1 - gate)
        factor *= gate
        factor *= other
    for factor, squared, other in ((factors[:, :, 2], candidate, input_gate),
                                   (through_tanh, tanh_cells, output_gate)):
        xp.multiply(squared, squared, out=factor)  # other * (1 - squared^2)
        xp.subtract(1, factor, out=factor)
        factor *= other
    flat_grad_gates = grad_gates.reshape(steps, batch, 4 * hidden_size)
    grad_cell = grad_output[steps]                               # dL/dc_T
    grad_hidden = grad_states[steps - 1]          # a view: never written in place
    for s in reversed(range(steps)):
        if s < steps - 1:
            grad_hidden += grad_states[s]                        # our own array by now
        grad_cell = grad_cell + grad_hidden * through_tanh[s]
        xp.multiply(grad_cell[:, None, :], into_ifg[s], out=grad_gates[s, :, :3])
        xp.multiply(grad_hidden, into_output_gate[s], out=grad_gates[s, :, 3])
        grad_cell = grad_cell * forget_gate[s]                   # dc, to step s-1
        grad_hidden = flat_grad_gates[s] @ w_hh                  # dh, to step s-1
    workspace.give_back(factors)
    return grad_hidden, grad_cell
