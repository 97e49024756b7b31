"""``edunet.summary(model, input_size)``: a table of layers, output shapes and parameter counts.

Two popular packages print such a table, and tutorials use both. They read
``input_size`` differently, and ``summary`` accepts either call:

- torchinfo's ``summary(model, input_size=(64, 3, 32, 32))``: the whole input,
  batch included. The table follows torchinfo's layout.
- torchsummary's ``summary(model, input_size=(3, 32, 32), batch_size=64)``: one
  sample, without the batch. The model runs on a batch of 2 (so BatchNorm works),
  the table shows the batch as ``batch_size`` (-1 when not given) and follows
  torchsummary's layout.

Given ``batch_size``, the size is torchsummary's; without it, torchinfo's rule
comes first, and if the model cannot run on that shape, torchsummary's. When
neither runs the model, the error says what was tried and how to say which
rule you meant. The returned object also carries the numbers
(``stats.layers``, ``stats.total_params``, ...) for the widgets::

    >>> stats = edunet.summary(model, input_size=(1, 3, 32, 32))
    >>> stats.total_params == sum(p.numel() for p in model.parameters())
    True

Parameter counts follow from each layer's shapes, e.g. Linear(3, 3) has
3 x 3 weights + 3 biases = 12; Conv2d(3, 32, 5) has 32 x 3 x 5 x 5 + 32 = 2,432.
"""

import math
from dataclasses import dataclass, field

from edunet.grad_mode import no_grad
from edunet.tensor import Tensor

WIDTH = 90


@dataclass
class LayerInfo:
    """One row of the summary: a module at some depth of the model."""

    name: str                 # dotted name in the model, e.g. "features.0"
    type_name: str            # "Conv2d"
    depth: int                # 0 for the model itself, 1 for its children, ...
    index: int                # position among the rows of the same depth (1-based)
    module: object = field(repr=False)
    num_params: int = 0       # this module's own parameters (not its children's)
    trainable_params: int = 0
    output_shape: list = None
    mult_adds: int = 0
    call_order: int = None    # when the forward pass finished this module (1-based)
    is_leaf: bool = True      # True when the module has no sub-modules


@dataclass
class ModelStatistics:
    """What :func:`summary` measured; ``print(stats)`` shows the table."""

    layers: list
    total_params: int
    trainable_params: int
    total_mult_adds: int
    input_bytes: int
    output_bytes: int
    param_bytes: int
    batch_size: int = None    # set for torchsummary's rule: the batch shown in the shapes

    @property
    def non_trainable_params(self):
        return self.total_params - self.trainable_params

    def __str__(self):
        return self.torchsummary_table() if self.batch_size is not None else self.torchinfo_table()

    __repr__ = __str__

    def torchinfo_table(self):
        """The table in torchinfo's layout: the module tree, with depth and index."""
        rule = "=" * WIDTH
        lines = [rule, f"{'Layer (type:depth-idx)':<40}{'Output Shape':<25}{'Param #':<25}".rstrip(),
                 rule]
        for layer in self.layers:
            if layer.depth == 0:
                label = layer.type_name
            else:
                branch = "├─" if layer.depth == 1 else "└─"  # torchinfo's tree drawing
                label = "│    " * (layer.depth - 1) + f"{branch}{layer.type_name}: {layer.depth}-{layer.index}"
            shape = "--" if layer.output_shape is None else str(layer.output_shape)
            count = f"{layer.num_params:,}" if layer.num_params else "--"
            lines.append(f"{label:<40}{shape:<25}{count:<25}".rstrip())
        megabytes = 1e6
        lines += [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            f"Total mult-adds (M): {self.total_mult_adds / megabytes:.2f}",
            rule,
            f"Input size (MB): {self.input_bytes / megabytes:.2f}",
            f"Forward/backward pass size (MB): {self.output_bytes / megabytes:.2f}",
            f"Params size (MB): {self.param_bytes / megabytes:.2f}",
            f"Estimated Total Size (MB): "
            f"{(self.input_bytes + self.output_bytes + self.param_bytes) / megabytes:.2f}",
            rule,
        ]
        return "\n".join(lines)

    def torchsummary_table(self):
        """The table in torchsummary's layout: one row per layer in the order the forward
        pass ran them (containers left out), named ``Linear-1``, ``ReLU-2``, ..."""
        rule, thin = "=" * 64, "-" * 64
        lines = [thin, f"{'Layer (type)':>20}  {'Output Shape':>25} {'Param #':>15}", rule]
        ran = sorted((layer for layer in self.layers if layer.call_order is not None
                      and layer.depth > 0 and layer.type_name not in ("Sequential", "ModuleList")),
                     key=lambda layer: layer.call_order)
        activations = 0
        for number, layer in enumerate(ran, start=1):
            name = f"{layer.type_name}-{number}"
            lines.append(f"{name:>20}  {str(layer.output_shape):>25} {layer.num_params:>15,}")
            activations += abs(math.prod(layer.output_shape or [0]))
        megabytes = 1024.0 ** 2
        batch = abs(self.batch_size)
        input_size = self.input_bytes / 2 * batch / megabytes   # it ran on a batch of 2
        params_size = self.param_bytes / megabytes
        activations_size = 2 * activations * 4 / megabytes   # values and gradients, float32
        lines += [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            thin,
            f"Input size (MB): {input_size:.2f}",
            f"Forward/backward pass size (MB): {activations_size:.2f}",
            f"Params size (MB): {params_size:.2f}",
            f"Estimated Total Size (MB): {input_size + activations_size + params_size:.2f}",
            thin,
        ]
        return "\n".join(lines)


