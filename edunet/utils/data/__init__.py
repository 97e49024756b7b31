"""Data loading with PyTorch's names (``torch.utils.data``): datasets, samplers, batches.

    from edunet.utils.data import DataLoader, TensorDataset, random_split

    dataset = TensorDataset(inputs, targets)
    train_set, validation_set = random_split(dataset, [0.8, 0.2])
    for x, y in DataLoader(train_set, batch_size=32, shuffle=True):
        ...

dataset.py     Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, random_split
sampler.py     the order of indices: SequentialSampler, RandomSampler, BatchSampler, ...
collate.py     list of samples -> batch of tensors: default_collate, default_convert
dataloader.py  DataLoader, which puts the three together
"""

from edunet.utils.data.collate import default_collate, default_convert
from edunet.utils.data.dataloader import DataLoader, get_worker_info
from edunet.utils.data.dataset import (ConcatDataset, Dataset, IterableDataset, Subset,
                                       TensorDataset, random_split)
from edunet.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                       SubsetRandomSampler)

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler",
           "TensorDataset", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
