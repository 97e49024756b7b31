"""``viz.optimizer_playground()``: five optimizers race down the same 2-D loss surface.

A point ``(x, y)`` is a tensor with ``requires_grad=True``; each step is exactly a
training step (``zero_grad``, ``loss.backward()``, ``optimizer.step()``, then the
scheduler's ``step()``), run by ``edunet.optim``. The surfaces show the classic
behaviours:

    bowl             x^2 + y^2                    every optimizer gets there
    elongated bowl   0.1 x^2 + 6 y^2              SGD zig-zags across the valley;
                                                  momentum rolls along it
    Rosenbrock       (1 - x)^2 + 100 (y - x^2)^2  a curved, flat-bottomed valley; the
                                                  minimum is at (1, 1)
    saddle           x^2 - y^2                    flat in the middle: who escapes?
"""

import math

import numpy

import edunet
from edunet import optim
from edunet.i18n import _
from edunet.viz import _display

# name: (formula, f(x, y), start, x range, y range, minimum or None)
SURFACES = {
    "bowl": ("x^2 + y^2", lambda x, y: x ** 2 + y ** 2, (-1.5, 1.2), (-2, 2), (-2, 2), (0, 0)),
    "elongated bowl": ("0.1 x^2 + 6 y^2", lambda x, y: 0.1 * x ** 2 + 6 * y ** 2, (-1.8, 0.8),
                       (-2, 2), (-1, 1), (0, 0)),
    "Rosenbrock": ("(1 - x)^2 + 100 (y - x^2)^2",
                   lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2, (-1.2, 1.0),
                   (-2, 2), (-1, 3), (1, 1)),
    "saddle": ("x^2 - y^2", lambda x, y: x ** 2 - y ** 2, (-1.5, 0.05), (-2, 2), (-2, 2), None),
}
OPTIMIZERS = ["SGD", "Momentum", "Nesterov", "RMSprop", "Adam"]
SCHEDULERS = ["none", "StepLR", "ExponentialLR", "CosineAnnealingLR"]
COLORS = dict(zip(OPTIMIZERS, _display.COLOURS))        # colour-blind safe (Okabe-Ito)
LINE_STYLES = dict(zip(OPTIMIZERS, _display.LINE_STYLES))  # and told apart without colour
# The learning-rate slider's stops: 1, 2, 3, 5 per power of ten, so that every round rate
# (0.05, 0.1, 0.5 ...) can be chosen, and chosen again after moving away.
LEARNING_RATES = [round(mantissa * 10.0 ** power, 6) for power in range(-4, 1)
                  for mantissa in (1, 2, 3, 5)][:-3]             # 0.0001 ... 1.0
ESCAPED = 1e6   # a path this far out has diverged: stop following it


def make_optimizer(name, params, lr, momentum):
    """The optimizer behind each name; Momentum and Nesterov are SGD with options."""
    if name == "SGD":
        return optim.SGD(params, lr=lr)
    if name == "Momentum":
        return optim.SGD(params, lr=lr, momentum=momentum)
    if name == "Nesterov":    # PyTorch refuses nesterov=True without momentum
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=momentum > 0)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr)
    if name == "Adam":
        return optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose from {OPTIMIZERS}")


