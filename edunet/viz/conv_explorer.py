"""``viz.conv_explorer()``: a convolution (or pooling) computed one output cell at a time.

A 2-D convolution slides a small kernel over the input. At each position it multiplies
the kernel by the input values under it and adds the products: one output value.

    output[i, j] = sum over a, b of  input[i*s + a*d - p, j*s + b*d - p] * kernel[a, b]

with stride s (how far the window moves), padding p (zeros added around the input) and
dilation d (gaps between the kernel's taps). Along each dimension the output has

    OH = floor((H + 2p - d(k - 1) - 1) / s) + 1

cells. Pooling slides a window the same way but takes the maximum (max pooling) or the
mean (average pooling) of the values under it; ``ceil_mode=True`` rounds the size up,
keeping a last partial window. This widget computes all of it with plain loops, the
same numbers ``F.conv2d``, ``F.max_pool2d`` and ``F.avg_pool2d`` give.
"""

import math

from edunet.i18n import _
from edunet.viz import _display

MODES = ("convolution", "max pool", "average pool")
DEFAULT_INPUT = [[1, 1, 1, 4, 4], [1, 1, 1, 4, 4], [1, 1, 1, 4, 4], [2, 2, 2, 5, 5],
                 [2, 2, 2, 5, 5]]
DEFAULT_KERNEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]     # Sobel: responds to vertical edges


