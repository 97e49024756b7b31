"""Convolution by kernel rows: the fast path for stride-1 convolutions.

``im2col`` (im2col.py) copies every kh x kw patch of the input, so its matrix is
kh*kw times larger than the input: 52 MB for the second layer of the course's
CIFAR-10 CNN at batch 64, against 2 MB of input. Writing that matrix and reading it
back, not the multiplications, is what made a convolution slow on a CPU. This file
copies the input only kw times (once per kernel *column*) and handles the kernel
*rows* by where each matrix product starts reading.

Layout. The padded input is stored as (C, Hp, N, Wp): channels, rows, samples,
columns -- the rows outside the samples. The *width matrix* holds, for every padded
row h, sample n and output column ow, the kw values a kernel row sees, per channel:

    X[(c, j), (h, n, ow)] = padded[c, h, n, ow + j*dw]           shape (C*kw, Hp*N*OW)

Kernel row i at output row oh reads padded row oh + i*dh. Since h is the outermost
index of X's columns, "one row further down" is "N*OW columns further right", and
the columns kernel row i needs for every output (oh, n, ow) are one contiguous range:

    X_i = X[:, i*dh*N*OW : (i*dh + OH)*N*OW]                     (C*kw, OH*N*OW)

so the convolution is kh matrix products over views of X, with no further copies:

    Y = sum_i W_i @ X_i          W_i = w[:, :, i, :] as (C_out, C*kw)
                                 Y   = (C_out, OH*N*OW), the output as (C_out, OH, N, OW)

Gradients, with G = dL/dY in the same layout:

    dL/dW_i = G @ X_i^T                                          one product per kernel row
    dL/dx   = the same convolution run on G, padded by d*(k-1) - p on each side,
              with the kernel flipped (w[:, :, ::-1, ::-1]) and C_in, C_out swapped

(the second line: output y[oh] uses x[oh + i*d - p] with weight w[i], so x[h]
receives g[h + p - i*d] * w[i]; substituting i' = k-1-i makes that a correlation).
A stride above 1 breaks the "one row = a fixed shift" property; such convolutions
use im2col.

When C*kw is small (a first layer on RGB or grey images: 15 or 5 rows) or there are
few output channels, the products would be too thin for BLAS to run fast: there the
full im2col matrix (C*kh*kw rows, one product) is the better choice; :func:`prefers_rows`
decides.

The arrays these functions return come from edunet/kernels/workspace.py: a caller
that is done with one gives it back for the next call to reuse.

Everything is written with ``xp`` (NumPy or CuPy).
"""

from edunet.backend import get_array_module
from edunet.kernels import workspace

# The kh products are only fast when neither of their small sides is thin: the width
# matrix needs C*kw >= 32 rows, and the output >= 16 channels (measured on the course's
# CNNs: below these, one im2col product is faster).
ROWS_MIN_WIDTH = 32
ROWS_MIN_OUT_CHANNELS = 16


def prefers_rows(in_channels, out_channels, kernel_size, stride, groups):
    """True when this file's method suits the convolution (see the module docstring)."""
    return (tuple(stride) == (1, 1) and groups == 1
            and in_channels * kernel_size[1] >= ROWS_MIN_WIDTH
            and out_channels >= ROWS_MIN_OUT_CHANNELS)


def to_rows_layout(array, padding=((0, 0), (0, 0))):
    """(N, C, H, W) -> (C, top + H + bottom, N, left + W + right), zero-padded, one copy.

    ``padding`` is ((top, bottom), (left, right)); a negative amount crops instead.
    """
    xp = get_array_module(array)
    batch, channels, height, width = array.shape
    (top, bottom), (left, right) = padding
    result = workspace.empty((channels, top + height + bottom, batch, left + width + right),
                             array.dtype, xp)
    # The rows and columns of the input that land inside the result, and where they land.
    first_row, end_row = max(0, -top), min(height, height + bottom)
    first_col, end_col = max(0, -left), min(width, width + right)
    inside_rows = slice(top + first_row, top + end_row)
    inside_cols = slice(left + first_col, left + end_col)
    result[:, inside_rows, :, inside_cols] = (
        array[:, :, first_row:end_row, first_col:end_col].transpose(1, 2, 0, 3))
    # Zeros around it: the rows above and below, then the columns left and right.
    result[:, :inside_rows.start] = 0
    result[:, inside_rows.stop:] = 0
    result[:, inside_rows, :, :inside_cols.start] = 0
    result[:, inside_rows, :, inside_cols.stop:] = 0
    return result


def width_matrix(padded, kernel_width, dilation_width=1):
    """The width matrix X (C*kw, Hp*N*OW) of a padded (C, Hp, N, Wp) array (module docstring).

    Rows are (c, j): channel-major, then kernel column. kw slice copies, each reading
    runs of OW consecutive values.
    """
    xp = get_array_module(padded)
    channels, height, batch, width = padded.shape
    out_width = width - dilation_width * (kernel_width - 1)
    matrix = workspace.empty((channels * kernel_width, height * batch * out_width),
                             padded.dtype, xp)
    entries = matrix.reshape(channels, kernel_width, height, batch, out_width)  # a view
    for j in range(kernel_width):
        start = j * dilation_width
        entries[:, j] = padded[..., start:start + out_width]
    return matrix


