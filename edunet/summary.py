"""``edunet.summary(model, input_size)``: a table of layers, output shapes and parameter counts.

The table follows torchinfo's layout. The returned object also carries the
numbers (``stats.layers``, ``stats.total_params``, ...) for the widgets::

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

    @property
    def non_trainable_params(self):
        return self.total_params - self.trainable_params

    def __str__(self):
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

    __repr__ = __str__


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


def summary(model, input_size=None, input_data=None, *, dtypes=None, device=None, depth=3,
            verbose=0):
    """Summarize ``model``; with ``input_size`` (including the batch) or ``input_data``,
    run one forward pass to record every layer's output shape.

    Returns a :class:`ModelStatistics`, which prints as the table.
    """
    from edunet import creation

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

    input_bytes = output_bytes = 0
    if input_size is not None or input_data is not None:
        if input_data is None:
            sizes = input_size if isinstance(input_size[0], (tuple, list)) else [input_size]
            dtype_list = dtypes or [None] * len(sizes)
            input_data = [creation.randn(*size, dtype=dtype, device=device)
                          for size, dtype in zip(sizes, dtype_list)]
        inputs = list(input_data) if isinstance(input_data, (tuple, list)) else [input_data]
        input_bytes = sum(t.numel() * t.element_size() for t in inputs)
        by_module = {id(layer.module): layer for layer in layers}
        handles = []

        def record(module, args, output):
            layer = by_module.get(id(module))
            if layer is not None:
                layer.output_shape = _shape_of(output)
                layer.mult_adds = _mult_adds(module, output)

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
        for layer in layers:
            if layer.is_leaf and layer.output_shape is not None:
                # values kept for the backward pass: twice each leaf layer's output, in float32
                output_bytes += 2 * math.prod(layer.output_shape) * 4
        if layers and layers[0].output_shape is None:
            layers[0].output_shape = _shape_of(output)

    parameters = list(model.parameters())
    stats = ModelStatistics(
        layers=layers,
        total_params=sum(p.numel() for p in parameters),
        trainable_params=sum(p.numel() for p in parameters if p.requires_grad),
        total_mult_adds=sum(layer.mult_adds for layer in layers),
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        param_bytes=sum(p.numel() * p.element_size() for p in parameters),
    )
    if verbose:
        print(stats)
    return stats
