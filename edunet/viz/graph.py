"""``viz.draw_graph(tensor)``: the autograd graph behind a result, and its backward pass.

Every operation on tensors that require grad records a node (``y.grad_fn``); each
node points at the nodes that made its inputs (``grad_fn.next_functions``). This
file draws that graph as SVG with its own layout (no graphviz):

- boxes: the result at the top, one box per operation (``MulBackward0``, with
  its output shape), and one per leaf tensor (named from the model's parameters);
- layers: each node sits one row below the lowest node that uses it
  (longest-path layering); within a row, nodes are ordered by the average position
  of their neighbours (the barycenter heuristic), which keeps edges short;
- arrows follow the forward pass, from the inputs up to the result. The backward
  pass starts at the top, next to the step buttons, and reads downwards.

A step-through mode replays the backward pass with the engine's own walk
(``autograd.walk_backward``, told to record instead of filling ``.grad``): at step k
the k-th node turns the gradient of its output into gradients of its inputs. A tensor used twice gets two gradients,
which add up; those nodes are marked with a sum sign.
"""

import html
from collections import defaultdict

import numpy

from edunet.autograd import (FREED_GRAPH_MESSAGE, AccumulateGrad, BackwardObserver,
                             topological_sort, walk_backward)
from edunet.backend import get_array_module
from edunet.nn.backward_hooks import Watch
from edunet.i18n import _

LAYER_GAP, NODE_GAP, LINE_HEIGHT, CHAR_WIDTH, MARGIN = 30, 24, 14, 6.6, 20
COLORS = {"output": "#c5e1a5", "op": "#e0e0e0", "leaf": "#bbdefb",
          "done": "#ffe0b2", "current": "#ffb74d"}


def _short(array):
    """A few numbers, or a summary when there are many: for the boxes and captions."""
    array = numpy.asarray(array.get() if hasattr(array, "get") else array)
    if array.size <= 4:
        values = ", ".join(f"{value:.3g}" for value in array.reshape(-1).tolist())
        return values if array.ndim == 0 else f"[{values}]"
    return f"mean {array.mean():.3g}, max|.| {numpy.abs(array).max():.3g}"


def _shape_text(shape):
    return "?" if shape is None else str(list(shape))


class _Replay(BackwardObserver):
    """Records, box by box, what the backward walk computes (for :class:`AutogradGraph`)."""

    def __init__(self, graph):
        self.graph = graph

    def arrived(self, node, grad_output):
        self.graph.gradients[self.graph.index[node]] = grad_output   # the sum of what came in
        return grad_output

    def apply_backward(self, node, grad_output):
        if isinstance(node, Watch):
            return (grad_output,)                  # the identity; don't call the module's hooks
        try:
            return node.backward(grad_output)
        except RuntimeError as error:
            if str(error) != FREED_GRAPH_MESSAGE:  # anything but "freed by backward()"
                raise
            self.graph.freed = True
            return None

    def passed(self, node, input_node, gradient):
        index = self.graph.index
        self.graph.contributions[index[input_node]].append((index[node], gradient))