def padded_width_matrix(array, padding, kernel_width, dilation_width=1):
    """The width matrix of ``array`` (N, C, H, W) padded by ``padding``, in one pass:
    ``width_matrix(to_rows_layout(array, padding), ...)`` without the padded copy.

    Each kernel column j copies the input's columns straight into place (transposed to
    (C, H, N, W) on the way) and clears only the padding around them. A negative
    amount of padding crops. Measured, 1 thread: the course CNN's second layer 2.2 ->
    1.4 ms, its third 0.78 -> 0.53 ms.
    """
    xp = get_array_module(array)
    batch, channels, height, width = array.shape
    (top, bottom), (left, right) = padding
    padded_height, padded_width = top + height + bottom, left + width + right
    out_width = padded_width - dilation_width * (kernel_width - 1)
    matrix = workspace.empty((channels * kernel_width, padded_height * batch * out_width),
                             array.dtype, xp)
    entries = matrix.reshape(channels, kernel_width, padded_height, batch, out_width)
    # The input rows and columns that land inside, and where the rows land.
    first_row, end_row = max(0, -top), min(height, height + bottom)
    first_col, end_col = max(0, -left), min(width, width + right)
    rows = slice(top + first_row, top + end_row)
    entries[:, :, :rows.start] = 0
    entries[:, :, rows.stop:] = 0
    source = array[:, :, first_row:end_row].transpose(1, 2, 0, 3)     # (C, rows, N, W)
    for j in range(kernel_width):
        # Output column ow of kernel column j reads input column ow + j*dw - left.
        shift = j * dilation_width - left
        low, high = max(0, first_col - shift), min(out_width, end_col - shift)
        if high <= low:
            entries[:, j, rows] = 0
            continue
        entries[:, j, rows, :, :low] = 0
        entries[:, j, rows, :, high:] = 0
        entries[:, j, rows, :, low:high] = source[..., low + shift:high + shift]
    return matrix


def _row_step(matrix, out_height, kernel_height, dilation_height):
    """N*OW: how many columns of the width matrix one padded row takes (Hp*N*OW in all)."""
    padded_height = out_height + dilation_height * (kernel_height - 1)
    return matrix.shape[1] // padded_height


def row_products(matrix, weight, out_height, dilation_height=1):
    """Y = sum_i W_i @ X_i: the convolution's output as (C_out, OH*N*OW).

    ``matrix`` is the width matrix X; ``weight`` is (C_out, C, kh, kw).
    """
    xp = get_array_module(matrix)
    out_channels, _, kernel_height, _ = weight.shape
    step = _row_step(matrix, out_height, kernel_height, dilation_height)
    span = out_height * step
    output = workspace.empty((out_channels, span), matrix.dtype, xp)
    # NumPy's matmul cannot add into its output: W_i @ X_i goes to a buffer, then is added.
    product = workspace.empty((out_channels, span), matrix.dtype, xp) if kernel_height > 1 else None
    for i in range(kernel_height):
        start = i * dilation_height * step
        weight_row = weight[:, :, i, :].reshape(out_channels, -1)        # W_i (C_out, C*kw)
        if i == 0:
            xp.matmul(weight_row, matrix[:, start:start + span], out=output)
        else:
            xp.matmul(weight_row, matrix[:, start:start + span], out=product)
            output += product
    if product is not None:
        workspace.give_back(product)
    return output


def row_weight_gradient(grad_rows, matrix, kernel_size, out_height, dilation_height=1):
    """dL/dW as (C_out, C, kh, kw): for each kernel row i, dL/dW_i = G @ X_i^T.

    ``grad_rows`` is G, the output's gradient as (C_out, OH*N*OW); ``matrix`` is X.
    Computed as its transpose, X_i @ G^T (C*kw, C_out): the same numbers, and BLAS
    runs that shape faster (measured, 1 thread: 50 -> 66 GFLOP/s for the course CNN's
    second layer, 71 -> 86 for its third).
    """
    xp = get_array_module(matrix)
    kernel_height, kernel_width = kernel_size
    out_channels, span = grad_rows.shape
    channels = matrix.shape[0] // kernel_width
    step = _row_step(matrix, out_height, kernel_height, dilation_height)
    grad_weight = xp.empty((kernel_height, channels * kernel_width, out_channels),
                           dtype=grad_rows.dtype)
    for i in range(kernel_height):
        start = i * dilation_height * step
        xp.matmul(matrix[:, start:start + span], grad_rows.T, out=grad_weight[i])
    grad_weight = grad_weight.reshape(kernel_height, channels, kernel_width, out_channels)
    return xp.ascontiguousarray(grad_weight.transpose(3, 1, 0, 2))
