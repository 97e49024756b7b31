"""DataLoader: iterate over a dataset in (shuffled) batches, as ``torch.utils.data.DataLoader``.

    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    for images, labels in loader:          # one epoch
        ...                                # images: (64, 1, 28, 28), labels: (64,)

Each batch is made in three steps:

1. the *batch sampler* chooses ``batch_size`` indices (in order, or shuffled);
2. the loader fetches those samples: ``[dataset[i] for i in indices]``;
3. ``collate_fn`` (``default_collate``) stacks them into tensors.

So an epoch has ceil(N / batch_size) batches, or floor(N / batch_size) with
``drop_last=True``, and ``len(loader)`` says how many.

Everything runs in the Python process you are in. PyTorch can load batches in
background worker processes (``num_workers > 0``); edunet accepts the argument,
so PyTorch code runs unchanged, but warns once and loads every batch in the
main process, in the same order as ``num_workers=0``.
"""

import itertools
import warnings

from edunet import cuda
from edunet.utils.data.collate import default_collate, default_convert
from edunet.utils.data.dataset import IterableDataset
from edunet.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

# Attributes that decide which batches come out; PyTorch forbids changing them later.
_FIXED_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                     "persistent_workers")

_warned_about_workers = False


def get_worker_info():
    """Information about the current worker process; None in the main process.

    edunet always loads data in the main process, so this is always None
    (PyTorch code that splits an IterableDataset between workers then reads
    the whole stream, which is right for one process).
    """
    return None


def _warn_about_workers_once(num_workers):
    global _warned_about_workers
    if not _warned_about_workers:
        _warned_about_workers = True
        warnings.warn(f"edunet's DataLoader has no worker processes: num_workers={num_workers} is "
                      f"accepted so PyTorch code runs unchanged, but every batch is loaded in the "
                      f"main process, exactly as with num_workers=0. (This warning is shown once.)",
                      stacklevel=3)


class DataLoader:
    """Batches of samples from ``dataset``, in order or shuffled, one epoch per ``for`` loop.

    Arguments (PyTorch's, with PyTorch's defaults):

    - ``batch_size`` (1): samples per batch; ``None`` turns batching off and
      yields single samples (NumPy arrays converted to tensors).
    - ``shuffle`` (False): a new random order every epoch, drawn from
      ``generator`` or from edunet's default generator (``edunet.manual_seed``
      makes it repeatable).
    - ``sampler`` / ``batch_sampler``: your own order of indices / of batches.
    - ``collate_fn`` (``default_collate``): list of samples -> batch.
    - ``drop_last`` (False): leave out the last, smaller batch.
    - ``num_workers``, ``pin_memory``, ``timeout``, ``worker_init_fn``,
      ``multiprocessing_context``, ``prefetch_factor``, ``persistent_workers``,
      ``pin_memory_device``, ``in_order``: accepted and checked as PyTorch
      does; loading always happens in the main process (see the top of this file).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if not (hasattr(dataset, "__getitem__") or hasattr(dataset, "__iter__")):
            raise TypeError(f"DataLoader needs a dataset: an object with __getitem__ and "
                            f"__len__ (a Dataset, a list, a TensorDataset) or an iterable, got "
                            f"{type(dataset).__name__}")
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if num_workers > 0:
            _warn_about_workers_once(num_workers)

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            # A stream has no indices to shuffle or sample; it is read in its own order.
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
            if batch_size is None and drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is mutually "
                                 "exclusive with drop_last")
            if batch_size is not None:
                BatchSampler([], batch_size, drop_last)  # checks both values as PyTorch does
        else:
            given_batch_sampler = batch_sampler is not None
            sampler, batch_sampler = self._choose_samplers(
                dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator)
            if given_batch_sampler:  # batch_size and drop_last come from the user's batch sampler
                batch_size, drop_last = None, False

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.collate_fn = collate_fn or (default_convert if self._batching_off else default_collate)
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._initialized = True

    @staticmethod
    def _choose_samplers(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last,
                         generator):
        """The (sampler, batch_sampler) pair for a map-style dataset, checked as PyTorch does."""
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and shuffle:
            sampler = RandomSampler(dataset, generator=generator)
        elif sampler is None:
            sampler = SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        return sampler, batch_sampler

    @property
    def _batching_off(self):
        return self.batch_size is None and self.batch_sampler is None

    def __setattr__(self, name, value):
        if getattr(self, "_initialized", False) and name in _FIXED_AFTER_INIT:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    def __len__(self):
        """The number of batches in one epoch."""
        if self._is_iterable:
            samples = len(self.dataset)  # TypeError if the stream doesn't know its length
            if self.batch_size is None:
                return samples
            if self.drop_last:
                return samples // self.batch_size
            return (samples + self.batch_size - 1) // self.batch_size
        if self._batching_off:
            return len(self.sampler)
        return len(self.batch_sampler)

    def __iter__(self):
        """One epoch: a fresh pass over the dataset (and a new order when shuffling)."""
        if self.pin_memory and not cuda.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.", stacklevel=2)
        if self._is_iterable:
            return self._iterate_stream()
        if self._batching_off:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)
        return (self.collate_fn(self._fetch(indices)) for indices in self.batch_sampler)

    def _fetch(self, indices):
        """The samples at ``indices``; datasets that can fetch a batch at once define
        ``__getitems__``."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(indices)
        return [self.dataset[index] for index in indices]

    def _iterate_stream(self):
        samples = iter(self.dataset)
        if self.batch_size is None:
            for sample in samples:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)