def make_scheduler(name, optimizer, steps):
    """A learning-rate schedule over ``steps`` steps (None for "none")."""
    if name == "none":
        return None
    if name == "StepLR":                      # halve the learning rate 3 times
        return optim.lr_scheduler.StepLR(optimizer, step_size=max(1, steps // 4), gamma=0.5)
    if name == "ExponentialLR":               # multiply it by 0.97 every step
        return optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.97)
    if name == "CosineAnnealingLR":           # glide it down to 0 along a half cosine
        return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    raise ValueError(f"unknown scheduler {name!r}; choose from {SCHEDULERS}")


def optimizer_path(surface, optimizer_name, lr=0.1, momentum=0.9, steps=50, scheduler="none"):
    """Run one optimizer on one surface; return the points visited and the losses there.

    Returns ``(path, losses)``: arrays of shape ``(k + 1, 2)`` and ``(k + 1,)`` with the
    start first; ``k == steps`` unless the path diverged (left the plane or hit inf).
    """
    formula, function, start = SURFACES[surface][:3]
    point = edunet.tensor(start, dtype=edunet.float64, requires_grad=True)
    optimizer = make_optimizer(optimizer_name, [point], lr, momentum)
    schedule = make_scheduler(scheduler, optimizer, steps)
    path, losses = [list(start)], []
    for _step in range(steps):
        optimizer.zero_grad()
        loss = function(point[0], point[1])
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        losses.append(loss.item())
        x, y = point.tolist()
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > ESCAPED:
            break
        path.append([x, y])
    path = numpy.array(path)
    losses = numpy.array((losses + [float(function(*path[-1]))])[:len(path)])
    return path, losses


def _draw(surface, paths, losses, steps):
    """Five contour plots with one path each, and the losses of all five per step."""
    formula, function, start, x_range, y_range, minimum = SURFACES[surface]
    figure = _display.new_figure(10.5, 6.4)
    figure.set_layout_engine(None)           # fixed margins: much faster than laying out
    grid = figure.subplots(2, 3)
    figure.subplots_adjust(left=0.05, right=0.98, bottom=0.07, top=0.95, wspace=0.2, hspace=0.3)
    x, y = numpy.meshgrid(numpy.linspace(*x_range, 120), numpy.linspace(*y_range, 120))
    heights = function(x, y)
    if surface == "Rosenbrock":                 # its values span 0..2500: use a log scale
        heights = numpy.log10(heights + 1e-3)
    for axes, name in zip(grid.flat, OPTIMIZERS):
        axes.imshow(heights, extent=(*x_range, *y_range), origin="lower", cmap="Greys", alpha=0.7,
                    aspect="auto")
        axes.contour(x, y, heights, levels=12, colors="white", linewidths=0.5)
        path = paths[name]
        axes.plot(path[:, 0], path[:, 1], marker=".", linestyle=LINE_STYLES[name],
                  color=COLORS[name], markersize=3, linewidth=1.2)
        axes.plot(*start, "o", color="black", markersize=5)
        if minimum is not None:
            axes.plot(*minimum, "*", color="gold", markersize=12, markeredgecolor="black")
        axes.set_xlim(*x_range)
        axes.set_ylim(*y_range)
        axes.set_title(_("{name}: loss {loss:.3g}").format(name=name, loss=losses[name][-1]))
        axes.locator_params(nbins=4)
    loss_axes = grid.flat[-1]
    for name in OPTIMIZERS:
        loss_axes.plot(losses[name], color=COLORS[name], linestyle=LINE_STYLES[name], label=name)
    loss_axes.set_yscale("symlog", linthresh=1.0 if surface == "saddle" else 1e-4)
    loss_axes.set_xlim(0, steps)
    start_loss = max(abs(values[0]) for values in losses.values())
    loss_axes.set_ylim(top=10 * start_loss)       # a diverging loss leaves through the top
    loss_axes.set_xlabel(_("step"))
    loss_axes.set_title(_("loss; surface {formula}").format(formula=formula))
    loss_axes.legend(fontsize="small")
    return figure


def optimizer_playground(surface="elongated bowl", lr=0.1, momentum=0.9, steps=50,
                         scheduler="none"):
    """A widget: SGD, momentum, Nesterov, RMSprop and Adam on one loss surface, side by side.

    Args:
        surface: "bowl", "elongated bowl", "Rosenbrock" or "saddle".
        lr, momentum, steps: starting values of the sliders (momentum is used by
            Momentum and Nesterov; RMSprop and Adam use their default settings).
        scheduler: "none", "StepLR", "ExponentialLR" or "CosineAnnealingLR".

    The returned widget carries ``.paths`` and ``.losses`` (dicts from optimizer name to
    the arrays of :func:`optimizer_path`), ``.final_lr``, the controls
    ``.surface_dropdown``, ``.lr_slider``, ``.momentum_slider``, ``.steps_slider``,
    ``.scheduler_dropdown``, and ``.caption``.

    >>> viz.optimizer_playground("Rosenbrock", lr=0.001, steps=200)
    """
    import ipywidgets as widgets

    from edunet.viz.panel import Panel

    style = _display.SLIDER_STYLE
    surface_dropdown = widgets.Dropdown(options=list(SURFACES), value=surface,
                                        description=_("surface"), style=style)
    scheduler_dropdown = widgets.Dropdown(options=SCHEDULERS, value=scheduler,
                                          description=_("lr scheduler"), style=style)
    rates = sorted(set(LEARNING_RATES) | {float(lr)})        # a rate given here is a stop too
    lr_slider = widgets.SelectionSlider(options=[(f"{rate:g}", rate) for rate in rates],
                                        value=float(lr), description=_("learning rate"),
                                        continuous_update=False, style=style)
    momentum_slider = _display.float_slider(_("momentum"), momentum, 0.0, 0.99, 0.01)
    steps_slider = _display.int_slider(_("steps"), steps, 1, 300)
    chart = _display.figure_image()
    caption = _display.make_caption()
    controls = [surface_dropdown, scheduler_dropdown, lr_slider, momentum_slider, steps_slider]
    box = Panel([widgets.HBox(controls[:2]), widgets.HBox(controls[2:]), chart, caption],
                "optimizer_playground")

    def redraw(change=None):
        name, steps = surface_dropdown.value, steps_slider.value
        paths, losses = {}, {}
        for optimizer_name in OPTIMIZERS:
            paths[optimizer_name], losses[optimizer_name] = optimizer_path(
                name, optimizer_name, lr_slider.value, momentum_slider.value, steps,
                scheduler_dropdown.value)
        _display.show_figure(chart, _draw(name, paths, losses, steps), description=_(
            "Five contour plots of the surface {formula}, each with the path of one optimizer "
            "({names}) from the start point, and a plot of the five losses per step.").format(
                formula=SURFACES[name][0], names=", ".join(OPTIMIZERS)))
        final_lr = _final_learning_rate(lr_slider.value, steps, scheduler_dropdown.value)
        lines = [_("{formula} from {start}: learning rate {lr:.4g}, momentum {momentum:.2f}, "
                   "{steps} steps, scheduler {scheduler} (final lr {final_lr:.4g})").format(
                       formula=SURFACES[name][0], start=SURFACES[name][2], lr=lr_slider.value,
                       momentum=momentum_slider.value, steps=steps,
                       scheduler=scheduler_dropdown.value, final_lr=final_lr)]
        for optimizer_name in OPTIMIZERS:
            path, loss = paths[optimizer_name], losses[optimizer_name]
            where = _("{name}: ends at ({x:.3f}, {y:.3f}), loss {loss:.4g}").format(
                name=optimizer_name, x=path[-1, 0], y=path[-1, 1], loss=loss[-1])
            if len(path) != steps + 1:
                where += " -- " + _("diverged after {steps} steps: lower the learning "
                                    "rate").format(steps=len(path) - 1)
            lines.append(where)
        _display.set_caption(caption, "\n".join(lines))
        box.paths, box.losses, box.final_lr = paths, losses, final_lr

    for control in controls:
        control.observe(redraw, names="value")
    box.surface_dropdown, box.scheduler_dropdown, box.lr_slider = (
        surface_dropdown, scheduler_dropdown, lr_slider)
    box.momentum_slider, box.steps_slider, box.chart, box.caption = (
        momentum_slider, steps_slider, chart, caption)
    redraw()
    return box


def _final_learning_rate(lr, steps, scheduler):
    """The learning rate the schedule reaches after ``steps`` steps (for the caption)."""
    point = edunet.zeros(1, requires_grad=True)
    optimizer = optim.SGD([point], lr=lr)
    schedule = make_scheduler(scheduler, optimizer, steps)
    for _step in range(steps if schedule is not None else 0):
        optimizer.step()
        schedule.step()
    return optimizer.param_groups[0]["lr"]
