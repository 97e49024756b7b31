"""im2col and col2im: a convolution as one matrix product (the reference).

A convolution slides a kh x kw kernel over every channel of the input and, at each
output position, takes a weighted sum of the kh x kw x C values under it. Instead of
looping over output positions, ``im2col`` ("image to columns") copies the patch under
the kernel at every output position into one column of a matrix; then the whole
convolution is a single matrix product:

    columns = im2col(x, (kh, kw), ...)             # (C*kh*kw, N*OH*OW)
    output  = weight.reshape(O, C*kh*kw) @ columns  # (O, N*OH*OW)

``col2im`` is the adjoint (transpose) of that copy: it adds every column back onto
the patch it came from, summing where patches overlap. It turns the gradient of the
columns into the gradient of the input.

Layout. Row r of ``columns`` is (c, i, j): channel c, kernel row i, kernel column j.
Column q is (n, oh, ow): sample n, output row oh, output column ow. Both are
row-major, so ``columns.reshape(C, kh, kw, N, OH, OW)`` names every entry.

Why a loop over the kernel offsets: for one offset (i, j), the input values it
meets at all output positions form a single strided slice of the padded input,

    padded[..., i*dh : i*dh + sh*(OH-1) + 1 : sh,  j*dw : j*dw + sw*(OW-1) + 1 : sw]

of shape (..., OH, OW). So im2col is kh*kw slice copies and col2im kh*kw slice
additions. (edunet/kernels/im2col.py does the same copies in fewer, longer runs.)

Sizes: with padding p_before + p_after, an input of size H gives

    OH = floor((H + p_before + p_after - dh*(kh - 1) - 1) / sh) + 1
"""

from edunet.backend import get_array_module


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
    # Channels first, (C, N, H, W), so that the matrix reshapes to (C*kh*kw, N*OH*OW).
    padded = pad2d(input.transpose(1, 0, 2, 3), padding)
    entries = xp.empty((channels, *kernel_size, batch, grid_height, grid_width), input.dtype)
    for i, j, rows, cols in window_slices(kernel_size, stride, dilation, (grid_height, grid_width)):
        entries[:, i, j] = padded[..., rows, cols]
    return entries.reshape(channels * kernel_size[0] * kernel_size[1], -1)


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
    entries = columns.reshape(channels, *kernel_size, batch, grid_height, grid_width)
    padded = xp.zeros((channels, batch, top + height + bottom, left + width + right),
                      dtype=columns.dtype)
    for i, j, rows, cols in window_slices(kernel_size, stride, dilation, (grid_height, grid_width)):
        padded[..., rows, cols] += entries[:, i, j]
    inside = padded[:, :, top:top + height, left:left + width]
    return xp.ascontiguousarray(inside.transpose(1, 0, 2, 3))
