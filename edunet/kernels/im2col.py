"""im2col and col2im in fewer, longer copies: the fast path of edunet/ops/im2col.py.

The reference (edunet/ops/im2col.py) copies kh*kw strided slices, each made of runs
of only OW values (10 for LeNet's second layer); a copy of short runs spends its time
starting runs. With stride 1 the same values move in two stages of long runs:

    widths[c, j, n, h, ow]     = padded[c, n, h, ow + j*dw]         kw copies, runs of OW
    entries[c, i, j, n, oh, :] = widths[c, j, n, oh + i*dh, :]      kh copies

In the second stage (oh, ow) is one contiguous block of OH*OW values in both arrays,
so each run is OH*OW values long. col2im runs the same stages backwards (additions).
Measured here (5x5 kernel, batch 64, 1 thread), one stage -> two: LeNet's layers
im2col 0.65 -> 0.42 ms and 0.79 -> 0.39 ms; col2im 1.17 -> 0.76 ms and 1.75 -> 0.92 ms.
Past TWO_STAGES_MAX_BYTES (the matrix no longer fits in the cache) one stage is faster.

The results equal the reference's (im2col exactly; col2im sums in another order, so
the last bits may differ): tests/kernels/test_im2col.py.
"""

from edunet.backend import get_array_module
from edunet.kernels import workspace
from edunet.ops.im2col import col2im as reference_col2im
from edunet.ops.im2col import output_size, pad2d, window_slices

# Below this size (it fits in the cache) two stages of long copies beat kh*kw short ones.
# Measured: a 15 MB matrix (the course CNN's first layer) 1.98 -> 2.13 ms: one stage.
TWO_STAGES_MAX_BYTES = 8 * 2**20


def _grid(input_shape, kernel_size, stride, padding, dilation):
    return tuple(output_size(size, k, s, p, d) for size, k, s, p, d
                 in zip(input_shape[2:], kernel_size, stride, padding, dilation))


def im2col(input, kernel_size, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """The reference's im2col (edunet/ops/im2col.py), in two stages where that is faster,
    into a workspace array (give it back when done)."""
    xp = get_array_module(input)
    batch, channels = input.shape[:2]
    grid_height, grid_width = _grid(input.shape, kernel_size, stride, padding, dilation)
    columns = workspace.empty((channels * kernel_size[0] * kernel_size[1],
                               batch * grid_height * grid_width), input.dtype, xp)
    entries = columns.reshape(channels, *kernel_size, batch, grid_height, grid_width)
    padded = pad2d(input.transpose(1, 0, 2, 3), padding)                 # (C, N, Hp, Wp)
    if tuple(stride) == (1, 1) and columns.nbytes <= TWO_STAGES_MAX_BYTES:
        _copy_in_two_stages(padded, entries, dilation)
    else:                                   # the reference's kh*kw copies
        for i, j, rows, cols in window_slices(kernel_size, stride, dilation,
                                              (grid_height, grid_width)):
            entries[:, i, j] = padded[..., rows, cols]
    return columns


def _copy_in_two_stages(padded, entries, dilation):
    """kw copies into ``widths``, then kh copies into ``entries`` (C, kh, kw, N, OH, OW)."""
    xp = get_array_module(padded)
    channels, kernel_height, kernel_width, batch, grid_height, grid_width = entries.shape
    widths = workspace.empty((channels, kernel_width, batch, padded.shape[2], grid_width),
                             padded.dtype, xp)
    for j in range(kernel_width):
        start = j * dilation[1]
        widths[:, j] = padded[..., start:start + grid_width]
    for i in range(kernel_height):
        start = i * dilation[0]
        entries[:, i] = widths[:, :, :, start:start + grid_height]
    workspace.give_back(widths)


def col2im(columns, input_shape, kernel_size, stride=(1, 1), padding=((0, 0), (0, 0)),
           dilation=(1, 1)):
    """The reference's col2im, in two stages for stride 1: kernel rows, then kernel columns.

        widths[c, j, n, oh + i*dh, :] += entries[c, i, j, n, oh, :]      kh additions
        padded[c, n, h, ow + j*dw]    += widths[c, j, n, h, ow]          kw additions

    The first addition of each stage is a copy (and only the part it does not cover is
    cleared), which saves clearing the whole array first.
    """
    if tuple(stride) != (1, 1):
        return reference_col2im(columns, input_shape, kernel_size, stride, padding, dilation)
    xp = get_array_module(columns)
    batch, channels, height, width = input_shape
    (top, bottom), (left, right) = padding
    grid_height, grid_width = _grid(input_shape, kernel_size, stride, padding, dilation)
    kernel_height, kernel_width = kernel_size
    entries = columns.reshape(channels, kernel_height, kernel_width, batch, grid_height,
                              grid_width)
    padded_height, padded_width = top + height + bottom, left + width + right
    widths = workspace.empty((channels, kernel_width, batch, padded_height, grid_width),
                             columns.dtype, xp)
    widths[..., :grid_height, :] = entries[:, 0]
    widths[..., grid_height:, :] = 0
    for i in range(1, kernel_height):
        start = i * dilation[0]
        widths[..., start:start + grid_height, :] += entries[:, i]
    padded = workspace.empty((channels, batch, padded_height, padded_width), columns.dtype, xp)
    padded[..., :grid_width] = widths[:, 0]
    padded[..., grid_width:] = 0
    for j in range(1, kernel_width):
        start = j * dilation[1]
        padded[..., start:start + grid_width] += widths[:, j]
    inside = padded[:, :, top:top + height, left:left + width]
    result = xp.ascontiguousarray(inside.transpose(1, 0, 2, 3))
    workspace.give_back(widths, padded)
    return result
