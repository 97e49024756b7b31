"""``viz.sequence_explorer()``: a recurrent network's hidden state, and its gradient, over time.

A recurrent layer carries a hidden state h_t from step to step. Training it is
backpropagation through time: the loss L at the last step T reaches an early step t
only through every step in between, so by the chain rule

    dL/dh_t = dL/dh_T * dh_T/dh_(T-1) * ... * dh_(t+1)/dh_t

one factor per step. In a plain RNN each factor is W_hh times tanh's slope (at most
1): the product usually shrinks geometrically and the first steps get almost no
gradient (vanishing gradients through time). An LSTM's cell state is updated by
addition, c_t = f * c_(t-1) + i * g, so where the forget gate f is near 1 the
gradient passes back almost unchanged.

For each model the widget runs one batch step by step (the layer's own weights, one
cell per step, ``retain_grad()`` on every h_t), calls ``loss.backward()`` once and
draws

    top      h_t of the first example of the batch: one row per hidden unit, one column
             per time step (a heatmap, -1 blue ... +1 red)
    bottom   ||dL/dh_t|| for every step t, all models on one log-scale plot

A slider moves a marker over the time steps; another changes the sequence length.
"""

from edunet.i18n import _
from edunet.viz import _display

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def recurrent_layer(model):
    """The first nn.RNN, nn.LSTM or nn.GRU inside ``model`` (a one-layer, one-direction one)."""
    from edunet.nn.rnn import RNNBase
    for module in model.modules():
        if isinstance(module, RNNBase):
            if module.num_layers != 1 or module.bidirectional:
                raise ValueError(f"sequence_explorer follows one layer in one direction; got "
                                 f"{type(module).__name__}({module.extra_repr()}). Use "
                                 f"num_layers=1 and bidirectional=False.")
            return module
    raise ValueError(f"sequence_explorer: {type(model).__name__} has no nn.RNN, nn.LSTM or "
                     f"nn.GRU layer inside.")


def run_step_by_step(layer, input, hx=None, kept=None):
    """The layer's forward pass built from one cell per time step, keeping every h_t.

    Same numbers as ``layer(input)``; ``kept`` (a list) receives each h_t, shape (N, H),
    with ``retain_grad()`` so that ``h_t.grad`` holds dL/dh_t after ``backward()``.
    Input (N, T, input_size) with batch_first, else (T, N, input_size).
    """
    from edunet.nn import rnn
    from edunet.ops import joining
    from edunet.ops.elementwise import relu, tanh

    if layer.batch_first:
        input = input.transpose(0, 1)                    # -> (T, N, input_size)
    weights = [layer.weight_ih_l0, layer.weight_hh_l0,
               getattr(layer, "bias_ih_l0", None), getattr(layer, "bias_hh_l0", None)]
    batch = input.shape[1]
    hidden = input.new_zeros(batch, layer.hidden_size) if hx is None else hx[0]
    cell = input.new_zeros(batch, layer.hidden_size)     # only the LSTM uses it
    outputs = []
    for x_t in joining.unbind(input, 0):
        if layer.mode == "LSTM":
            hidden, cell = rnn.lstm_cell(x_t, hidden, cell, *weights)
        elif layer.mode == "GRU":
            hidden = rnn.gru_cell(x_t, hidden, *weights)
        else:
            activation = relu if layer.mode == "RNN_RELU" else tanh
            hidden = rnn.rnn_cell(x_t, hidden, *weights, activation=activation)
        hidden.retain_grad()
        if kept is not None:
            kept.append(hidden)
        outputs.append(hidden)
    output = joining.stack(outputs, dim=0)               # (T, N, H)
    if layer.batch_first:
        output = output.transpose(0, 1)
    final = hidden.unsqueeze(0)
    return output, ((final, cell.unsqueeze(0)) if layer.mode == "LSTM" else final)


def hidden_states_and_gradients(model, inputs, targets, loss_function):
    """Run ``model`` on one batch step by step and backpropagate once.

    Returns (states, gradient_norms): states (T, H) are h_t of the first example,
    gradient_norms (T,) are ||dL/dh_t|| over the whole batch. The model's weights get
    no .grad from this (they are restored), and its train/eval mode is kept.
    """
    import numpy

    layer = recurrent_layer(model)
    kept = []
    saved_grads = [(parameter, parameter.grad) for parameter in model.parameters()]
    # Module.__call__ calls self.forward: an attribute on the instance takes the class's
    # place for this one pass, so the rest of the model (embedding, head) runs unchanged.
    layer.forward = lambda input, hx=None: run_step_by_step(layer, input, hx, kept)
    try:
        with _display.evaluation_mode(model):
            loss = loss_function(model(inputs), targets)
        loss.backward()
    finally:
        del layer.forward
        for parameter, grad in saved_grads:
            parameter.grad = grad
    states = numpy.stack([_display.to_numpy(h[0]) for h in kept])
    norms = numpy.array([float(numpy.linalg.norm(_display.to_numpy(h.grad))) for h in kept])
    return states, norms


