"""``viz.training_dashboard()``: live loss and accuracy curves while a model trains.

Call ``log`` once per step from your own loop, or let ``fit`` run the loop:

    dashboard = viz.training_dashboard(total_steps=200)
    display(dashboard)                               # show it above the loop's output
    for step in range(200):
        optimizer.zero_grad()
        output = model(x)
        loss = loss_fn(output, y)
        loss.backward()
        optimizer.step()
        accuracy = (output.argmax(1) == y).float().mean().item()
        dashboard.log(step, loss=loss.item(), accuracy=accuracy)
    dashboard.finish()

Redrawing a plot takes a good fraction of a second, so the curves are redrawn at
most once every ``redraw_seconds`` (and never more than a sixth of the time); the
progress bar and the numbers update at every step.

Stopping early, in any loop that calls ``log``:

- the **Stop** button: a kernel reads a click only when the running cell ends, so
  the dashboard listens for it on the kernel's message thread (``kernel_events``,
  ipykernel 7 or newer). The next ``log`` then ends the cell with one line,
  "Training stopped at step N; the model keeps its weights." (``log`` raises
  :class:`TrainingStopped`, a KeyboardInterrupt, so the loop stops wherever it is);
- the notebook's **interrupt** button (the square) ends it the same way, with the
  same one line instead of a long traceback.

Either way the dashboard shows "stopped" and the model keeps the weights of its last
step. ``fit`` and ``fit_async`` catch the stop and return the history.
"""

import asyncio
import time

import ipywidgets as widgets

from edunet.grad_mode import no_grad
from edunet.i18n import _
from edunet.viz import _display, kernel_events
from edunet.viz.panel import Panel


class TrainingStopped(KeyboardInterrupt):
    """Raised by ``log`` after the Stop button was pressed: it ends the loop, like an interrupt."""


def accuracy(output, target):
    """The fraction of rows whose largest score is at the target class (None if not a
    classification: ``output`` must be ``(N, C)`` scores and ``target`` ``(N,)`` classes)."""
    if output.ndim != 2 or target.ndim != 1 or target.is_floating_point():
        return None
    with no_grad():
        return (output.argmax(1) == target).float().mean().item()


