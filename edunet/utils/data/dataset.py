"""Datasets: anything with ``len(dataset)`` and ``dataset[index]`` (``torch.utils.data``).

A *map-style* dataset answers two questions: how many samples are there, and
what is sample number ``index``? A sample is whatever the dataset returns, most
often a pair ``(input, target)``:

    dataset = TensorDataset(images, labels)   # images: (N, 1, 28, 28), labels: (N,)
    len(dataset)                              # N
    image, label = dataset[0]                 # (1, 28, 28) and ()

The DataLoader (dataloader.py) turns samples into batches. This file also holds
the ways to combine datasets: take some of the samples (``Subset``), put several
one after another (``ConcatDataset``) and split one at random into parts
(``random_split``, e.g. training and validation sets).
"""

import bisect
import itertools
import math
import warnings

from edunet.random import default_generator
from edunet.tensor import Tensor


class Dataset:
    """The base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 10
    ...     def __getitem__(self, index):
    ...         return index, index ** 2
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        """``dataset_a + dataset_b`` is the samples of a followed by those of b."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define ``__iter__`` instead of ``__getitem__``.

    Use it when samples arrive one after another (lines of a large file, a
    generator) and can't be fetched by index. A DataLoader can't shuffle a
    stream, so it refuses ``shuffle=True`` for these datasets.
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")


class TensorDataset(Dataset):
    """Samples are rows of tensors: ``dataset[i]`` is ``(tensors[0][i], tensors[1][i], ...)``.

    Every tensor needs the same first dimension N, the number of samples.

    >>> dataset = TensorDataset(edunet.randn(100, 3), edunet.randint(2, (100,)))
    >>> features, label = dataset[0]        # shapes (3,) and ()
    """

    def __init__(self, *tensors):
        for position, tensor in enumerate(tensors):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"TensorDataset takes tensors, but argument {position + 1} is a "
                                f"{type(tensor).__name__}: convert it first, e.g. "
                                f"edunet.tensor(values).")
        sizes = [tensor.size(0) for tensor in tensors]
        if len(set(sizes)) > 1:
            raise AssertionError(f"Size mismatch between tensors: every tensor needs the same "
                                 f"first dimension (the number of samples), but the sizes are "
                                 f"{sizes}.")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[position] for position in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices):
        """A list of samples at once (the DataLoader asks for a whole batch this way)."""
        original_indices = [self.indices[index] for index in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(original_indices)
        return [self.dataset[index] for index in original_indices]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after another: ``len`` is the sum of their lengths.

    ``cumulative_sizes[k]`` is the number of samples in the first k + 1 datasets,
    so sample ``index`` lives in the first dataset whose cumulative size exceeds it.
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        lengths = [len(dataset) for dataset in self.datasets]
        self.cumulative_sizes = list(itertools.accumulate(lengths))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index = len(self) + index
        if index >= len(self):
            raise IndexError(f"index {index} is out of range for a ConcatDataset of {len(self)} "
                             f"samples")
        dataset_number = bisect.bisect_right(self.cumulative_sizes, index)
        samples_before = self.cumulative_sizes[dataset_number - 1] if dataset_number > 0 else 0
        return self.datasets[dataset_number][index - samples_before]


def _lengths_from_fractions(fractions, total):
    """Split ``total`` samples by fractions that add up to 1, as PyTorch does.

    Each part gets floor(total * fraction) samples; the few left over are handed
    out one at a time to the parts in order (so [0.5, 0.5] of 5 is [3, 2]).
    """
    lengths = []
    for position, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Fraction at index {position} is not between 0 and 1")
        lengths.append(math.floor(total * fraction))
    for extra in range(total - sum(lengths)):
        lengths[extra % len(lengths)] += 1
    for position, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {position} is 0. "
                          f"This might result in an empty dataset.")
    return lengths


def random_split(dataset, lengths, generator=default_generator):
    """Split ``dataset`` at random into non-overlapping Subsets of the given lengths.

    ``lengths`` holds either sample counts that add up to ``len(dataset)``, or
    fractions that add up to 1 (the counts are then rounded as PyTorch does).
    One random permutation of all indices is cut into consecutive pieces, so
    every sample lands in exactly one part. Pass ``generator=`` (an
    ``edunet.Generator``) for a split that doesn't depend on the global seed.

    >>> train_set, validation_set = random_split(dataset, [0.8, 0.2])
    """
    total = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, total)
    for position, length in enumerate(lengths):
        if length < 0:
            raise ValueError(f"Length of split at index {position} is {length}; lengths can't be "
                             f"negative.")
    if sum(lengths) != total:
        raise ValueError(f"Sum of input lengths does not equal the length of the input dataset! "
                         f"(The lengths {list(lengths)} add up to {sum(lengths)}, the dataset has "
                         f"{total} samples.)")
    shuffled = generator.permutation(total).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, shuffled[end - length:end]) for end, length in zip(ends, lengths)]
