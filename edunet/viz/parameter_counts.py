"""``viz.parameter_counts(model)``: how many parameters each layer has, and why.

Every count follows from the shapes of a layer's parameters:

    Linear(3, 3)            weight [3, 3], bias [3]             3 x 3 + 3 = 12
    Conv2d(3, 32, 5)        weight [32, 3, 5, 5], bias [32]     32 x 3 x 5 x 5 + 32 = 2,432
    BatchNorm2d(32)         weight [32], bias [32]              2 x 32 = 64

The widget shows one row per layer with that formula filled in, the totals
(trainable, i.e. ``requires_grad=True``, and not), and a bar chart of where the
parameters live: usually the first Linear layer after the convolutions. With
``input_size`` it also runs one forward pass and shows each layer's output shape.
The numbers come from :func:`edunet.summary`.
"""

import html
import math

from edunet.summary import summary
from edunet.i18n import _
from edunet.viz import _display

# What each count means, for the layers a course uses; other layers list their shapes.
MEANINGS = {
    "Linear": "out_features x in_features + out_features",
    "Bilinear": "out x in1 x in2 + out",
    "Conv1d": "out_channels x in_channels/groups x kernel + out_channels",
    "Conv2d": "out_channels x in_channels/groups x kh x kw + out_channels",
    "ConvTranspose2d": "in_channels x out_channels/groups x kh x kw + out_channels",
    "BatchNorm1d": "2 x num_features (scale gamma and shift beta)",
    "BatchNorm2d": "2 x num_features (scale gamma and shift beta)",
    "LayerNorm": "2 x normalized size (scale gamma and shift beta)",
    "GroupNorm": "2 x num_channels (scale gamma and shift beta)",
    "Embedding": "num_embeddings x embedding_dim (one vector per token)",
}


def parameter_formula(module):
    """The count of ``module``'s own parameters as arithmetic on their shapes.

    >>> parameter_formula(nn.Conv2d(3, 32, 5))
    '32 x 3 x 5 x 5 + 32 = 2,432'
    """
    shapes = [tuple(parameter.shape) for parameter in module.parameters(recurse=False)]
    if not shapes:
        return _("no parameters")
    total = sum(math.prod(shape) for shape in shapes)
    if len(shapes) > 1 and all(len(shape) == 1 for shape in shapes) and len(set(shapes)) == 1:
        terms = f"{len(shapes)} x {shapes[0][0]}"        # BatchNorm: weight and bias, C each
    else:
        terms = " + ".join(" x ".join(str(size) for size in shape) or "1" for shape in shapes)
    return f"{terms} = {total:,}"


def _shapes_text(module):
    """'weight [32, 3, 5, 5], bias [32]': each parameter's name and shape."""
    return ", ".join(f"{name} {list(parameter.shape)}"
                     for name, parameter in module.named_parameters(recurse=False))


def _rows(stats):
    """One dict per layer worth a row: every leaf layer, and any module with its own parameters."""
    rows = []
    for layer in stats.layers:
        if not (layer.is_leaf or layer.num_params):
            continue
        rows.append({
            "name": layer.name or "(model)",
            "type_name": layer.type_name,
            "count": layer.num_params,
            "trainable": layer.trainable_params,
            "formula": parameter_formula(layer.module),
            "meaning": MEANINGS.get(layer.type_name, _shapes_text(layer.module)),
            "shapes": _shapes_text(layer.module),
            "output_shape": layer.output_shape,
        })
    return rows


def _table_html(rows, show_shapes):
    """The rows as an HTML table (escaped: layer names come from the learner's model)."""
    headers = [_("Layer"), _("Type")] + ([_("Output shape")] if show_shapes else []) + [
        _("Parameters"), _("Formula"), _("Why")]
    cells = "".join(f"<th style='text-align:left;padding:2px 8px;white-space:nowrap'>{header}</th>"
                    for header in headers)
    lines = [f"<table class='edunet-parameter-table'><tr>{cells}</tr>"]
    for row in rows:
        values = [row["name"], row["type_name"]]
        if show_shapes:
            values.append("--" if row["output_shape"] is None else str(row["output_shape"]))
        values += [f"{row['count']:,}" if row["count"] else "--", row["formula"],
                   row["meaning"] if row["count"] else ""]
        wrap = ["nowrap"] * (len(values) - 1) + ["normal"]      # only "Why" may wrap
        cells = "".join(f"<td style='padding:2px 8px;white-space:{how}'>"
                        f"{html.escape(str(value))}</td>" for value, how in zip(values, wrap))
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</table>")
    return "".join(lines)


