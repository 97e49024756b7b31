"""im2col and col2im: a convolution as one matrix product.

A convolution slides a kh x kw kernel over every channel of the input and, at each
output position, takes a weighted sum of the kh x kw x C values under it. Instead of
looping over output positions, ``im2col`` ("image to columns") copies the patch under
the kernel at every output position into one column of a matrix; then the whole
convolution is a single (fast, BLAS) matrix product:

    columns = im2col(x, (kh, kw), ...)             # (C*kh*kw, N*OH*OW)
    output  = weight.reshape(O, C*kh*kw) @ columns  # (O, N*OH*OW)

``col2im`` is the adjoint (transpose) of that copy: it adds every column back onto
the patch it came from, summing where patches overlap. It turns the gradient of the
columns into the gradient of the input, and it is the forward pass of a transposed
convolution.

Layout. Row r of ``columns`` is (c, i, j): channel c, kernel row i, kernel column j.
Column q is (n, oh, ow): sample n, output row oh, output column ow. Both are
row-major, so ``columns.reshape(C, kh, kw, N, OH, OW)`` names every entry, and the
matrix product above is one big product over all N*OH*OW positions at once (much
faster than N small ones when the feature maps are small).

Why a loop over the kernel offsets: for one offset (i, j), the input values it
meets at all output positions form a single strided slice of the padded input,

    padded[..., i*dh : i*dh + sh*(OH-1) + 1 : sh,  j*dw : j*dw + sw*(OW-1) + 1 : sw]

of shape (..., OH, OW). So im2col is kh*kw slice copies and col2im kh*kw slice
additions, each one vectorized and reading memory in order. (An index array and
``add.at`` would do the same with one call, but slower and with large index arrays.)
Those are the reference loops. With stride 1, the same copies and additions also go in
two stages of longer runs (kernel columns, then kernel rows): faster when the rows are
short; see ``_copy_in_two_stages`` and ``_add_back_in_two_stages`` at the end.

Sizes: with padding p_before + p_after, an input of size H gives

    OH = floor((H + p_before + p_after - dh*(kh - 1) - 1) / sh) + 1

1-D convolutions use the same code with a height of 1: (N, C, L) is (N, C, 1, L).
"""

from edunet.backend import get_array_module
from edunet.kernels import workspace


def output_size(size, kernel, stride=1, padding=(0, 0), dilation=1):
    """How many window positions fit along one dimension (the formula above).

    ``padding`` is (before, after). Example: size 5, kernel 3, stride 2, padding (1, 1)
    gives floor((5 + 2 - 2 - 1) / 2) + 1 = 3.
    """
    before, after = padding
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def window_slices(kernel_size, stride, dilation, grid_size):
    """For every kernel offset (i, j): the slices of the padded input it reads.

    Yields ``(i, j, rows, cols)``; ``padded[..., rows, cols]`` has shape
    ``(..., OH, OW)`` = ``grid_size``: the value under kernel entry (i, j) at every
    output position.
    """
    (kernel_height, kernel_width), (stride_height, stride_width) = kernel_size, stride
    (dilation_height, dilation_width), (grid_height, grid_width) = dilation, grid_size
    for i in range(kernel_height):
        top = i * dilation_height
        rows = slice(top, top + stride_height * (grid_height - 1) + 1, stride_height)
        for j in range(kernel_width):
            left = j * dilation_width
            cols = slice(left, left + stride_width * (grid_width - 1) + 1, stride_width)
            yield i, j, rows, cols


def pad2d(array, padding, value=0):
    """``array`` with ``value`` added around its last two dims.

    ``padding`` is ((top, bottom), (left, right)). Without padding the array itself
    comes back (no copy).
    """
    (top, bottom), (left, right) = padding
    if top == bottom == left == right == 0:
        return array
    xp = get_array_module(array)
    *leading, height, width = array.shape
    padded = xp.full((*leading, top + height + bottom, left + width + right), value,
                     dtype=array.dtype)
    padded[..., top:top + height, left:left + width] = array
    return padded