class AutogradGraph:
    """The graph behind ``tensor``, its layout, and a replay of the backward pass.

    Attributes (index 0 is the result itself; the others are autograd nodes):
        nodes: the autograd node of each box (None for the result).
        kinds: "output", "op" or "leaf" (a leaf tensor's AccumulateGrad node).
        titles, shapes: the text and the output shape (None if unknown) of each box.
        inputs: for each box, the boxes whose outputs it uses (forward direction).
        backward_order: the boxes in the order backward() visits them.
        gradients: the gradient that reaches each box in the backward pass.
        contributions: for each box, the (consumer box, gradient) pairs summed into it.
        layers, x, y, widths, heights: the layout.
        freed: True if backward() already freed the graph (no replay possible).
    """

    def __init__(self, tensor, params=None):
        if tensor.grad_fn is None:
            raise ValueError(
                "draw_graph needs a result computed from tensors with requires_grad=True; this "
                "tensor has no grad_fn (it is a leaf, or was computed under no_grad or after "
                "detach()). Example: w = edunet.randn(3, requires_grad=True); "
                "draw_graph((w * 2).sum()).")
        self.tensor = tensor
        self.names = {id(value): name for name, value in (params or {}).items()}
        self.order = topological_sort([tensor.grad_fn])
        self.nodes = [None] + list(reversed(self.order))  # backward order: result's node first
        self.index = {node: position for position, node in enumerate(self.nodes)
                      if node is not None}
        self.inputs = [[1]] + [[self.index[input_node] for input_node, _index in node.next_functions
                                if input_node is not None] for node in self.nodes[1:]]
        self.kinds = ["output"] + ["leaf" if type(node) is AccumulateGrad else "op"
                                   for node in self.nodes[1:]]
        self.backward_order = list(range(1, len(self.nodes)))
        self._replay_backward()
        self.shapes = [tuple(tensor.shape)] + [self._output_shape(i)
                                               for i in range(1, len(self.nodes))]
        self.titles = ["result"] + [self._title(i) for i in range(1, len(self.nodes))]
        self._layout()

    # ----------------------------------------------------------- the backward replay
    def _replay_backward(self):
        """Walk the backward pass as the engine does, keeping every gradient (:class:`_Replay`).

        Nothing is written to any ``.grad``. Tensor hooks are not run. After a
        ``backward()`` without ``retain_graph=True`` the saved arrays are gone and
        only the nodes that saved nothing can be replayed (``self.freed``).
        """
        root = self.tensor.array
        seed = get_array_module(root).ones_like(root)              # d result / d result
        self.gradients, self.contributions, self.freed = {}, defaultdict(list), False
        self.contributions[1].append((0, seed))
        walk_backward([(self.nodes[1], seed)], _Replay(self), self.order)

    def _output_shape(self, position):
        if self.kinds[position] == "leaf":
            return tuple(self.nodes[position].variable.shape)
        gradient = self.gradients.get(position)   # a gradient has its tensor's shape
        return None if gradient is None else tuple(numpy.shape(gradient))

    def _title(self, position):
        node = self.nodes[position]
        if self.kinds[position] == "leaf":
            return self.names.get(id(node.variable), "leaf tensor")
        return node.name()

    def lines(self, position, step=0):
        """The text lines of one box at a step of the replay (0: no step selected)."""
        kind, shape = self.kinds[position], _shape_text(self.shapes[position])
        lines = [self.titles[position], f"{'' if kind == 'leaf' else 'out '}{shape}"]
        if kind == "output":
            lines.append(f"value {_short(self.tensor.array)}")
        if kind == "leaf":
            leaf = self.nodes[position].variable
            lines.append(f"value {_short(leaf.array)}")
            if step == 0 and leaf.grad is not None:
                lines.append(f".grad {_short(leaf.grad.array)}")
        if step and position <= step and position in self.gradients:
            lines.append(f"grad {_short(self.gradients[position])}")
        return lines

    # ----------------------------------------------------------------- the layout
    def _layout(self):
        """Longest-path layers, barycenter order within layers, then coordinates."""
        count = len(self.nodes)
        self.layers = [0] * count
        for position in range(count):            # backward order: users before inputs
            for input_position in self.inputs[position]:
                self.layers[input_position] = max(self.layers[input_position],
                                                  self.layers[position] + 1)
        users = [[] for _node in range(count)]
        for position, inputs in enumerate(self.inputs):
            for input_position in inputs:
                users[input_position].append(position)
        rows = defaultdict(list)
        for position in range(count):            # first seen, first placed
            rows[self.layers[position]].append(position)
        rank = {position: row.index(position) for row in rows.values() for position in row}
        for _sweep in range(2):                        # two sweeps: up by users, down by inputs
            for layer in sorted(rows)[1:]:
                self._sort_row(rows[layer], users, rank)
            for layer in sorted(rows, reverse=True)[1:]:
                self._sort_row(rows[layer], self.inputs, rank)
        longest = [max(len(line) for step in (0, count) for line in self.lines(i, step))
                   for i in range(count)]
        self.widths = [length * CHAR_WIDTH + 28 for length in longest]
        self.heights = [max(len(self.lines(i, 0)), len(self.lines(i, count))) * LINE_HEIGHT + 10
                        for i in range(count)]
        row_widths = {layer: sum(self.widths[i] for i in row) + NODE_GAP * (len(row) - 1)
                      for layer, row in rows.items()}
        self.width = max(row_widths.values()) + 2 * MARGIN
        row_tops, top = {}, MARGIN              # the result's row first, at the top
        for layer in sorted(rows):
            row_tops[layer] = top
            top += max(self.heights[i] for i in rows[layer]) + LAYER_GAP
        self.height = top - LAYER_GAP + MARGIN
        self.x, self.y = [0.0] * count, [0.0] * count
        for layer, row in rows.items():
            left = (self.width - row_widths[layer]) / 2
            for position in row:
                self.x[position] = left + self.widths[position] / 2    # box centre
                self.y[position] = row_tops[layer]                      # box top
                left += self.widths[position] + NODE_GAP

    @staticmethod
    def _sort_row(row, neighbours, rank):
        """Order one row by the mean rank of each node's neighbours (barycenter)."""
        def barycenter(position):
            linked = [rank[other] for other in neighbours[position]]
            return sum(linked) / len(linked) if linked else rank[position]
        row.sort(key=barycenter)
        for place, position in enumerate(row):
            rank[position] = place

    # --------------------------------------------------------------------- drawing
    def svg(self, step=0):
        """The graph as an SVG string; ``step`` k > 0 highlights the k-th backward node."""
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" '
                 f'height="{self.height:.0f}" font-family="monospace" font-size="11">',
                 '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
                 'markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto">'
                 '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
        users = defaultdict(list)                    # each input's uses, in drawing order
        for position, inputs in enumerate(self.inputs):
            for input_position in inputs:
                users[input_position].append(position)
        used = defaultdict(int)
        for position, inputs in enumerate(self.inputs):
            for slot, input_position in enumerate(inputs):
                flowed = step and position <= step  # this user has sent its gradient back
                # Spread the ends over the boxes, so that two uses of one tensor show as two.
                use, uses = used[input_position], len(users[input_position])
                used[input_position] += 1
                x1, y1 = self._spread(input_position, use, uses), self.y[input_position]
                x2 = self._spread(position, slot, len(inputs))
                y2 = self.y[position] + self.heights[position]      # up into the user's box
                bend = (y2 - y1) / 2
                parts.append(f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + bend:.1f} '
                             f'{x2:.1f},{y2 - bend:.1f} {x2:.1f},{y2:.1f}" fill="none" '
                             f'stroke="{"#e65100" if flowed else "#555"}" '
                             f'stroke-width="{2.5 if flowed else 1.2}" marker-end="url(#arrow)"/>')
        for position in range(len(self.nodes)):
            parts.append(self._box(position, step))
        parts.append("</svg>")
        return "\n".join(parts)

    def _spread(self, position, slot, slots):
        """The x of the ``slot``-th of ``slots`` edge ends along a box's edge."""
        width = min(self.widths[position], 40 * slots)
        return self.x[position] - width / 2 + width * (slot + 1) / (slots + 1)

    def _box(self, position, step):
        kind = self.kinds[position]
        fill = COLORS[kind]
        if step and position == step:
            fill = COLORS["current"]
        elif step and position < step:
            fill = COLORS["done"]
        left = self.x[position] - self.widths[position] / 2
        top, width, height = self.y[position], self.widths[position], self.heights[position]
        current = step and step == position
        stroke = 'stroke="#e65100" stroke-width="3"' if current else 'stroke="#333"'
        box = [f'<g class="node {kind}" data-index="{position}">',
               f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
               f'rx="6" fill="{fill}" {stroke}/>']
        for number, line in enumerate(self.lines(position, step)):
            weight = ' font-weight="bold"' if number == 0 else ""
            box.append(f'<text x="{self.x[position]:.1f}" y="{top + 16 + number * LINE_HEIGHT:.1f}"'
                       f' text-anchor="middle"{weight}>{html.escape(line)}</text>')
        if position:                                     # its place in the backward order
            box.append(f'<text x="{left + 4:.1f}" y="{top + 12:.1f}" fill="#777" '
                       f'font-size="9">{position}</text>')
        if len(self.contributions.get(position, ())) > 1:   # gradients add up here
            box.append(f'<circle cx="{left + width:.1f}" cy="{top:.1f}" r="9" fill="#e65100"/>'
                       f'<text x="{left + width:.1f}" y="{top + 4:.1f}" text-anchor="middle" '
                       f'fill="white" font-weight="bold">&#931;</text>')
        box.append("</g>")
        return "".join(box)

    def description(self, step=0):
        """The picture's text alternative: the boxes from the result down, and the step."""
        boxes = "; ".join(f"{self.titles[i]} <- " + ", ".join(self.titles[j] for j in inputs)
                          for i, inputs in enumerate(self.inputs) if inputs)
        text = _("The autograd graph, the result at the top: {boxes}.").format(boxes=boxes)
        if step:
            text += " " + _("Step {step} is highlighted: {title}.").format(
                step=step, title=self.titles[step])
        return text

    def describe(self, step):
        """A caption for one step of the replay."""
        total = len(self.backward_order)
        if step == 0:
            note = (" " + _("(backward() already freed this graph: call draw_graph before "
                            "backward(), or use backward(retain_graph=True), to replay it)")
                    if self.freed else "")
            return _("{total} nodes. Forward: arrows run from the inputs up to the result. "
                     "Backward starts at the result (top) with gradient 1{note}. Press next "
                     "step to replay it node by node, top to bottom.").format(total=total,
                                                                             note=note)
        title = self.titles[step]
        gradient = self.gradients.get(step)
        text = _("Step {step}/{total}: {title}").format(step=step, total=total, title=title)
        parts = self.contributions.get(step, [])
        if len(parts) > 1:
            sources = " + ".join(_("{gradient} from {source} (step {step})").format(
                gradient=_short(g), source=self.titles[source], step=source)
                for source, g in parts)
            text += "\n" + _("This tensor was used {count} times, so its gradients add up: "
                             "{sources} = {total}.").format(count=len(parts), sources=sources,
                                                            total=_short(gradient))
        if gradient is None:
            return text + "\n" + (_("backward() freed the values this step needs: no replay.")
                                  if self.freed else _("No gradient reaches this node."))
        if self.kinds[step] == "leaf":
            return text + "\n" + _("AccumulateGrad adds the gradient {gradient} into "
                                   "{title}.grad (shape {shape}).").format(
                gradient=_short(gradient), title=title, shape=_shape_text(self.shapes[step]))
        targets = [self.titles[i] for i in self.inputs[step]]
        return text + "\n" + _("receives grad_output {gradient} (the gradient of its output) "
                               "and computes the gradients for its inputs: {targets}.").format(
            gradient=_short(gradient), targets=", ".join(targets))