class TrainingDashboard(Panel):
    """The widget :func:`training_dashboard` returns.

    Attributes: ``history`` (metric name -> list of ``(step, value)``), ``steps_logged``,
    ``stop_requested``, ``stopped_by`` ("button", "interrupt" or None), ``draw_count``,
    and the parts ``progress``, ``status``, ``stop_button``, ``chart``, ``caption``.
    """

    training_now = None     # the dashboard whose loop logged last (for an interrupt's line)
    _fitting = False        # True while fit/fit_async run the loop (they catch the stop)

    def __init__(self, total_steps=None, redraw_seconds=1.0, smoothing=0.9):
        self.total_steps, self.redraw_seconds = total_steps, redraw_seconds
        self.smoothing = smoothing
        self.history, self.steps_logged, self.draw_count = {}, 0, 0
        self.stop_requested, self.stopped_by = False, None
        self.started = self.last_drawn = self.last_status = self.last_step = None
        self.draw_seconds = 0.0
        self.stop_clicked = False       # set on the kernel's message thread (kernel_events)
        self.training_cell = None       # the cell whose loop logged last
        self.progress = widgets.IntProgress(value=0, min=0, max=total_steps or 1,
                                            description=_("progress"),
                                            style=_display.SLIDER_STYLE)
        self.status = widgets.Label(_("waiting for the first step"))
        self.status.add_class("edunet-status")
        self.stop_button = widgets.Button(description=_("Stop training"), icon="stop",
                                          button_style="danger",
                                          tooltip=_("End training after the current step"))
        self.stop_button.on_click(self.request_stop)
        self.hears_clicks_while_training = kernel_events.listen_for_clicks(
            self.stop_button, self._clicked_during_a_cell)
        kernel_events.end_cells_quietly_on_interrupt(_describe_interrupt)
        self.chart = _display.figure_image()
        self.caption = _display.make_caption()
        super().__init__([widgets.HBox([self.progress, self.stop_button]), self.status,
                          self.chart, self.caption], "training_dashboard")
        self.finished = False
        self.draw()
        self.draw_seconds = 0.0     # the first drawing also loads matplotlib: not typical

    def _clicked_during_a_cell(self):
        """Runs on the kernel's message thread the moment a click arrives: only a flag."""
        if not self.finished:
            self.stop_clicked = True

    def request_stop(self, button=None):
        """What the Stop button does: ask the loop to end after the current step.

        A click that arrives after training finished changes nothing.
        """
        if self.finished:
            return
        self.stop_requested, self.stopped_by = True, self.stopped_by or "button"
        self.stop_button.disabled = True
        self.stop_button.description = _("stopping...")

    def stopped_line(self):
        """The one line a stopped training cell ends with."""
        return _("Training stopped at step {step}; the model keeps its weights.").format(
            step=self.last_step)

    def log(self, step, loss=None, accuracy=None, **metrics):
        """Record this step's numbers (any keyword is a metric, e.g. ``val_loss=0.3``)."""
        now = time.monotonic()
        self.started = self.started or now
        values = dict(loss=loss, accuracy=accuracy, **metrics)
        for name, value in values.items():
            if value is not None:
                self.history.setdefault(name, []).append((step, float(value)))
        self.steps_logged += 1
        self.last_step = step
        self.training_cell = kernel_events.execution_count()
        TrainingDashboard.training_now = self
        if self.stop_clicked and not self.stop_requested:
            self.request_stop()
        finished = self.total_steps is not None and self.steps_logged >= self.total_steps
        if finished or self.last_status is None or now - self.last_status > 0.1:
            self.last_status = now
            self.progress.max = max(self.total_steps or 0, self.steps_logged)
            self.progress.value = self.steps_logged
            self.status.value = self._status_text(now)
        pause = max(self.redraw_seconds, 5 * self.draw_seconds)
        if finished or now - self.last_drawn >= pause:
            self.draw()
        if self.stop_requested and self.stopped_by == "button" and not self._fitting:
            self.finish()
            raise TrainingStopped(self.stopped_line())

    def _status_text(self, now):
        if self.total_steps:
            where = _("step {step} ({logged}/{total})").format(
                step=self.last_step, logged=self.steps_logged, total=self.total_steps)
        else:
            where = _("step {step}").format(step=self.last_step)
        parts = [_("stopped at {where}").format(where=where) if self.stopped_by else where]
        for name, values in self.history.items():
            value = values[-1][1]
            parts.append(f"{name} {value:.2%}" if "acc" in name else f"{name} {value:.4f}")
        elapsed = now - self.started
        if elapsed > 0 and self.steps_logged > 1:
            rate = (self.steps_logged - 1) / elapsed
            parts.append(_("{rate:.1f} steps/s").format(rate=rate))
            if self.total_steps and self.steps_logged < self.total_steps and not self.finished:
                parts.append(_("about {seconds:.0f} s left").format(
                    seconds=(self.total_steps - self.steps_logged) / rate))
        return " | ".join(parts)

    def draw(self):
        """Redraw the curves and the caption now."""
        start = time.monotonic()
        figure = _display.new_figure(9.0, 3.2)
        figure.set_layout_engine(None)         # fixed margins: faster than a layout engine
        loss_axes, other_axes = figure.subplots(1, 2)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.9, wspace=0.25)
        for name, values in self.history.items():
            axes = other_axes if "acc" in name else loss_axes
            steps, numbers = zip(*values)
            line, = axes.plot(steps, numbers, alpha=0.35 if len(numbers) > 20 else 1.0,
                              marker="." if len(numbers) < 20 else None)
            if len(numbers) > 20:                # a smoothed line shows the trend
                axes.plot(steps, _smooth(numbers, self.smoothing), color=line.get_color(),
                          label=_("{name} (smoothed)").format(name=name))
            else:
                line.set_label(name)
        for axes, title in ((loss_axes, _("loss")), (other_axes, _("accuracy"))):
            axes.set_title(title)
            axes.set_xlabel(_("step"))
            axes.grid(alpha=0.3)
            if axes.lines:
                axes.legend(fontsize="small")
        if self.total_steps:
            for axes in (loss_axes, other_axes):
                axes.set_xlim(0, self.total_steps)
        _display.show_figure(self.chart, figure, description=self._description())
        _display.set_caption(self.caption, self._summary())
        self.draw_count += 1
        self.drawn_steps = self.steps_logged
        self.last_drawn = time.monotonic()
        self.draw_seconds = self.last_drawn - start

    def _description(self):
        """The chart's text alternative."""
        if not self.history:
            return _("Two empty plots, loss and accuracy per step: no step logged yet.")
        return _("Two plots over the training steps: left the loss, right the accuracy, each "
                 "with a smoothed line. {summary}").format(summary=" ".join(
                     self._summary().split("\n")))

    def _summary(self):
        if not self.history:
            return _("No steps logged yet: call dashboard.log(step, loss=...) in the training "
                     "loop.")
        lines = []
        for name, values in self.history.items():
            best = (max if "acc" in name else min)(value for _step, value in values)
            lines.append(_("{name}: first {first:.4g}, last {last:.4g}, best {best:.4g}").format(
                name=name, first=values[0][1], last=values[-1][1], best=best))
        if self.stopped_by == "button":
            lines.append(_("Stopped by the Stop button after {steps} steps.").format(
                steps=self.steps_logged))
        elif self.stopped_by:
            lines.append(_("Stopped by an interrupt after {steps} steps.").format(
                steps=self.steps_logged))
        return "\n".join(lines)

    def snapshot(self):
        """The chart for the notebook's stored output, once there is something to show (a
        dashboard is displayed before training starts: its empty chart would say nothing)."""
        return super().snapshot() if self.steps_logged else None

    def finish(self):
        """Show the final numbers (``fit`` calls it; call it after your own loop)."""
        self.finished = True
        if self.started is not None:
            self.progress.value = self.steps_logged
            self.status.value = self._status_text(time.monotonic())
        self.stop_button.disabled = True
        self.stop_button.description = _("stopped") if self.stopped_by else _("finished")
        # Red meant "press to stop"; a finished run is good news, a stopped one neutral.
        self.stop_button.button_style = "" if self.stopped_by else "success"
        if self.drawn_steps != self.steps_logged or self.stopped_by:
            self.draw()
        self.refresh_stored_picture()      # the notebook keeps the final curves

    # ------------------------------------------------------------------ training loops
    def _training_steps(self, model, loader, loss_fn, optimizer, epochs):
        """The classic loop, one step per ``yield``; stops when a stop is requested.

        Calling fit again trains on: the steps continue from where the last run ended.
        """
        step = self.steps_logged
        if hasattr(loader, "__len__") and (self.total_steps is None or self.finished):
            self.total_steps = step + epochs * len(loader)
            self.progress.max = self.total_steps
        self.finished, self.stop_requested, self.stopped_by = False, False, None
        self.stop_clicked = False
        self.stop_button.disabled, self.stop_button.description = False, _("Stop training")
        self.stop_button.button_style = "danger"
        model.train()
        for epoch in range(epochs):
            for inputs, targets in loader:
                if self.stop_requested:
                    return
                optimizer.zero_grad()
                output = model(inputs)
                loss = loss_fn(output, targets)
                loss.backward()
                optimizer.step()
                self.log(step, loss=loss.item(), accuracy=accuracy(output, targets))
                step += 1
                yield epoch

    def fit(self, model, loader, loss_fn, optimizer, epochs=1):
        """Train ``model`` for ``epochs`` passes over ``loader``; return ``history``.

        Each step: ``zero_grad``, forward, ``loss_fn(output, targets)``, ``backward``,
        ``step``, then ``log`` (accuracy too when the targets are class indices).
        Stop or the kernel's interrupt ends it after the current step.
        """
        self._fitting = True
        try:
            for _epoch in self._training_steps(model, loader, loss_fn, optimizer, epochs):
                pass
        except KeyboardInterrupt:
            self.stop_requested, self.stopped_by = True, self.stopped_by or "interrupt"
        finally:
            self._fitting = False
            self.finish()
        return self.history

    async def fit_async(self, model, loader, loss_fn, optimizer, epochs=1):
        """``fit`` that pauses after each step, so the kernel hears the Stop button.

        In a notebook: ``history = await dashboard.fit_async(model, loader, loss_fn, optimizer)``.
        """
        self._fitting = True
        try:
            for _epoch in self._training_steps(model, loader, loss_fn, optimizer, epochs):
                await asyncio.sleep(0)
        except KeyboardInterrupt:
            self.stop_requested, self.stopped_by = True, self.stopped_by or "interrupt"
        finally:
            self._fitting = False
            self.finish()
        return self.history