def _draw_chart(rows, total, log_scale):
    """Horizontal bars, one per layer with parameters: trainable part, then frozen part."""
    with_parameters = [row for row in rows if row["count"]]
    figure = _display.new_figure(6.4, 0.45 * len(with_parameters) + 1.2)
    axes = figure.add_subplot()
    if not with_parameters:
        axes.text(0.5, 0.5, _("this model has no parameters"), ha="center", va="center")
        axes.set_axis_off()
        return figure
    labels = [f"{row['name']} ({row['type_name']})" for row in with_parameters]
    trainable = [row["trainable"] for row in with_parameters]
    frozen = [row["count"] - row["trainable"] for row in with_parameters]
    positions = range(len(with_parameters))
    axes.barh(positions, trainable, color=_display.COLOURS[0], label=_("trainable"))
    axes.barh(positions, frozen, left=trainable, color="lightgray", hatch="//",
              label=_("non-trainable"))
    for position, row in zip(positions, with_parameters):
        share = 100 * row["count"] / total
        axes.text(row["count"], position, f" {row['count']:,} ({share:.1f}%)", va="center")
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()                          # first layer on top, as in print(model)
    largest = max(row["count"] for row in with_parameters)
    if log_scale:                                # a bar on a log axis starts at 1, not 0
        axes.set_xscale("log")
        axes.set_xlim(1, largest * 30)
    else:
        axes.set_xlim(0, largest * 1.35)         # room for the labels
    axes.set_xlabel(_("parameters (log scale)") if log_scale else _("parameters"))
    if any(frozen):
        figure.legend(loc="outside upper center", ncols=2, fontsize="small")
    return figure


def parameter_counts(model, input_size=None):
    """A widget: each layer's parameter count with its formula, the totals and a bar chart.

    Args:
        model: an ``nn.Module``.
        input_size: optional input shape including the batch, e.g. ``(1, 3, 32, 32)``;
            when given, one forward pass (in eval mode) records each layer's output shape.

    The returned widget carries the numbers it shows: ``.rows`` (one dict per layer:
    name, type_name, count, trainable, formula, output_shape), ``.total_params``,
    ``.trainable_params``, ``.non_trainable_params``, ``.stats`` (the summary) and
    ``.caption``.

    >>> viz.parameter_counts(nn.Sequential(nn.Linear(3, 3), nn.ReLU()), input_size=(1, 3))
    """
    import ipywidgets as widgets

    from edunet.viz.panel import Panel

    parameter = next(iter(model.parameters()), None)      # make the input where the model is
    device = parameter.device if parameter is not None else None
    with _display.evaluation_mode(model):
        stats = summary(model, input_size=input_size, device=device, depth=10**6)
    rows = _rows(stats)
    table = widgets.HTML(_table_html(rows, show_shapes=input_size is not None))
    chart = _display.figure_image()
    scale = widgets.ToggleButtons(options=["linear", "log"], value="linear",
                                  description=_("Bar scale"), style=_display.SLIDER_STYLE)
    caption = _display.make_caption()
    box = Panel([table, scale, chart, caption], "parameter_counts")

    def redraw(change=None):
        log_scale = scale.value == "log"
        _display.show_figure(chart, _draw_chart(rows, stats.total_params, log_scale),
                             description=_("Bars of the parameter count of each layer, on a "
                                           "{scale} scale: {bars}.").format(
                                 scale=scale.value, bars="; ".join(
                                     f"{row['name']} {row['count']:,}" for row in rows
                                     if row["count"]) or "-"))
        text = _("Total parameters: {total:,} = {trainable:,} trainable + {frozen:,} "
                 "non-trainable.").format(total=stats.total_params,
                                          trainable=stats.trainable_params,
                                          frozen=stats.non_trainable_params)
        largest = max(rows, key=lambda row: row["count"], default=None)
        if largest is not None and largest["count"]:
            share = 100 * largest["count"] / stats.total_params
            text += "\n" + _("Largest: {name} ({type}) with {count:,} ({share:.1f}%). Bars on a "
                              "{scale} scale.").format(name=largest["name"],
                                                       type=largest["type_name"],
                                                       count=largest["count"], share=share,
                                                       scale=scale.value)
        buffers = sum(buffer.numel() for buffer in model.buffers())
        if buffers:
            text += "\n" + _("Plus {count:,} numbers in buffers (e.g. BatchNorm running "
                              "averages): saved in state_dict() but not parameters, so not "
                              "counted.").format(count=buffers)
        _display.set_caption(caption, text)

    scale.observe(redraw, names="value")
    redraw()
    box.stats, box.rows, box.table, box.chart, box.scale, box.caption = (
        stats, rows, table, chart, scale, caption)
    box.total_params = stats.total_params
    box.trainable_params = stats.trainable_params
    box.non_trainable_params = stats.non_trainable_params
    return box
