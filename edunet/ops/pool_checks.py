"""Argument checks and window layout of the pooling functions (edunet/ops/pool.py).

PyTorch's rules and exception types, with messages that say what to change. Kept apart
so that pooling's math reads without them.
"""

import numpy


def pool_output_size(size, kernel, stride, padding, dilation=1, ceil_mode=False):
    """Number of windows along one dim, by PyTorch's rule (see the module docstring).

    >>> pool_output_size(5, 2, 2, 0)                   # windows at 0 and 2; 4 is left over
    2
    >>> pool_output_size(5, 2, 2, 0, ceil_mode=True)   # ... unless ceil_mode keeps [4, 6)
    3
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1   # that last window would start in the right padding
    return count


def _pair(value, name, op_name, dims=2):
    """An int or a sequence of ``dims`` ints (or one, repeated) as a tuple of ``dims`` ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(isinstance(v, (int, numpy.integer)) for v in values):
        raise TypeError(f"{op_name}(): argument '{name}' must be tuple of ints, not "
                        f"{type(value).__name__} ({value!r})")
    if len(values) not in (1, dims):
        if dims == 1:
            raise RuntimeError(f"{op_name}() {name} must be an int, list of ints or tuple of "
                               f"ints of size 1 but got {value!r}")
        raise RuntimeError(f"{op_name}: {name} must either be a single int, or a tuple of two "
                           f"ints (got {value!r})")
    return tuple(int(v) for v in values) * (dims if len(values) == 1 else 1)


def _is_default(stride):
    """stride=None (or an empty list) means stride = kernel_size."""
    return stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)


def as_2d_arguments(op_name, kernel_size, stride, padding, dilation=1):
    """1-D pooling is 2-D pooling over a height of 1: k becomes (1, k), p becomes (0, p), ..."""
    def widen(value, name, height_value):
        return (height_value, *_pair(value, name, op_name, dims=1))
    return (widen(kernel_size, "kernel_size", 1),
            None if _is_default(stride) else widen(stride, "stride", 1),
            widen(padding, "padding", 0), widen(dilation, "dilation", 1))


def check_pool_input(input, op_name, dims=2):
    """(N, C, H, W) or (C, H, W) (dims=2); (N, C, L) or (C, L) (dims=1); non-empty planes."""
    if input.ndim not in (dims + 1, dims + 2):
        layout = "(N, C, L) or (C, L)" if dims == 1 else "(N, C, H, W) or (C, H, W)"
        raise RuntimeError(
            f"{op_name}: Expected {dims + 1}D or {dims + 2}D (batch mode) tensor for input, but "
            f"got: {list(input.shape)}. The layout is {layout}: add a missing dimension with "
            f"x.unsqueeze(0), or remove extra ones with x.squeeze(dim).")
    non_batch = input.shape[1:] if input.ndim == dims + 2 else input.shape
    if 0 in non_batch:
        raise RuntimeError(f"{op_name}: Expected {dims + 1}D or {dims + 2}D (batch mode) tensor "
                           f"with optional 0 dim batch size for input, but got: "
                           f"{list(input.shape)} (an empty channel or spatial dimension)")


def check_padding(kernel_size, padding, dilation):
    """PyTorch's rule for pooling: each side's padding at most half the kernel (and half the
    dilated kernel), never negative; one value per spatial dimension."""
    for k, p, d in zip(kernel_size, padding, dilation):
        # PyTorch asks both: at most half the kernel, and at most half the dilated kernel.
        if p < 0 or p > k // 2 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}. Use less padding: kernel_size // 2 keeps "
                f"the size with stride 1 and an odd kernel.")


def pool_options(input, kernel_size, stride, padding, dilation, ceil_mode, op_name):
    """Check the arguments (PyTorch's rules) and work out the windows' layout."""
    kernel_size = _pair(kernel_size, "kernel_size", op_name)
    stride = kernel_size if _is_default(stride) else _pair(stride, "stride", op_name)
    padding = _pair(padding, "padding", op_name)
    dilation = _pair(dilation, "dilation", op_name)
    if min(kernel_size) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: "
                           f"{kernel_size[0]} kW: {kernel_size[1]}")
    if min(stride) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {stride[0]} "
                           f"dW: {stride[1]}")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    check_padding(kernel_size, padding, dilation)
    sizes = input.shape[-2:]
    grid_size = tuple(pool_output_size(size, k, s, p, d, ceil_mode)
                      for size, k, s, p, d in zip(sizes, kernel_size, stride, padding, dilation))
    if min(grid_size) < 1:
        channels = input.shape[-3]
        raise RuntimeError(
            f"Given input size: ({channels}x{sizes[0]}x{sizes[1]}). Calculated output size: "
            f"({channels}x{grid_size[0]}x{grid_size[1]}). Output size is too small: the "
            f"window ({kernel_size[0]}x{kernel_size[1]}) is larger than the padded input. Use a "
            f"smaller kernel or fewer pooling layers before this one.")
    # The padded input must hold every window; ceil_mode's last one may need more at the end.
    pairs = []
    for size, k, s, p, d, grid in zip(sizes, kernel_size, stride, padding, dilation, grid_size):
        needed = (grid - 1) * s + d * (k - 1) + 1
        pairs.append((p, max(p, needed - p - size)))
    return dict(kernel_size=kernel_size, stride=stride, padding=tuple(pairs), dilation=dilation,
                grid_size=grid_size)


def adaptive_output_size(input, output_size, op_name):
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise RuntimeError(f"{op_name}: output_size must be 2 (one size per spatial dim), got "
                           f"{output_size!r}")
    # None keeps the input's size along that dim.
    sizes = tuple(input.shape[-2 + dim] if size is None else int(size)
                  for dim, size in enumerate(sizes))
    if min(sizes) < 0:
        raise RuntimeError(f"{op_name}: elements of output_size must be greater than or equal "
                           f"to 0 but received {sizes}")
    return sizes
