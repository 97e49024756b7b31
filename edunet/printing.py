"""How a tensor prints: ``tensor([1.0000, 2.5000])``, exactly as PyTorch prints it.

``repr(x)`` (and ``print(x)``) builds its text in three steps:

1. **Pick one number format for the whole tensor** (:class:`NumberFormatter`),
   so that every element gets the same width and the columns line up.
   Floating-point tensors use one of three modes, decided by the nonzero finite
   values (zeros, nan and inf follow whatever the others chose):

   - *integer mode* when every value is a whole number: ``tensor([1., 2.])``;
   - *scientific mode* when the values span a lot of orders of magnitude
     (largest / smallest > 1000), are huge (largest > 1e8) or tiny
     (smallest < 1e-4): ``tensor([1.0000e-05, 1.0000e+00])``;
   - *fixed mode* otherwise, with ``precision`` decimals: ``tensor([0.5000, 1.2500])``.

   Integer and bool tensors print their values as Python would: ``3``, ``True``.

2. **Lay the numbers out as nested brackets**, one bracket per dimension. Rows
   wrap to stay within ``linewidth`` characters; blocks of higher dimensions are
   separated by blank lines. A tensor with more than ``threshold`` elements is
   *summarized*: only ``edgeitems`` entries at each end of every dimension are
   shown, with ``...`` for the rest.

3. **Add what the numbers don't say**, in this order: ``device='cuda:0'`` for a
   tensor on a GPU, ``size=(0, 3)`` for an empty tensor (and for every tensor
   when ``edgeitems`` is 0), ``dtype=...`` when it can't be guessed from the
   values, then ``grad_fn=<MulBackward0>`` or ``requires_grad=True``.

:func:`set_printoptions` changes the precision, threshold, edgeitems and
linewidth, or forces scientific mode on or off, as ``torch.set_printoptions`` does.
"""

import contextlib
import math

import numpy

from edunet import dtypes
from edunet.backend import is_cupy_array

# PyTorch's named sets of options for set_printoptions(profile=...).
PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


class PrintOptions:
    """The current print settings (one shared instance, :data:`options`).

    Attributes:
        precision: decimals shown in fixed and scientific mode (4).
        threshold: tensors with more elements than this are summarized (1000).
        edgeitems: entries shown at each end of a summarized dimension (3).
        linewidth: characters per line before a row wraps (80).
        sci_mode: True or False forces scientific mode on or off; None lets the
            formatter decide from the values.
    """

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


options = PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (``torch.set_printoptions``).

    Args:
        precision: decimals for floating-point values (default 4).
        threshold: summarize tensors with more elements than this (default 1000).
        edgeitems: entries kept at each end of a summarized dimension (default 3).
        linewidth: characters per line (default 80).
        profile: start from a named set: ``"default"``, ``"short"`` (precision 2,
            edgeitems 2) or ``"full"`` (never summarize); the other arguments
            then change single settings of it.
        sci_mode: True or False to force scientific notation on or off; None
            (the default) chooses from the values. As in PyTorch, every call sets
            it, so leaving it out turns a forced mode off again.

    Example::

        >>> edunet.set_printoptions(precision=2)
        >>> edunet.tensor([1.12345])
        tensor([1.12])
        >>> edunet.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"unknown print profile {profile!r}; choose one of "
                             f"{', '.join(map(repr, PROFILES))}")
        for name, value in PROFILES[profile].items():
            setattr(options, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(options, name, value)
    options.sci_mode = sci_mode


def get_printoptions():
    """The current print settings as a dict that :func:`set_printoptions` accepts."""
    return {"precision": options.precision, "threshold": options.threshold,
            "edgeitems": options.edgeitems, "linewidth": options.linewidth,
            "sci_mode": options.sci_mode}


@contextlib.contextmanager
def printoptions(**changes):
    """Change print settings inside a ``with`` block only::

        with edunet.printing.printoptions(precision=2):
            print(x)
    """
    saved = get_printoptions()
    set_printoptions(**changes)
    try:
        yield
    finally:
        set_printoptions(**saved)


class NumberFormatter:
    """Turns each element into text of one common width.

    Built from the values that will be shown (after summarizing), it decides the
    mode and the width once; :meth:`format` then writes any single element.

    Attributes:
        is_floating: the tensor has a floating-point dtype.
        int_mode: every nonzero finite value is a whole number (prints ``2.``).
        sci_mode: print as ``1.2345e+03``.
        width: the length of the longest nonzero finite value's text; shorter
            texts are padded with spaces on the left.
    """

    def __init__(self, values):
        values = values.reshape(-1)
        self.is_floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.is_floating:
            self.width = max([1] + [len(str(value)) for value in values.tolist()])
            return

        nonzero_finite = values[numpy.isfinite(values) & (values != 0)]
        if nonzero_finite.size == 0:
            return  # only zeros, nan and inf: integer mode, even if sci_mode is forced
        magnitudes = numpy.abs(nonzero_finite.astype(numpy.float64))
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())

        self.int_mode = bool(numpy.all(nonzero_finite == numpy.ceil(nonzero_finite)))
        if options.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = options.sci_mode

        numbers = nonzero_finite.tolist()
        if self.sci_mode:
            texts = [f"{number:.{options.precision}e}" for number in numbers]
        elif self.int_mode:
            texts = [f"{number:.0f}." for number in numbers]
        else:
            texts = [f"{number:.{options.precision}f}" for number in numbers]
        self.width = max([1] + [len(text) for text in texts])

    def format(self, value):
        """``value`` (a Python number) as text, right-aligned to :attr:`width`."""
        if not self.is_floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{options.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."  # the dot says "floating point": 2. rather than 2
        else:
            text = f"{value:.{options.precision}f}"
        return text.rjust(self.width)


def shown_values(array):
    """The part of ``array`` a summarized repr shows: ``edgeitems`` entries at
    each end of every dimension that is longer than twice that."""
    edge = options.edgeitems
    if array.ndim == 0:
        return array
    if edge == 0:
        # Only "..." is shown, so no value decides the format.
        return array.reshape(-1)[:0]
    for axis, length in enumerate(array.shape):
        if length > 2 * edge:
            kept = list(range(edge)) + list(range(length - edge, length))
            array = numpy.take(array, kept, axis=axis)
    return array


def format_row(row, indent, summarize, formatter):
    """A 1-d array as ``[a, b, c]``, wrapped so lines fit in ``linewidth``.

    ``indent`` is the column where the ``[`` stands; continuation lines start
    one column to its right.
    """
    edge = options.edgeitems
    if summarize and edge == 0:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        items = ([formatter.format(value) for value in row[:edge].tolist()] + [" ..."]
                 + [formatter.format(value) for value in row[-edge:].tolist()])
    else:
        items = [formatter.format(value) for value in row.tolist()]

    item_length = formatter.width + 2  # the text and its ", "
    items_per_line = max(1, math.floor((options.linewidth - indent) / item_length))
    lines = [", ".join(items[start:start + items_per_line])
             for start in range(0, len(items), items_per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def format_block(array, indent, summarize, formatter):
    """``array`` as nested brackets: a block of rows, a block of blocks, ...

    Sub-blocks of a 3-d array are separated by one blank line, of a 4-d array
    by two, and so on; each nesting level is indented one more column.
    """
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return format_row(array, indent, summarize, formatter)

    edge = options.edgeitems
    length = array.shape[0]
    if summarize and length > 2 * edge:
        blocks = ([format_block(array[index], indent + 1, summarize, formatter)
                   for index in range(edge)]
                  + ["..."]
                  + [format_block(array[index], indent + 1, summarize, formatter)
                     for index in range(length - edge, length)])
    else:
        blocks = [format_block(array[index], indent + 1, summarize, formatter)
                  for index in range(length)]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` for each suffix, and the closing ``)``.

    A suffix that would make the line too long starts a new line at ``indent``.
    Lines break exactly where PyTorch breaks them, so two details of its rule
    are kept: it counts two characters more than the last line of ``text``
    holds, and it measures dtype names as ``torch.float64``, one letter
    shorter than ``edunet.float64``.
    """
    pieces = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        suffix_length = len(suffix.replace("edunet.", "torch."))
        if line_length + suffix_length + 2 > options.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            line_length = indent + suffix_length
        else:
            pieces.append(", " + suffix)
            line_length += suffix_length + 2
    pieces.append(")")
    return "".join(pieces)


def host_array(array):
    """The values as a NumPy array (copied from the GPU for a CuPy array)."""
    return array.get() if is_cupy_array(array) else numpy.asarray(array)


def tensor_repr(tensor):
    """The text of ``repr(tensor)``, the same as PyTorch's.

    Example::

        >>> x = edunet.tensor([[1.5, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> x * 2
        tensor([[3., 4.],
                [6., 8.]], grad_fn=<MulBackward0>)
    """
    # A Parameter prints like a plain tensor; other subclasses show their name.
    class_name = type(tensor).__name__
    prefix = "tensor(" if class_name in ("Tensor", "Parameter") else class_name + "("
    indent = len(prefix)
    array = host_array(tensor.array)
    dtype = tensor.dtype
    default_float = dtypes.get_default_dtype()

    suffixes = []
    if tensor.device.type != "cpu":
        suffixes.append(f"device='{tensor.device}'")
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype != default_float:  # no values to guess the dtype from
            suffixes.append(f"dtype={dtype}")
        body = "[]"
    else:
        if options.edgeitems == 0:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype not in (default_float, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={dtype}")
        summarize = array.size > options.threshold
        formatter = NumberFormatter(shown_values(array) if summarize else array)
        body = format_block(array, indent, summarize, formatter)

    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return add_suffixes(prefix + body, suffixes, indent)