def crop2d(array, start, size):
    """The window ``array[..., top:top + height, left:left + width]``, zero outside the array.

    ``start`` = (top, left) may be negative and the window may run past the end:
    the parts outside ``array`` are zeros. It is the adjoint of itself with
    ``start`` negated: cropping and embedding are transposes of each other.
    """
    xp = get_array_module(array)
    (top, left), (height, width) = start, size
    if top == left == 0 and (height, width) == array.shape[-2:]:
        return array
    result = xp.zeros(array.shape[:-2] + (height, width), dtype=array.dtype)
    # The overlap of the window with the array, in the array's and the result's coordinates.
    first_row, first_col = max(top, 0), max(left, 0)
    end_row, end_col = min(top + height, array.shape[-2]), min(left + width, array.shape[-1])
    if end_row > first_row and end_col > first_col:
        result[..., first_row - top:end_row - top, first_col - left:end_col - left] = (
            array[..., first_row:end_row, first_col:end_col])
    return result


def im2col(input, kernel_size, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Every kernel-sized patch of ``input`` as one column of a matrix.

    Args:
        input: array (N, C, H, W).
        kernel_size, stride, dilation: (height, width) pairs.
        padding: ((top, bottom), (left, right)) zeros added around the input.

    Returns:
        columns (C*kh*kw, N*OH*OW): ``columns[(c, i, j), (n, oh, ow)] =
        padded[n, c, oh*sh + i*dh, ow*sw + j*dw]``.

    Example: x of shape (2, 3, 5, 5), kernel (3, 3), no padding ->
    columns (27, 2*3*3) = (27, 18).
    """
    xp = get_array_module(input)
    batch, channels, height, width = input.shape
    grid_height = output_size(height, kernel_size[0], stride[0], padding[0], dilation[0])
    grid_width = output_size(width, kernel_size[1], stride[1], padding[1], dilation[1])
    # Channels first, (C, N, H, W): then each copy below writes one contiguous block per
    # channel and the result reshapes to (C*kh*kw, N*OH*OW) for free. Padding and this
    # transpose happen in the same single copy.
    padded = pad2d(input.transpose(1, 0, 2, 3), padding)
    # The matrix may be last call's (see workspace.py): a caller done with it may give it back.
    columns = workspace.empty((channels * kernel_size[0] * kernel_size[1],
                               batch * grid_height * grid_width), input.dtype, xp)
    entries = columns.reshape(channels, *kernel_size, batch, grid_height, grid_width)  # a view
    if tuple(stride) == (1, 1) and columns.nbytes <= TWO_STAGES_MAX_BYTES:
        _copy_in_two_stages(padded, entries, dilation)
        return columns
    for i, j, rows, cols in window_slices(kernel_size, stride, dilation, (grid_height, grid_width)):
        entries[:, i, j] = padded[..., rows, cols]
    return columns


# Below this size (it fits in the cache) two stages of long copies beat kh*kw short ones.
# Measured here (5x5 kernel, batch 64): LeNet's layers 0.65 -> 0.42 ms and 0.79 -> 0.39 ms;
# a 15 MB matrix (the course CNN's first layer) 1.98 -> 2.13 ms, so it keeps one stage.
TWO_STAGES_MAX_BYTES = 8 * 2**20


def _copy_in_two_stages(padded, entries, dilation):
    """im2col for stride 1, as kw + kh long copies instead of kh*kw short ones.

    The kh*kw slice copies of :func:`im2col` each copy runs of only OW values (10 for
    LeNet's second layer), and a copy of short runs spends its time starting runs.
    With stride 1, two stages copy the same values in long runs:

        widths[c, j, n, h, ow]     = padded[c, n, h, ow + j*dw]         kw copies, runs of OW
        entries[c, i, j, n, oh, :] = widths[c, j, n, oh + i*dh, :]      kh copies

    In the second stage (oh, ow) is one contiguous block of OH*OW values in both arrays
    (OH consecutive rows of ``widths``), so each run is OH*OW values long.
    ``padded`` is (C, N, Hp, Wp); ``entries`` is the (C, kh, kw, N, OH, OW) view of the
    result. The same values as the one-stage loop (tests/nn/test_conv.py checks).
    """
    xp = get_array_module(padded)
    channels, kernel_height, kernel_width, batch, grid_height, grid_width = entries.shape
    dilation_height, dilation_width = dilation
    widths = workspace.empty((channels, kernel_width, batch, padded.shape[2], grid_width),
                             padded.dtype, xp)
    for j in range(kernel_width):
        start = j * dilation_width
        widths[:, j] = padded[..., start:start + grid_width]
    for i in range(kernel_height):
        start = i * dilation_height
        entries[:, i] = widths[:, :, :, start:start + grid_height]
    workspace.give_back(widths)


def col2im(columns, input_shape, kernel_size, stride=(1, 1), padding=((0, 0), (0, 0)),
           dilation=(1, 1)):
    """Add every column back onto the patch it came from: the adjoint of :func:`im2col`.

    Args:
        columns: (C*kh*kw, N*OH*OW), laid out as :func:`im2col` returns them.
        input_shape: (N, C, H, W) of the array im2col read.
        kernel_size, stride, padding, dilation: as for :func:`im2col`.

    Returns:
        array (N, C, H, W) with ``result[n, c, h, w]`` = the sum of all entries of
        ``columns`` that im2col copied from position (h, w): where windows overlap,
        their contributions add up. Values that fell on the padding are dropped.
    """
    xp = get_array_module(columns)
    batch, channels, height, width = input_shape
    (top, bottom), (left, right) = padding
    grid_height = output_size(height, kernel_size[0], stride[0], padding[0], dilation[0])
    grid_width = output_size(width, kernel_size[1], stride[1], padding[1], dilation[1])
    columns = columns.reshape(channels, *kernel_size, batch, grid_height, grid_width)
    padded = workspace.empty((channels, batch, top + height + bottom, left + width + right),
                             columns.dtype, xp)
    if tuple(stride) == (1, 1):
        _add_back_in_two_stages(columns, padded, dilation)
    else:
        padded.fill(0)
        for i, j, rows, cols in window_slices(kernel_size, stride, dilation,
                                              (grid_height, grid_width)):
            padded[..., rows, cols] += columns[:, i, j]
    inside = padded[:, :, top:top + height, left:left + width]
    result = xp.ascontiguousarray(inside.transpose(1, 0, 2, 3))
    workspace.give_back(padded)
    return result


def _add_back_in_two_stages(entries, padded, dilation):
    """col2im for stride 1, as kh + kw long additions instead of kh*kw short ones.

    The reverse of :func:`_copy_in_two_stages`: first the kernel rows, in runs of OH*OW
    values, then the kernel columns, in runs of OW:

        widths[c, j, n, oh + i*dh, :] += entries[c, i, j, n, oh, :]      kh additions
        padded[c, n, h, ow + j*dw]    += widths[c, j, n, h, ow]          kw additions

    The first addition of each stage is a copy (and only the part it does not cover is
    cleared), which saves clearing the whole array first. Measured here (5x5 kernel,
    batch 64, 1 thread), one stage -> two: LeNet's layers 1.17 -> 0.76 ms and 1.75 ->
    0.92 ms, a 16-channel 10x10 input 4.7 -> 2.3 ms, a 3-channel 32x32 one 4.2 -> 3.0 ms.
    It sums in another order than the one-stage loop, so the last bits may differ (tests
    compare with a tolerance).
    ``entries`` is (C, kh, kw, N, OH, OW); ``padded`` (C, N, Hp, Wp) is overwritten.
    """
    xp = get_array_module(entries)
    channels, kernel_height, kernel_width, batch, grid_height, grid_width = entries.shape
    dilation_height, dilation_width = dilation
    padded_height = padded.shape[2]
    widths = workspace.empty((channels, kernel_width, batch, padded_height, grid_width),
                             entries.dtype, xp)
    widths[..., :grid_height, :] = entries[:, 0]
    widths[..., grid_height:, :] = 0
    for i in range(1, kernel_height):
        start = i * dilation_height
        widths[..., start:start + grid_height, :] += entries[:, i]
    padded[..., :grid_width] = widths[:, 0]
    padded[..., grid_width:] = 0
    for j in range(1, kernel_width):
        start = j * dilation_width
        padded[..., start:start + grid_width] += widths[:, j]
    workspace.give_back(widths)
