"""Samplers: the order in which a DataLoader visits a dataset's indices.

A sampler is an iterable of indices. The DataLoader picks one for you:
``SequentialSampler`` (0, 1, 2, ...) by default, ``RandomSampler`` with
``shuffle=True``, and ``BatchSampler`` groups those indices into batches:

    list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    # [[0, 1], [2, 3], [4]]

Random orders come from ``edunet.random.default_generator`` (so
``edunet.manual_seed`` makes them repeatable) or from the ``generator`` you pass.
"""

from edunet.random import default_generator


class Sampler:
    """The base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in a random order: a new permutation every time you iterate (every epoch).

    With ``replacement=True`` it draws ``num_samples`` indices independently, so
    some repeat. Without replacement and with ``num_samples`` larger than the
    dataset, it walks through as many fresh permutations as it needs.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        """How many indices one pass yields: len(data_source) unless you chose another number."""
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self):
        generator = self.generator or default_generator
        size = len(self.data_source)
        if self.replacement:
            yield from generator.integers(0, size, (self.num_samples,)).tolist()
            return
        remaining = self.num_samples
        while remaining > 0:
            permutation = generator.permutation(size).tolist()
            yield from permutation[:remaining]
            remaining -= size

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a new one every pass)."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        generator = self.generator or default_generator
        for position in generator.permutation(len(self.indices)).tolist():
            yield self.indices[position]

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    The last batch is smaller when ``batch_size`` doesn't divide the number of
    indices; ``drop_last=True`` leaves it out. So there are
    ceil(n / batch_size) batches, or floor(n / batch_size) with ``drop_last``.
    """

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
