"""Checks for the exercises of "09 Sequences: RNN, LSTM, GRU".

    from edunet.exercises import sequences as check
    check.lstm_parameters(number)
    check.gru_shapes(output_shape, h_n_shape)
    check.open_forget_gate(open_forget_gate)
    check.steps_to_vanish(steps)

Every check returns a :class:`~edunet.exercises.checking.Verdict` and never raises,
so a wrong or unfinished answer never stops "Run all".
"""

import math

from edunet.exercises.checking import Verdict
from edunet.i18n import _

# Exercise 1: the parameters of nn.LSTM(LSTM_INPUT, LSTM_HIDDEN).
LSTM_INPUT, LSTM_HIDDEN = 10, 20
# Exercise 2: nn.GRU(8, 16, batch_first=True) on a batch of shape GRU_INPUT.
GRU_INPUT, GRU_HIDDEN = (4, 30, 8), 16
# Exercise 4: each step keeps this fraction of the gradient; below which size is it "gone"?
SHRINK_PER_STEP, GONE_BELOW = 0.5, 1e-6


def _whole_number(answer, name):
    """``answer`` as an int, or a Verdict saying why it is not one yet."""
    if answer is None:
        return Verdict(False, _("{name} is still None.").format(name=name),
                       _("Replace None with your answer, a whole number."))
    if hasattr(answer, "item") and hasattr(answer, "numel") and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or answer != int(answer):
        return Verdict(False, _("{name} should be a whole number, got {value!r}.").format(
            name=name, value=answer), _("Write it as a Python int, e.g. 4 * 100."))
    return int(answer)


def lstm_parameters(number):
    """Exercise 1: the number of parameters of nn.LSTM(10, 20)."""
    value = _whole_number(number, "number")
    if isinstance(value, Verdict):
        return value
    inputs, hidden = LSTM_INPUT, LSTM_HIDDEN
    one_gate = hidden * inputs + hidden * hidden + hidden + hidden
    if value == 4 * one_gate:
        return Verdict(True, _("4 gates x (20 x 10 + 20 x 20 + 20 + 20) = 4 x {one} = {total}: "
                               "four times an RNN of the same size.").format(
                                   one=one_gate, total=4 * one_gate))
    mistakes = {
        one_gate: _("That is one gate, the size of a plain RNN. An LSTM computes four "
                    "(input, forget, candidate, output), each with its own weights."),
        3 * one_gate: _("Three gates is a GRU. An LSTM has four: input, forget, candidate "
                        "and output."),
        4 * (hidden * inputs + hidden * hidden + hidden): _(
            "Almost: PyTorch's layers have two bias vectors per gate, bias_ih and bias_hh."),
        4 * (hidden * inputs + hidden): _(
            "You left out the recurrent weights W_hh (hidden x hidden per gate): they carry "
            "h_(t-1) into step t."),
    }
    hints = [mistakes.get(value, _("List the parameters with named_parameters(): weight_ih_l0, "
                                   "weight_hh_l0, bias_ih_l0, bias_hh_l0.")),
             _("weight_ih_l0 has shape (4 x hidden, input), weight_hh_l0 (4 x hidden, hidden), "
               "each bias (4 x hidden,)."),
             _("4 x 20 x 10 + 4 x 20 x 20 + 4 x 20 + 4 x 20.")]
    return Verdict(False, _("{value} is not the parameter count of nn.LSTM(10, 20).").format(
        value=value), hints)


def _shape(answer):
    """A tuple of ints from a tuple, a list or an edunet.Size (None if it is not one)."""
    try:
        shape = tuple(int(size) for size in answer)
    except (TypeError, ValueError):
        return None
    return shape if all(isinstance(size, (int,)) for size in shape) else None


def gru_shapes(output_shape, h_n_shape):
    """Exercise 2: the shapes of output and h_n of nn.GRU(8, 16, batch_first=True)."""
    if output_shape is None or h_n_shape is None:
        return Verdict(False, _("Fill in both shapes (they are still None)."),
                       _("Write each shape as a tuple, e.g. (2, 3, 4)."))
    output, final = _shape(output_shape), _shape(h_n_shape)
    if output is None or final is None:
        return Verdict(False, _("Each answer should be a shape: a tuple of whole numbers."),
                       _("Write each shape as a tuple, e.g. (2, 3, 4)."))
    batch, steps, _features = GRU_INPUT
    right_output, right_final = (batch, steps, GRU_HIDDEN), (1, batch, GRU_HIDDEN)
    if output == right_output and final == right_final:
        return Verdict(True, _("output holds h_t of every step, batch first: (4, 30, 16). h_n "
                               "holds the last step's state of each layer, and h_n is never "
                               "batch first: (1, 4, 16)."))
    hints = []
    if output != right_output:
        if output == (steps, batch, GRU_HIDDEN):
            hints.append(_("With batch_first=True, output is (batch, time, hidden)."))
        elif output[-1:] != (GRU_HIDDEN,):
            hints.append(_("The last dimension of output is hidden_size, the size of h_t."))
        else:
            hints.append(_("output has one h_t per time step and per example."))
    if final != right_final:
        if final == (batch, GRU_HIDDEN) or final == (batch, 1, GRU_HIDDEN):
            hints.append(_("h_n always starts with num_layers x directions (here 1), even "
                           "with batch_first=True."))
        else:
            hints.append(_("h_n holds only the last step: (layers x directions, batch, "
                           "hidden)."))
    hints.append(_("Run it: nn.GRU(8, 16, batch_first=True)(edunet.zeros(4, 30, 8)) returns "
                   "(output, h_n); print both shapes."))
    return Verdict(False, _("output {output} and h_n {final}: not both right.").format(
        output=output, final=final), hints)