def graph_svg(tensor, params=None, step=0):
    """The autograd graph behind ``tensor`` as an SVG string (see :func:`draw_graph`)."""
    return AutogradGraph(tensor, params).svg(step)


def draw_graph(tensor, params=None):
    """A widget: the autograd graph behind ``tensor`` and a step-through of its backward pass.

    Args:
        tensor: a result, e.g. a loss, computed from tensors with ``requires_grad=True``.
        params: names for leaf tensors, as in torchviz's ``make_dot``:
            ``dict(model.named_parameters())`` (add inputs too: ``{**..., "x": x}``).

    Call it before ``loss.backward()`` (or after ``backward(retain_graph=True)``) to
    replay the backward pass; after a plain ``backward()`` the graph's saved values
    are freed, and the boxes show the leaves' ``.grad`` instead.

    The returned widget carries ``.graph`` (an :class:`AutogradGraph`), ``.svg`` (what
    it shows now), ``.step_slider``, ``.previous_button``, ``.next_button`` and ``.caption``.

    >>> x = edunet.tensor([1., 2.], requires_grad=True)
    >>> viz.draw_graph((x * x + x).sum(), params={"x": x})
    """
    import ipywidgets as widgets

    from edunet.viz import _display
    from edunet.viz.panel import Panel

    graph = AutogradGraph(tensor, params)
    total = len(graph.backward_order)
    step_slider = _display.int_slider(_("backward step"), 0, 0, total)
    previous_button = widgets.Button(description=_("previous step"), icon="step-backward")
    next_button = widgets.Button(description=_("next step"), icon="step-forward")
    picture = widgets.HTML()
    picture.add_class(_display.FIGURE_CLASS)
    caption = _display.make_caption()
    # Buttons, then the step's text, then the graph with the result on top: the node being
    # stepped starts right under the buttons and moves down.
    box = Panel([widgets.HBox([previous_button, step_slider, next_button]), caption, picture],
                "draw_graph")

    def redraw(change=None):
        box.svg = graph.svg(step_slider.value)
        description = graph.description(step_slider.value)
        picture.value = (f'<div style="overflow:auto;max-height:480px" role="img" '
                         f'aria-label="{html.escape(description)}">{box.svg}</div>')
        box.alt_text = description
        _display.set_caption(caption, graph.describe(step_slider.value))

    def move(amount):
        step_slider.value = min(max(step_slider.value + amount, 0), total)

    step_slider.observe(redraw, names="value")
    previous_button.on_click(lambda button: move(-1))
    next_button.on_click(lambda button: move(+1))
    box.graph, box.step_slider, box.caption = graph, step_slider, caption
    box.previous_button, box.next_button, box.picture = previous_button, next_button, picture
    redraw()
    return box
