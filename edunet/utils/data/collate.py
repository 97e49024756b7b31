"""Collating: turning a list of samples into one batch, as PyTorch's ``default_collate``.

The DataLoader fetches ``batch_size`` samples and hands the list to a collate
function. The default one keeps the *structure* of a sample and stacks its
*leaves* along a new first dimension:

    samples: [(image_0, 3), (image_1, 7)]       image_i: (1, 28, 28)
    batch:   [images, tensor([3, 7])]           images: (2, 1, 28, 28)

The rules, applied recursively (B is the batch size):

- tensors of one shape s        -> one tensor (B, *s)  (``edunet.stack``)
- NumPy arrays                  -> tensors, then stacked
- NumPy scalars                 -> a (B,) tensor of their dtype
- Python floats / ints / bools  -> a (B,) float64 / int64 / bool tensor
- strings and bytes             -> left as they are (the B strings, as given)
- dicts                         -> a dict with each key's values collated
- named tuples                  -> the same named tuple of collated fields
- tuples and lists              -> a list with each position collated
                                   (every sample must have the same length)
"""

import collections.abc
import copy

import numpy

from edunet import creation, dtypes
from edunet.ops.joining import stack
from edunet.tensor import Tensor

UNSUPPORTED_MESSAGE = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                       "or lists; found {}")


def _is_numeric_array(array):
    """NumPy arrays of strings or Python objects can't become tensors."""
    return array.dtype.kind not in "OSUV"


def default_collate(batch):
    """Stack a list of samples into a batch, following the rules at the top of this file.

    >>> default_collate([(edunet.zeros(3), 0), (edunet.ones(3), 1)])
    [tensor([[0., 0., 0.],
            [1., 1., 1.]]), tensor([0, 1])]
    """
    element = batch[0]
    if isinstance(element, Tensor):
        return stack(batch, 0)
    if isinstance(element, (str, bytes)):
        return batch
    if isinstance(element, numpy.ndarray):
        if not _is_numeric_array(element):
            raise TypeError(UNSUPPORTED_MESSAGE.format(element.dtype))
        return default_collate([creation.as_tensor(array) for array in batch])
    if isinstance(element, numpy.generic):
        # numpy.array keeps the scalars' own dtype (float32 stays float32, as in PyTorch).
        return creation.from_numpy(numpy.array(batch))
    if isinstance(element, float):
        return creation.tensor(batch, dtype=dtypes.float64)
    if isinstance(element, int):  # bools are ints too: a list of bools gives a bool tensor
        return creation.tensor(batch)
    if isinstance(element, collections.abc.Mapping):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in element}
        return _same_kind_of_mapping(element, collated)
    if isinstance(element, tuple) and hasattr(element, "_fields"):  # a namedtuple
        return type(element)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(element, collections.abc.Sequence):
        size = len(element)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        collated = [default_collate(position) for position in zip(*batch)]
        if isinstance(element, tuple):
            return collated  # PyTorch gives a list for tuples too
        return _same_kind_of_sequence(element, collated)
    raise TypeError(UNSUPPORTED_MESSAGE.format(type(element)))


def _same_kind_of_mapping(example, collated):
    """A mapping of the sample's own type where that type allows it, else a plain dict."""
    try:
        if isinstance(example, collections.abc.MutableMapping):
            result = copy.copy(example)  # keeps e.g. an OrderedDict or defaultdict type
            result.update(collated)
            return result
        return type(example)(collated)
    except TypeError:
        return collated


def _same_kind_of_sequence(example, collated):
    """A sequence of the sample's own type (a list subclass stays that subclass) if possible."""
    try:
        if isinstance(example, collections.abc.MutableSequence):
            result = copy.copy(example)
            for position, value in enumerate(collated):
                result[position] = value
            return result
        return type(example)(collated)
    except TypeError:
        return collated


def default_convert(data):
    """What the DataLoader does to each sample when batching is off (``batch_size=None``).

    NumPy arrays and NumPy scalars become tensors; dicts, named tuples and
    sequences are converted element by element (a tuple becomes a list, as in
    PyTorch); everything else, tensors and Python numbers included, is returned
    unchanged.
    """
    if isinstance(data, Tensor) or isinstance(data, (str, bytes)):
        return data
    if isinstance(data, (numpy.ndarray, numpy.generic)):
        if isinstance(data, numpy.ndarray) and not _is_numeric_array(data):
            return data
        return creation.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _same_kind_of_mapping(data, converted)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(field) for field in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]
    if isinstance(data, collections.abc.Sequence):
        converted = [default_convert(item) for item in data]
        return _same_kind_of_sequence(data, converted)
    return data
