"""Optional compiled loops, with numba: used when it is installed, never required.

``pip install edunet[fast]`` installs numba. ``import edunet`` never imports it (it
takes about 140 ms): the first kernel that could use it loads it, and compiles its
loops once; ``cache=True`` keeps the machine code on disk for the next process. Each
function here returns None when numba is missing (or ``ENABLED`` is False, or the
array is not a float NumPy array it handles), and the caller runs its NumPy code.

Why compiled loops: NumPy runs one pass over memory per call. Max pooling needs
kh*kw passes for the maxima and as many again to find where each one sits; a loop
does both in one pass. Measured on the course CNN (A), 2 threads: the three 2x2 max
pools, forward and backward, take about 3.5x less time compiled (see
benchmarks/RESULTS.md). An LSTM step is a dozen NumPy calls on 32 x 64 arrays, each
mostly call overhead; one loop does the work of seven of them.

The loops compile for the arrays' own dtype: a Python constant such as ``1`` in a loop
over float32 arrays makes numba compute in float64, so the LSTM forward step and the
2x2 pooling loop take their constants as arguments of the arrays' dtype (``one``,
``zero``) and loop over whole contiguous rows, which the compiler turns into vector
instructions. (The LSTM backward step still computes in float64 and rounds once.)
"""

import numpy

ENABLED = True        # tests switch it off to run the NumPy fast path
_loops = None         # None: not loaded yet; False: numba is missing; else the loops


def available():
    """True when numba is installed and compiled loops are switched on."""
    return ENABLED and _load() is not False


def _load():
    global _loops
    if _loops is None:
        try:
            import numba
        except ImportError:
            _loops = False
        else:
            _loops = _compile(numba)
    return _loops