def _mult_adds(module, output):
    """Multiply-adds of a Linear or convolution layer for this output."""
    weight = getattr(module, "weight", None)
    if not isinstance(output, Tensor) or weight is None or not isinstance(weight, Tensor):
        return 0
    name = type(module).__name__
    if name == "Linear":
        return output.numel() * weight.shape[1]
    if name.startswith("Conv"):
        # each output value sums in_channels/groups x kernel-area products
        return output.numel() * math.prod(weight.shape[1:])
    return 0


def _shape_of(output):
    if isinstance(output, Tensor):
        return list(output.shape)
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], Tensor):
        return list(output[0].shape)
    return None


def summary(model, input_size=None, input_data=None, batch_size=None, *, dtypes=None,
            device=None, depth=3, verbose=0):
    """Summarize ``model``: every layer's parameter count and, given an input, output shape.

    Args:
        model: an ``nn.Module``.
        input_size: the input's shape, e.g. ``(64, 3, 32, 32)`` with the batch (torchinfo),
            or ``(3, 32, 32)`` without it together with ``batch_size`` (torchsummary);
            a list of shapes for a model with several inputs.
        input_data: a tensor (or a list of tensors) to run the model on instead.
        batch_size: torchsummary's argument: says ``input_size`` is one sample; the
            table shows this batch size (-1 for "any").
        dtypes, device: for the random input made from ``input_size``.
        depth: how deep into nested modules the table goes.
        verbose: 1 prints the table too.

    Returns a :class:`ModelStatistics`, which prints as the table.

    >>> model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 2))
    >>> edunet.summary(model, input_size=(3,), batch_size=5).total_params   # 12 + 8
    20
    """
    if isinstance(input_data, int) and batch_size is None:   # summary(model, (3,), 64)
        input_data, batch_size = None, input_data
    layers = _layer_rows(model, depth)
    input_bytes = output_bytes = 0
    if input_data is not None:
        inputs = list(input_data) if isinstance(input_data, (tuple, list)) else [input_data]
        _trace(model, inputs, layers)
        batch_size = None         # real tensors: their own batch shows in the table
    elif input_size is not None:
        sizes = [tuple(size) for size in input_size] if isinstance(input_size[0], (tuple, list)) \
            else [tuple(input_size)]
        if batch_size is not None:
            inputs = _trace_one_sample(model, sizes, layers, batch_size, dtypes, device)
        else:
            inputs = _trace_ambiguous(model, sizes, layers, dtypes, device, input_size)
            batch_size = inputs.batch_size
    else:
        inputs = []
    if inputs:
        input_bytes = sum(t.numel() * t.element_size() for t in inputs)
        for layer in layers:
            if layer.is_leaf and layer.output_shape is not None:
                # values kept for the backward pass: twice each leaf layer's output, in float32
                output_bytes += 2 * abs(math.prod(layer.output_shape)) * 4

    parameters = list(model.parameters())
    stats = ModelStatistics(
        layers=layers,
        total_params=sum(p.numel() for p in parameters),
        trainable_params=sum(p.numel() for p in parameters if p.requires_grad),
        total_mult_adds=sum(layer.mult_adds for layer in layers),
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        param_bytes=sum(p.numel() * p.element_size() for p in parameters),
        batch_size=batch_size,
    )
    if verbose:
        print(stats)
    return stats


