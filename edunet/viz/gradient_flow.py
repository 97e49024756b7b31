"""``viz.gradient_flow(model)``: how much gradient reaches each layer, and over training.

After ``loss.backward()`` every parameter holds ``.grad``. A layer learns at a speed
set by the size of its gradient, here its norm:

    ||g|| = sqrt(sum of g^2 over all the layer's parameters)

In a deep stack of sigmoids each layer multiplies the gradient by sigmoid' <= 0.25
on its way back, so the first layers get almost nothing (vanishing gradients);
with ReLU the factor is 1 where a unit is active. The widget shows, per layer in
forward order: the norm now (log scale), its history over the steps recorded with
``update()``, and a histogram of the gradient's entries. Alerts in plain words:

- vanishing: a layer's norm is below ``vanishing`` (1e-5) times the largest layer's;
- exploding: a layer's norm is above ``exploding`` (1e3);
- dead: a layer's gradient is all zeros, or most of its units (rows of the weight)
  got exactly zero, which is what dead ReLUs (always-negative inputs) do.

    flow = viz.gradient_flow(model)       # show it
    for step in range(100):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        flow.update()                     # record this step's gradients
        optimizer.step()
    flow.draw()                           # the final picture (update redraws at most once a second)
"""

import time

import matplotlib
import numpy

from edunet.i18n import _
from edunet.viz import _display
from edunet.viz.panel import Panel

# The caption lists this many alerts; a deep network can raise one per layer.
CAPTION_ALERTS = 3


def _layer_norm(gradients):
    return float(numpy.sqrt(sum(float((g.astype(numpy.float64) ** 2).sum()) for g in gradients)))