def _compile(numba):
    """The loops, as numba functions (compiled on first call, cached on disk)."""
    # error_model="numpy": x / 0 gives inf or nan as in NumPy, no Python exception (and
    # no zero test in the loop, which would keep it from being vectorised).
    jit = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")

    @jit
    def max_pool_backward(x, output, grad_output, grad_input, kernel_height, kernel_width):
        # x and grad_input (P, H, W), output and grad_output (P, OH, OW). Each window's
        # gradient goes to its first maximum (a window whose maximum is NaN: its last
        # NaN, as PyTorch); every other entry is 0, rows and columns past the last
        # whole window too.
        planes, height, width = grad_input.shape
        grid_height, grid_width = output.shape[1], output.shape[2]
        for p in range(planes):
            for h in range(grid_height * kernel_height, height):
                for w in range(width):
                    grad_input[p, h, w] = 0
            for h in range(grid_height * kernel_height):
                for w in range(grid_width * kernel_width, width):
                    grad_input[p, h, w] = 0
            for oh in range(grid_height):
                for ow in range(grid_width):
                    top, left = oh * kernel_height, ow * kernel_width
                    maximum = output[p, oh, ow]
                    where = -1
                    for i in range(kernel_height):
                        for j in range(kernel_width):
                            value = x[p, top + i, left + j]
                            if maximum != maximum:
                                if value != value:
                                    where = i * kernel_width + j
                            elif where < 0 and value == maximum:
                                where = i * kernel_width + j
                    gradient = grad_output[p, oh, ow]
                    for i in range(kernel_height):
                        for j in range(kernel_width):
                            grad_input[p, top + i, left + j] = (
                                gradient if i * kernel_width + j == where else 0)

    @jit
    def max_pool_2x2(x, output):
        # The maxima of 2x2 windows: x (P, H, W), output (P, OH, OW). A NaN in a window
        # makes its maximum NaN, as NumPy's maximum and PyTorch do. Branch-free, so the
        # compiler vectorises it; one pass over x instead of three NumPy passes over
        # strided views (64x32x32x32 float32, 1 thread: 2.06 -> 0.16 ms).
        planes = x.shape[0]
        grid_height, grid_width = output.shape[1], output.shape[2]
        for p in range(planes):
            for oh in range(grid_height):
                top, bottom, maxima = x[p, 2 * oh], x[p, 2 * oh + 1], output[p, oh]
                for ow in range(grid_width):
                    a, b = top[2 * ow], top[2 * ow + 1]
                    c, d = bottom[2 * ow], bottom[2 * ow + 1]
                    upper = a if (a >= b) | (a != a) else b
                    lower = c if (c >= d) | (c != c) else d
                    maxima[ow] = upper if (upper >= lower) | (upper != upper) else lower

    @jit
    def max_pool_backward_2x2(x, output, grad_output, grad_input, zero):
        # max_pool_backward for 2x2 windows (MaxPool2d(2), the common case), written
        # without branches so that the compiler vectorises it: 1.5x faster (64x32x32x32
        # float32, 1 thread: 4.0 -> 2.6 ms). The same rule: the first maximum in reading
        # order a b / c d, or the last NaN of a window whose maximum is NaN.
        # ``zero`` is 0 in the arrays' dtype.
        planes, height, width = grad_input.shape
        grid_height, grid_width = output.shape[1], output.shape[2]
        for p in range(planes):
            for h in range(grid_height * 2, height):
                for w in range(width):
                    grad_input[p, h, w] = zero
            for h in range(grid_height * 2):
                for w in range(grid_width * 2, width):
                    grad_input[p, h, w] = zero
            for oh in range(grid_height):
                top, bottom = x[p, 2 * oh], x[p, 2 * oh + 1]
                grad_top, grad_bottom = grad_input[p, 2 * oh], grad_input[p, 2 * oh + 1]
                maxima, gradients = output[p, oh], grad_output[p, oh]
                for ow in range(grid_width):
                    a, b = top[2 * ow], top[2 * ow + 1]
                    c, d = bottom[2 * ow], bottom[2 * ow + 1]
                    maximum, gradient = maxima[ow], gradients[ow]
                    nan = maximum != maximum
                    first_a = a == maximum
                    first_b = (b == maximum) & ~first_a
                    first_c = (c == maximum) & ~(first_a | first_b)
                    last_d = d != d
                    last_c = (c != c) & ~last_d
                    last_b = (b != b) & ~(last_c | last_d)
                    at_a = (nan & ~(last_b | last_c | last_d)) | (~nan & first_a)
                    at_b = (nan & last_b) | (~nan & first_b)
                    at_c = (nan & last_c) | (~nan & first_c)
                    at_d = (nan & last_d) | (~nan & ~(first_a | first_b | first_c))
                    grad_top[2 * ow] = gradient if at_a else zero
                    grad_top[2 * ow + 1] = gradient if at_b else zero
                    grad_bottom[2 * ow] = gradient if at_c else zero
                    grad_bottom[2 * ow + 1] = gradient if at_d else zero

    @jit
    def lstm_backward_step(grad_from_next, grad_state, grad_cell, gates, cell, tanh_cell,
                           grad_gates):
        # dh' = grad_from_next + grad_state; the chain rule of ops/recurrent.py's LSTMLayer.
        batch, hidden = grad_cell.shape
        for n in range(batch):
            for k in range(hidden):
                input_gate, forget_gate = gates[n, 0, k], gates[n, 1, k]
                candidate, output_gate = gates[n, 2, k], gates[n, 3, k]
                grad_hidden = grad_from_next[n, k] + grad_state[n, k]
                tanh_value = tanh_cell[n, k]
                dc = grad_cell[n, k] + grad_hidden * output_gate * (1 - tanh_value * tanh_value)
                grad_gates[n, k] = dc * candidate * input_gate * (1 - input_gate)
                grad_gates[n, hidden + k] = dc * cell[n, k] * forget_gate * (1 - forget_gate)
                grad_gates[n, 2 * hidden + k] = dc * input_gate * (1 - candidate * candidate)
                grad_gates[n, 3 * hidden + k] = (grad_hidden * tanh_value * output_gate
                                                 * (1 - output_gate))
                grad_cell[n, k] = dc * forget_gate

    @jit
    def lstm_forward_step(gates, cell, new_cell, one):
        # gates (N, 4H), blocks i, f, g, o, hold e^-a (e^-2a for the candidate g) on
        # entry, the activated gates on exit: sigma(a) = 1 / (1 + e^-a), tanh(a) =
        # 2 sigma(2a) - 1; then c' = f c + i g. ``one`` is 1 in the arrays' dtype (a
        # Python 1 would turn float32 arithmetic into float64). Loops over whole rows
        # (4H, then H long) so that the compiler vectorises them.
        batch, hidden = cell.shape
        two = one + one
        for n in range(batch):
            row = gates[n]
            for j in range(4 * hidden):
                row[j] = one / (one + row[j])
            for k in range(hidden):
                candidate = two * row[2 * hidden + k] - one
                row[2 * hidden + k] = candidate
                new_cell[n, k] = row[hidden + k] * cell[n, k] + row[k] * candidate

    return dict(max_pool_2x2=max_pool_2x2, max_pool_backward=max_pool_backward,
                max_pool_backward_2x2=max_pool_backward_2x2,
                lstm_backward_step=lstm_backward_step,
                lstm_forward_step=lstm_forward_step)