def sequence_explorer(models, make_batch, loss_function=None, length=20, max_length=60):
    """A widget comparing recurrent models' hidden states and gradients through time.

    Args:
        models: ``{"RNN": model, "LSTM": other_model, ...}``; each holds one nn.RNN,
            nn.LSTM or nn.GRU (one layer, one direction).
        make_batch: ``make_batch(length)`` returns ``(inputs, targets)`` for sequences of
            that length. It is called with the random generator seeded (then restored),
            so every model sees the same batch and the picture is the same on every run.
        loss_function: ``loss_function(output, targets)``; default nn.CrossEntropyLoss().
        length, max_length: the sequence length to start with, and the slider's end.

    The widget carries ``.states`` (name -> (T, H) array), ``.gradient_norms`` (name ->
    (T,) array), ``.caption``, ``.figure`` and its sliders ``.time_step`` and ``.length``.
    """
    import ipywidgets as widgets  # noqa: F401 (the Panel is an ipywidgets box)

    import edunet
    from edunet import nn
    from edunet.viz.panel import Panel

    if not isinstance(models, dict) or not models:
        raise TypeError("sequence_explorer(models, ...): models is a dict such as "
                        "{'RNN': rnn_model, 'LSTM': lstm_model}.")
    for model in models.values():
        recurrent_layer(model)                      # fails early, with a clear message
    loss_function = loss_function or nn.CrossEntropyLoss()
    length_slider = _display.int_slider(_("sequence length T"), length, 2, max_length)
    time_slider = _display.int_slider(_("time step t"), 1, 1, length)
    picture, caption = _display.figure_image(), _display.make_caption()
    box = Panel([length_slider, time_slider, picture, caption], "sequence_explorer")

    def compute(change=None):
        generator_state = edunet.get_rng_state()
        results = {}
        try:
            for name, model in models.items():
                edunet.manual_seed(0)               # the same batch for every model
                inputs, targets = make_batch(length_slider.value)
                results[name] = hidden_states_and_gradients(model, inputs, targets,
                                                            loss_function)
        finally:
            edunet.set_rng_state(generator_state)  # looking must not change the learner's numbers
        box.states = {name: states for name, (states, _norms) in results.items()}
        box.gradient_norms = {name: norms for name, (_states, norms) in results.items()}
        time_slider.max = length_slider.value
        time_slider.value = min(time_slider.value, length_slider.value)
        redraw()

    def redraw(change=None):
        import numpy
        step = time_slider.value
        count = length_slider.value
        names = list(box.states)
        figure = _display.new_figure(8.0, 1.9 * len(names) + 2.6)
        grid = figure.add_gridspec(len(names) + 1, 1, height_ratios=[1] * len(names) + [1.3])
        for row, name in enumerate(names):
            axes = figure.add_subplot(grid[row])
            image = axes.imshow(box.states[name].T, cmap="RdBu_r", vmin=-1, vmax=1,
                                aspect="auto", interpolation="nearest",
                                extent=(0.5, count + 0.5, box.states[name].shape[1] - 0.5, -0.5))
            axes.axvline(step, color="black", linewidth=1.5)
            axes.set_ylabel(_("unit"))
            axes.set_title(_("{name}: hidden state h_t of example 0").format(name=name),
                           fontsize=10)
            figure.colorbar(image, ax=axes, fraction=0.03, pad=0.01)
        axes = figure.add_subplot(grid[-1])
        steps = numpy.arange(1, count + 1)
        for index, name in enumerate(names):
            norms = numpy.maximum(box.gradient_norms[name], 1e-30)   # log scale: no zeros
            colour = COLOURS[index % len(COLOURS)]
            axes.plot(steps, norms, "o-", markersize=3, color=colour, label=name)
            axes.plot([step], [norms[step - 1]], "o", markersize=8, color=colour)
        axes.axvline(step, color="black", linewidth=1.0)
        axes.set_yscale("log")
        axes.set_xlim(0.5, count + 0.5)
        axes.set_xlabel(_("time step t (the loss is computed at the last step)"))
        axes.set_ylabel("||dL/dh_t||")
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small", loc="lower right")
        _display.show_figure(picture, figure)
        parts = [_("{name} {norm:.1e}").format(name=name, norm=box.gradient_norms[name][step - 1])
                 for name in names]
        _display.set_caption(caption, _(
            "t = {step} of {total}: gradient of the loss with respect to h_t: {norms}. "
            "Move t to the left: the gradient reaching early steps is what lets them learn."
        ).format(step=step, total=count, norms=", ".join(parts)))

    length_slider.observe(compute, names="value")
    time_slider.observe(redraw, names="value")
    box.length, box.time_step = length_slider, time_slider
    box.caption, box.figure = caption, picture
    compute()
    return box
