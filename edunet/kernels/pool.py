"""The fast path of max and average pooling (edunet/ops/pool.py states the math).

When the windows tile the input (stride == kernel_size, no padding, no dilation: the
common MaxPool2d(2)), every input value lies in one window at most. Then

- the windows' views come from a reshape to (..., OH, kh, OW, kw), with no padded copy;
- backward *writes* each input's gradient once instead of clearing an array and
  adding every window into it;
- with numba installed (``pip install edunet[fast]``), max pooling's backward is one
  compiled loop (compiled.py): one pass that finds each window's first maximum and
  writes the gradient, where NumPy needs kh*kw - 1 passes to find it and kh*kw more
  to write; and for 2x2 windows the forward's maxima are one compiled pass too
  (NumPy's three passes over stride-2 views run about 10x slower).

Each function returns None for the cases it does not handle, and on the reference
path; the op then runs its reference code. tests/kernels/test_pool.py checks that
both paths give the same numbers, ties included.
"""

from edunet.backend import get_array_module
from edunet.kernels import compiled, use_reference
from edunet.ops.pool_windows import first_max_offsets


def is_tiling(geometry):
    """True when the windows tile the input: stride == kernel_size, no padding, no dilation."""
    return (tuple(geometry["stride"]) == tuple(geometry["kernel_size"])
            and tuple(geometry["dilation"]) == (1, 1)
            and not any(before or after for before, after in geometry["padding"]))


def tile_views(array, kernel_size, grid_size):
    """The windows' views when they tile ``array``: ``tiles[..., :, i, :, j]`` is kernel
    offset (i, j) of every window. Rows and columns past the last whole window are left
    out. No copies."""
    (kernel_height, kernel_width), (grid_height, grid_width) = kernel_size, grid_size
    used = array[..., :grid_height * kernel_height, :grid_width * kernel_width]
    tiles = used.reshape(*array.shape[:-2], grid_height, kernel_height, grid_width, kernel_width)
    return [tiles[..., :, i, :, j] for i in range(kernel_height) for j in range(kernel_width)]


def _tiled_gradient(shape, dtype, geometry, xp):
    """An uninitialised input gradient with only the rows and columns past the last whole
    window (which no window covers) set to 0: the windows write every other entry once."""
    gradient = xp.empty(shape, dtype=dtype)
    (grid_height, grid_width), (kernel_height, kernel_width) = (geometry["grid_size"],
                                                                geometry["kernel_size"])
    gradient[..., grid_height * kernel_height:, :] = 0
    gradient[..., grid_width * kernel_width:] = 0
    return gradient


def max_pool2d(x, geometry):
    """(output, backward) of max pooling, ``backward(grad_output)`` -> grad_input; or None."""
    if use_reference() or not is_tiling(geometry):
        return None
    xp = get_array_module(x)
    kernel_size, grid_size = geometry["kernel_size"], geometry["grid_size"]
    output = (compiled.max_pool2d_2x2(x, grid_size) if tuple(kernel_size) == (2, 2)
              else None)                    # numba: one pass
    if output is None:
        views = tile_views(x, kernel_size, grid_size)
        output = views[0].copy()
        for view in views[1:]:
            xp.maximum(output, view, out=output)

    def backward(grad_output):
        grad_input = compiled.max_pool2d_backward(x, output, grad_output, kernel_size)
        if grad_input is not None:          # numba: one pass
            return grad_input
        offsets = first_max_offsets(tile_views(x, kernel_size, grid_size), output)
        grad_input = _tiled_gradient(x.shape, grad_output.dtype, geometry, xp)
        for offset, view in enumerate(tile_views(grad_input, kernel_size, grid_size)):
            xp.multiply(grad_output, offsets == offset, out=view)
        return grad_input
    return output, backward


def avg_pool2d(x, geometry, divisor):
    """(output, backward) of average pooling over tiling windows; or None."""
    if use_reference() or not is_tiling(geometry) or x.dtype.kind != "f":
        return None
    xp = get_array_module(x)
    kernel_size, grid_size = geometry["kernel_size"], geometry["grid_size"]
    views = tile_views(x, kernel_size, grid_size)
    total = views[0].copy()
    for view in views[1:]:
        total += view

    def backward(grad_output):
        share = grad_output / divisor
        grad_input = _tiled_gradient(x.shape, grad_output.dtype, geometry, xp)
        for view in tile_views(grad_input, kernel_size, grid_size):
            view[...] = share
        return grad_input
    return total / divisor, backward