def _describe_interrupt(exception):
    """The line for an interrupted cell whose loop was logging to a dashboard (else None)."""
    if isinstance(exception, TrainingStopped):
        return str(exception)
    dashboard = TrainingDashboard.training_now
    if (dashboard is None or dashboard.finished
            or dashboard.training_cell != kernel_events.execution_count()):
        return None
    dashboard.stop_requested, dashboard.stopped_by = True, dashboard.stopped_by or "interrupt"
    dashboard.finish()
    return dashboard.stopped_line()


def _smooth(values, smoothing):
    """Exponential moving average, bias-corrected as in TensorBoard's smoothing."""
    smoothed, average = [], 0.0
    for count, value in enumerate(values, start=1):
        average = smoothing * average + (1 - smoothing) * value
        smoothed.append(average / (1 - smoothing ** count))
    return smoothed


def training_dashboard(total_steps=None, redraw_seconds=1.0, smoothing=0.9):
    """A widget: live loss and accuracy curves, a progress bar and a Stop button.

    Args:
        total_steps: how many steps the loop will take (for the progress bar and the
            time left); ``fit`` fills it in from the loader when left out.
        redraw_seconds: redraw the curves at most this often.
        smoothing: weight of the moving average drawn over noisy curves (0: none).

    Use ``dashboard.log(step, loss=..., accuracy=...)`` in your loop, or
    ``dashboard.fit(model, loader, loss_fn, optimizer, epochs)``; see :class:`TrainingDashboard`.

    >>> dashboard = viz.training_dashboard()
    >>> dashboard.fit(model, train_loader, nn.CrossEntropyLoss(), optimizer, epochs=1)
    """
    return TrainingDashboard(total_steps, redraw_seconds=redraw_seconds, smoothing=smoothing)