class GradientFlow(Panel):
    """The widget :func:`gradient_flow` returns; ``update()`` records one step.

    Attributes: ``layer_names`` (forward order), ``norms`` (the latest norm per
    layer), ``history`` (a list with one dict of norms per recorded step), ``steps``,
    ``histograms`` (per layer: counts and the edges of log10|g| bins), ``alerts``
    (the latest alert sentences), ``chart`` and ``caption``.
    """

    def __init__(self, model, vanishing=1e-5, exploding=1e3, redraw_seconds=1.0):
        self.model, self.vanishing, self.exploding = model, vanishing, exploding
        self.redraw_seconds = redraw_seconds
        self.layers = [(name or "(model)", module) for name, module in model.named_modules()
                       if list(module.parameters(recurse=False))]
        self.layer_names = [f"{name} ({type(module).__name__})" for name, module in self.layers]
        self.norms, self.history, self.steps, self.histograms = {}, [], [], {}
        self.alerts, self.flagged_alerts = [], []
        self.chart = _display.figure_image()
        self.caption = _display.make_caption()
        self.last_drawn, self.draw_seconds, self.drawn_steps = None, 0.0, 0
        super().__init__([self.chart, self.caption], "gradient_flow")
        if any(p.grad is not None for p in model.parameters()):
            self.update()
        else:
            self.draw()
        self.draw_seconds = 0.0     # the first drawing also loads matplotlib: not typical

    def update(self, step=None, draw=None):
        """Record the gradients now in the model's ``.grad``; redraw if a second has passed
        (and at the first update).

        ``step`` labels the x axis of the history (default: 0, 1, 2, ...);
        ``draw=True`` forces a redraw, ``draw=False`` skips it.
        """
        gradients = {label: [p.grad.detach().cpu().numpy() for p in module.parameters(recurse=False)
                             if p.grad is not None]
                     for label, (_name, module) in zip(self.layer_names, self.layers)}
        self.norms = {label: _layer_norm(grads) if grads else None
                      for label, grads in gradients.items()}
        self.steps.append(len(self.steps) if step is None else step)
        self.history.append(dict(self.norms))
        self.histograms = self._histograms(gradients)
        self.flagged_alerts = self._alerts(gradients)
        self.alerts = [sentence for _label, sentence in self.flagged_alerts]
        # Drawing takes a while: wait at least 4 times as long as the last one took.
        pause = max(self.redraw_seconds, 4 * self.draw_seconds)
        due = not self.drawn_steps or time.monotonic() - self.last_drawn >= pause
        if draw or (draw is None and due):
            self.draw()
        return self

    def _histograms(self, gradients):
        """Counts of log10|g| per layer, over bins shared by all layers (zeros left out)."""
        entries = {label: numpy.abs(numpy.concatenate([g.ravel() for g in grads]))
                   for label, grads in gradients.items() if grads}
        logs = {label: numpy.log10(values[values > 0]) for label, values in entries.items()}
        finite = [values for values in logs.values() if values.size]
        if not finite:
            return {}
        low = min(-10.0, min(v.min() for v in finite))       # a fixed range, as for the norms
        high = max(1.0, max(v.max() for v in finite))
        edges = numpy.linspace(numpy.floor(low), numpy.ceil(high), 45)
        return {label: (numpy.histogram(values, edges)[0], edges) for label, values in logs.items()}

    def _alerts(self, gradients):
        """(layer, sentence) pairs about vanishing, exploding and dead layers (latest step)."""
        largest = max((norm for norm in self.norms.values() if norm is not None), default=0.0)
        alerts = []
        for label, grads in gradients.items():
            norm = self.norms[label]
            if norm is None:
                sentence = _("{label} has no gradient: call loss.backward() before update(), or "
                             "check that forward() uses this layer.").format(label=label)
            elif norm == 0:
                sentence = _("{label} got an all-zero gradient: no signal reaches it, so it does "
                             "not learn. Dead ReLUs (every input negative) do this; try a smaller "
                             "learning rate, LeakyReLU or a different initialization.").format(
                                 label=label)
            elif norm > self.exploding:
                sentence = _("{label}: gradient norm {norm:.3g} is above {limit:g}: exploding "
                             "gradients. Lower the learning rate, clip the gradients before "
                             "optimizer.step() or normalize the inputs.").format(
                                 label=label, norm=norm, limit=self.exploding)
            elif norm < self.vanishing * largest:
                sentence = _("{label}: gradient norm {norm:.3g} is {fraction:.1e} of the largest "
                             "layer's: vanishing gradients, this layer barely learns. Deep "
                             "sigmoid/tanh stacks do this; ReLU, BatchNorm or residual "
                             "connections help.").format(label=label, norm=norm,
                                                         fraction=norm / largest)
            else:
                sentence = self._dead_units(label, grads[0])
            if sentence:
                alerts.append((label, sentence))
        return alerts

    @staticmethod
    def _dead_units(label, weight_grad):
        """A sentence when most units (rows of the weight) got exactly zero gradient."""
        if weight_grad.ndim < 2:
            return None
        rows = numpy.abs(weight_grad).reshape(len(weight_grad), -1).max(axis=1)
        dead = int((rows == 0).sum())
        if dead <= len(weight_grad) / 2:
            return None
        return _("{label}: {dead} of {units} units got exactly zero gradient in this batch: dead "
                 "ReLUs after this layer?").format(label=label, dead=dead, units=len(weight_grad))

    def draw(self):
        """Redraw the chart and caption now."""
        start = time.monotonic()
        figure = _display.new_figure(12, 4.2)
        figure.set_layout_engine(None)
        now, history, spread = figure.subplots(1, 3)
        figure.subplots_adjust(left=0.16, right=0.98, bottom=0.17, top=0.9, wspace=0.3)
        count = len(self.layer_names)               # dark: first layer, yellow: last
        colors = [matplotlib.colormaps["viridis"](i / max(1, count - 1)) for i in range(count)]
        if not self.history:
            for axes in (now, history, spread):
                axes.set_axis_off()
            now.text(0, 0.5, _("No gradients yet: run loss.backward(), then flow.update()."))
        else:
            self._draw_now(now, colors)
            self._draw_history(history, colors)
            self._draw_histograms(spread, colors)
        _display.show_figure(self.chart, figure, description=_(
            "Three plots: the gradient norm of each layer as bars (first layer on top, alerts "
            "hatched), the norms over the recorded steps, and histograms of the gradient "
            "entries. {caption}").format(caption=" ".join(self.describe().split("\n")[:1])))
        _display.set_caption(self.caption, self.describe())
        self.last_drawn = time.monotonic()
        self.draw_seconds = self.last_drawn - start
        self.drawn_steps = len(self.steps)

    def _draw_now(self, axes, colors):
        flagged = {label for label, _sentence in self.flagged_alerts}
        norms = [self.norms[label] or 0.0 for label in self.layer_names]
        alert = _display.COLOURS[3]                  # vermillion, and hatched: not colour alone
        bar_colors = [alert if label in flagged else color
                      for label, color in zip(self.layer_names, colors)]
        positions = numpy.arange(len(norms))
        bars = axes.barh(positions, [max(norm, 1e-30) for norm in norms], color=bar_colors)
        for bar, label in zip(bars, self.layer_names):
            if label in flagged:
                bar.set_hatch("//")
        axes.set_yticks(positions, self.layer_names)
        axes.invert_yaxis()                          # first layer on top
        axes.set_xscale("log")
        # A fixed range, so that two models' pictures compare at a glance.
        known = [norm for norm in norms if norm > 0] or [1.0]
        axes.set_xlim(min(1e-9, min(known) / 3), max(10 * self.exploding, max(known) * 3))
        axes.axvline(self.vanishing * max(known), color=alert, linestyle="--", linewidth=1)
        axes.axvline(self.exploding, color=alert, linestyle="--", linewidth=1)
        axes.set_xlabel(_("gradient norm (log; dashed: alert limits)"))
        axes.set_title(_("step {step}: norm per layer").format(step=self.steps[-1]))

    def _draw_history(self, axes, colors):
        for label, color in zip(self.layer_names, colors):
            values = [entry[label] if entry[label] else numpy.nan for entry in self.history]
            axes.plot(self.steps, values, ".-" if len(values) < 30 else "-", color=color,
                      label=label.split(" ")[0])
        axes.set_yscale("log")
        axes.set_xlabel(_("step"))
        axes.set_title(_("norm per step (dark: first layer)"))
        if len(self.steps) == 1:                       # the first step at the left, a hint beside
            axes.set_xlim(self.steps[0] - 1, self.steps[0] + 10)
            axes.text(0.6, 0.5, _("call flow.update()\nafter each backward()\nto add steps"),
                      transform=axes.transAxes, ha="center", va="center", color="gray")

    def _draw_histograms(self, axes, colors):
        for label, color in zip(self.layer_names, colors):
            if label in self.histograms:
                counts, edges = self.histograms[label]
                axes.stairs(counts, edges, color=color)
        axes.set_xlabel(_("log10 |gradient entry|"))
        axes.set_ylabel(_("count"))
        axes.set_title(_("gradient entries per layer"))

    def describe(self):
        """The caption: the first-to-last ratio and the alerts."""
        if not self.history:
            return _("No gradients yet: run loss.backward(), then flow.update().")
        first, last = self.norms[self.layer_names[0]], self.norms[self.layer_names[-1]]
        lines = [_("Step {step} ({count} recorded). Gradient norm of the first layer: "
                   "{first:.3g}; of the last: {last:.3g}.").format(
                       step=self.steps[-1], count=len(self.steps), first=first or 0,
                       last=last or 0)]
        if first and last:
            lines[0] += " " + _("The first layer gets {ratio:.2g} times the last one's.").format(
                ratio=first / last)
        shown = self.alerts[:CAPTION_ALERTS]
        lines += shown or [_("No alerts: every layer gets a healthy gradient.")]
        if len(self.alerts) > len(shown):
            lines.append(_("... and {count} more alerts like these (all of them are in "
                           "flow.alerts).").format(count=len(self.alerts) - len(shown)))
        return "\n".join(lines)


def gradient_flow(model, vanishing=1e-5, exploding=1e3, redraw_seconds=1.0):
    """A widget: per-layer gradient norms and histograms after ``backward()``, over steps.

    Args:
        model: an ``nn.Module``; each module with its own parameters is one layer.
        vanishing: alert when a layer's norm is below this fraction of the largest one's.
        exploding: alert when a layer's norm is above this.
        redraw_seconds: ``update()`` redraws at most this often (training stays fast).

    Call ``flow.update()`` after each ``loss.backward()`` to record a step; see
    :class:`GradientFlow` for what the widget exposes.

    >>> loss_fn(model(x), y).backward()
    >>> viz.gradient_flow(model)
    """
    return GradientFlow(model, vanishing=vanishing, exploding=exploding,
                        redraw_seconds=redraw_seconds)
