"""``viz.feature_maps(model, images)``: what each convolution, pooling and activation layer sees.

A convolution layer with 64 filters turns each image into 64 *feature maps*, one per
filter: bright where the filter's pattern occurs. This widget runs the model once on
a batch of images, records every conv, pooling and activation layer's output with a
forward hook (``module.register_forward_hook``), and shows them as a grid of
channels. The output of ``Conv2d(3, 6, 3)`` on a batch of 64 images of 32 x 32 has
shape [64, 6, 30, 30]: 64 images, 6 channels each, 30 x 30 pixels per channel.

Only layers that are modules can be hooked: an activation called as a function in
``forward`` (``F.relu(x)``) is not captured; use ``nn.ReLU()`` to see it.
"""

import math

from edunet.grad_mode import no_grad
from edunet.i18n import _
from edunet.viz import _display

CHANNELS_PER_PAGE = (4, 16, 36)


def captured_types():
    """The layer types whose outputs the widget records: convolutions, pooling, activations."""
    from edunet import nn
    return (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d,
            nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d,
            nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d,
            nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh,
            nn.Softplus, nn.Hardtanh, nn.ReLU6, nn.Softmax, nn.LogSoftmax)


def _has_image_layers(model):
    """True when the model has 2-D (image) layers, so a 3-D input is one image, not a batch."""
    from edunet import nn
    image_layers = (nn.Conv2d, nn.ConvTranspose2d, nn.MaxPool2d, nn.AvgPool2d,
                    nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
    return any(isinstance(module, image_layers) for module in model.modules())


def _as_maps(array):
    """Any batched output as (N, C, H, W): (N, C, L) is C strips of 1 x L, (N, F) one of 1 x F."""
    if array.ndim == 4:
        return array
    if array.ndim == 3:
        return array[:, :, None, :]
    if array.ndim == 2:
        return array[:, None, None, :]
    return array.reshape(array.shape[0], 1, 1, -1)


def capture_outputs(model, images):
    """Run ``model`` once (eval mode, no gradients) and return {name: (type name, output)}.

    ``"input"`` comes first, then every captured layer in the order it ran; outputs are
    NumPy arrays with the batch first. A module called twice gets a second entry ("#2").
    """
    from edunet.tensor import Tensor
    outputs = {"input": ("input", _display.to_numpy(images))}
    handles = []

    def record(name):
        def hook(module, args, output):
            if isinstance(output, (tuple, list)):        # MaxPool2d(return_indices=True)
                output = output[0]
            if isinstance(output, Tensor):
                key, calls = name, 1
                while key in outputs:
                    calls += 1
                    key = f"{name}#{calls}"
                outputs[key] = (type(module).__name__, _display.to_numpy(output))
        return hook

    for name, module in model.named_modules():
        if isinstance(module, captured_types()):
            handles.append(module.register_forward_hook(record(name or type(module).__name__)))
    try:
        with _display.evaluation_mode(model), no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def tile(maps, columns, gap=1):
    """Lay (k, H, W) maps side by side, ``columns`` per row, into one image with NaN
    (drawn blank) between them: one picture is much faster to draw than k small ones."""
    import numpy
    count, height, width = maps.shape
    rows = math.ceil(count / columns)
    mosaic = numpy.full((rows * (height + gap) - gap, columns * (width + gap) - gap), numpy.nan)
    for index, channel_map in enumerate(maps):
        row, column = divmod(index, columns)
        top, left = row * (height + gap), column * (width + gap)
        mosaic[top:top + height, left:left + width] = channel_map
    return mosaic


def _input_picture(image):
    """One input image (C, H, W) as something ``imshow`` draws: RGB for 3 channels (stretched
    to 0..1, as a normalized image may hold any values), else the first channel in grey."""
    import numpy
    if image.shape[0] == 3:
        picture = image.transpose(1, 2, 0)
        low, high = picture.min(), picture.max()
        return (picture - low) / (high - low) if high > low else numpy.zeros_like(picture), None
    return image[0], "gray"


def _draw_grid(maps, channels, vmin, vmax, shared, image=None):
    """The channels as a grid; shared: one colour scale and bar, else each channel 0..1.

    ``image`` (C, H, W), when given, is drawn on the left: the input these maps come from.
    """
    import numpy
    if not shared:                        # stretch each channel to its own min..max
        low = maps.min(axis=(1, 2), keepdims=True)
        spread = maps.max(axis=(1, 2), keepdims=True) - low
        maps = numpy.where(spread > 0, (maps - low) / numpy.where(spread > 0, spread, 1), 0.5)
        vmin, vmax = 0.0, 1.0
    columns = math.ceil(math.sqrt(len(channels)))
    height, width = maps.shape[1:]
    gap = max(1, min(height, width) // 10) if height > 1 else 1
    grid_height = (6.4 * math.ceil(len(channels) / columns) / columns if height > 1
                   else 0.4 * len(channels) + 1.2)
    if image is not None:
        figure = _display.new_figure(9.0, max(grid_height, 2.6))
        input_axes, axes = figure.subplots(1, 2, width_ratios=[1, 2.6])
        picture, colour_map = _input_picture(image)
        input_axes.imshow(picture, cmap=colour_map, interpolation="nearest")
        input_axes.set_title(_("input image"))
        input_axes.set_axis_off()
    else:
        figure = _display.new_figure(6.4, grid_height)
        axes = figure.add_subplot()
    picture = axes.imshow(tile(maps, columns, gap), cmap="viridis", vmin=vmin, vmax=vmax,
                          interpolation="nearest", aspect="equal" if height > 1 else "auto")
    axes.set_axis_off()
    for index, channel in enumerate(channels):
        row, column = divmod(index, columns)
        axes.text(column * (width + gap) - 0.5, row * (height + gap) - 0.5, f" {channel}",
                  va="top", ha="left", fontsize="small", color="white",
                  bbox={"facecolor": "black", "alpha": 0.5, "pad": 1, "linewidth": 0})
    if shared:
        figure.colorbar(picture, ax=axes, shrink=0.8)
    return figure


def feature_maps(model, images):
    """A widget showing the output of every conv, pooling and activation layer of ``model``.

    Args:
        model: an ``nn.Module`` (it is run once in eval mode and put back as it was).
        images: a batch (N, C, H, W), or one image (C, H, W); a Tensor or NumPy array.
            A model of 1-D layers (Conv1d) takes a batch (N, C, L); one of Linear layers
            (N, features).

    Controls choose the layer, the image of the batch, the page of channels and whether
    the channels share one colour scale. The widget carries ``.outputs`` (name ->
    (type name, NumPy output)), ``.shapes`` (name -> output shape), ``.current_maps``
    (the channels shown, (k, H, W)), ``.current_channels``, ``.color_range``, ``.caption``,
    ``.shapes_list`` (the HTML line of shapes) and its controls (``.layer``, ``.image``,
    ``.page``, ``.per_page``, ``.scale``).
    """
    import ipywidgets as widgets
    import numpy
    from edunet import creation
    from edunet.viz.panel import Panel

    if not hasattr(images, "shape") or len(images.shape) not in (2, 3, 4):
        raise ValueError("feature_maps expects images shaped (N, C, H, W) or one image "
                         f"(C, H, W); got {getattr(images, 'shape', type(images).__name__)}.")
    if not hasattr(images, "detach"):                     # a NumPy array or a list
        images = creation.tensor(numpy.asarray(images, dtype=numpy.float32))
    parameter = next(iter(model.parameters()), None)
    if parameter is not None:
        images = images.to(parameter.device)
    if len(images.shape) == 3 and _has_image_layers(model):
        images = images.unsqueeze(0)                  # one image (C, H, W): a batch of one
    outputs = capture_outputs(model, images)
    if len(outputs) == 1:
        raise ValueError(
            f"feature_maps found no convolution, pooling or activation layer in "
            f"{type(model).__name__}. Only modules can be hooked: write nn.ReLU() in __init__ "
            f"instead of F.relu(x) in forward to see its output.")
    shapes = {name: list(array.shape) for name, (_type, array) in outputs.items()}
    grids = {name: _as_maps(array) for name, (_type, array) in outputs.items()}

    layer = widgets.Dropdown(description="Layer", style=_display.SLIDER_STYLE, options=[
        (f"{name}: {type_name} {shapes[name]}", name) for name, (type_name, _array) in outputs.items()])
    layer.value = list(outputs)[1]                        # start at the first captured layer
    image = _display.int_slider(_("Image of the batch"), 0, 0, len(grids["input"]) - 1)
    page = _display.int_slider(_("Page of channels"), 1, 1, 1)      # counted from 1, as said
    per_page = widgets.Dropdown(options=CHANNELS_PER_PAGE, value=16,
                                description=_("Channels per page"), style=_display.SLIDER_STYLE)
    scale = widgets.ToggleButtons(options=[(_("shared"), "shared"),
                                           (_("per channel"), "per channel")],
                                  description=_("Colour scale"), style=_display.SLIDER_STYLE)
    shapes_list = widgets.HTML()
    picture = _display.figure_image()
    caption = _display.make_caption()
    box = Panel([widgets.HBox([layer, per_page]), image, page, scale, shapes_list,
                 picture, caption], "feature_maps")

    adjusting = {"pages": False}

    def redraw(change=None):
        if adjusting["pages"]:
            return
        grid = grids[layer.value]
        channel_count = grid.shape[1]
        adjusting["pages"] = True          # a smaller page.max may move page.value: draw once
        page.max = max(1, math.ceil(channel_count / per_page.value))
        adjusting["pages"] = False
        first = (page.value - 1) * per_page.value
        channels = list(range(first, min(first + per_page.value, channel_count)))
        maps = grid[image.value, first:first + len(channels)]
        every_channel = grid[image.value]                 # the shared scale spans all pages
        vmin, vmax = float(every_channel.min()), float(every_channel.max())
        shared = scale.value == "shared"
        source = grids["input"][image.value]
        shows_input = layer.value != "input" and source.shape[1] > 1    # an image, not a strip
        _display.show_figure(picture, _draw_grid(maps, channels, vmin, vmax, shared,
                                                 source if shows_input else None),
                             description=_(
            "The output of layer {layer} for image {image} of the batch: channels "
            "{first} to {last} as small maps (bright: high values){with_input}.").format(
                layer=layer.value, image=image.value, first=channels[0], last=channels[-1],
                with_input=_(", the input image on the left") if shows_input else ""))
        box.current_maps, box.current_channels, box.color_range = maps, channels, (vmin, vmax)
        shapes_list.value = " &rarr; ".join(
            f"<b>{name} {shapes[name]}</b>" if name == layer.value else f"{name} {shapes[name]}"
            for name in shapes)
        type_name = outputs[layer.value][0]
        range_text = (_("shared colour scale {low:.3g} to {high:.3g}").format(low=vmin, high=vmax)
                      if shared else _("each channel scaled to its own min..max"))
        _display.set_caption(caption, _(
            "{layer} ({type_name}), output {shape}: image {image} of the batch of {count}, "
            "channels {first}-{last} of {channels} (page {page} of {pages}), "
            "{range_text}.").format(
                layer=layer.value, type_name=type_name, shape=shapes[layer.value],
                image=image.value, count=len(grid), first=channels[0], last=channels[-1],
                channels=channel_count, page=page.value, pages=page.max,
                range_text=range_text))

    for control in (layer, image, page, per_page, scale):
        control.observe(redraw, names="value")
    redraw()
    box.outputs, box.shapes, box.caption, box.figure = outputs, shapes, caption, picture
    box.shapes_list = shapes_list
    box.layer, box.image, box.page, box.per_page, box.scale = layer, image, page, per_page, scale
    return box