def output_size(size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Cells along one dimension (PyTorch's rule, ``ceil_mode`` for pooling)."""
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if span < 0:
        return 0
    count = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1                   # the last window would start inside the right padding
    return count


def size_formula(name, size, kernel_size, stride, padding, dilation, ceil_mode=False):
    """'OH = floor((H + 2p - d(k-1) - 1)/s) + 1 = floor((5 + 2*0 - 1*(3-1) - 1)/1) + 1 = ...'
    for ``name`` "OH" (the height; "OW" writes W for the width)."""
    rounding = "ceil" if ceil_mode else "floor"
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    result = output_size(size, kernel_size, stride, padding, dilation, ceil_mode)
    text = (f"{name} = {rounding}(({name[1]} + 2p - d(k-1) - 1)/s) + 1 = {rounding}(({size} + "
            f"2*{padding} - {dilation}*({kernel_size}-1) - 1)/{stride}) + 1 = "
            f"{rounding}({span}/{stride}) + 1 = {result}")
    if ceil_mode and span >= 0 and result == math.ceil(span / stride):
        text += " " + _("(the last window would start in the padding, so it is dropped)")
    return text


def windows(height, width, kernel_shape, stride, padding, dilation, ceil_mode=False):
    """For each output cell (i, j) in row-major order: the cells its window covers, as
    (input row, input column, kernel row, kernel column). Input positions outside
    0..height-1 / 0..width-1 are padding; positions past the padding (a ceil_mode
    window at the edge) are left out."""
    kernel_height, kernel_width = kernel_shape
    rows = output_size(height, kernel_height, stride, padding, dilation, ceil_mode)
    columns = output_size(width, kernel_width, stride, padding, dilation, ceil_mode)
    for i in range(rows):
        for j in range(columns):
            top, left = i * stride - padding, j * stride - padding    # the window's corner
            cells = [(top + a * dilation, left + b * dilation, a, b)
                     for a in range(kernel_height) for b in range(kernel_width)]
            yield (i, j), [(r, c, a, b) for r, c, a, b in cells
                           if r < height + padding and c < width + padding]


def compute_cell(input, kernel, cells, mode):
    """One output value and the arithmetic that gives it, e.g. (7.0, '1*1 + 2*0 + ... = 7')."""
    height, width = input.shape

    def value(r, c):                                  # zero padding around the input
        return float(input[r, c]) if 0 <= r < height and 0 <= c < width else 0.0

    if mode == "convolution":
        products = [(value(r, c), float(kernel[a, b])) for r, c, a, b in cells]
        result = sum(x * w for x, w in products)
        terms = " + ".join(f"{x:g}*{w:g}" if w >= 0 else f"{x:g}*({w:g})" for x, w in products)
        return result, f"{terms} = {result:g}"
    if mode == "max pool":                            # padding never wins a max
        inside = [value(r, c) for r, c, _row, _column in cells if 0 <= r < height and 0 <= c < width]
        result = max(inside)
        return result, f"max({', '.join(f'{x:g}' for x in inside)}) = {result:g}"
    values = [value(r, c) for r, c, _row, _column in cells]    # average: padding zeros count too
    result = sum(values) / len(values)
    return result, f"({' + '.join(f'{x:g}' for x in values)}) / {len(values)} = {result:g}"


def _draw(input, kernel, output, mode, padding, window, current, filled):
    """Padded input with the window, the kernel (or window size), and the output so far."""
    import numpy
    height, width = input.shape
    columns = [width + 2 * padding, kernel.shape[1], max(output.shape[1], 3)]   # room for titles
    cell = 0.42                                       # inches: every panel's cells the same size
    figure = _display.new_figure(cell * sum(columns) + 2.2, cell * (height + 2 * padding) + 0.5,
                                 layout=None)    # no axes to fit: skip the (slow) layout step
    left, middle, right = figure.subplots(1, 3, width_ratios=columns, gridspec_kw={
        "left": 0.02, "right": 0.98, "bottom": 0.02, "top": 1 - 0.35 / figure.get_figheight(),
        "wspace": 0.3})                              # a clear gap: three grids, not one
    padded = numpy.zeros((height + 2 * padding, width + 2 * padding))
    padded[padding:padding + height, padding:padding + width] = input
    is_padding = numpy.ones(padded.shape, dtype=bool)
    is_padding[padding:padding + height, padding:padding + width] = False
    colours = numpy.ones(padded.shape + (3,))
    colours[is_padding] = 0.85                                            # padding: grey
    for r, c, _row, _column in window:
        colours[r + padding, c + padding] = (1.0, 0.7, 0.3)                # window: orange
    if mode == "max pool":                        # padding takes no part in a maximum
        padded[is_padding] = numpy.nan
    _grid(left, colours, padded, _("input, padding={padding}").format(padding=padding))
    if mode == "convolution":
        _grid(middle, numpy.full(kernel.shape + (3,), (0.85, 0.92, 1.0)), kernel, _("kernel"))
    else:
        _grid(middle, numpy.full(kernel.shape + (3,), (1.0, 0.7, 0.3)), None,
              _("{rows} x {columns} window").format(rows=kernel.shape[0],
                                                     columns=kernel.shape[1]))
    if output.size == 0:
        right.set_axis_off()
        right.text(0.5, 0.5, _("no output"), ha="center", va="center")
        return figure
    colours = numpy.ones(output.shape + (3,))
    if current is not None:
        colours[current] = (0.5, 0.85, 0.5)                                   # current: green
    _grid(right, colours, numpy.where(filled, output, numpy.nan),
          _("output {shape}").format(shape=list(output.shape)))
    return figure


def _grid(axes, colours, values, title):
    """A table of numbers on coloured cells (NaN values and ``values=None``: empty cells)."""
    import numpy
    axes.imshow(colours, interpolation="nearest")
    axes.set_title(title, fontsize="medium")
    rows, columns = colours.shape[:2]
    axes.hlines([y - 0.5 for y in range(rows + 1)], -0.5, columns - 0.5, color="black",
                linewidth=0.5, clip_on=False)       # cell borders
    axes.vlines([x - 0.5 for x in range(columns + 1)], -0.5, rows - 0.5, color="black",
                linewidth=0.5, clip_on=False)
    axes.set_axis_off()
    if values is None:
        return
    for row, column in numpy.ndindex(values.shape):
        if not numpy.isnan(values[row, column]):
            axes.text(column, row, f"{values[row, column]:.3g}", ha="center", va="center",
                      fontsize="small")


def _editable_grid(values, name):
    """A grid of FloatText boxes holding ``values``; returns (grid widget, rows of boxes)."""
    import ipywidgets as widgets
    rows = [[widgets.FloatText(value=float(value), tooltip=f"{name}[{r}, {c}]",
                               layout=widgets.Layout(width="4.5em"))
             for c, value in enumerate(row)] for r, row in enumerate(values)]
    grid = widgets.GridBox([box for row in rows for box in row], layout=widgets.Layout(
        grid_template_columns=f"repeat({len(values[0])}, 4.7em)"))
    return grid, rows


def _as_matrix(values, name):
    matrix = _display.to_numpy(values).astype(float)
    while matrix.ndim > 2 and matrix.shape[0] == 1:   # (1, 1, H, W) -> (H, W)
        matrix = matrix[0]
    if matrix.ndim != 2:
        raise ValueError(f"conv_explorer's {name} must be 2-D (H, W), one channel; got shape "
                         f"{tuple(matrix.shape)}.")
    return matrix


def _library_call(mode, kernel_shape, stride, padding, dilation, ceil_mode):
    """The PyTorch call that computes the same output, as text."""
    if mode == "convolution":
        return f"F.conv2d(input, kernel, stride={stride}, padding={padding}, dilation={dilation})"
    if mode == "max pool":
        return (f"F.max_pool2d(input, kernel_size={kernel_shape}, stride={stride}, "
                f"padding={padding}, dilation={dilation}, ceil_mode={ceil_mode})")
    return (f"F.avg_pool2d(input, kernel_size={kernel_shape}, stride={stride}, "
            f"padding={padding}, ceil_mode={ceil_mode})")


def conv_explorer(input=None, kernel=None):
    """A widget that steps a 2-D convolution or pooling window over a small input.

    Args:
        input: a 2-D input (H, W) (Tensor, array or nested list); default 5 x 5.
        kernel: a 2-D kernel (kh, kw); default the 3 x 3 Sobel filter. In pooling mode
            only its shape is used: the window size.

    The numbers in both grids are editable. Sliders set stride, padding, dilation and
    the step (which output cell is computed); the caption shows that cell's
    multiply-adds. The widget carries ``.output_array`` (the whole output),
    ``.output_size``, ``.window`` (the input positions under the current window),
    ``.arithmetic``, ``.caption`` and its controls (``.mode``, ``.stride``, ``.padding``,
    ``.dilation``, ``.ceil_mode``, ``.step``, ``.input_cells``, ``.kernel_cells``).
    """
    import ipywidgets as widgets
    import numpy

    from edunet.viz.panel import Panel

    input_grid, input_cells = _editable_grid(_as_matrix(
        DEFAULT_INPUT if input is None else input, "input"), "input")
    kernel_grid, kernel_cells = _editable_grid(_as_matrix(
        DEFAULT_KERNEL if kernel is None else kernel, "kernel"), "kernel")
    mode = widgets.ToggleButtons(options=MODES, description=_("Operation"),
                                 style=_display.SLIDER_STYLE)
    largest_kernel = max(len(kernel_cells), len(kernel_cells[0]))
    stride = _display.int_slider(_("stride"), 1, 1, max(3, largest_kernel))
    padding = _display.int_slider(_("padding"), 0, 0, 2)
    dilation = _display.int_slider(_("dilation"), 1, 1, 3)
    ceil_mode = widgets.Checkbox(value=False, description=_("ceil_mode (pooling only)"),
                                 style=_display.SLIDER_STYLE)
    step = _display.int_slider(_("step: output cell"), 1, 1, 1)
    formula, picture, caption = widgets.HTML(), _display.figure_image(), _display.make_caption()
    # Two separate boxes with a wide gap and a frame each: an input and a kernel, never
    # one 5 x 8 grid.
    framed = widgets.Layout(border="1px solid #999", padding="4px", margin="0 2.5em 0 0")
    box = Panel([
        widgets.HBox([widgets.VBox([widgets.Label(_("input (edit the numbers)")), input_grid],
                                   layout=framed),
                      widgets.VBox([widgets.Label(_("kernel (edit the numbers)")), kernel_grid],
                                   layout=widgets.Layout(border="1px solid #999",
                                                         padding="4px"))]),
        mode, widgets.HBox([stride, padding, dilation]), ceil_mode, step, picture, formula,
        caption], "conv_explorer")
    adjusting = {"step": False}

    def follow_pytorch_default_stride(change):
        """Pooling's stride defaults to its kernel size in PyTorch; convolution's to 1."""
        pooling_now = change["new"] != "convolution"
        pooling_before = change["old"] != "convolution"
        if pooling_now == pooling_before:
            return
        rows, columns = len(kernel_cells), len(kernel_cells[0])
        adjusting["step"] = True                         # one redraw, after both changes
        stride.value = (rows if rows == columns else 1) if pooling_now else 1
        adjusting["step"] = False

    mode.observe(follow_pytorch_default_stride, names="value")

    def redraw(change=None):
        if adjusting["step"]:
            return
        values = numpy.array([[cell.value for cell in row] for row in input_cells])
        weights = numpy.array([[cell.value for cell in row] for row in kernel_cells])
        pooling = mode.value != "convolution"
        dilation.disabled = mode.value == "average pool"     # avg_pool2d has no dilation
        ceil_mode.disabled = not pooling
        for cell in (cell for row in kernel_cells for cell in row):
            cell.disabled = pooling                            # pooling uses only the size
        d = 1 if dilation.disabled else dilation.value
        rounding_up = pooling and ceil_mode.value
        results = []
        problem = None
        if pooling and any(padding.value > k // 2 for k in weights.shape):
            problem = _("PyTorch refuses this: pad should be at most half of the kernel size "
                        "(padding={padding}, kernel {rows} x {columns}).").format(
                            padding=padding.value, rows=weights.shape[0], columns=weights.shape[1])
        else:
            for cell, cells in windows(*values.shape, weights.shape, stride.value,
                                       padding.value, d, rounding_up):
                results.append((cell, cells, *compute_cell(values, weights, cells, mode.value)))
            if not results:
                problem = _("The (dilated) kernel is larger than the padded input, so there is "
                            "no output: PyTorch raises a RuntimeError. Add padding or lower "
                            "dilation.")
        sizes = [output_size(n, k, stride.value, padding.value, d, rounding_up)
                 for n, k in zip(values.shape, weights.shape)]
        output = numpy.zeros(sizes if not problem else (0, 0))
        for (i, j), _cells, value, _text in results:
            output[i, j] = value
        adjusting["step"] = True                  # a smaller step.max may move step.value
        step.max = max(len(results), 1)
        adjusting["step"] = False
        step.disabled = not results
        current = results[step.value - 1] if results else None     # steps count from 1
        filled = numpy.zeros(output.shape, dtype=bool)
        filled.flat[:step.value] = True
        _display.show_figure(picture, _draw(
            values, weights, output, mode.value, padding.value,
            current[1] if current else [], current[0] if current else None, filled),
            description=_("Three grids side by side: the {height} x {width} input with "
                          "padding {padding} and the window in orange, the {kernel} "
                          "{operation}, and the output {shape} filled up to step {step}.").format(
                height=values.shape[0], width=values.shape[1], padding=padding.value,
                kernel=" x ".join(str(n) for n in weights.shape),
                operation=_("kernel") if mode.value == "convolution" else _("window"),
                shape=list(output.shape), step=step.value))
        lines = [size_formula(name, n, k, stride.value, padding.value, d, rounding_up)
                 for name, n, k in zip(("OH", "OW"), values.shape, weights.shape)]
        formula.value = "<br>".join(lines)
        call = _library_call(mode.value, tuple(weights.shape), stride.value, padding.value, d,
                             ceil_mode.value)
        if current:
            (i, j), _cells, _value, arithmetic = current
            detail = _("step {step} of {total}: output[{i}, {j}] = {arithmetic}").format(
                step=step.value, total=len(results), i=i, j=j, arithmetic=arithmetic)
        else:
            arithmetic, detail = "", problem
        note = ""
        if pooling and stride.value == weights.shape[0] == weights.shape[1]:
            note = "\n" + _("stride={stride} is PyTorch's default for pooling: the kernel size, "
                            "so the windows do not overlap.").format(stride=stride.value)
        _display.set_caption(caption, f"{call} -> output {list(output.shape)}\n{detail}{note}")
        box.input_array, box.kernel_array, box.output_array = values, weights, output
        box.output_size = tuple(output.shape)
        box.window = [(r, c) for r, c, _row, _column in current[1]] if current else []
        box.current_cell = current[0] if current else None
        box.arithmetic = arithmetic

    controls = [mode, stride, padding, dilation, ceil_mode, step]
    for control in controls + [cell for row in input_cells + kernel_cells for cell in row]:
        control.observe(redraw, names="value")
    box.caption, box.figure, box.formula = caption, picture, formula
    box.mode, box.stride, box.padding, box.dilation, box.ceil_mode, box.step = controls
    box.input_cells, box.kernel_cells = input_cells, kernel_cells
    redraw()
    return box