def _takes(array):
    """True for the arrays the loops are compiled for: float32/float64 NumPy arrays."""
    return (ENABLED and type(array) is numpy.ndarray and array.dtype.kind == "f"
            and array.dtype.itemsize in (4, 8))


def max_pool2d_2x2(x, grid_size):
    """The maxima of the tiling 2x2 windows of ``x`` (..., H, W) in one compiled pass, or
    None when the loop does not apply."""
    if not (_takes(x) and 2 <= x.ndim <= 4 and x.flags.c_contiguous):
        return None
    loops = _load()
    if loops is False:
        return None
    output = numpy.empty(x.shape[:-2] + tuple(grid_size), dtype=x.dtype)
    loops["max_pool_2x2"](x.reshape(-1, *x.shape[-2:]), output.reshape(-1, *grid_size))
    return output


def max_pool2d_backward(x, output, grad_output, kernel_size):
    """The input gradient of max pooling over tiling windows of ``x`` (..., H, W): each
    window's gradient to its first maximum, in one pass. None when the loop does not apply.
    """
    if not (_takes(x) and _takes(grad_output) and 2 <= x.ndim <= 4):
        return None
    loops = _load()
    if loops is False:
        return None
    grid = output.shape[-2:]
    grad_input = numpy.empty(x.shape, dtype=grad_output.dtype)
    arrays = (x.reshape(-1, *x.shape[-2:]), output.reshape(-1, *grid),
              numpy.ascontiguousarray(grad_output).reshape(-1, *grid),
              grad_input.reshape(-1, *x.shape[-2:]))
    if tuple(kernel_size) == (2, 2) and x.dtype == grad_output.dtype:
        loops["max_pool_backward_2x2"](*arrays, grad_output.dtype.type(0))
    else:
        loops["max_pool_backward"](*arrays, *kernel_size)
    return grad_input


def lstm_forward_step(x, gates):
    """The LSTM's compiled forward step after the exp (see kernels/recurrent.py), or None."""
    if not (_takes(x) and _takes(gates) and x.dtype == gates.dtype):
        return None
    loops = _load()
    return None if loops is False else loops["lstm_forward_step"]


def lstm_backward_step(grad_output, gates):
    """The LSTM's compiled backward step (see kernels/recurrent.py), or None."""
    if not (_takes(grad_output) and _takes(gates) and grad_output.dtype == gates.dtype):
        return None
    loops = _load()
    return None if loops is False else loops["lstm_backward_step"]
