"""Scratch arrays kept for reuse: the big temporary arrays of the fast kernels.

Why: a training step of the course's CIFAR-10 CNN builds matrices of 4-20 MB every
step (edunet/kernels/conv_rows.py). Memory that the allocator just handed back to the
operating system must be cleared page by page (4 KB at a time, a "page fault") when
it is first written again, and those faults took a fifth of the step (half of an
LSTM's). Handing the next step last step's memory, of the same size, skips that work.

Use it only for arrays that never leave one kernel call (not for results a user can
hold, nor for arrays kept for backward):

    matrix = workspace.empty((rows, columns), dtype, xp)    # maybe last step's memory
    ...                                                      # fill it, use it
    workspace.give_back(matrix)                              # nobody uses it any more

A bounded number of bytes is kept; the oldest spare goes first when that is exceeded.
"""

import collections
import math
import os
import sys

MAX_SPARE_BYTES = 160 * 2**20

# (size, dtype, array type) -> spare arrays of that kind. Spares are keyed by their number of
# elements, not their shape: any contiguous array can be reshaped for free. An OrderedDict
# remembers which kind was given back longest ago.
_spares = collections.OrderedDict()
_spare_bytes = 0


def empty(shape, dtype, xp):
    """An uninitialised array, like ``xp.empty(shape, dtype)``, reusing a spare if there is one."""
    global _spare_bytes
    spares = _spares.get((math.prod(shape), xp.dtype(dtype), xp.ndarray))
    if spares:
        array = spares.pop()
        _spare_bytes -= array.nbytes
        return array.reshape(shape)
    return xp.empty(shape, dtype=dtype)


def tune_allocator():
    """Apply keep_freed_memory_for_reuse once (``import edunet`` calls this), unless the
    environment variable ``EDUNET_KEEP_FREED_MEMORY`` is ``0``."""
    global _allocator_checked
    if not _allocator_checked:
        _allocator_checked = True
        if KEEP_FREED_MEMORY:
            keep_freed_memory_for_reuse()


def give_back(*arrays):
    """Keep these arrays for a later :func:`empty` of the same size. Each must be one that
    :func:`empty` returned, or a reshape of it; the caller must not use it afterwards."""
    global _spare_bytes
    for array in arrays:
        if not array.flags.c_contiguous:
            raise ValueError("workspace.give_back takes whole arrays from workspace.empty")
        key = (array.size, array.dtype, type(array))
        _spares.setdefault(key, []).append(array)
        _spares.move_to_end(key)
        _spare_bytes += array.nbytes
    while _spare_bytes > MAX_SPARE_BYTES:
        _, oldest = _spares.popitem(last=False)
        _spare_bytes -= sum(array.nbytes for array in oldest)


def clear():
    """Drop every spare array and the kept zeros (frees the memory)."""
    global _spare_bytes
    _spares.clear()
    _spare_bytes = 0
    _zeros.clear()


# (dtype, array type) -> one flat read-only array of zeros, grown as needed.
_zeros = {}
MAX_ZEROS_BYTES = 16 * 2**20


def zeros(shape, dtype, xp):
    """Zeros to compare with, e.g. ``xp.maximum(x, workspace.zeros(x.shape, x.dtype, xp))``:
    a read-only view of one kept array of zeros (a 0-d array past MAX_ZEROS_BYTES).

    Why: NumPy's ``maximum(x, 0)`` (a scalar) takes a loop that is 2-4x slower than
    ``maximum(x, z)`` with z an array of the same shape (measured on float32, NumPy 2.4:
    145 -> 56-72 us for a 64x6x28x28 ReLU), and making z anew each time costs more than
    that. So one array of zeros is kept, as large as the largest request so far (up to
    ``MAX_ZEROS_BYTES``). Callers must not write into it (NumPy enforces that).
    """
    size = math.prod(shape)
    dtype = xp.dtype(dtype)
    if size * dtype.itemsize > MAX_ZEROS_BYTES:
        return xp.zeros((), dtype=dtype)
    key = (dtype, xp.ndarray)
    kept = _zeros.get(key)
    if kept is None or kept.size < size:
        kept = xp.zeros(size, dtype=dtype)
        if hasattr(kept.flags, "writeable"):     # NumPy: refuse writes (CuPy has no flag)
            kept.flags.writeable = False
        _zeros[key] = kept
    return kept[:size].reshape(shape)


def keep_freed_memory_for_reuse(keep_bytes=64 * 2**20):
    """Ask the C allocator (glibc, on Linux) to keep freed memory for reuse: a process-wide
    setting for *every* array, not only the workspace's. Returns True if it was applied.

    By default glibc hands big freed blocks straight back to the operating system, and
    the next step's arrays fault their pages in again (results that a user may hold,
    like a layer's output, cannot come from the workspace). glibc raises its thresholds
    by itself only when it sees a big block freed, and the workspace keeps the big
    blocks, so the medium ones (a layer's output) keep going back to the system.
    Measured on one thread, CPU time per step, without -> with this setting:

    ============================  ==========  ==========  ==================
    workload                      without     with        page faults/step
    ============================  ==========  ==========  ==================
    course CNN (A), training      111 ms      102 ms      3174 -> 0
    LeNet (D), training           13.2 ms     10.7 ms     1144 -> 0
    LeNet (D), inference          7.1 ms      4.1 ms      556 -> 0
    ============================  ==========  ==========  ==================

    The cost: up to ``keep_bytes`` of freed memory stays with the process instead of
    going back to the system; the peak memory does not change. Blocks up to 32 MiB
    (glibc's own ceiling for its dynamic threshold) come from the reusable heap instead
    of fresh mappings.

    ``import edunet`` applies it (:func:`tune_allocator`), unless the environment variable
    ``EDUNET_KEEP_FREED_MEMORY`` is ``0``. It used to wait for the first scratch array, so
    a model without convolutions never got it: the MLP B256 (784-512-512-10, batch 256)
    faulted 2,255 pages in per training step, 9.6 -> 5.8 ms per step with it (2 threads).
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:           # not glibc (e.g. musl): nothing to tune
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 32 * 2**20)
                and libc.mallopt(m_trim_threshold, keep_bytes))


# Process-wide, applied once by ``import edunet``: see keep_freed_memory_for_reuse.
KEEP_FREED_MEMORY = os.environ.get("EDUNET_KEEP_FREED_MEMORY", "1") != "0"
_allocator_checked = False