def _layer_rows(model, depth):
    """One :class:`LayerInfo` per module down to ``depth``, with its own parameter counts."""
    layers = []
    per_depth = {}
    for name, module in model.named_modules():
        level = 0 if name == "" else name.count(".") + 1
        if level > depth:
            continue
        per_depth[level] = per_depth.get(level, 0) + 1
        own = list(module.parameters(recurse=False))
        layers.append(LayerInfo(
            name=name, type_name=type(module).__name__, depth=level, index=per_depth[level],
            module=module, num_params=sum(p.numel() for p in own),
            trainable_params=sum(p.numel() for p in own if p.requires_grad),
            is_leaf=not any(True for _ in module.children())))
    return layers


class _Inputs(list):
    """The inputs a trace ran on, and the batch size shown (None: the real one)."""

    batch_size = None


def _random_inputs(sizes, dtypes, device):
    from edunet import creation
    dtype_list = dtypes or [None] * len(sizes)
    return _Inputs(creation.randn(*size, dtype=dtype, device=device)
                   for size, dtype in zip(sizes, dtype_list))


def _trace_one_sample(model, sizes, layers, batch_size, dtypes, device):
    """torchsummary's rule: each size is one sample; run a batch of 2, show ``batch_size``."""
    inputs = _random_inputs([(2, *size) for size in sizes], dtypes, device)
    _trace(model, inputs, layers, shown_batch=batch_size)
    inputs.batch_size = batch_size
    return inputs


def _trace_ambiguous(model, sizes, layers, dtypes, device, input_size):
    """No ``batch_size``: torchinfo's rule (the batch is in the size), else torchsummary's."""
    inputs = _random_inputs(sizes, dtypes, device)
    try:
        _trace(model, inputs, layers)
        return inputs
    except Exception as with_batch:          # the model could not run on that shape
        first_error = with_batch
    try:
        return _trace_one_sample(model, sizes, layers, -1, dtypes, device)
    except Exception as without_batch:
        shown = tuple(input_size) if not isinstance(input_size[0], (tuple, list)) else input_size
        raise _same_kind(first_error)(
            f"summary(model, input_size={shown}) could not run the model. Read as the whole "
            f"input, batch included (torchinfo's rule), the forward pass failed with: "
            f"{first_error}\nRead as one sample, batch not included (torchsummary's rule, "
            f"a batch of 2 added), it failed with: {without_batch}\nCheck the shape the "
            f"model's first layer expects. To choose a rule, pass batch_size=... for a size "
            f"without the batch (torchsummary), or a size with the batch first, e.g. "
            f"input_size={(1, *sizes[0])} (torchinfo).") from without_batch


def _same_kind(error):
    """The error's class, to raise our message with, if it takes one message (RuntimeError,
    ValueError, ...); else RuntimeError."""
    try:
        type(error)("message")
        return type(error)
    except Exception:
        return RuntimeError


def _trace(model, inputs, layers, shown_batch=None):
    """Run the model once on ``inputs`` and record each layer's output shape (with its
    batch shown as ``shown_batch`` when given) and the order the layers finished in."""
    by_module = {id(layer.module): layer for layer in layers}
    for layer in layers:
        layer.output_shape, layer.mult_adds, layer.call_order = None, 0, None
    finished = []
    handles = []

    def record(module, args, output):
        layer = by_module.get(id(module))
        if layer is not None:
            layer.output_shape = _shape_of(output)
            if shown_batch is not None and layer.output_shape:
                layer.output_shape[0] = shown_batch
            layer.mult_adds = _mult_adds(module, output)
            finished.append(layer)
            layer.call_order = len(finished)

    for layer in layers:
        handles.append(layer.module.register_forward_hook(record))
    # Measuring must not change the model: eval mode keeps BatchNorm's running
    # averages untouched and Dropout off; each module's mode is restored afterwards.
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with no_grad():
            output = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            object.__setattr__(module, "training", training)
    if layers and layers[0].output_shape is None:
        layers[0].output_shape = _shape_of(output)
        if shown_batch is not None and layers[0].output_shape:
            layers[0].output_shape[0] = shown_batch
