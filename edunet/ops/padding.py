"""Padding: ``F.pad(x, (left, right, top, bottom), mode, value)``.

The pad pairs run from the last dimension backwards. Negative pads crop. Modes:
constant (a value), reflect (mirror without repeating the edge), replicate (repeat
the edge), circular (wrap around). Backward takes the gradient of the kept
region, and for the copying modes adds the copies' gradients to their sources.
"""


import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.indexing import AdvancedIndex
from edunet.ops.shape import as_sizes, with_node_name


# ---------------------------------------------------------------- padding
class ConstantPadNd(Function):
    """y = x with ``value`` around it; negative padding crops.

    Forward: a new array filled with value, and x's kept part copied into its place.
    Backward: the gradient of that part, copied back; cropped elements get 0.
    """

    def forward(self, x, *, pads, value):
        xp = get_array_module(x)
        shape = tuple(size + before + after for size, (before, after) in zip(x.shape, pads))
        self.input_shape = x.shape
        # The kept part: where it sits in x (source) and where it goes in y (target).
        self.source, self.target = [], []
        for size, (before, after) in zip(x.shape, pads):
            start = max(-before, 0)
            kept = max(size - start - max(-after, 0), 0)
            self.source.append(slice(start, start + kept))
            self.target.append(slice(max(before, 0), max(before, 0) + kept))
        self.source, self.target = tuple(self.source), tuple(self.target)
        output = xp.full(shape, value, dtype=x.dtype)
        output[self.target] = x[self.source]
        return output

    def backward(self, grad_output):
        grad = get_array_module(grad_output).zeros(self.input_shape, grad_output.dtype)
        grad[self.source] = grad_output[self.target]
        return grad


def _source_positions(size, before, after, mode):
    """For each position of a padded dim, the input position it copies (reflect, replicate, circular).

    For size 3 and 2 on each side: positions -2 -1 | 0 1 2 | 3 4 read
    reflect 2 1 | 0 1 2 | 1 0, replicate 0 0 | 0 1 2 | 2 2, circular 1 2 | 0 1 2 | 0 1.
    A negative pad crops; circular (as in PyTorch) then wraps around what is left.
    """
    positions = numpy.arange(-before, size + after)
    last = size - 1
    if mode == "reflect":
        return last - numpy.abs(last - numpy.abs(positions))
    if mode == "replicate":
        return numpy.clip(positions, 0, last)
    first, kept = max(-before, 0), size - max(-before, 0) - max(-after, 0)
    return first + (positions - first) % kept


def _check_crop(size, before, after, dim):
    """RuntimeError when negative padding would crop more than a dim holds."""
    if max(-before, 0) + max(-after, 0) > size:
        raise RuntimeError(f"narrow(): length must be non-negative. (Padding ({before}, {after}) "
                           f"crops more than the {size} elements of dimension {dim}.)")


def _copying_pad(input, pairs, mode):
    """Reflect, replicate or circular padding: ``input`` read at the positions that copy it."""
    padded_dims = len(pairs)
    if padded_dims not in (1, 2, 3) or input.ndim not in (padded_dims + 1, padded_dims + 2):
        raise NotImplementedError(
            f"Padding size {2 * padded_dims} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    xp = get_array_module(input.array)
    first = input.ndim - padded_dims
    positions = []
    for axis, (before, after) in enumerate(pairs):
        dim, size = first + axis, input.shape[first + axis]
        if size == 0:
            raise RuntimeError(f"{mode} padding needs a non-empty dimension to copy from, but "
                               f"dimension {dim} of input {list(input.shape)} is empty")
        if mode == "reflect" and max(before, after) >= size:
            raise RuntimeError(f"Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({before}, {after}) at dimension "
                               f"{dim} of input {list(input.shape)}")
        kept = size - max(-before, 0) - max(-after, 0)  # circular wraps around what cropping kept
        if mode == "circular" and max(before, after) > kept:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        _check_crop(size, before, after, dim)
        source = _source_positions(size, before, after, mode)
        shape = [len(source) if d == axis else 1 for d in range(padded_dims)]
        positions.append(xp.asarray(source.reshape(shape)))
    index = (slice(None),) * first + tuple(positions)
    names = {"reflect": f"ReflectionPad{padded_dims}DBackward0",
             "replicate": f"ReplicationPad{padded_dims}DBackward0", "circular": "CopySlices"}
    return with_node_name(AdvancedIndex.apply(input, index=index), names[mode])


def pad(input, pad, mode="constant", value=None):
    """Pad ``input`` (``torch.nn.functional.pad``): ``pad`` gives (before, after) pairs,
    starting from the *last* dim and going backwards; negative numbers crop.

    Shapes: (N, C, H, W) with pad=(1, 1, 2, 0) -> (N, C, H + 2, W + 2): one column
    left and right, two rows on top.

    Modes: "constant" (``value``, default 0), and for the last 1-3 dims of a batch
    "reflect" (mirror, without repeating the edge), "replicate" (repeat the edge) and
    "circular" (wrap around).
    """
    pad = as_sizes(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.ndim}")
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]  # first padded dim first
    if mode != "constant":
        if mode not in ("reflect", "replicate", "circular"):
            raise NotImplementedError(f"Unrecognised padding mode {mode} (use 'constant', "
                                      f"'reflect', 'replicate' or 'circular')")
        if value is not None:
            raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
        return _copying_pad(input, pairs, mode)
    pads = [(0, 0)] * (input.ndim - len(pairs)) + pairs
    for dim, (size, (before, after)) in enumerate(zip(input.shape, pads)):
        _check_crop(size, before, after, dim)
    return ConstantPadNd.apply(input, pads=pads, value=0 if value is None else value)