def open_forget_gate(function):
    """Exercise 3: ``function(lstm, value)`` sets the forget gate's total bias to ``value``."""
    import edunet
    from edunet import nn

    if function is None:
        return Verdict(False, _("open_forget_gate is still None."),
                       _("Define the function in the cell above."))
    state = edunet.get_rng_state()
    edunet.manual_seed(9)
    lstm = nn.LSTM(3, 5)
    edunet.set_rng_state(state)     # checking must not change the learner's random numbers
    before = {name: parameter.detach().clone() for name, parameter in lstm.named_parameters()}
    try:
        with edunet.no_grad():
            function(lstm, 2.5)
    except Exception as error:  # any bug in the learner's code is a lesson, not a crash
        return Verdict(False, _("open_forget_gate(lstm, 2.5) raised {kind}: {error}").format(
            kind=type(error).__name__, error=error),
            _("Change the values in place under edunet.no_grad(), e.g. "
              "lstm.bias_ih_l0[a:b] = value."))
    hidden = lstm.hidden_size
    total = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    blocks = [total[gate * hidden:(gate + 1) * hidden] for gate in range(4)]
    forget_right = bool(((blocks[1] - 2.5).abs() < 1e-6).all())
    others_kept = all(
        edunet.allclose(blocks[gate], (before["bias_ih_l0"] + before["bias_hh_l0"])[
            gate * hidden:(gate + 1) * hidden], atol=1e-6) for gate in (0, 2, 3))
    weights_kept = all(edunet.equal(getattr(lstm, name).detach(), before[name])
                       for name in ("weight_ih_l0", "weight_hh_l0"))
    unchanged = all(edunet.equal(getattr(lstm, name).detach(), before[name]) for name in before)
    if unchanged:
        return Verdict(False, _("open_forget_gate(lstm, 2.5) changed nothing yet."),
                       [_("Write into the biases of the forget gate, in place, under "
                          "edunet.no_grad()."),
                        _("The gates are stacked in the order input, forget, candidate (g), "
                          "output: the forget gate is rows hidden_size to 2 x hidden_size."),
                        _("h = lstm.hidden_size; lstm.bias_ih_l0[h:2 * h] = value; "
                          "lstm.bias_hh_l0[h:2 * h] = 0.")])
    if forget_right and others_kept and weights_kept:
        return Verdict(True, _("The forget gate now starts at sigmoid(2.5) = 0.92: the cell "
                               "keeps 92% of its memory per step, and the other gates are "
                               "untouched."))
    hints = [_("The gates are stacked in the order input, forget, candidate (g), output: the "
               "forget gate is rows hidden_size to 2 x hidden_size.")]
    if not forget_right:
        hints.append(_("The gate sees bias_ih + bias_hh. Set one part to value and the other "
                       "to 0, so that their sum is value."))
    if not others_kept or not weights_kept:
        hints.append(_("Change only the forget gate's slice [hidden_size:2 * hidden_size] of "
                       "the biases; leave the other gates and the weights as they are."))
    hints.append(_("h = lstm.hidden_size; lstm.bias_ih_l0[h:2 * h] = value; "
                   "lstm.bias_hh_l0[h:2 * h] = 0."))
    return Verdict(False, _("After open_forget_gate(lstm, 2.5) the forget gate's bias is not "
                            "2.5, or something else changed."), hints)


def steps_to_vanish(steps):
    """Exercise 4: after how many steps of x0.5 is less than a millionth of the gradient left?"""
    value = _whole_number(steps, "steps")
    if isinstance(value, Verdict):
        return value
    right = math.ceil(math.log(GONE_BELOW) / math.log(SHRINK_PER_STEP))
    if SHRINK_PER_STEP ** right >= GONE_BELOW:     # exactly on the boundary: one more step
        right += 1
    if value == right:
        return Verdict(True, _("0.5^19 = 1.9e-6 is still more than a millionth; 0.5^20 = 9.5e-7 "
                               "is less. Twenty steps back, the gradient is gone.")
                       if right == 20 else _("Right."))
    if value == right - 1:
        hint = _("Close: compute 0.5 ** {steps}. Is it below 1e-6 yet?").format(steps=value)
    elif value == 6:
        hint = _("A millionth is 1e-6, but each step halves the gradient; it does not divide "
                 "it by 10.")
    elif value < right:
        hint = _("0.5 ** {steps} is still {left:.1e}, more than a millionth.").format(
            steps=value, left=SHRINK_PER_STEP ** value)
    else:
        hint = _("0.5 ** {steps} is below a millionth, but so is a smaller power: find the "
                 "first one.").format(steps=value)
    return Verdict(False, _("{value} is not the first step with less than a millionth "
                            "left.").format(value=value),
                   [hint, _("After n steps the gradient is 0.5 ** n of what it was. Try n = 10, "
                            "15, 20 in Python."),
                    _("Solve 0.5 ** n < 1e-6: n > log(1e-6) / log(0.5) = 19.93.")])
