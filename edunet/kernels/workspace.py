"""Scratch arrays kept for reuse: the big temporary arrays of the convolution and
recurrent kernels.

Why: a training step of the course's CIFAR-10 CNN builds matrices of 4-20 MB every
step (edunet/kernels/conv_rows.py). Memory that the allocator just handed back to the
operating system must be cleared page by page (4 KB at a time, a "page fault") when
it is first written again, and those faults took a fifth of the step (half of an
LSTM's). Handing the next step last step's memory, of the same size, skips that work.

Use it only for arrays that never leave the kernels (not for results a user can hold):

    matrix = workspace.empty((rows, columns), dtype, xp)    # maybe last step's memory
    ...                                                      # fill it, use it
    workspace.give_back(matrix)                              # nobody uses it any more

A bounded number of bytes is kept; the oldest spare goes first when that is exceeded.
"""

import collections

MAX_SPARE_BYTES = 160 * 2**20

# (size, dtype, array type) -> spare arrays of that kind. Spares are keyed by their number of
# elements, not their shape: any contiguous array can be reshaped for free. An OrderedDict
# remembers which kind was given back longest ago.
_spares = collections.OrderedDict()
_spare_bytes = 0


def empty(shape, dtype, xp):
    """An uninitialised array, like ``xp.empty(shape, dtype)``, reusing a spare if there is one."""
    global _spare_bytes
    size = 1
    for length in shape:
        size *= length
    spares = _spares.get((size, xp.dtype(dtype), xp.ndarray))
    if spares:
        array = spares.pop()
        _spare_bytes -= array.nbytes
        return array.reshape(shape)
    return xp.empty(shape, dtype=dtype)


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
    """Drop every spare array (frees the memory)."""
    global _spare_bytes
    _spares.clear()
    _spare_bytes = 0
