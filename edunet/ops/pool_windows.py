"""Window helpers for pooling: the windows as views, and where each maximum sits.

Like im2col, pooling looks at every output position through kh*kw strided views of
the (padded) input, one per kernel offset o = i*kw + j (row-major): view o holds, for
every window at once, the value under kernel entry (i, j). A max pool is then the
elementwise maximum of the views, an average pool their sum over a divisor.

For backward, max pooling needs to know *which* offset held each maximum:
:func:`first_max_offsets` finds it, with PyTorch's rule for ties (the first one),
and :func:`max_positions` turns offsets into PyTorch's index layout.
"""

import numpy

from edunet.backend import get_array_module
from edunet.ops.im2col import window_slices


def window_views(padded, kernel_size, stride, dilation, grid_size):
    """One view (..., OH, OW) per kernel offset: the values it sees, in every window.

    ``padded[..., oh*sh + i*dh, ow*sw + j*dw]`` for offset (i, j); no copies.
    """
    slices = window_slices(kernel_size, stride, dilation, grid_size)
    return [padded[..., rows, cols] for _, _, rows, cols in slices]


def lowest_value(dtype):
    """What max pooling pads with: a value no real element is below (-inf, or the int minimum)."""
    return -numpy.inf if dtype.kind == "f" else numpy.iinfo(dtype).min


def valid_masks(input_size, padding, kernel_size, stride, dilation, grid_size):
    """Per kernel offset, an (OH, OW) boolean array: True where it reads the input, not padding.

    ``padding`` is ((top, bottom), (left, right)).
    """
    (height, width), ((top, _), (left, _)) = input_size, padding
    masks = []
    for _, _, rows, cols in window_slices(kernel_size, stride, dilation, grid_size):
        row = numpy.arange(rows.start, rows.stop, rows.step) - top
        col = numpy.arange(cols.start, cols.stop, cols.step) - left
        masks.append(((row >= 0) & (row < height))[:, None] & ((col >= 0) & (col < width))[None, :])
    return masks


def first_max_offsets(views, maxima, masks=None):
    """For each window, the offset o = i*kw + j of its maximum: the first one on a tie.

    Args:
        views: the kernel offsets' views, in row-major order (:func:`window_views`).
        maxima: (..., OH, OW), the maximum of each window.
        masks: from :func:`valid_masks` when there is padding, so that padding equal
            to the maximum (an all -inf window) is never chosen.

    Walking the offsets in order, a window's offset is the number of views passed
    before its first maximum. A window whose maximum is NaN points at its last NaN,
    as PyTorch's does.
    """
    xp = get_array_module(maxima)
    offsets = xp.zeros(maxima.shape, dtype=xp.uint8 if len(views) <= 256 else xp.int32)
    found = xp.zeros(maxima.shape, dtype=bool)
    for offset, view in enumerate(views[:-1]):
        hit = view == maxima
        if masks is not None:
            hit &= xp.asarray(masks[offset])
        found |= hit
        offsets += ~found              # not found yet: the maximum comes later
    if maxima.dtype.kind == "f":
        is_nan = xp.isnan(maxima)
        if is_nan.any():
            for offset, view in enumerate(views):
                offsets[is_nan & xp.isnan(view)] = offset
    return offsets


def max_positions(offsets, input_size, kernel_size, stride, padding, dilation):
    """PyTorch's max-pool indices: the position h*W + w of each maximum in its (H, W) plane.

    Window (oh, ow) and offset (i, j) read row h = oh*sh - top + i*dh and column
    w = ow*sw - left + j*dw of the unpadded input.
    """
    xp = get_array_module(offsets)
    grid_height, grid_width = offsets.shape[-2:]
    (top, _), (left, _) = padding
    offsets = offsets.astype(xp.int64)
    rows = (xp.arange(grid_height)[:, None] * stride[0] - top
            + (offsets // kernel_size[1]) * dilation[0])
    cols = (xp.arange(grid_width)[None, :] * stride[1] - left
            + (offsets % kernel_size[1]) * dilation[1])
    return rows * input_size[1] + cols


def average_divisors(input_size, kernel_size, stride, padding, grid_size, count_include_pad):
    """(OH, OW) divisors of average pooling, PyTorch's way.

    A window's divisor is its area clipped to the padded input (a ceil_mode window may
    run past it); with ``count_include_pad=False``, clipped to the input itself.
    ``padding`` is one number per dim. The area is a product of one count per dim.
    When every window lies inside the input (the common AvgPool2d(2)), that is just
    kh*kw, returned as a number.
    """
    if not any(padding) and all((grid - 1) * s + k <= size for size, k, s, grid
                                in zip(input_size, kernel_size, stride, grid_size)):
        return kernel_size[0] * kernel_size[1]
    counts = []
    for size, k, s, p, grid in zip(input_size, kernel_size, stride, padding, grid_size):
        start = numpy.arange(grid) * s - p
        end = numpy.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = numpy.maximum(start, 0), numpy.minimum(end, size)
        counts.append(end - start)
    return counts[0][:, None] * counts[1][None, :]


def adaptive_ranges(in_size, out_size):
    """[(start, end)] of adaptive pooling's windows: [floor(o*I/O), ceil((o+1)*I/O)).

    >>> adaptive_ranges(5, 3)        # overlapping windows of sizes 2, 3, 2
    [(0, 2), (1, 4), (3, 5)]
    """
    return [((o * in_size) // out_size, -(-(o + 1) * in_size // out_size))
            for o in range(out_size)]


def averaging_matrix(in_size, out_size, dtype, xp=numpy):
    """The (out, in) matrix M with M @ v = the adaptive averages of v."""
    matrix = numpy.zeros((out_size, in_size))
    for o, (start, end) in enumerate(adaptive_ranges(in_size, out_size)):
        matrix[o, start:end] = 1.0 / (end - start)
    return xp.asarray(matrix.astype(dtype))


def adaptive_max(x, output_size):
    """(maxima, indices) of adaptive max pooling over the last two dims of ``x``.

    The windows have different sizes, so this loops over the output positions; indices
    are positions h*W + w in the (H, W) plane, the first maximum on a tie (the last NaN
    in a window with NaNs, as PyTorch).
    """
    xp = get_array_module(x)
    height, width = x.shape[-2:]
    output = xp.empty(x.shape[:-2] + tuple(output_size), dtype=x.dtype)
    indices = xp.empty(output.shape, dtype=xp.int64)
    for oh, (top, bottom) in enumerate(adaptive_ranges(height, output_size[0])):
        for ow, (left, right) in enumerate(adaptive_ranges(width, output_size[1])):
            window_width = right - left
            window = x[..., top:bottom, left:right].reshape(
                *x.shape[:-2], (bottom - top) * window_width)
            position = xp.argmax(window, axis=-1)          # the first maximum, or NaN
            if window.dtype.kind == "f":
                # As in PyTorch, every NaN wins over what came before: the last NaN is chosen.
                is_nan = xp.isnan(window)
                last_nan = window.shape[-1] - 1 - xp.argmax(is_nan[..., ::-1], axis=-1)
                position = xp.where(is_nan.any(axis=-1), last_nan, position)
            output[..., oh, ow] = xp.take_along_axis(window, position[..., None], -1)[..., 0]
            indices[..., oh, ow] = ((top + position // window_width) * width
                                    + left + position % window_width)
    return output, indices
